"""Networks and GAN models: U-Net generator, PatchGAN/PixelGAN discriminators, Pix2Pix.

Networks are chosen by name, as in the pix2pix reference (``--netG unet_256``, ``--netD basic``)::

    generator = build_generator("unet_256", in_channels=3, out_channels=1)
    discriminator = build_discriminator("basic", n_layers=3, in_channels=4)
    model = Pix2Pix(generator, discriminator)
    model.compile()  # Adam(2e-4, beta_1=0.5) for both, LSGAN, lambda_l1 = 100
"""

from thermal_keras.models.cyclegan import CycleGAN
from thermal_keras.models.fusiongan import (
    EdgePadding2D,
    FusionGAN,
    fusiongan_discriminator,
    fusiongan_generator,
)
from thermal_keras.models.factory import DISCRIMINATORS, GENERATORS, build_discriminator, build_generator
from thermal_keras.models.patchgan import (
    PatchGANGeometry,
    build_patchgan,
    patchgan_discriminator,
    patchgan_geometry,
    patchgan_layer_specs,
    patchgan_receptive_field,
    pixel_discriminator,
)
from thermal_keras.models.image_pool import ImagePool
from thermal_keras.models.pix2pix import Pix2Pix, default_gan_optimizer
from thermal_keras.models.resnet import ReflectionPadding2D, build_resnet, resnet_generator
from thermal_keras.models.sr_gan import SRGAN, total_variation
from thermal_keras.models.srgan import (
    SRConvBlock,
    build_sr_discriminator,
    build_sr_generator,
    generator_scale,
    receptive_radius_lr,
)
from thermal_keras.models.unet import (
    build_unet,
    check_generator_input_size,
    generator_size_multiple,
    unet_generator,
)

__all__ = [
    "EdgePadding2D",
    "FusionGAN",
    "fusiongan_discriminator",
    "fusiongan_generator",
    "CycleGAN",
    "ImagePool",
    "ReflectionPadding2D",
    "build_resnet",
    "resnet_generator",
    "SRGAN",
    "SRConvBlock",
    "build_sr_discriminator",
    "build_sr_generator",
    "generator_scale",
    "receptive_radius_lr",
    "total_variation",
    "DISCRIMINATORS",
    "GENERATORS",
    "PatchGANGeometry",
    "Pix2Pix",
    "build_discriminator",
    "build_generator",
    "build_patchgan",
    "build_unet",
    "check_generator_input_size",
    "default_gan_optimizer",
    "generator_size_multiple",
    "patchgan_discriminator",
    "patchgan_geometry",
    "patchgan_layer_specs",
    "patchgan_receptive_field",
    "pixel_discriminator",
    "unet_generator",
]
