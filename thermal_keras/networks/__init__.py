"""The network registry: generators and discriminators by name, as the pix2pix reference's
``--netG`` / ``--netD`` options choose them.

The translator networks live beside this file (``unet``, ``resnet``, ``patchgan``); the
super-resolution and fusion networks in their family's ``networks`` module. Each is listed here once: a name maps to the module and
the family's builder, which is called as ``builder(name, *args, **kwargs)``, so every family keeps
its own keyword arguments (``in_channels``/``out_channels`` for translators, ``scale`` for
super-resolution). Modules are imported on first use.
"""

from __future__ import annotations

import importlib

# name -> (module, builder function); add a family by adding its names here.
GENERATORS = {
    "unet_256": ("thermal_keras.networks.unet", "build_unet"),
    "unet_128": ("thermal_keras.networks.unet", "build_unet"),
    "unet": ("thermal_keras.networks.unet", "build_unet"),
    "swift_srgan": ("thermal_keras.sr.networks", "build_sr_generator"),
    "srgan": ("thermal_keras.sr.networks", "build_sr_generator"),
    "resnet_9blocks": ("thermal_keras.networks.resnet", "build_resnet"),
    "resnet_6blocks": ("thermal_keras.networks.resnet", "build_resnet"),
    "resnet": ("thermal_keras.networks.resnet", "build_resnet"),
    "fusiongan": ("thermal_keras.fusion.networks", "build_fusiongan_generator"),
    "stdfusionnet": ("thermal_keras.fusion.networks", "build_stdfusionnet_generator"),
}
DISCRIMINATORS = {
    "basic": ("thermal_keras.networks.patchgan", "build_patchgan"),
    "n_layers": ("thermal_keras.networks.patchgan", "build_patchgan"),
    "pixel": ("thermal_keras.networks.patchgan", "build_patchgan"),
    "swift_srgan": ("thermal_keras.sr.networks", "build_sr_discriminator"),
    "srgan": ("thermal_keras.sr.networks", "build_sr_discriminator"),
    "fusiongan": ("thermal_keras.fusion.networks", "build_fusiongan_discriminator"),
}


# Modules that register Keras classes a saved generator may hold, beside the network modules above.
SAVED_LAYER_MODULES = ("thermal_keras.layers", "thermal_keras.priors")


def register_saved_layers() -> None:
    """Import every module whose Keras classes a saved generator may hold (each network module listed
    above, :data:`SAVED_LAYER_MODULES`), so a ``.keras`` file or a preset's architecture deserialises
    in a process that has built no network yet. Idempotent; cheap once TensorFlow is loaded."""
    modules = {module for module, _ in (*GENERATORS.values(), *DISCRIMINATORS.values())}
    for module in sorted(modules | set(SAVED_LAYER_MODULES)):
        importlib.import_module(module)


def _builder(table: dict, kind: str, name: str):
    if name not in table:
        raise ValueError(f"unknown {kind} {name!r}; valid names: {', '.join(table)}")
    module, function = table[name]
    return getattr(importlib.import_module(module), function)


def build_generator(name: str, *args, **kwargs):
    """A generator ``keras.Model`` by name; arguments go to the family's builder.

    ``build_generator("unet_256", in_channels=3, out_channels=1)``: see
    :func:`thermal_keras.networks.unet.build_unet` for the U-Net family's arguments.
    """
    return _builder(GENERATORS, "generator", name)(name, *args, **kwargs)


def build_discriminator(name: str, *args, **kwargs):
    """A discriminator ``keras.Model`` by name; arguments go to the family's builder.

    ``build_discriminator("basic", n_layers=3, in_channels=4)``: see
    :func:`thermal_keras.networks.patchgan.build_patchgan` for the PatchGAN family's arguments.
    """
    return _builder(DISCRIMINATORS, "discriminator", name)(name, *args, **kwargs)
