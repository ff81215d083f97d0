"""Pix2Pix: a conditional GAN that translates paired images, e.g. RGB -> thermal.

The Keras GAN pattern: the sub-networks come in ``__init__``, optimizers and the loss set-up in
``compile()``, and ``train_step()`` does one discriminator and one generator update per batch, as
the pix2pix reference does:

1. G translates the batch once: ``fake = G(input)``.
2. D update on ``concat(input, target)`` (real) and ``concat(input, fake)`` (fake, no gradient to G);
   D's loss is the mean of its real and fake terms (see :mod:`thermal_keras.losses`).
3. G update against the *updated* D: ``lambda_gan * gan_loss(D(concat(input, fake))) + lambda_l1 *
   L1(fake, target)``, using the same ``fake`` as step 2 (one G forward pass, one dropout mask, as the
   reference). ``compile`` can add the reconstruction terms of :mod:`thermal_keras.reconstruction`
   (SSIM, Sobel gradients, a level-free L1 for AGC camera frames); by default there are none and
   ``lambda_gan`` is 1, the reference's loss.

Data: batches of ``(input_a, target_b)``: ``(N, H, W, Ca)`` and ``(N, H, W, Cb)`` float32 in [-1, 1]
(a third element, sample weights, is ignored). ``model(x)`` and ``predict`` return ``G(x)`` in [-1, 1].
``evaluate`` reports ``l1`` ([-1, 1] units), ``psnr`` (dB) and ``ssim`` of ``G(input)`` against the
target; PSNR and SSIM are taken on both images shifted to [0, 1] (max_val 1), as on 8-bit files.

Under a ``tf.distribute`` strategy (build and compile inside ``strategy.scope()``) each replica's
losses are divided by the replica count before the gradients (the optimizer sums them), so the
update is that of the global batch, and BatchNorm layers use global-batch statistics
(:mod:`thermal_keras.distribute`). The loss trackers record the unscaled losses.

``model.optimizer`` is the generator's optimizer, so Keras callbacks that read the step
(TensorBoard) or touch "the" learning rate (LearningRateScheduler, ReduceLROnPlateau) act on G only;
give both optimizers a ``LearningRateSchedule`` instead (it runs off each optimizer's ``iterations``).
"""

import keras
import tensorflow as tf
from keras import ops

from thermal_keras.distribute import replica_share, step_logs
from thermal_keras.gan import GANModel, channels, check_weight
from thermal_keras.losses import check_gan_mode, gan_loss, l1_loss
from thermal_keras.networks.unet import check_generator_input_size
from thermal_keras.reconstruction import ReconstructionWeights
from thermal_keras.translation.stats import default_gan_optimizer, image_stats  # noqa: F401  (re-exported)


