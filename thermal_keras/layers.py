"""Reusable building blocks for the thermal-keras networks.

Everything here returns stock Keras layers configured to match the PyTorch references
(junyanz/pytorch-CycleGAN-and-pix2pix): torch's BatchNorm defaults, LeakyReLU slope 0.2, and the
``normal(0, 0.02)`` weight initialisation. Stock layers save and load without any registration.
"""

import math

import keras
from keras import layers, ops

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


def leaky_relu(name=None, gradient_from_output=False):
    """``LeakyReLU`` with the references' negative slope 0.2.

    ``gradient_from_output=True`` gives :class:`OutputGradLeakyReLU` (same values and gradients); use
    it where the activation directly follows a convolution with a bias.
    """
    layer_class = OutputGradLeakyReLU if gradient_from_output else layers.LeakyReLU
    return layer_class(negative_slope=LEAKY_SLOPE, name=name)


def _leaky_relu_gradient_from_output(x, negative_slope):
    import tensorflow as tf

    @tf.custom_gradient
    def forward(features):
        activations = tf.nn.leaky_relu(features, alpha=negative_slope)

        def backward(upstream):
            # For a slope >= 0 the output has the input's sign, so this is LeakyRelu's own gradient.
            return tf.raw_ops.LeakyReluGrad(gradients=upstream, features=activations, alpha=negative_slope)

        return activations, backward

    return forward(x)


@keras.saving.register_keras_serializable(package="thermal_keras")
class OutputGradLeakyReLU(layers.LeakyReLU):
    """``LeakyReLU`` whose TensorFlow gradient reads the activation's output instead of its input.

    Same arguments, config, values and gradients as ``LeakyReLU`` (the slope is >= 0, so output and
    input have the same sign). Why: TensorFlow's ``LeakyReluGrad`` reads the pre-activation tensor, so
    after ``Conv2D + BiasAdd`` the bias sum has two readers and grappler's remapper (oneDNN on, TF 2.21)
    first fuses only ``Conv2D + BiasAdd``, then in its second pass fuses that ``_FusedConv2D`` with the
    ``LeakyRelu`` without checking the other reader, and logs ``remapper failed: INVALID_ARGUMENT:
    Mutation::Apply error: fanout '.../LeakyReluGrad' exist for missing node '.../BiasAdd'`` (that
    pass is dropped). Reading the output, as ``ReluGrad`` does, leaves the bias sum one reader: the
    remapper fuses ``Conv2D + BiasAdd + LeakyRelu`` into one ``_FusedConv2D`` in its first pass.
    Other backends use the stock layer.
    """

    def call(self, inputs):
        if keras.backend.backend() != "tensorflow":
            return super().call(inputs)
        return _leaky_relu_gradient_from_output(inputs, self.negative_slope)


def _tensorflow_on_cpu_only() -> bool:
    """Whether Keras runs on TensorFlow (outside :func:`thermal_keras.portable.neutral_paths`) and
    TensorFlow sees no GPU (asked when a step is traced)."""
    from thermal_keras.portable import tensorflow_kernels

    if not tensorflow_kernels():
        return False
    import tensorflow as tf

    return not tf.config.list_logical_devices("GPU")


