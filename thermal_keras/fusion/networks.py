"""FusionGAN's networks (Ma et al., Information Fusion 2019), as in the reference code, and STDFusionNet's
generator (Ma et al., IEEE TIM 2021; at the end of the file).

Generator: 5×5 (256) → 5×5 (128) → 3×3 (64) → 3×3 (32) → 1×1 (1), all "valid" convolutions with
biases, batch norm (scale and centre) and LeakyReLU 0.2 after the first four, tanh last. The
reference pads test images by 6 pixels (edge replication) to get a fused image of the input's size;
here that padding is the generator's first layer, so output size = input size in training too.
Discriminator: four 3×3 stride-2 "valid" convolutions (32, 64, 128, 256; batch norm from the second),
LeakyReLU 0.2, a dense layer to one score; it is built for one image size.
"""

from __future__ import annotations

import numbers

import keras
from keras import layers

from thermal_keras.layers import EdgePadding2D, leaky_relu

GENERATOR_FILTERS = (256, 128, 64, 32)
GENERATOR_KERNELS = (5, 5, 3, 3)
DISCRIMINATOR_FILTERS = (32, 64, 128, 256)


def _batch_norm(name):
    # TF-slim batch_norm in the reference: decay 0.9, epsilon 1e-5, scale and centre, gamma 1.
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)


