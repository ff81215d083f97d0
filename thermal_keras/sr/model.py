"""``SRGAN``: the super-resolution GAN (Ledig et al. 2017; Swift-SRGAN's loss recipe) as a Keras model.

Images are float32 in ``[0, 1]``: batches are ``(lr, hr)`` with ``lr`` ``(N, h, w, C)`` and ``hr``
``(N, h*scale, w*scale, C)``. Generator loss, with Swift-SRGAN's weights (Krishnan & Krishnan 2021) as defaults::

    1 · MSE(sr, hr) + 1e-3 · adversarial + 6e-3 · MSE(φ(sr), φ(hr)) + 2e-8 · TV(sr)

where φ is a frozen MobileNetV2 (or VGG16) feature extractor from a local weights file
(:mod:`thermal_keras.features`), the adversarial term is the non-saturating ``-log D(sr)`` on logits,
and TV is ``2 (mean (∂y sr)² + mean (∂x sr)²)`` as in the reference. ``compile(pretrain=True)`` trains
the generator on pixel MSE alone (SRResNet), the usual warm start before the GAN phase.

Under a ``tf.distribute`` strategy the losses are divided by the replica count before the gradients
and BatchNorm statistics are synchronized, as in :class:`~thermal_keras.models.Pix2Pix`.

``compile()`` records its settings in ``compile_settings``; a saved model keeps them, so
``keras.models.load_model`` gives back the same mode (a pre-training model stays in pre-training),
loss weights and perceptual network, besides the optimizers' state.
"""

from __future__ import annotations

import warnings

import keras
import tensorflow as tf
from keras import ops

from thermal_keras import features
from thermal_keras.distribute import replica_share, step_logs
from thermal_keras.gan import GANModel, check_weight
from thermal_keras.metrics.super_resolution import psnr_y
from thermal_keras.training.optimizers import FusedAdam

_bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction="sum_over_batch_size")


def total_variation(images):
    """The reference's TV loss: ``2 * (mean of squared vertical + mean of squared horizontal
    neighbour differences)`` over ``(N, H, W, C)``; float32 scalar."""
    dh = images[:, 1:, :, :] - images[:, :-1, :, :]
    dw = images[:, :, 1:, :] - images[:, :, :-1, :]
    return 2.0 * (ops.mean(ops.square(dh)) + ops.mean(ops.square(dw)))


def perceptual_network(name="mobilenet_v2", weights="imagenet"):
    """Frozen feature extractor for the perceptual loss (MobileNetV2's last feature map by default,
    as the reference's ``features[:31]``); ``weights=None`` gives random weights (tests)."""
    return features.feature_extractor(name, weights=weights)


def _apply(optimizer, gradients, variables):
    # The reference layout's unused PReLU slopes get no gradient; skip them instead of warning.
    pairs = [(g, v) for g, v in zip(gradients, variables) if g is not None]
    optimizer.apply_gradients(pairs)


