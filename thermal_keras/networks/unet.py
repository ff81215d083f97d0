"""The pix2pix U-Net generator (junyanz ``UnetGenerator``), built as a Keras functional model.

Topology, for ``num_downs`` levels (level 0 outermost, level ``num_downs - 1`` innermost), with
``c(level) = ngf * min(2**level, 8)`` channels:

- down, level 0: conv(k4, s2) only;
- down, middle levels: conv -> norm -> LeakyReLU(0.2);
- down, innermost: conv with no norm (a batch norm on a 1x1 bottleneck zeroes it at batch 1);
- up, innermost and middle levels: ReLU -> conv-transpose -> norm (-> Dropout on the ngf*8 levels
  4 .. num_downs-2, i.e. ``num_downs - 5`` of them, 3 in ``unet_256``) -> concat with the skip;
- up, level 0: ReLU -> conv-transpose (with bias) -> tanh, computed in float32.

The skips carry the LeakyReLU-activated encoder features: in the reference the in-place LeakyReLU of
each block overwrites the tensor that is then concatenated, and the TF tutorial does the same
explicitly. With batch norm no convolution has a bias except the last one, as in the reference.

Inputs are ``(batch, H, W, in_channels)`` float32 in ``[-1, 1]`` with H and W multiples of
``2**num_downs`` (see :func:`generator_size_multiple`); outputs ``(batch, H, W, out_channels)``
float32 in ``[-1, 1]``.
"""

import math

import keras
from keras import layers

from thermal_keras.layers import (
    check_norm_kind,
    conv2d,
    conv2d_transpose,
    conv_uses_bias,
    float32_output,
    leaky_relu,
    norm_layer,
)

UNET_DEPTHS = {"unet_256": 8, "unet_128": 7}
UNET_NAMES = ("unet_256", "unet_128", "unet")
MIN_NUM_DOWNS = 5  # the reference's fixed outer blocks: ngf -> 2ngf -> 4ngf -> 8ngf -> innermost
FIRST_DROPOUT_LEVEL = 4  # levels 4 .. num_downs-2 are the reference's ngf*8 blocks with dropout


def _check_positive_int(value, argument):
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{argument} must be a positive int, got {value!r}")


def _level_channels(level, ngf):
    return ngf * min(2**level, 8)


def _check_unet_args(num_downs, in_channels, out_channels, ngf, dropout, norm):
    _check_positive_int(num_downs, "num_downs")
    if num_downs < MIN_NUM_DOWNS:
        raise ValueError(
            f"num_downs must be >= {MIN_NUM_DOWNS} (the reference U-Net's fixed outer levels), "
            f"got {num_downs}; images must then be multiples of {2**MIN_NUM_DOWNS} pixels"
        )
    _check_positive_int(in_channels, "in_channels")
    _check_positive_int(out_channels, "out_channels")
    _check_positive_int(ngf, "ngf")
    if dropout is not None and not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1) or None, got {dropout!r}")
    check_norm_kind(norm)


def _encoder(x, num_downs, ngf, norm):
    """Down path. Returns (innermost conv output, no norm or activation; skips from level 0 up)."""
    use_bias = conv_uses_bias(norm)
    skips = []
    for level in range(num_downs - 1):
        channels = _level_channels(level, ngf)
        x = conv2d(channels, 4, 2, "same", use_bias=use_bias, name=f"down{level}_conv")(x)
        if level > 0:
            x = norm_layer(norm, name=f"down{level}_norm")(x)
        x = leaky_relu(name=f"down{level}_lrelu")(x)
        skips.append(x)
    innermost = num_downs - 1
    bottleneck = conv2d(
        _level_channels(innermost, ngf), 4, 2, "same", use_bias=use_bias, name=f"down{innermost}_conv"
    )(x)
    return bottleneck, skips


def _decoder(x, skips, out_channels, ngf, norm, dropout):
    """Up path from the bottleneck to the tanh output; ``skips[level]`` joins after level+1's up."""
    num_downs = len(skips) + 1
    use_bias = conv_uses_bias(norm)
    for level in reversed(range(1, num_downs)):
        x = layers.ReLU(name=f"up{level}_relu")(x)
        channels = _level_channels(level - 1, ngf)
        x = conv2d_transpose(channels, 4, 2, "same", use_bias=use_bias, name=f"up{level}_convT")(x)
        x = norm_layer(norm, name=f"up{level}_norm")(x)
        if dropout and FIRST_DROPOUT_LEVEL <= level <= num_downs - 2:
            x = layers.Dropout(dropout, name=f"up{level}_dropout")(x)
        x = layers.Concatenate(name=f"skip{level - 1}_concat")([skips[level - 1], x])
    x = layers.ReLU(name="up0_relu")(x)
    x = conv2d_transpose(out_channels, 4, 2, "same", use_bias=True, name="up0_convT")(x)
    return float32_output("tanh", name="output_tanh")(x)


