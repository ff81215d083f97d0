"""Super-resolution networks: Swift-SRGAN (depthwise-separable) and SRGAN (standard convolutions).

Images are float32 in ``[0, 1]`` here, not ``[-1, 1]``, as in the Swift-SRGAN reference
(Krishnan et al. 2021): the generator ends in ``(tanh + 1) / 2``.

Generator (``build_sr_generator``), for ``scale`` 2, 4 or 8:
9×9 conv + PReLU -> 16 residual blocks (conv, BN, PReLU, conv, BN, + skip) -> conv, BN, + global
skip -> ``log2(scale)`` upsample blocks (3×3 conv to 4× channels, pixel shuffle ×2, PReLU) -> 9×9
conv -> ``(tanh + 1) / 2``. "swift_srgan" uses depthwise-separable convolutions, "srgan" standard ones.
The reference's 8× setting stacks ``scale // 2`` = 4 blocks and so builds 16×; here a scale builds
exactly that scale.

Discriminator (``build_sr_discriminator``): eight conv blocks (64, 64, 128, 128, 256, 256, 512, 512
filters, stride 1 then 2, LeakyReLU 0.2, BN after the first), adaptive average pooling to 6×6,
Dense 1024, LeakyReLU, Dense 1. It returns a logit (the reference applies a sigmoid).

``reference_layout=True`` (default) keeps one quirk of the reference so that trainable parameter
counts (201,209 for Swift-SRGAN at 4×, 183,865 at 2×, 1,549,635 for SRGAN at 4×) and a weight port
line up one to one: its ``ConvBlock`` creates a PReLU (64 slopes) even where the block is used
without activation, 17 times in the generator; those slopes are trainable but never applied (no
gradient reaches them). ``reference_layout=False`` leaves them out (1,088 fewer parameters).

``bicubic_residual=True`` (not in the reference, off by default) adds the generator's output to a
bicubic upscale of its input (VDSR's global residual) and clips to ``[0, 1]``: training starts from
bicubic quality, which is what lets a short CPU run beat bicubic.
"""

from __future__ import annotations

import math

import keras
from keras import layers

from thermal_keras.layers import DepthwiseSeparableConv2D, PixelShuffle, batch_norm, leaky_relu, prelu

SCALES = (2, 4, 8)
ACTIVATIONS = ("prelu", "leaky_relu")
DISCRIMINATOR_FEATURES = (64, 64, 128, 128, 256, 256, 512, 512)
SR_NETWORKS = ("swift_srgan", "srgan")


@keras.saving.register_keras_serializable(package="thermal_keras")
class SRConvBlock(layers.Layer):
    """Convolution -> optional BatchNorm -> optional activation: the references' ``ConvBlock``.

    Args:
        filters, kernel_size, strides: of the convolution ("same" padding).
        separable: depthwise-separable (Swift-SRGAN) or standard (SRGAN) convolution.
        use_bn: BatchNorm with torch's defaults after the convolution; the convolution then has no
            bias (as in the references).
        activation: "prelu" (per channel, α 0.25), "leaky_relu" (slope 0.2) or ``None``.
        unused_activation: build a PReLU that is never applied (the reference's layout; see the
            module docstring). Only with ``activation=None``.

    Input ``(N, H, W, Cin)`` float; output ``(N, H / strides, W / strides, filters)``.
    """

    def __init__(self, filters, kernel_size=3, strides=1, separable=True, use_bn=True,
                 activation="prelu", unused_activation=False, **kwargs):
        super().__init__(**kwargs)
        if activation is not None and activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS} or None, got {activation!r}")
        if unused_activation and activation is not None:
            raise ValueError("unused_activation only applies to a block without activation")
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.separable, self.use_bn, self.activation = separable, use_bn, activation
        self.unused_activation = unused_activation
        if separable:
            self.conv = DepthwiseSeparableConv2D(filters, kernel_size, strides, use_bias=not use_bn, name="conv")
        else:
            self.conv = layers.Conv2D(filters, kernel_size, strides, padding="same", use_bias=not use_bn,
                                      name="conv")
        self.bn = batch_norm(name="bn") if use_bn else None
        if activation == "leaky_relu":
            # Right after a biased conv (no norm) the gradient must read the output: see leaky_relu.
            self.act = leaky_relu(name="act", gradient_from_output=not use_bn)
        elif activation == "prelu" or unused_activation:
            self.act = prelu(name="act")
        else:
            self.act = None

    def build(self, input_shape):
        self.conv.build(input_shape)
        out_shape = self.conv.compute_output_shape(input_shape)
        if self.bn is not None:
            self.bn.build(out_shape)
        if self.act is not None:
            self.act.build(out_shape)

    def call(self, inputs, training=None):
        x = self.conv(inputs)
        if self.bn is not None:
            x = self.bn(x, training=training)
        return self.act(x) if self.activation is not None else x

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "separable": self.separable, "use_bn": self.use_bn,
                "activation": self.activation, "unused_activation": self.unused_activation}


