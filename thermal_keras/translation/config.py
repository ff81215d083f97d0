"""``TranslationConfig``: what the two image translators (pix2pix and CycleGAN) share: the thermal files
to read, the generator/discriminator by name and width, the normalisation, the GAN loss, the linear
learning-rate decay and the sample grids."""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import PairedDataConfig, option

# The image-to-image generators of the network registry (thermal_keras.networks).
TRANSLATOR_GENERATORS = ("unet_256", "unet_128", "unet", "resnet_9blocks", "resnet_6blocks", "resnet")


@dataclass
class TranslationConfig(PairedDataConfig):
    """Options shared by the RGB <-> thermal translators."""

    thermal: str = option("16bit", "thermal files to train on where the layout has both", choices=("8bit", "16bit"))
    generator: str = option("unet_256", "generator name: unet_256, unet_128 or unet (with --num-downs)",
                            choices=TRANSLATOR_GENERATORS)
    num_downs: int = option(0, "U-Net downsamplings for generator 'unet' (0: log2(image_size))", minimum=0)
    ngf: int = option(64, "generator filters in the first layer", minimum=1)
    ndf: int = option(64, "discriminator filters in the first layer", minimum=1)
    n_layers_d: int = option(3, "PatchGAN layers (receptive field 16, 34, 70, 142, 286 for 1..5)", minimum=1)
    norm: str = option("batch", "normalisation", choices=("batch", "instance", "none"))
    gan_mode: str = option("lsgan", "adversarial loss", choices=("lsgan", "vanilla", "hinge"))
    decay_epochs: int = option(100, "further epochs with the learning rate decaying linearly to zero", minimum=0)
    sample_every: int = option(200, "steps between sample grids (PNG + TensorBoard)", minimum=1)