@keras.saving.register_keras_serializable(package="thermal_keras")
class SRGAN(GANModel):
    """Generator + discriminator for super-resolution, trained with ``fit()`` on ``(lr, hr)`` batches.

    Args:
        generator: ``(N, h, w, C)`` -> ``(N, h*s, w*s, C)``, float32 in ``[0, 1]``.
        discriminator: ``(N, H, W, C)`` -> logits ``(N, 1)``; may be ``None`` for pre-training only.
    """

    OPTIONAL_NETWORKS = ("discriminator",)

    def __init__(self, generator, discriminator=None, **kwargs):
        kwargs.setdefault("name", "srgan")
        super().__init__(**kwargs)
        self.set_networks(generator, discriminator)
        self.pretrain, self.loss_weights, self.perceptual = True, {}, None
        self.perceptual_name, self._perceptual_unsaved = None, False
        names = ("g_loss", "pixel", "adversarial", "perceptual", "tv", "d_loss", "psnr_y")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def compile(self, g_optimizer=None, d_optimizer=None, *, pretrain=False, pixel_weight=1.0,
                adversarial_weight=1e-3, perceptual_weight=6e-3, tv_weight=2e-8,
                perceptual="mobilenet_v2", perceptual_weights="imagenet", **kwargs):
        """Optimizers (default ``Adam(1e-4)`` each), loss weights and the training mode.

        Args:
            pretrain: ``True``: generator on pixel MSE only (no discriminator needed).
            pixel_weight, adversarial_weight, perceptual_weight, tv_weight: loss weights (>= 0).
            perceptual: "mobilenet_v2", "vgg16", a frozen ``keras.Model`` on preprocessed images
                (then named by ``perceptual_weights`` is ignored; not saved with the model, which
                saving warns about), or ``None``.
            perceptual_weights: weights file / "imagenet" (local Keras cache) / ``None`` (random);
                a missing file raises :class:`thermal_keras.features.MissingWeightsError` here.
            **kwargs: ``keras.Model.compile`` arguments (``jit_compile``, ``run_eagerly``).
        """
        weights = {"pixel": pixel_weight, "adversarial": adversarial_weight,
                   "perceptual": perceptual_weight, "tv": tv_weight}
        weights = {key: check_weight(value, f"{key}_weight") for key, value in weights.items()}
        if not pretrain and self.discriminator is None:
            raise ValueError("GAN training needs a discriminator; pass one to SRGAN() or use pretrain=True")
        if g_optimizer is not None and g_optimizer is d_optimizer:
            raise ValueError("g_optimizer and d_optimizer must be two optimizer instances")
        self.pretrain, self.loss_weights = bool(pretrain), weights
        self.perceptual, self.perceptual_name = None, None
        if not pretrain and perceptual_weight > 0 and perceptual is not None:
            if isinstance(perceptual, str):
                self.perceptual_name = perceptual
                self.perceptual = perceptual_network(perceptual, perceptual_weights)
            else:
                self.perceptual, self.perceptual_name = perceptual, "mobilenet_v2"
        d_optimizer = None if self.discriminator is None else (d_optimizer or FusedAdam(1e-4))
        self.compile_optimizers(g_optimizer or FusedAdam(1e-4), d_optimizer, self.generator.trainable_variables,
                                [] if self.discriminator is None else self.discriminator.trainable_variables,
                                kwargs)
        # A feature network given as a keras.Model is not part of the saved model (a name is).
        self._perceptual_unsaved = self.perceptual is not None and not isinstance(perceptual, str)
        self.compile_settings = {
            "pretrain": self.pretrain, **{f"{key}_weight": value for key, value in weights.items()},
            "perceptual": perceptual if isinstance(perceptual, str) else None,
            "perceptual_weights": None if perceptual_weights is None else str(perceptual_weights)}

    def _features(self, images):
        return self.perceptual(features.preprocess(self.perceptual_name, images, value_range=(0.0, 1.0)))

    def _discriminator_step(self, hr, sr):
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real = self.discriminator(hr, training=True)
            fake = self.discriminator(ops.stop_gradient(sr), training=True)
            d_loss = _bce(ops.ones_like(real), real) + _bce(ops.zeros_like(fake), fake)
            scaled = self.d_optimizer.scale_loss(replica_share(d_loss))
        _apply(self.d_optimizer, tape.gradient(scaled, variables), variables)
        return d_loss

    def _generator_losses(self, hr, sr):
        zero = ops.zeros((), "float32")
        losses = {"pixel": ops.mean(ops.square(sr - hr)), "adversarial": zero, "perceptual": zero,
                  "tv": total_variation(sr)}
        if not self.pretrain:
            fake = self.discriminator(sr, training=True)
            losses["adversarial"] = _bce(ops.ones_like(fake), fake)
            if self.perceptual is not None:
                losses["perceptual"] = ops.mean(ops.square(self._features(sr) - self._features(hr)))
        if self.pretrain:
            return losses["pixel"] * self.loss_weights["pixel"], losses
        return sum(self.loss_weights[k] * v for k, v in losses.items()), losses

    def train_step(self, data):
        """One D update (GAN mode), then one G update; running means of the losses."""
        self.require_compiled()
        lr, hr = (ops.cast(t, "float32") for t in data[:2])
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            sr = ops.cast(self.generator(lr, training=True), "float32")
            d_loss = ops.zeros((), "float32")
            if not self.pretrain:
                with tape.stop_recording():
                    d_loss = self._discriminator_step(hr, sr)
            g_loss, losses = self._generator_losses(hr, sr)
            scaled = self.g_optimizer.scale_loss(replica_share(g_loss))
        _apply(self.g_optimizer, tape.gradient(scaled, variables), variables)
        for key, value in {"g_loss": g_loss, **losses, "d_loss": d_loss}.items():
            self.trackers[key].update_state(value)
        return step_logs({k: t.result() for k, t in self.trackers.items() if k != "psnr_y"})

    def test_step(self, data):
        """Y-PSNR (dB, border = scale cropped, peak 1.0) and pixel MSE of ``generator(lr)`` vs ``hr``."""
        lr, hr = (ops.cast(t, "float32") for t in data[:2])
        sr = ops.clip(ops.cast(self.generator(lr, training=False), "float32"), 0.0, 1.0)
        scale = hr.shape[1] // lr.shape[1]
        self.trackers["pixel"].update_state(ops.mean(ops.square(sr - hr)))
        self.trackers["psnr_y"].update_state(psnr_y(sr, hr, crop_border=scale, data_range=1.0))
        return step_logs({k: self.trackers[k].result() for k in ("pixel", "psnr_y")})

    def get_compile_config(self):
        """Optimizers and ``compile_settings`` (the mode, every loss weight, the perceptual network's
        name and weights), so ``keras.models.load_model`` compiles the model as it was."""
        if self._perceptual_unsaved:
            warnings.warn("SRGAN: the perceptual network given to compile() as a keras.Model is not saved "
                          "with the model; a reloaded model has no perceptual term until compile() is "
                          "called again with perceptual=", stacklevel=2)
        return super().get_compile_config()

    def compile_from_config(self, config):
        """Compile a loaded model as it was saved; a named perceptual network is built again from
        its recorded weights (the Keras cache file or a path; ``None``: a new random network)."""
        try:
            super().compile_from_config(config)
        except features.MissingWeightsError as error:
            raise features.MissingWeightsError(
                f"{error} (the SRGAN was saved with a {config.get('perceptual')} perceptual loss; "
                "keras.models.load_model(path, compile=False) loads it without its losses)") from None
