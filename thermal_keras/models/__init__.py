"""The public facade for networks and GAN models (the modules behind it may move; these names stay).

Networks are chosen by name, as in the pix2pix reference (``--netG unet_256``, ``--netD basic``)::

    generator = build_generator("unet_256", in_channels=3, out_channels=1)
    discriminator = build_discriminator("basic", n_layers=3, in_channels=4)
    model = Pix2Pix(generator, discriminator)
    model.compile()  # Adam(2e-4, beta_1=0.5) for both, LSGAN, lambda_l1 = 100
"""

from thermal_keras.cyclegan.image_pool import ImagePool
from thermal_keras.cyclegan.model import CycleGAN
from thermal_keras.fusion.model import FusionGAN, STDFusionNet
from thermal_keras.fusion.networks import fusiongan_discriminator, fusiongan_generator, stdfusionnet_generator
from thermal_keras.layers import EdgePadding2D, ReflectionPadding2D
from thermal_keras.networks import DISCRIMINATORS, GENERATORS, build_discriminator, build_generator
from thermal_keras.networks.patchgan import (
    PatchGANGeometry,
    build_patchgan,
    patchgan_discriminator,
    patchgan_geometry,
    patchgan_layer_specs,
    patchgan_receptive_field,
    pixel_discriminator,
)
from thermal_keras.networks.resnet import build_resnet, resnet_generator
from thermal_keras.networks.unet import (
    build_unet,
    check_generator_input_size,
    generator_size_multiple,
    unet_generator,
)
from thermal_keras.pix2pix.model import Pix2Pix, default_gan_optimizer
from thermal_keras.sr.model import SRGAN, total_variation
from thermal_keras.sr.networks import (
    SRConvBlock,
    build_sr_discriminator,
    build_sr_generator,
    generator_scale,
    receptive_radius_lr,
)

__all__ = [
    "CycleGAN",
    "DISCRIMINATORS",
    "EdgePadding2D",
    "FusionGAN",
    "GENERATORS",
    "ImagePool",
    "PatchGANGeometry",
    "Pix2Pix",
    "ReflectionPadding2D",
    "SRConvBlock",
    "SRGAN",
    "STDFusionNet",
    "build_discriminator",
    "build_generator",
    "build_patchgan",
    "build_resnet",
    "build_sr_discriminator",
    "build_sr_generator",
    "build_unet",
    "check_generator_input_size",
    "default_gan_optimizer",
    "fusiongan_discriminator",
    "fusiongan_generator",
    "generator_scale",
    "generator_size_multiple",
    "patchgan_discriminator",
    "patchgan_geometry",
    "patchgan_layer_specs",
    "patchgan_receptive_field",
    "pixel_discriminator",
    "receptive_radius_lr",
    "resnet_generator",
    "stdfusionnet_generator",
    "total_variation",
    "unet_generator",
]