@keras.saving.register_keras_serializable(package="thermal_keras")
class BicubicUpsample(layers.Layer):
    """``(N, h, w, C)`` -> ``(N, h*scale, w*scale, C)`` by bicubic interpolation: ``tf.image.resize`` on
    TensorFlow, :func:`thermal_keras.portable.bicubic_upsample` (same numbers) on other backends."""

    def __init__(self, scale=4, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        from thermal_keras.portable import bicubic_upsample, tensorflow_kernels

        if not tensorflow_kernels():  # JAX, PyTorch, or a deploy export: the same numbers in keras.ops
            return bicubic_upsample(inputs, self.scale)
        import tensorflow as tf

        size = tf.shape(inputs)[1:3] * self.scale
        return tf.cast(tf.image.resize(inputs, size, method="bicubic"), inputs.dtype)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return (n, None if h is None else h * self.scale, None if w is None else w * self.scale, c)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def _check_network(name, channels):
    if name not in SR_NETWORKS:
        raise ValueError(f"unknown super-resolution network {name!r}; valid names: {', '.join(SR_NETWORKS)}")
    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 (grey/thermal) or 3 (RGB), got {channels!r}")


def _conv(filters, kernel_size, separable, name):
    """A biased convolution outside a ``ConvBlock`` (upsampling and output)."""
    if separable:
        return DepthwiseSeparableConv2D(filters, kernel_size, use_bias=True, name=name)
    return layers.Conv2D(filters, kernel_size, padding="same", name=name)


def build_sr_generator(name="swift_srgan", scale=4, channels=3, num_channels=64, num_blocks=16,
                       reference_layout=True, bicubic_residual=False):
    """The Swift-SRGAN ("swift_srgan") or SRGAN ("srgan") generator.

    Args:
        name: "swift_srgan" (depthwise-separable convolutions) or "srgan" (standard).
        scale: 2, 4 or 8; the output is exactly ``scale`` times larger.
        channels: 3 (RGB) or 1 (grey: X-ray, thermal).
        num_channels, num_blocks: width and residual blocks (64 and 16 in the references).
        reference_layout: keep the reference's unused PReLU slopes (see the module docstring).
        bicubic_residual: not in the reference. The output convolution predicts a correction added
            to the bicubic upscale of the input, clipped to ``[0, 1]``, instead of ``(tanh + 1) / 2``:
            VDSR's global residual learning, so the network learns only the missing detail (what
            makes a short CPU run useful). Same parameter count.

    Returns:
        ``keras.Model`` ``(N, h, w, channels)`` float32 in ``[0, 1]`` -> ``(N, h*scale, w*scale,
        channels)`` float32 in ``[0, 1]``; any ``h``, ``w``.
    """
    _check_network(name, channels)
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    separable = name == "swift_srgan"

    def block(filters, kernel_size, activation, use_bn, block_name):
        return SRConvBlock(filters, kernel_size, separable=separable, use_bn=use_bn, activation=activation,
                           unused_activation=reference_layout and activation is None, name=block_name)

    lr = keras.Input((None, None, channels), name="lr")
    initial = block(num_channels, 9, "prelu", False, "initial")(lr)
    x = initial
    for i in range(num_blocks):
        y = block(num_channels, 3, "prelu", True, f"residual_{i}_a")(x)
        y = block(num_channels, 3, None, True, f"residual_{i}_b")(y)
        x = layers.Add(name=f"residual_{i}_add")([x, y])
    x = block(num_channels, 3, None, True, "trunk_end")(x)
    x = layers.Add(name="global_skip")([x, initial])
    for i in range(int(math.log2(scale))):
        x = _conv(num_channels * 4, 3, separable, f"upsample_{i}_conv")(x)
        x = PixelShuffle(2, name=f"upsample_{i}_shuffle")(x)
        x = prelu(name=f"upsample_{i}_prelu")(x)
    x = _conv(channels, 9, separable, "final_conv")(x)
    if bicubic_residual:
        x = layers.Add(dtype="float32", name="add_bicubic")([x, BicubicUpsample(scale, name="bicubic")(lr)])
        sr = layers.ReLU(max_value=1.0, dtype="float32", name="clip")(x)  # clip to [0, 1]
    else:
        x = layers.Activation("tanh", dtype="float32", name="tanh")(x)
        sr = layers.Rescaling(0.5, offset=0.5, dtype="float32", name="to_unit_range")(x)
    return keras.Model(lr, sr, name=f"{name}_x{scale}_generator")


def build_sr_discriminator(name="swift_srgan", channels=3, features=DISCRIMINATOR_FEATURES, pool_size=6,
                           dense_units=1024, input_size=None):
    """The Swift-SRGAN ("swift_srgan", separable) or SRGAN ("srgan", standard) discriminator.

    Args:
        channels: 3 or 1. features: filters of the conv blocks (stride 2 at odd positions).
        pool_size: adaptive average pooling output side (6 in the references).
        input_size: HR side, or ``None`` for any size (at least ``pool_size * 2**(len(features)//2)``
            is sensible: 96 for the defaults).

    Returns:
        ``keras.Model`` ``(N, H, W, channels)`` float32 in ``[0, 1]`` -> logits ``(N, 1)`` float32.
    """
    _check_network(name, channels)
    separable = name == "swift_srgan"
    hr = keras.Input((input_size, input_size, channels), name="hr")
    x = hr
    for i, filters in enumerate(features):
        x = SRConvBlock(filters, 3, strides=1 + i % 2, separable=separable, use_bn=i > 0,
                        activation="leaky_relu", name=f"block_{i}")(x)
    x = layers.AdaptiveAveragePooling2D(pool_size, name="adaptive_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, name="dense")(x)
    x = layers.LeakyReLU(negative_slope=0.2, name="dense_act")(x)
    logits = layers.Dense(1, dtype="float32", name="logits")(x)
    return keras.Model(hr, logits, name=f"{name}_discriminator")


def generator_scale(generator) -> int:
    """The upscaling factor of an SR generator: the product of its ``PixelShuffle`` factors."""
    factors = [layer.upscale_factor for layer in generator.layers if isinstance(layer, PixelShuffle)]
    if not factors:
        raise ValueError(f"{generator.name}: no PixelShuffle layer; not a super-resolution generator")
    return math.prod(factors)


def receptive_radius_lr(generator) -> float:
    """How far (in input pixels) an output pixel sees: the sum of every convolution's kernel
    radius, divided by the upsampling reached before it. Tiles need this much overlap to match the
    untiled result (16 blocks at 4×: 39.5)."""
    radius, factor, bicubic = 0.0, 1, 0.0
    for layer in generator.layers:
        if isinstance(layer, BicubicUpsample):
            bicubic = 2.0  # the bicubic kernel reaches 2 input pixels, on a path beside the trunk
        if isinstance(layer, PixelShuffle):
            factor *= layer.upscale_factor
        kernel = getattr(layer, "kernel_size", None)
        if kernel is not None:
            k = kernel if isinstance(kernel, int) else kernel[0]
            radius += (k - 1) / 2 / factor
    return max(radius, bicubic)