def unet_generator(
    num_downs, in_channels=3, out_channels=1, ngf=64, norm="batch", dropout=0.5, name=None
):
    """Build a pix2pix U-Net with ``num_downs`` stride-2 levels (>= 5).

    Args:
        num_downs: number of downsamplings; H and W must be multiples of ``2**num_downs``
            (8 for 256 px, 7 for 128 px, 6 for 64 px, 5 for 32 px gives a 1x1 bottleneck).
        in_channels, out_channels: image channels (RGB 3, thermal 1).
        ngf: filters of the first level; deeper levels use ``ngf * min(2**level, 8)``.
        norm: "batch" (reference default), "instance" or "none".
        dropout: rate of the dropout layers in the inner ngf*8 up blocks; 0 or None removes them.
        name: model name; default ``f"unet_{num_downs}downs"``.

    Returns:
        A functional ``keras.Model``: ``(batch, None, None, in_channels)`` float32 in [-1, 1] ->
        ``(batch, H, W, out_channels)`` float32 in [-1, 1].
    """
    _check_unet_args(num_downs, in_channels, out_channels, ngf, dropout, norm)
    inputs = keras.Input((None, None, in_channels), name="input_image")
    bottleneck, skips = _encoder(inputs, num_downs, ngf, norm)
    outputs = _decoder(bottleneck, skips, out_channels, ngf, norm, dropout)
    return keras.Model(inputs, outputs, name=name or f"unet_{num_downs}downs")


def _image_sides(image_size):
    sides = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if len(sides) != 2:
        raise ValueError(f"image_size must be an int or (height, width), got {image_size!r}")
    for side in sides:
        _check_positive_int(side, "image_size")
    return sides


def _deepest_num_downs(image_size):
    """Largest depth whose size multiple divides both sides: log2(size) for powers of two."""
    sides = _image_sides(image_size)
    num_downs = 0
    while all(side % 2 ** (num_downs + 1) == 0 for side in sides):
        num_downs += 1
    return num_downs


def _resolve_num_downs(name, num_downs, image_size):
    if name not in UNET_NAMES:
        raise ValueError(f"unknown generator {name!r}; valid names: {', '.join(UNET_NAMES)}")
    if name in UNET_DEPTHS:
        if num_downs is not None and num_downs != UNET_DEPTHS[name]:
            raise ValueError(
                f"{name} has num_downs={UNET_DEPTHS[name]}, got num_downs={num_downs}; "
                "use name='unet' for another depth"
            )
        return UNET_DEPTHS[name]
    if num_downs is None:
        if image_size is None:
            raise ValueError("generator 'unet' needs num_downs or image_size (e.g. num_downs=6 for 64 px)")
        return _deepest_num_downs(image_size)
    return num_downs


def build_unet(
    name,
    in_channels=3,
    out_channels=1,
    ngf=64,
    norm="batch",
    dropout=0.5,
    num_downs=None,
    image_size=None,
):
    """Build a U-Net generator by name (through :func:`thermal_keras.models.build_generator`).

    Names: "unet_256" (8 downsamplings), "unet_128" (7), and "unet" (``num_downs`` given, or derived
    from ``image_size`` as the deepest U-Net whose size multiple divides it: 6 for 64 px).
    ``image_size`` (int or (height, width)), when given, is checked against the size multiple; the
    model itself accepts any H, W that are multiples of ``2**num_downs``.
    See :func:`unet_generator` for the other arguments and the returned model.
    """
    depth = _resolve_num_downs(name, num_downs, image_size)
    if image_size is not None:
        height, width = _image_sides(image_size)
        if height % 2**depth or width % 2**depth:
            raise ValueError(
                f"image_size {image_size!r} is not a multiple of 2**num_downs = {2**depth} "
                f"for generator {name!r}"
            )
    model_name = name if name in UNET_DEPTHS else None
    return unet_generator(depth, in_channels, out_channels, ngf, norm, dropout, name=model_name)


def _walk_layers(model):
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _walk_layers(layer)
        else:
            yield layer


def generator_size_multiple(model):
    """The number that a generator's input H and W must be multiples of.

    Read from the model's own layers (product of the strides of its downsampling convolutions and
    poolings), so it works on a freshly built model and on one reloaded from a ``.keras`` file alike.
    Returns ``2**num_downs`` for a U-Net.
    """
    multiple_h, multiple_w = 1, 1
    downsamplers = (layers.Conv2D, layers.MaxPooling2D, layers.AveragePooling2D)
    for layer in _walk_layers(model):
        if isinstance(layer, downsamplers):
            stride_h, stride_w = layer.strides
            multiple_h, multiple_w = multiple_h * stride_h, multiple_w * stride_w
    return math.lcm(multiple_h, multiple_w)


def check_generator_input_size(model, height, width):
    """Raise ``ValueError`` if an input of ``height`` x ``width`` does not fit ``model``.

    ``None`` sides (unknown until run time) are not checked.
    """
    multiple = generator_size_multiple(model)
    for side_name, side in (("height", height), ("width", width)):
        if side is not None and side % multiple:
            raise ValueError(
                f"input {side_name} {side} is not a multiple of {multiple}, "
                f"which generator {model.name!r} needs (2**number of downsamplings)"
            )
