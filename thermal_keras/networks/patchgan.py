"""PatchGAN and PixelGAN discriminators (junyanz ``NLayerDiscriminator``/``PixelDiscriminator``).

PatchGAN, ``n_layers`` = N, one convolution per entry of :func:`patchgan_layer_specs`:

- conv(ndf, k4, s2, bias) -> LeakyReLU(0.2)
- for n in 1..N-1: conv(ndf * min(2**n, 8), k4, s2) -> norm -> LeakyReLU
- conv(ndf * min(2**N, 8), k4, s1) -> norm -> LeakyReLU
- conv(1, k4, s1, bias): one raw logit per patch, cast to float32.

Each convolution pads 1 pixel of zeros first (torch ``padding=1``) and is then 'valid'. The layer list
of :func:`patchgan_layer_specs` is the single source of truth: the builder walks it, and the
receptive-field and output-size functions fold it, so they cannot disagree.

Inputs are ``(batch, H, W, in_channels)`` float32 in [-1, 1] — for pix2pix the channel concat of the
source and the (real or generated) target. Outputs are ``(batch, h, w, 1)`` float32 logits
(unbounded); ``h, w`` = :func:`patchgan_geometry` ``(H, W).output_size`` (30x30 for 256x256, N=3).
"""

from typing import NamedTuple

import keras
from keras import layers

from thermal_keras.layers import (
    check_norm_kind,
    conv2d,
    conv_uses_bias,
    float32_output,
    leaky_relu,
    norm_layer,
)

PATCHGAN_NAMES = ("basic", "n_layers", "pixel")
PATCH_PADDING = 1  # torch padding=1 on every PatchGAN convolution, whatever the kernel size


class PatchConvSpec(NamedTuple):
    """One PatchGAN convolution: output channels as a multiple of ndf (0 = the 1-channel logit)."""

    ndf_multiple: int
    kernel_size: int
    stride: int
    padding: int
    normalized: bool
    activated: bool


class PatchGANGeometry(NamedTuple):
    """Geometry of a PatchGAN on a given input size.

    receptive_field: side in input pixels that one output logit sees.
    output_size: logits per side; an int for an int input size, else (height, width).
    total_stride: input pixels between neighbouring logits (product of the strides).
    layer_output_sizes: output size after each convolution, same form as ``output_size``.
    """

    receptive_field: int
    output_size: object
    total_stride: int
    layer_output_sizes: tuple