def fusiongan_generator(in_channels: int = 2, filters=GENERATOR_FILTERS, kernel_sizes=GENERATOR_KERNELS,
                        ir_residual: bool = False, name: str = "fusiongan_generator") -> keras.Model:
    """FusionGAN's generator: ``(N, H, W, in_channels)`` -> ``(N, H, W, 1)`` float32 in ``[-1, 1]``.

    Channel 0 is infrared, channel 1 the visible luma. ``H, W`` may be anything (fully convolutional;
    the edge padding keeps the size). 925,633 trainable parameters with the defaults.

    ``ir_residual=True`` (not in the reference; like the super-resolution models' bicubic residual):
    the network's tanh output is added to the infrared channel and the sum clipped to ``[-1, 1]``, so it
    learns only what to change in the infrared image; its last convolution starts at zero, so an
    untrained generator returns the infrared image. Same trainable parameters (the channel pick is a
    fixed 1×1 convolution).
    """
    if isinstance(in_channels, bool) or not isinstance(in_channels, numbers.Integral) or in_channels < 2:
        raise ValueError(f"in_channels must be an int >= 2 (infrared, then the visible luma or colour), "
                         f"got {in_channels!r}")
    if len(filters) != len(kernel_sizes):
        raise ValueError(f"filters and kernel_sizes must have one length, got {filters} and {kernel_sizes}")
    bad = [v for v in (*filters, *kernel_sizes) if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1]
    if bad:
        raise ValueError(f"filters and kernel_sizes must be positive ints, got {filters} and {kernel_sizes}")
    inputs = keras.Input((None, None, in_channels), name="ir_visible")
    x = EdgePadding2D(sum(k // 2 for k in kernel_sizes), name="edge_padding")(inputs)
    for i, (width, kernel) in enumerate(zip(filters, kernel_sizes), start=1):
        x = layers.Conv2D(width, kernel, padding="valid", name=f"conv{i}")(x)
        x = _batch_norm(f"bn{i}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
    if not ir_residual:
        x = layers.Conv2D(1, 1, name=f"conv{len(filters) + 1}")(x)
        outputs = layers.Activation("tanh", dtype="float32", name="fused")(x)
        return keras.Model(inputs, outputs, name=name)
    x = layers.Conv2D(1, 1, kernel_initializer="zeros", name=f"conv{len(filters) + 1}")(x)
    change = layers.Activation("tanh", dtype="float32", name="ir_change")(x)
    pick_ir = [[[[1.0]] + [[0.0]] * (in_channels - 1)]]  # (1, 1, in_channels, 1): channel 0
    infrared = layers.Conv2D(1, 1, use_bias=False, trainable=False, dtype="float32", name="infrared",
                             kernel_initializer=keras.initializers.Constant(pick_ir))(inputs)
    x = layers.Add(dtype="float32", name="add_infrared")([infrared, change])
    # clip to [-1, 1] with stock layers: shift to [0, 2], ReLU capped at 2, shift back
    x = layers.Rescaling(1.0, offset=1.0, dtype="float32", name="shift_up")(x)
    x = layers.ReLU(max_value=2.0, dtype="float32", name="clip")(x)
    outputs = layers.Rescaling(1.0, offset=-1.0, dtype="float32", name="fused")(x)
    return keras.Model(inputs, outputs, name=name)


def fusiongan_discriminator(image_size: int = 120, in_channels: int = 1, filters=DISCRIMINATOR_FILTERS,
                            name: str = "fusiongan_discriminator") -> keras.Model:
    """FusionGAN's discriminator: ``(N, S, S, 1)`` in ``[-1, 1]`` -> one float32 score ``(N, 1)``.

    ``S = image_size`` is fixed by the dense layer (397,953 trainable parameters at 120²).
    """
    side = image_size
    for _ in filters:
        side = (side - 3) // 2 + 1
    if side < 1:
        raise ValueError(f"image_size {image_size} is too small for {len(filters)} stride-2 3×3 convolutions")
    inputs = keras.Input((image_size, image_size, in_channels), name="image")
    x = inputs
    for i, width in enumerate(filters, start=1):
        x = layers.Conv2D(width, 3, strides=2, padding="valid", name=f"conv{i}")(x)
        if i > 1:
            x = _batch_norm(f"bn{i}")(x)
        x = leaky_relu(name=f"lrelu{i}", gradient_from_output=i == 1)(x)  # conv1 has no norm: see leaky_relu
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name=name)


def build_fusiongan_generator(name: str = "fusiongan", **kwargs) -> keras.Model:
    """Factory entry (``build_generator("fusiongan")``); kwargs go to :func:`fusiongan_generator`."""
    return fusiongan_generator(**kwargs)


def build_fusiongan_discriminator(name: str = "fusiongan", **kwargs) -> keras.Model:
    """Factory entry (``build_discriminator("fusiongan", image_size=120)``)."""
    return fusiongan_discriminator(**kwargs)


# --- STDFusionNet (Ma et al., IEEE TIM 2021) ---------------------------------------------------

STDFUSIONNET_INITS = ("glorot", "reference")
STD_LEAKY_SLOPE = 0.2  # tf.nn.leaky_relu's default, which the reference calls


def _std_initializer(init: str):
    # The reference draws kernels from a truncated normal with stddev 1e-3 (biases 0): its output
    # starts flat and, on a CPU budget, barely moves in the first hundred steps (loss 1.87 -> 1.85
    # where Keras' Glorot-uniform default reaches 0.81, docs/fusion.md); "glorot" is the default here.
    if init == "reference":
        return keras.initializers.TruncatedNormal(stddev=1e-3)
    return keras.initializers.GlorotUniform()


def _std_conv(filters, kernel, name, init, use_bias=True):
    return layers.Conv2D(filters, kernel, padding="same", use_bias=use_bias, kernel_initializer=_std_initializer(init),
                         name=name)


def _std_activation(kind, name):
    if kind == "lrelu":
        return layers.LeakyReLU(negative_slope=STD_LEAKY_SLOPE, name=name)
    return layers.Activation(kind, dtype="float32" if kind == "tanh" else None, name=name)


def std_res_block(x, filters: int, activation: str, name: str, out_name: str | None = None, init: str = "glorot"):
    """STDFusionNet's residual block: 1×1 (in→in) and 3×3 (in→in) convolutions with LeakyReLU, a
    1×1 convolution to ``filters``, plus the input (through a bias-free 1×1 "identity" convolution
    when the widths differ), then ``activation`` ("lrelu", "elu" or "tanh"), named ``out_name``."""
    width = x.shape[-1]
    y = _std_activation("lrelu", f"{name}_act1")(_std_conv(width, 1, f"{name}_conv1", init)(x))
    y = _std_activation("lrelu", f"{name}_act2")(_std_conv(width, 3, f"{name}_conv2", init)(y))
    y = _std_conv(filters, 1, f"{name}_conv3", init)(y)
    skip = x if width == filters else _std_conv(filters, 1, f"{name}_identity", init, use_bias=False)(x)
    return _std_activation(activation, out_name or f"{name}_out")(layers.Add(name=f"{name}_add")([y, skip]))


def _std_encoder(image, width: int, prefix: str, init: str):
    """Common layer (5×5, ``width``, LeakyReLU) and three residual blocks: widths w, 2w, 4w."""
    x = _std_activation("lrelu", f"{prefix}_act0")(_std_conv(width, 5, f"{prefix}_conv0", init)(image))
    for i, filters in enumerate((width, 2 * width, 4 * width), start=1):
        x = std_res_block(x, filters, "lrelu", f"{prefix}_block{i}", init=init)
    return x


def _pick_channel(inputs, index: int, name: str):
    """Channel ``index`` of ``inputs`` as ``(N, H, W, 1)``: a fixed, untrainable 1×1 convolution
    (stock layers only, so the model saves, loads in safe mode and exports like the others)."""
    channels = inputs.shape[-1]
    kernel = [[[[1.0 if c == index else 0.0] for c in range(channels)]]]  # (1, 1, channels, 1)
    return layers.Conv2D(1, 1, use_bias=False, trainable=False, dtype="float32", name=name,
                         kernel_initializer=keras.initializers.Constant(kernel))(inputs)


def stdfusionnet_generator(width: int = 16, init: str = "glorot", name: str = "stdfusionnet_generator") -> keras.Model:
    """STDFusionNet: ``(N, H, W, 2)`` = (infrared, visible luma) in ``[-1, 1]`` -> fused ``(N, H, W, 1)``
    float32 in ``[-1, 1]`` (tanh).

    Two encoders of one architecture with their own weights (infrared, visible): a 5×5 convolution
    to ``width`` channels, then residual blocks to ``width``, ``2·width``, ``4·width``; the visible and
    infrared features are concatenated (``8·width``) and four residual blocks reconstruct the image:
    ``4·width`` (ELU), ``2·width`` (ELU), ``width`` (LeakyReLU), 1 (tanh). Every convolution is
    stride 1 with "same" padding, so ``H, W`` may be anything from 1 up and the output has the
    input's size. ``width=16`` is the reference: 282,513 trainable parameters (about ``1100·width²``;
    as many multiply-adds per pixel). ``init``: ``"glorot"`` (Keras' default) or ``"reference"``
    (truncated normal, stddev 1e-3).
    """
    if isinstance(width, bool) or not isinstance(width, numbers.Integral) or width < 1:
        raise ValueError(f"width must be an int >= 1, got {width!r}")
    if init not in STDFUSIONNET_INITS:
        raise ValueError(f"init must be one of {STDFUSIONNET_INITS}, got {init!r}")
    inputs = keras.Input((None, None, 2), name="ir_visible")
    ir_features = _std_encoder(_pick_channel(inputs, 0, "infrared"), width, "ir", init)
    visible_features = _std_encoder(_pick_channel(inputs, 1, "visible"), width, "vis", init)
    x = layers.Concatenate(name="features")([visible_features, ir_features])
    for i, (filters, activation) in enumerate(((4 * width, "elu"), (2 * width, "elu"), (width, "lrelu")), start=1):
        x = std_res_block(x, filters, activation, f"decoder_block{i}", init=init)
    outputs = std_res_block(x, 1, "tanh", "decoder_block4", out_name="fused", init=init)
    return keras.Model(inputs, outputs, name=name)


def build_stdfusionnet_generator(name: str = "stdfusionnet", **kwargs) -> keras.Model:
    """Factory entry (``build_generator("stdfusionnet", width=16)``); kwargs go to
    :func:`stdfusionnet_generator`."""
    return stdfusionnet_generator(**kwargs)