@keras.saving.register_keras_serializable(package="thermal_keras")
class Pix2Pix(GANModel):
    """Pix2Pix conditional GAN around a generator and a (PatchGAN) discriminator.

    Args:
        generator: ``keras.Model`` ``(N, H, W, Ca)`` -> ``(N, H, W, Cb)``, float32 in [-1, 1].
        discriminator: ``keras.Model`` on ``(N, H, W, Ca + Cb)`` pairs -> logits ``(N, h, w, 1)``.
        **kwargs: ``keras.Model`` arguments (``name``, ...).

    Attributes after ``compile``: ``g_optimizer``, ``d_optimizer`` (built, so their variables can be
    saved or restored before the first step), ``gan_mode``, ``lambda_l1``. Step counter:
    ``g_optimizer.iterations``.
    """

    def __init__(self, generator, discriminator, **kwargs):
        kwargs.setdefault("name", "pix2pix")
        super().__init__(**kwargs)
        self.set_networks(generator, discriminator)
        pair, expected = channels(generator, "input"), channels(discriminator, "input")
        if pair is not None and channels(generator, "output") is not None and expected is not None:
            pair += channels(generator, "output")
            if pair != expected:
                raise ValueError(
                    f"discriminator expects {expected} input channels but the generator's input + output "
                    f"channels make {pair}; build it with in_channels={pair}")
        self.gan_mode = None
        self.lambda_l1 = None
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.g_gan_tracker = keras.metrics.Mean(name="g_gan")
        self.g_l1_tracker = keras.metrics.Mean(name="g_l1")
        self.g_rec_tracker = keras.metrics.Mean(name="g_rec")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.l1_tracker = keras.metrics.Mean(name="l1")
        self.psnr_tracker = keras.metrics.Mean(name="psnr")
        self.ssim_tracker = keras.metrics.Mean(name="ssim")

    @property
    def metrics(self):
        """All trackers, so ``fit``/``evaluate`` reset them at every epoch."""
        return self._train_trackers() + self._test_trackers()

    def _train_trackers(self):
        return [self.g_loss_tracker, self.g_gan_tracker, self.g_l1_tracker, self.g_rec_tracker,
                self.d_loss_tracker]

    def _test_trackers(self):
        return [self.l1_tracker, self.psnr_tracker, self.ssim_tracker]

    def compile(self, g_optimizer=None, d_optimizer=None, gan_mode="lsgan", lambda_l1=100.0, lambda_gan=1.0,
                lambda_l2=0.0, lambda_ssim=0.0, lambda_grad=0.0, level_free=False, lambda_level=0.0, **kwargs):
        """Set optimizers (default ``Adam(2e-4, beta_1=0.5)`` each), GAN mode and loss weights.

        ``gan_mode``: "lsgan" (default), "vanilla" or "hinge". ``lambda_l1``: weight of the L1 term
        (100 in pix2pix). ``lambda_gan``: weight of G's adversarial term (1 in pix2pix; 0 trains G
        as a plain regression, D still trains). ``lambda_l2``, ``lambda_ssim``, ``lambda_grad``:
        weights of the mean squared error, ``1 - SSIM`` and the Sobel-gradient L1; ``level_free``:
        the L1 compares per-frame standardised images, with ``lambda_level`` weighting the per-frame
        mean and spread (:mod:`thermal_keras.reconstruction`). Other ``kwargs`` (``run_eagerly``,
        ``jit_compile``, ``steps_per_execution``) go to ``keras.Model.compile``. Under a ``mixed_float16`` global policy both optimizers are
        wrapped in ``LossScaleOptimizer``. Both are built here on their network's variables. Under a
        strategy with several replicas the BatchNorm layers are switched to synchronized statistics.
        """
        check_gan_mode(gan_mode)
        lambda_l1 = check_weight(lambda_l1, "lambda_l1")
        weights = {name: check_weight(value, name) for name, value in (
            ("lambda_gan", lambda_gan), ("lambda_l2", lambda_l2), ("lambda_ssim", lambda_ssim),
            ("lambda_grad", lambda_grad), ("lambda_level", lambda_level))}
        if not isinstance(level_free, bool):
            raise ValueError(f"level_free must be True or False, got {level_free!r}")
        self.compile_optimizers(g_optimizer or default_gan_optimizer("g_optimizer"),
                                d_optimizer or default_gan_optimizer("d_optimizer"),
                                self.generator.trainable_variables, self.discriminator.trainable_variables, kwargs)
        self.gan_mode, self.lambda_l1, self.lambda_gan = gan_mode, lambda_l1, weights["lambda_gan"]
        self._gan = gan_loss(gan_mode)
        self.reconstruction = ReconstructionWeights(
            l1=lambda_l1, l2=weights["lambda_l2"], ssim=weights["lambda_ssim"], gradient=weights["lambda_grad"],
            level_free=level_free, level=weights["lambda_level"])
        self.compile_settings = {"gan_mode": gan_mode, "lambda_l1": lambda_l1, **weights, "level_free": level_free}

    def _paired_batch(self, data):
        input_a, target_b, _ = keras.utils.unpack_x_y_sample_weight(data)
        if target_b is None:
            raise ValueError("Pix2Pix needs paired batches (input_a, target_b); got inputs only")
        check_generator_input_size(self.generator, input_a.shape[1], input_a.shape[2])
        return ops.cast(input_a, "float32"), ops.cast(target_b, "float32")

    def _discriminator_step(self, input_a, target_b, fake_b):
        real_pair = ops.concatenate([input_a, target_b], axis=-1)
        fake_pair = ops.concatenate([input_a, ops.stop_gradient(fake_b)], axis=-1)
        variables = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            fake_logits = self.discriminator(fake_pair, training=True)
            real_logits = self.discriminator(real_pair, training=True)
            d_loss = self._gan.discriminator(real_logits, fake_logits)
            scaled_loss = self.d_optimizer.scale_loss(replica_share(d_loss))
        gradients = tape.gradient(scaled_loss, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables))
        return d_loss

    def train_step(self, data):
        """One D update, then one G update; returns the running means of the four losses."""
        self.require_compiled()
        input_a, target_b = self._paired_batch(data)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake_b = self.generator(input_a, training=True)
            with tape.stop_recording():
                d_loss = self._discriminator_step(input_a, target_b, fake_b)
            fake_pair = ops.concatenate([input_a, fake_b], axis=-1)
            fake_logits = self.discriminator(fake_pair, training=True)
            g_gan = self._gan.generator(fake_logits)
            g_l1 = l1_loss(target_b, fake_b)
            g_rec = self.reconstruction.total(target_b, fake_b)
            g_loss = self.lambda_gan * g_gan + g_rec
            scaled_loss = self.g_optimizer.scale_loss(replica_share(g_loss))
        gradients = tape.gradient(scaled_loss, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        for tracker, value in zip(self._train_trackers(), (g_loss, g_gan, g_l1, g_rec, d_loss)):
            tracker.update_state(value)
        return step_logs({tracker.name: tracker.result() for tracker in self._train_trackers()})

    def test_step(self, data):
        """Translate and score: mean per-image ``l1`` ([-1, 1] units), ``psnr`` (dB), ``ssim``."""
        input_a, target_b = self._paired_batch(data)
        fake_b = self.generator(input_a, training=False)
        for tracker, values in zip(self._test_trackers(), image_stats(fake_b, target_b)):
            tracker.update_state(values)
        return step_logs({tracker.name: tracker.result() for tracker in self._test_trackers()})