def _check_int(value, argument, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{argument} must be an int >= {minimum}, got {value!r}")


def patchgan_layer_specs(n_layers=3, strides=None, kernel_size=4):
    """The PatchGAN's convolutions in order, as :class:`PatchConvSpec` tuples (``n_layers + 2``).

    ``strides`` (optional) gives one stride per convolution, ``n_layers + 2`` ints; the default is
    ``[2] * n_layers + [1, 1]`` as in the reference. A shallower or denser PatchGAN (e.g. a
    2-layer variant with larger patches) is a matter of ``n_layers`` and ``strides``; check
    the result with :func:`patchgan_geometry`.
    """
    _check_int(n_layers, "n_layers", 1)
    _check_int(kernel_size, "kernel_size", 1)
    num_convs = n_layers + 2
    if strides is None:
        strides = (2,) * n_layers + (1, 1)
    strides = tuple(strides)
    if len(strides) != num_convs:
        raise ValueError(
            f"strides must give one stride per convolution: n_layers + 2 = {num_convs} ints "
            f"(default {[2] * n_layers + [1, 1]}), got {list(strides)}"
        )
    for stride in strides:
        _check_int(stride, "each stride", 1)
    multiples = [1] + [min(2**n, 8) for n in range(1, n_layers + 1)] + [0]
    return tuple(
        PatchConvSpec(
            ndf_multiple=multiple,
            kernel_size=kernel_size,
            stride=stride,
            padding=PATCH_PADDING,
            normalized=0 < index < num_convs - 1,
            activated=index < num_convs - 1,
        )
        for index, (multiple, stride) in enumerate(zip(multiples, strides))
    )


def _receptive_field(specs):
    field = 1
    for spec in reversed(specs):
        field = (field - 1) * spec.stride + spec.kernel_size
    return field


def _output_sizes(side, specs):
    sizes = []
    for spec in specs:
        side = (side + 2 * spec.padding - spec.kernel_size) // spec.stride + 1
        sizes.append(side)
    return sizes


def patchgan_receptive_field(n_layers=3, strides=None, kernel_size=4):
    """Receptive field in input pixels of one PatchGAN logit: 16, 34, 70, 142, 286 for N = 1..5."""
    return _receptive_field(patchgan_layer_specs(n_layers, strides, kernel_size))


def patchgan_geometry(input_size, n_layers=3, strides=None, kernel_size=4):
    """Receptive field, output size and total stride of a PatchGAN on ``input_size``.

    ``input_size``: int (square) or (height, width). Raises ``ValueError`` when the input is too
    small to leave at least one logit.
    """
    specs = patchgan_layer_specs(n_layers, strides, kernel_size)
    square = isinstance(input_size, int)
    sides = (input_size, input_size) if square else tuple(input_size)
    if len(sides) != 2:
        raise ValueError(f"input_size must be an int or (height, width), got {input_size!r}")
    for side in sides:
        _check_int(side, "input_size", 1)
    per_side = [_output_sizes(side, specs) for side in sides]
    if min(min(sizes) for sizes in per_side) < 1:
        raise ValueError(f"input_size {input_size!r} is too small for this PatchGAN: no logit left")
    layer_sizes = tuple(h if square else (h, w) for h, w in zip(*per_side))
    total_stride = 1
    for spec in specs:
        total_stride *= spec.stride
    return PatchGANGeometry(_receptive_field(specs), layer_sizes[-1], total_stride, layer_sizes)


def patchgan_discriminator(
    in_channels=4, ndf=64, n_layers=3, norm="batch", strides=None, kernel_size=4, name=None
):
    """Build a PatchGAN: ``(batch, H, W, in_channels)`` -> ``(batch, h, w, 1)`` float32 logits."""
    _check_int(in_channels, "in_channels", 1)
    _check_int(ndf, "ndf", 1)
    specs = patchgan_layer_specs(n_layers, strides, kernel_size)
    normed_bias = conv_uses_bias(norm)
    inputs = keras.Input((None, None, in_channels), name="input_pair")
    x = inputs
    for index, spec in enumerate(specs):
        x = layers.ZeroPadding2D(spec.padding, name=f"conv{index}_pad")(x)
        filters = spec.ndf_multiple * ndf if spec.ndf_multiple else 1  # 0 marks the logit conv
        use_bias = normed_bias if spec.normalized else True
        x = conv2d(filters, spec.kernel_size, spec.stride, use_bias=use_bias, name=f"conv{index}")(x)
        if spec.normalized:
            x = norm_layer(norm, name=f"conv{index}_norm")(x)
        if spec.activated:  # right after the biased conv unless a norm layer sits between them
            follows_bias = not spec.normalized or norm == "none"
            x = leaky_relu(name=f"conv{index}_lrelu", gradient_from_output=follows_bias)(x)
    outputs = float32_output("linear", name="patch_logits")(x)
    return keras.Model(inputs, outputs, name=name or f"patchgan_{n_layers}layers")


def pixel_discriminator(in_channels=4, ndf=64, norm="batch", name=None):
    """Build a 1x1 PixelGAN: ``(batch, H, W, in_channels)`` -> ``(batch, H, W, 1)`` float32 logits.

    As in the reference, the two convolutions after the first carry a bias only without batch norm.
    """
    _check_int(in_channels, "in_channels", 1)
    _check_int(ndf, "ndf", 1)
    use_bias = conv_uses_bias(norm)
    inputs = keras.Input((None, None, in_channels), name="input_pair")
    x = conv2d(ndf, 1, name="conv0")(inputs)
    x = leaky_relu(name="conv0_lrelu")(x)
    x = conv2d(2 * ndf, 1, use_bias=use_bias, name="conv1")(x)
    x = norm_layer(norm, name="conv1_norm")(x)
    x = leaky_relu(name="conv1_lrelu")(x)
    x = conv2d(1, 1, use_bias=use_bias, name="conv2")(x)
    outputs = float32_output("linear", name="pixel_logits")(x)
    return keras.Model(inputs, outputs, name=name or "pixelgan")


def build_patchgan(
    name, in_channels=4, ndf=64, n_layers=3, norm="batch", strides=None, kernel_size=4
):
    """Build a PatchGAN or PixelGAN by name (through :func:`thermal_keras.models.build_discriminator`).

    Names: "basic" (PatchGAN, n_layers 3, 70x70 receptive field), "n_layers" (PatchGAN with the
    given ``n_layers``, ``strides``, ``kernel_size``), "pixel" (1x1 PixelGAN). ``in_channels`` is the
    channel count of the concatenated (source, target) pair: 4 for RGB -> thermal.
    """
    if name not in PATCHGAN_NAMES:
        raise ValueError(
            f"unknown discriminator {name!r}; valid names: {', '.join(PATCHGAN_NAMES)}"
        )
    check_norm_kind(norm)
    if name == "basic" and n_layers != 3:
        raise ValueError(f"'basic' is the 3-layer PatchGAN, got n_layers={n_layers}; use 'n_layers'")
    if name == "pixel":
        if strides is not None or kernel_size != 4 or n_layers != 3:
            raise ValueError("'pixel' takes no n_layers, strides or kernel_size (it is all 1x1 convs)")
        return pixel_discriminator(in_channels, ndf, norm)
    return patchgan_discriminator(in_channels, ndf, n_layers, norm, strides, kernel_size)
