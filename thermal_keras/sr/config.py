"""``SRGANConfig``: super-resolution training options (the Swift-SRGAN recipe at 4×, 96² HR crops)."""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import ConfigError, RunConfig, option, override


@dataclass
class SRGANConfig(RunConfig):
    """Super-resolution training options: pixel-MSE pre-training, then the GAN phase."""

    data: str = option("", "HR image folder, or the NIH ChestX-ray14 folder with --layout nih_chestxray")
    layout: str = option("folder", "layout of --data", choices=("folder", "nih_chestxray"))
    split: str = option("train", "NIH split (train or test)")
    recursive: bool = option(False, "folder layout: also take images in sub-folders")
    channels: int = option(0, "1 (grey/thermal) or 3 (RGB); 0 detects from the files", choices=(0, 1, 3))
    generator: str = option("swift_srgan", "generator: swift_srgan (separable) or srgan (standard convs)",
                            choices=("swift_srgan", "srgan"))
    discriminator: str = option("swift_srgan", "discriminator: swift_srgan or srgan", choices=("swift_srgan", "srgan"))
    scale: int = option(4, "upscaling factor", choices=(2, 4, 8))
    num_channels: int = option(64, "generator width", minimum=1)
    num_blocks: int = option(16, "generator residual blocks", minimum=1)
    bicubic_residual: bool = option(False, "generator adds its output to a bicubic upscale (not in the reference)")
    hr_size: int = option(96, "HR crop side (a multiple of scale)", minimum=8)
    batch_size: int = override(RunConfig, "batch_size", 16, "crops per global batch (split across replicas)")
    gain_max: float = option(1.0, "brightness augmentation: HR crops scaled by a random factor in [1, gain_max]",
                             minimum=1.0)
    pretrain_steps: int = option(1000, "pixel-MSE (SRResNet) steps before the GAN phase", minimum=0)
    gan_steps: int = option(1000, "SRGAN steps", minimum=0)
    steps_per_epoch: int = option(100, "steps between checkpoints / log lines", minimum=1)
    pretrain_lr: float = option(1e-4, "Adam learning rate for pre-training", minimum=0.0)
    lr: float = option(1e-4, "Adam learning rate of both networks in the GAN phase", minimum=0.0)
    pixel_weight: float = option(1.0, "weight of the pixel MSE", minimum=0.0)
    adversarial_weight: float = option(1e-3, "weight of the adversarial loss", minimum=0.0)
    perceptual_weight: float = option(6e-3, "weight of the perceptual (feature MSE) loss; 0 to skip", minimum=0.0)
    tv_weight: float = option(2e-8, "weight of the total-variation loss", minimum=0.0)
    perceptual: str = option("mobilenet_v2", "perceptual network: mobilenet_v2 or vgg16", choices=("mobilenet_v2", "vgg16", ""))
    perceptual_weights: str = option("imagenet", "weights file for it ('imagenet': the local Keras cache)")
    eval_data: str = option("skimage", "'skimage' (bundled photographs), an HR folder, or '' to skip")
    output_dir: str = override(RunConfig, "output_dir", "results/srgan")

    def check(self):
        super().check()
        if self.hr_size % self.scale:
            raise ConfigError(f"option hr_size: {self.hr_size} is not a multiple of scale {self.scale}")
