"""The CycleGAN ResNet generator (junyanz ``ResnetGenerator``), built as a Keras functional model.

Topology for ``n_blocks`` residual blocks, ``ngf`` filters, norm ``N`` (instance norm by default):

- ReflectionPad(3) -> conv 7x7 (ngf) -> N -> ReLU;
- two down-samplings: zero-pad 1 -> conv 3x3 stride 2 (2 ngf, then 4 ngf) -> N -> ReLU;
- ``n_blocks`` residual blocks at 4 ngf: ``x + [ReflectionPad(1) -> conv 3x3 -> N -> ReLU
  (-> Dropout 0.5) -> ReflectionPad(1) -> conv 3x3 -> N](x)``;
- two up-samplings: conv-transpose 3x3 stride 2 (2 ngf, then ngf) -> N -> ReLU, each cropped like
  torch's ``ConvTranspose2d(padding=1, output_padding=1)`` (drop the first row and column of the
  ``2H + 1`` full output), so H doubles exactly;
- ReflectionPad(3) -> conv 7x7 (out_channels) -> tanh, computed in float32.

Convolutions carry a bias unless a batch norm follows (as the reference), so with affine-free
instance norm the 3 -> 3, 9-block generator has 11,378,179 trainable parameters (6 blocks:
7,837,699), the reference's count.

Inputs ``(batch, H, W, in_channels)`` float32 in [-1, 1], H and W multiples of 4 (two stride-2
steps); outputs ``(batch, H, W, out_channels)`` float32 in [-1, 1].
"""

import keras
from keras import layers

from thermal_keras.layers import (
    ReflectionPadding2D,
    check_norm_kind,
    conv2d,
    conv2d_transpose,
    conv_uses_bias,
    float32_output,
    norm_layer,
)

RESNET_BLOCKS = {"resnet_9blocks": 9, "resnet_6blocks": 6}
RESNET_NAMES = (*RESNET_BLOCKS, "resnet")
N_DOWNSAMPLING = 2


def _check_positive_int(value, argument, minimum=1):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{argument} must be an int >= {minimum}, got {value!r}")


def _norm(norm, affine, name):
    return norm_layer(norm, name=name, affine=affine)


def _residual_block(x, filters, norm, affine, use_bias, dropout, name):
    shortcut = x
    x = ReflectionPadding2D(1, name=f"{name}_pad1")(x)
    x = conv2d(filters, 3, use_bias=use_bias, name=f"{name}_conv1")(x)
    x = _norm(norm, affine, f"{name}_norm1")(x)
    x = layers.ReLU(name=f"{name}_relu")(x)
    if dropout:
        x = layers.Dropout(0.5, name=f"{name}_dropout")(x)
    x = ReflectionPadding2D(1, name=f"{name}_pad2")(x)
    x = conv2d(filters, 3, use_bias=use_bias, name=f"{name}_conv2")(x)
    x = _norm(norm, affine, f"{name}_norm2")(x)
    return layers.Add(name=f"{name}_add")([shortcut, x])


def resnet_generator(in_channels=3, out_channels=3, ngf=64, n_blocks=9, norm="instance",
                     affine=False, dropout=False, name=None):
    """Build the ResNet generator: ``(batch, H, W, in_channels)`` -> ``(batch, H, W, out_channels)``.

    Args:
        in_channels, out_channels: 3 for RGB, 1 for thermal.
        ngf: filters of the first convolution (64 in the reference).
        n_blocks: residual blocks at the bottleneck (9 for 256² images, 6 for 128²); >= 0.
        norm: "instance" (reference), "batch" or "none".
        affine: learned scale and shift in instance norm (torch's default is without).
        dropout: Dropout(0.5) inside each residual block (the reference's ``--no_dropout`` off).
    """
    for value, argument in ((in_channels, "in_channels"), (out_channels, "out_channels"), (ngf, "ngf")):
        _check_positive_int(value, argument)
    _check_positive_int(n_blocks, "n_blocks", minimum=0)
    use_bias = conv_uses_bias(check_norm_kind(norm))
    inputs = keras.Input((None, None, in_channels), name="input_image")
    x = ReflectionPadding2D(3, name="stem_pad")(inputs)
    x = conv2d(ngf, 7, use_bias=use_bias, name="stem_conv")(x)
    x = layers.ReLU(name="stem_relu")(_norm(norm, affine, "stem_norm")(x))
    for level in range(1, N_DOWNSAMPLING + 1):
        x = layers.ZeroPadding2D(1, name=f"down{level}_pad")(x)
        x = conv2d(ngf * 2**level, 3, strides=2, use_bias=use_bias, name=f"down{level}_conv")(x)
        x = layers.ReLU(name=f"down{level}_relu")(_norm(norm, affine, f"down{level}_norm")(x))
    for block in range(n_blocks):
        x = _residual_block(x, ngf * 2**N_DOWNSAMPLING, norm, affine, use_bias, dropout, f"block{block}")
    for level in range(N_DOWNSAMPLING - 1, -1, -1):
        x = conv2d_transpose(ngf * 2**level, 3, strides=2, padding="valid", use_bias=use_bias,
                             name=f"up{level}_convt")(x)
        x = layers.Cropping2D(((1, 0), (1, 0)), name=f"up{level}_crop")(x)  # torch padding=1, output_padding=1
        x = layers.ReLU(name=f"up{level}_relu")(_norm(norm, affine, f"up{level}_norm")(x))
    x = ReflectionPadding2D(3, name="head_pad")(x)
    x = conv2d(out_channels, 7, name="head_conv")(x)
    outputs = float32_output("tanh", name="output_image")(x)
    return keras.Model(inputs, outputs, name=name or f"resnet_{n_blocks}blocks")


def build_resnet(name, in_channels=3, out_channels=3, ngf=64, norm="instance", n_blocks=None,
                 affine=False, dropout=False):
    """Build a ResNet generator by name (through :func:`thermal_keras.models.build_generator`).

    Names: "resnet_9blocks", "resnet_6blocks", or "resnet" with ``n_blocks``.
    """
    if name not in RESNET_NAMES:
        raise ValueError(f"unknown generator {name!r}; valid ResNet names: {', '.join(RESNET_NAMES)}")
    if name in RESNET_BLOCKS:
        if n_blocks not in (None, RESNET_BLOCKS[name]):
            raise ValueError(f"{name} has {RESNET_BLOCKS[name]} blocks, got n_blocks={n_blocks}; use 'resnet'")
        n_blocks = RESNET_BLOCKS[name]
    elif n_blocks is None:
        raise ValueError("generator 'resnet' needs n_blocks")
    return resnet_generator(in_channels, out_channels, ngf, n_blocks, norm, affine, dropout, name=name)