@keras.saving.register_keras_serializable(package="thermal_keras")
class SingleFilterConv2D(layers.Conv2D):
    """``Conv2D`` with one output channel that avoids a slow oneDNN case at batch size 1.

    Same arguments, weights (kernel ``(kh, kw, C, 1)``, bias ``(1,)``) and result as
    ``Conv2D(filters=1)``, up to float rounding (6e-6 on 512 channels). When the batch dimension is
    statically 1 and TensorFlow runs on the CPU (no GPU visible), the convolution is computed as a
    depthwise convolution summed over channels; otherwise it is the plain convolution. Measured with
    TF 2.21 and oneDNN on, forward / forward+backward, plain vs depthwise:

    - AMD EPYC with AVX2 only, where the trick was found: PatchGAN logit conv 512 -> 1, 4x4 on
      31x31, batch 1: 32 / 32 ms vs 1.7 / 3.3 ms (about 8% of a 256² pix2pix step); at batch 4 the
      plain one is fine (6 / 9 ms). ResNet head 64 -> 1, 7x7 on 262x262: 145 / 185 vs 8 / 83 ms.
    - AMD EPYC with AVX-512: the plain conv is fast (1.8 / 1.5 ms; ResNet head 21 / 20 ms) and the
      depthwise backward slower (4.4 ms; 72 ms), yet 256² pix2pix and CycleGAN steps took the same
      time either way within this VM's noise (0.48-0.62 s and 5.0-5.5 s).
    - GPUs: unmeasured, hence the plain convolution there.
    """

    def __init__(self, filters=1, kernel_size=1, **kwargs):
        if filters != 1:
            raise ValueError(f"SingleFilterConv2D has one output channel, got filters={filters!r}")
        if kwargs.get("groups", 1) != 1:
            raise ValueError(f"SingleFilterConv2D needs groups=1, got {kwargs['groups']!r}")
        super().__init__(1, kernel_size, **kwargs)

    def convolution_op(self, inputs, kernel):
        if inputs.shape[0] != 1 or not _tensorflow_on_cpu_only():
            return super().convolution_op(inputs, kernel)
        per_channel = ops.depthwise_conv(
            inputs,
            kernel,  # (kh, kw, C, 1): a depthwise kernel with channel multiplier 1
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )
        channel_axis = -1 if self.data_format == "channels_last" else 1
        return ops.sum(per_channel, axis=channel_axis, keepdims=True)


