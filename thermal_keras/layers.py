"""Reusable building blocks for the thermal-keras networks.

Everything here returns stock Keras layers configured to match the PyTorch references
(junyanz/pytorch-CycleGAN-and-pix2pix): torch's BatchNorm defaults, LeakyReLU slope 0.2, and the
``normal(0, 0.02)`` weight initialisation. Stock layers save and load without any registration.
"""

import math

import keras
from keras import layers

NORM_KINDS = ("batch", "instance", "none")
LEAKY_SLOPE = 0.2  # the references use 0.2; Keras' LeakyReLU default is 0.3
INIT_STDDEV = 0.02


def conv_initializer():
    """Convolution kernel initialiser of the references: ``normal(mean=0, stddev=0.02)``."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=INIT_STDDEV)


def gamma_initializer():
    """BatchNorm scale initialiser of the references: ``normal(mean=1, stddev=0.02)``."""
    return keras.initializers.RandomNormal(mean=1.0, stddev=INIT_STDDEV)


def check_norm_kind(kind):
    """Return ``kind`` if it names a known normalisation, else raise ``ValueError``."""
    if kind not in NORM_KINDS:
        raise ValueError(f"norm must be one of {NORM_KINDS}, got {kind!r}")
    return kind


def conv_uses_bias(kind):
    """Whether a convolution followed by a ``kind`` norm carries a bias.

    BatchNorm's shift makes a bias redundant, so the references drop it ("batch" -> False) and keep
    it with instance norm. With no norm the bias is kept (True): nothing follows that would absorb it.
    """
    return check_norm_kind(kind) != "batch"


def batch_norm(name=None):
    """``BatchNormalization`` with torch's defaults (momentum 0.9 in Keras terms, epsilon 1e-5)."""
    return layers.BatchNormalization(
        momentum=0.9, epsilon=1e-5, gamma_initializer=gamma_initializer(), name=name
    )


def instance_norm(name=None, affine=False, epsilon=1e-5):
    """Instance normalisation over H, W per sample and channel (torch ``InstanceNorm2d``).

    ``affine=False`` matches torch's default (no learned scale/shift); ``affine=True`` adds them.
    Works on any ``(batch, H, W, C)`` input; output has the same shape and dtype.
    """
    return layers.GroupNormalization(
        groups=-1, epsilon=epsilon, center=affine, scale=affine, name=name
    )


def norm_layer(kind, name=None, affine=False):
    """A normalisation layer by name: "batch", "instance" or "none" (an ``Identity`` layer).

    ``affine`` only applies to "instance". Returning ``Identity`` for "none" lets callers write
    ``x = norm_layer(kind)(x)`` without branching.
    """
    kind = check_norm_kind(kind)
    if kind == "batch":
        return batch_norm(name)
    if kind == "instance":
        return instance_norm(name, affine=affine)
    return layers.Identity(name=name)


def leaky_relu(name=None):
    """``LeakyReLU`` with the references' negative slope 0.2."""
    return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=name)


def conv2d(filters, kernel_size, strides=1, padding="valid", use_bias=True, name=None):
    """``Conv2D`` with the references' ``normal(0, 0.02)`` kernel init and zero bias."""
    return layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        kernel_initializer=conv_initializer(),
        name=name,
    )


def conv2d_transpose(filters, kernel_size, strides=2, padding="same", use_bias=True, name=None):
    """``Conv2DTranspose`` with the references' ``normal(0, 0.02)`` kernel init and zero bias.

    With ``kernel_size=4, strides=2, padding="same"`` it doubles H and W exactly like torch's
    ``ConvTranspose2d(k=4, s=2, padding=1)``.
    """
    return layers.Conv2DTranspose(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=use_bias,
        kernel_initializer=conv_initializer(),
        name=name,
    )


def float32_output(activation, name):
    """Final activation computed in float32, so mixed-precision models still return float32."""
    return layers.Activation(activation, dtype="float32", name=name)


def trainable_param_count(model):
    """Sum of trainable weight sizes: the count PyTorch reports (``count_params()`` adds BN statistics)."""
    return int(sum(math.prod(w.shape) for w in model.trainable_weights))
