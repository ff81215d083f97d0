"""FusionGAN (Ma et al., Information Fusion 2019): a GAN that fuses infrared and visible images.

The generator sees ``concat(IR, VIS)`` and outputs one fused grey image; its content loss keeps the
infrared *intensities* and the visible *gradients*, while a discriminator that tells fused images
from visible ones pushes more visible texture in:

``L_G = mean((D(F) - c)²) + λ · (mean((F - IR)²) + ξ · mean((∇F - ∇VIS)²))``, ``c ~ U(0.7, 1.2)``
``L_D = mean((D(VIS) - b)²) + mean((D(F) - a)²)``, ``b ~ U(0.7, 1.2)``, ``a ~ U(0, 0.3)``

(least squares with soft, freshly drawn labels; ∇ the 4-neighbour Laplacian; the reference code uses
λ = 100, ξ = 5, two discriminator steps per generator step, Adam 1e-4, batch 32, 120² patches).

Networks as in the reference: generator 5×5 (256) → 5×5 (128) → 3×3 (64) → 3×3 (32) → 1×1 (1),
all "valid" convolutions with biases, batch norm (scale and centre) and LeakyReLU 0.2 after the first
four, tanh last. The reference pads test images by 6 pixels (edge replication) to get a fused image
of the input's size; here that padding is the generator's first layer, so output size = input size
in training too. Discriminator: four 3×3 stride-2 "valid" convolutions (32, 64, 128, 256; batch norm
from the second), LeakyReLU 0.2, a dense layer to one score; it is built for one image size.

Images: float32 ``(N, H, W, 1)`` in ``[-1, 1]``; the visible input is grey (the luma ``Y``; colour
is put back from the visible image's CbCr, see :mod:`thermal_keras.fusion_baselines`).

Under a ``tf.distribute`` strategy the losses are divided by the replica count before the gradients
and BatchNorm statistics are synchronized, as in :class:`~thermal_keras.models.Pix2Pix`. Every
replica draws the same soft labels (one seed state, advanced in step).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import layers, ops

from thermal_keras.distribute import MultiWorkerFitMixin, replica_share, step_logs, synchronize_batch_norm
from thermal_keras.precision import with_loss_scaling
from thermal_keras.training.optimizers import FusedAdam

GENERATOR_FILTERS = (256, 128, 64, 32)
GENERATOR_KERNELS = (5, 5, 3, 3)
DISCRIMINATOR_FILTERS = (32, 64, 128, 256)
LAPLACIAN_KERNEL = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))


def _batch_norm(name):
    # TF-slim batch_norm in the reference: decay 0.9, epsilon 1e-5, with scale and centre.
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)


@keras.saving.register_keras_serializable(package="thermal_keras")
class EdgePadding2D(layers.Layer):
    """Pads H and W by ``padding`` pixels on each side, repeating the border pixels (numpy "edge")."""

    def __init__(self, padding: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
            raise ValueError(f"padding must be an int >= 0, got {padding!r}")
        self.padding = padding

    def call(self, inputs):
        p = self.padding
        if p == 0:
            return inputs
        top, bottom = ops.repeat(inputs[:, :1], p, axis=1), ops.repeat(inputs[:, -1:], p, axis=1)
        x = ops.concatenate([top, inputs, bottom], axis=1)
        left, right = ops.repeat(x[:, :, :1], p, axis=2), ops.repeat(x[:, :, -1:], p, axis=2)
        return ops.concatenate([left, x, right], axis=2)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        grow = lambda side: None if side is None else side + 2 * self.padding  # noqa: E731
        return (n, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def fusiongan_generator(in_channels: int = 2, filters=GENERATOR_FILTERS, kernel_sizes=GENERATOR_KERNELS,
                        name: str = "fusiongan_generator") -> keras.Model:
    """FusionGAN's generator: ``(N, H, W, in_channels)`` -> ``(N, H, W, 1)`` float32 in ``[-1, 1]``.

    Channel 0 is infrared, channel 1 the visible luma. ``H, W`` may be anything (fully convolutional;
    the edge padding keeps the size). 925,633 trainable parameters with the defaults.
    """
    if len(filters) != len(kernel_sizes):
        raise ValueError(f"filters and kernel_sizes must have one length, got {filters} and {kernel_sizes}")
    inputs = keras.Input((None, None, in_channels), name="ir_visible")
    x = EdgePadding2D(sum(k // 2 for k in kernel_sizes), name="edge_padding")(inputs)
    for i, (width, kernel) in enumerate(zip(filters, kernel_sizes), start=1):
        x = layers.Conv2D(width, kernel, padding="valid", name=f"conv{i}")(x)
        x = _batch_norm(f"bn{i}")(x)
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
    x = layers.Conv2D(1, 1, name=f"conv{len(filters) + 1}")(x)
    outputs = layers.Activation("tanh", dtype="float32", name="fused")(x)
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
        x = layers.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(1, dtype="float32", name="score")(x)
    return keras.Model(inputs, outputs, name=name)


def build_fusiongan_generator(name: str = "fusiongan", **kwargs) -> keras.Model:
    """Factory entry (``build_generator("fusiongan")``); kwargs go to :func:`fusiongan_generator`."""
    return fusiongan_generator(**kwargs)


def build_fusiongan_discriminator(name: str = "fusiongan", **kwargs) -> keras.Model:
    """Factory entry (``build_discriminator("fusiongan", image_size=120)``)."""
    return fusiongan_discriminator(**kwargs)


def laplacian(images):
    """4-neighbour Laplacian of ``(N, H, W, 1)`` images, zero padding ("same"), float32."""
    kernel = ops.reshape(ops.convert_to_tensor(LAPLACIAN_KERNEL, "float32"), (3, 3, 1, 1))
    return ops.conv(ops.cast(images, "float32"), kernel, strides=1, padding="same")


def content_loss_terms(fused, ir, visible):
    """``(mean((F - IR)²), mean((∇F - ∇VIS)²))`` as float32 scalars."""
    fused, ir, visible = (ops.cast(t, "float32") for t in (fused, ir, visible))
    intensity = ops.mean(ops.square(fused - ir))
    gradient = ops.mean(ops.square(laplacian(fused) - laplacian(visible)))
    return intensity, gradient


@keras.saving.register_keras_serializable(package="thermal_keras")
class FusionGAN(MultiWorkerFitMixin, keras.Model):
    """FusionGAN around a generator and a discriminator (see the module docstring for the losses).

    Data: batches ``(ir, visible)``, each float32 ``(N, H, W, 1)`` in ``[-1, 1]`` (H, W equal to the
    discriminator's image size for training). ``model(concat([ir, visible], -1))`` and
    :meth:`fuse` return the fused image ``(N, H, W, 1)`` in ``[-1, 1]``. Step counter:
    ``g_optimizer.iterations``; ``d_optimizer.iterations`` advances ``d_steps`` times as fast.
    """

    def __init__(self, generator, discriminator, seed: int = 0, **kwargs):
        kwargs.setdefault("name", "fusiongan")
        super().__init__(**kwargs)
        for argument, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model):
                raise TypeError(f"{argument} must be a keras.Model, got {type(network).__name__}")
        self.generator, self.discriminator = generator, discriminator
        self.seed = seed
        self.label_seeds = keras.random.SeedGenerator(seed, name="label_seeds")
        self.g_optimizer = self.d_optimizer = None
        self.loss_settings = {}
        names = ("g_loss", "g_adv", "g_intensity", "g_gradient", "d_loss", "intensity", "gradient")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}
        if generator.built and discriminator.built:
            self.built = True

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def fuse(self, ir, visible, training=False):
        """Fused image of ``ir`` and ``visible`` (each ``(N, H, W, 1)`` in ``[-1, 1]``)."""
        return self.generator(ops.concatenate([ir, visible], axis=-1), training=training)

    def compile(self, g_optimizer=None, d_optimizer=None, lambda_content: float = 100.0, xi: float = 5.0,
                d_steps: int = 2, real_label_range=(0.7, 1.2), fake_label_range=(0.0, 0.3), **kwargs):
        """Optimizers (default Adam(1e-4) each, as the reference) and the loss settings.

        ``lambda_content``: λ, weight of the content loss; ``xi``: ξ, weight of the gradient term
        inside it; ``d_steps``: discriminator updates per generator update; label ranges: the
        uniform soft labels for "visible" (real) and "fused" (fake). Other kwargs go to
        ``keras.Model.compile`` (``jit_compile``, ``run_eagerly``).
        """
        for key, value in (("lambda_content", lambda_content), ("xi", xi)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a number >= 0, got {value!r}")
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be an int >= 1, got {d_steps!r}")
        for key, (low, high) in (("real_label_range", real_label_range), ("fake_label_range", fake_label_range)):
            if not low <= high:
                raise ValueError(f"{key} must be (low, high) with low <= high, got {(low, high)}")
        super().compile(optimizer=None, **kwargs)
        g_optimizer = g_optimizer or FusedAdam(1e-4, name="g_optimizer")
        d_optimizer = d_optimizer or FusedAdam(1e-4, name="d_optimizer")
        if g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer instances")
        self.g_optimizer, self.d_optimizer = with_loss_scaling(g_optimizer), with_loss_scaling(d_optimizer)
        self.optimizer = self.g_optimizer
        synchronize_batch_norm((self.generator, self.discriminator), self.distribute_strategy)
        for optimizer, network in ((self.g_optimizer, self.generator), (self.d_optimizer, self.discriminator)):
            if not optimizer.built:
                optimizer.build(network.trainable_variables)
        self.loss_settings = {"lambda_content": float(lambda_content), "xi": float(xi), "d_steps": d_steps,
                              "real_label_range": tuple(real_label_range),
                              "fake_label_range": tuple(fake_label_range)}
        self._compile_kwargs = dict(kwargs)

    def _soft_labels(self, scores, label_range):
        low, high = label_range
        return keras.random.uniform(ops.shape(scores), low, high, seed=self.label_seeds)

    def _least_squares(self, scores, label_range):
        scores = ops.cast(scores, "float32")
        return ops.mean(ops.square(scores - self._soft_labels(scores, label_range)))

    def _batch(self, data):
        ir, visible, _ = keras.utils.unpack_x_y_sample_weight(data)
        if visible is None:
            raise ValueError("FusionGAN needs batches (ir, visible); got one tensor")
        return ops.cast(ir, "float32"), ops.cast(visible, "float32")

    def _discriminator_step(self, pair, visible):
        settings = self.loss_settings
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            fused = self.generator(pair, training=True)
            real_term = self._least_squares(self.discriminator(visible, training=True), settings["real_label_range"])
            fake_term = self._least_squares(self.discriminator(ops.stop_gradient(fused), training=True),
                                            settings["fake_label_range"])
            d_loss = real_term + fake_term
            scaled = self.d_optimizer.scale_loss(replica_share(d_loss))
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return d_loss

    def train_step(self, data):
        """``d_steps`` D updates (each on a fresh G forward pass, as the reference), then one G update."""
        if self.g_optimizer is None:
            raise RuntimeError("FusionGAN must be compiled before training: call model.compile()")
        ir, visible = self._batch(data)
        pair = ops.concatenate([ir, visible], axis=-1)
        settings = self.loss_settings
        for _ in range(settings["d_steps"]):
            d_loss = self._discriminator_step(pair, visible)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fused = self.generator(pair, training=True)
            g_adv = self._least_squares(self.discriminator(fused, training=True), settings["real_label_range"])
            intensity, gradient = content_loss_terms(fused, ir, visible)
            g_loss = g_adv + settings["lambda_content"] * (intensity + settings["xi"] * gradient)
            scaled = self.g_optimizer.scale_loss(replica_share(g_loss))
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        values = {"g_loss": g_loss, "g_adv": g_adv, "g_intensity": intensity, "g_gradient": gradient,
                  "d_loss": d_loss}
        for key, value in values.items():
            self.trackers[key].update_state(value)
        return step_logs({key: self.trackers[key].result() for key in values})

    def test_step(self, data):
        """Content-loss terms of the fused images: ``intensity`` (vs IR) and ``gradient`` (vs VIS)."""
        ir, visible = self._batch(data)
        intensity, gradient = content_loss_terms(self.fuse(ir, visible), ir, visible)
        self.trackers["intensity"].update_state(intensity)
        self.trackers["gradient"].update_state(gradient)
        return step_logs({key: self.trackers[key].result() for key in ("intensity", "gradient")})

    def get_config(self):
        return {**super().get_config(), "seed": self.seed,
                "generator": keras.saving.serialize_keras_object(self.generator),
                "discriminator": keras.saving.serialize_keras_object(self.discriminator)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        generator = keras.saving.deserialize_keras_object(config.pop("generator"), custom_objects)
        discriminator = keras.saving.deserialize_keras_object(config.pop("discriminator"), custom_objects)
        return cls(generator, discriminator, **config)

    def get_compile_config(self):
        if self.g_optimizer is None:
            return {}
        return {"g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
                "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
                **{k: list(v) if isinstance(v, tuple) else v for k, v in self.loss_settings.items()},
                **self._compile_kwargs}

    def compile_from_config(self, config):
        config = dict(config)
        for key in ("g_optimizer", "d_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)
