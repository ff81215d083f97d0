"""``CycleGANConfig``: CycleGAN RGB <-> thermal training options (the CycleGAN reference's at 256²).

Adds to :class:`~thermal_keras.pix2pix.config.TranslationConfig` the data modes (unpaired, paired,
EMSN), the ResNet generator's blocks, G's mean-level layer, the loss weights (cycle, identity,
supervised, the VGG16 feature losses) and the history pools.
"""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import ConfigError, option, override
from thermal_keras.translation.config import TranslationConfig


@dataclass
class CycleGANConfig(TranslationConfig):
    """CycleGAN RGB <-> thermal training options (defaults follow the CycleGAN reference at 256²)."""

    image_size: int = option(256, "training crop side in pixels (a multiple of 4 for ResNet generators)", minimum=8)
    generator: str = override(TranslationConfig, "generator", "resnet_9blocks", "generator: resnet_9blocks, "
                              "resnet_6blocks, resnet (with --n-blocks), unet_256, unet_128, unet")
    norm: str = override(TranslationConfig, "norm", "instance")
    paired: bool = option(False, "train on registered pairs (paired CycleGAN) instead of shuffling each side")
    disjoint_halves: bool = option(False, "unpaired: RGB and thermal images come from two disjoint halves of "
                                   "the training pairs (alternate runs of consecutive frame numbers), so no scene "
                                   "is seen on both sides, as with truly unpaired data")
    emsn: bool = option(False, "electromagnetic-spectrum normalisation of both sides (equals x/127.5 - 1)")
    n_blocks: int = option(9, "residual blocks for generator 'resnet'", minimum=1)
    lambda_cycle: float = option(10.0, "weight of the cycle-consistency L1 loss (each direction)", minimum=0.0)
    lambda_identity: float = option(0.5, "identity loss weight relative to lambda_cycle (only when the "
                                    "domains have the same channel count)", minimum=0.0)
    lambda_supervised: float = option(0.0, "paired mode: weight of L1(G(a), b)", minimum=0.0)
    perceptual_cycle: float = option(0.0, "weight of the VGG16 perceptual cycle loss (0: off)", minimum=0.0)
    self_similarity: float = option(0.0, "weight of the VGG16 self-similarity loss (0: off)", minimum=0.0)
    feature_weights: str = option("imagenet", "VGG16 weights: 'imagenet' ($KERAS_HOME cache), a .h5 path, "
                                  "or 'random' (untrained; for tests)")
    perceptual_layers: str = option("block2_conv2,block3_conv3", "VGG16 layers of the perceptual cycle loss")
    self_similarity_layers: str = option("block1_conv2,block2_conv2,block3_conv3",
                                         "VGG16 layers of the self-similarity loss")
    patch_size: int = option(3, "self-similarity patch side in feature-map pixels", minimum=1)
    num_patches: int = option(64, "self-similarity patches sampled per layer and step", minimum=1)
    mean_level: bool = option(False, "end G (RGB -> thermal) with a MeanLevel layer: every frame gets the "
                              "thermal training frames' mean level (for 8-bit AGC video, whose level the "
                              "photo does not tell)")
    pool_size: int = option(50, "generated images kept per discriminator (0: no history pool)", minimum=0)
    output_dir: str = override(TranslationConfig, "output_dir", "results/cyclegan")

    def check(self):
        super().check()
        if self.lambda_supervised and not self.paired:
            raise ConfigError("option lambda_supervised: > 0 needs paired=True (--paired)")
        if self.disjoint_halves and self.paired:
            raise ConfigError("option disjoint_halves: only for unpaired training (drop --paired)")