def conv2d(filters, kernel_size, strides=1, padding="valid", use_bias=True, name=None):
    """``Conv2D`` with the references' ``normal(0, 0.02)`` kernel init and zero bias.

    ``filters=1`` with a kernel larger than 1x1 gives :class:`SingleFilterConv2D` (the same
    convolution, fast on oneDNN CPUs; a 1x1 one is faster as a plain ``Conv2D``).
    """
    single = filters == 1 and kernel_size not in (1, (1, 1))
    conv_class = SingleFilterConv2D if single else layers.Conv2D
    return conv_class(
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


# --- Super-resolution blocks (Swift-SRGAN / SRGAN) ------------------------------------------------

PRELU_ALPHA = 0.25  # torch nn.PReLU's initial slope


def prelu(name=None):
    """Per-channel PReLU shared over H and W with slope 0.25 at start (torch ``nn.PReLU(C)``).

    Keras' ``PReLU`` defaults to one slope per pixel and channel initialised to 0; the references
    learn one slope a channel.
    """
    return layers.PReLU(alpha_initializer=keras.initializers.Constant(PRELU_ALPHA), shared_axes=[1, 2],
                        name=name)


@keras.saving.register_keras_serializable(package="thermal_keras")
class PixelShuffle(layers.Layer):
    """Sub-pixel upsampling: ``(N, H, W, C * r²)`` -> ``(N, H * r, W * r, C)`` (``tf.nn.depth_to_space``).

    Channel order is TensorFlow's (``(i * r + j) * C + c`` feeds output channel ``c`` at sub-pixel
    ``(i, j)``), not torch ``PixelShuffle``'s (``c * r² + i * r + j``): weights ported from torch need
    their preceding convolution's output channels permuted. Any dtype; no weights. On TensorFlow it
    runs ``tf.nn.depth_to_space``; on other backends the same rearrangement in ``keras.ops``
    (:mod:`thermal_keras.portable`).
    """

    def __init__(self, upscale_factor=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(upscale_factor, int) or upscale_factor < 2:
            raise ValueError(f"upscale_factor must be an int >= 2, got {upscale_factor!r}")
        self.upscale_factor = upscale_factor

    def call(self, inputs):
        from thermal_keras.portable import depth_to_space, tensorflow_kernels

        if not tensorflow_kernels():  # JAX, PyTorch, or a deploy export: reshape + transpose
            return depth_to_space(inputs, self.upscale_factor)
        import tensorflow as tf  # one fused kernel; keras.ops has no depth_to_space

        return tf.nn.depth_to_space(inputs, self.upscale_factor)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.upscale_factor
        if c is not None and c % (r * r):
            raise ValueError(f"PixelShuffle({r}) needs channels divisible by {r * r}, got {c}")
        return (n, None if h is None else h * r, None if w is None else w * r,
                None if c is None else c // (r * r))

    def get_config(self):
        return {**super().get_config(), "upscale_factor": self.upscale_factor}


@keras.saving.register_keras_serializable(package="thermal_keras")
class DepthwiseSeparableConv2D(layers.Layer):
    """Depthwise ``k×k`` convolution then pointwise ``1×1`` convolution, each with its own bias.

    The Swift-SRGAN reference's ``SeperableConv2d`` (two torch convolutions, ``groups=in_channels``
    for the first). Keras' ``SeparableConv2D`` has a single bias after the pointwise step, which
    would miss the reference's depthwise bias (``in_channels`` parameters per block).

    Input ``(N, H, W, Cin)`` float; output ``(N, H / strides, W / strides, filters)``, "same" padding.
    """

    def __init__(self, filters, kernel_size=3, strides=1, use_bias=True, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides, self.use_bias = filters, kernel_size, strides, use_bias
        self.depthwise = layers.DepthwiseConv2D(kernel_size, strides=strides, padding="same",
                                                use_bias=use_bias, name="depthwise")
        self.pointwise = layers.Conv2D(filters, 1, use_bias=use_bias, name="pointwise")

    def build(self, input_shape):
        self.depthwise.build(input_shape)
        self.pointwise.build(self.depthwise.compute_output_shape(input_shape))

    def call(self, inputs):
        return self.pointwise(self.depthwise(inputs))

    def compute_output_shape(self, input_shape):
        return self.pointwise.compute_output_shape(self.depthwise.compute_output_shape(input_shape))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "use_bias": self.use_bias}


class _SpatialPadding2D(layers.Layer):
    """Pads H and W by ``padding`` pixels on each side: ``(N, H, W, C)`` -> ``(N, H + 2p, W + 2p, C)``,
    same dtype. Subclasses say how the border is filled (:meth:`pad`)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be an int >= 0, got {padding!r}")
        self.padding = padding

    def call(self, inputs):
        return inputs if self.padding == 0 else self.pad(inputs, self.padding)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        grow = lambda side: None if side is None else side + 2 * self.padding  # noqa: E731
        return (batch, grow(height), grow(width), channels)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(package="thermal_keras")
class ReflectionPadding2D(_SpatialPadding2D):
    """Mirror padding without repeating the edge (torch ``ReflectionPad2d``); ``padding`` must be
    smaller than H and W (reflection needs that many pixels beside the edge)."""

    @staticmethod
    def pad(inputs, p):
        return ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")


@keras.saving.register_keras_serializable(package="thermal_keras")
class EdgePadding2D(_SpatialPadding2D):
    """Padding that repeats the border pixels (numpy ``"edge"``), any ``padding`` for any size."""

    @staticmethod
    def pad(inputs, p):
        top, bottom = ops.repeat(inputs[:, :1], p, axis=1), ops.repeat(inputs[:, -1:], p, axis=1)
        x = ops.concatenate([top, inputs, bottom], axis=1)
        left, right = ops.repeat(x[:, :, :1], p, axis=2), ops.repeat(x[:, :, -1:], p, axis=2)
        return ops.concatenate([left, x, right], axis=2)


# --- One mean level for every frame (8-bit AGC video) ----------------------------------------------

@keras.saving.register_keras_serializable(package="thermal_keras")
class MeanLevel(layers.Layer):
    """Shift each image so its mean is ``level``: ``(N, H, W, C)`` -> the same shape, float32, clipped
    to [-1, 1] (``x - mean(x) + level``, the mean over each image's pixels and channels).

    For targets whose overall level the input does not tell, such as 8-bit AGC thermal video (the
    camera's stretch sets a frame's level from the frame's own content): a generator ending with it
    gives the structure, and every frame gets ``level`` (in [-1, 1]; the training frames' mean, the best
    single guess under a squared error). Clipping can move a frame's mean slightly. No weights.
    """

    def __init__(self, level=0.0, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if not -1.0 <= float(level) <= 1.0:
            raise ValueError(f"MeanLevel needs a level in [-1, 1], got {level!r}")
        self.level = float(level)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        return ops.clip(x - ops.mean(x, axis=(1, 2, 3), keepdims=True) + self.level, -1.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "level": self.level}
