"""CycleGAN: two generators and two discriminators trained with cycle consistency (Zhu et al. 2017).

Domains: A (visible RGB, ``Ca`` channels) and B (thermal, ``Cb``). ``generator_ab`` (G) maps A -> B,
``generator_ba`` (F) maps B -> A; ``discriminator_a`` judges A images (``Ca`` channels in),
``discriminator_b`` judges B images (``Cb`` in). Unlike pix2pix the discriminators see single images,
not pairs. One update per batch ``(real_a, real_b)``, in the reference's order:

1. ``fake_b = G(a)``, ``rec_a = F(fake_b)``, ``fake_a = F(b)``, ``rec_b = G(fake_a)``.
2. Generators (one optimizer over G and F, discriminators fixed)::

       L_G = gan(D_B(fake_b)) + gan(D_A(fake_a))
           + lambda_cycle * (|rec_a - a| + |rec_b - b|)
           + lambda_identity * lambda_cycle * (|G(b) - b| + |F(a) - a|)     [only if Ca == Cb]
           + lambda_supervised * |fake_b - b|                               [paired mode]
           + lambda_perceptual * (P(a, rec_a) + P(b, rec_b))                [perceptual cycle]
           + lambda_self_similarity * (S(a, fake_b) + S(b, fake_a))         [self-similarity]

   ``|.|`` is the mean absolute error; P and S are :mod:`thermal_keras.cyclegan.losses`.
3. Discriminators (one optimizer over D_A and D_B): ``D_B`` on real b vs a fake drawn from a
   50-image history pool of ``fake_b`` (:class:`ImagePool`), ``D_A`` likewise; each D loss is the mean
   of its real and fake terms (:mod:`thermal_keras.losses`).

The identity loss feeds B images to G, which takes ``Ca`` channels: with RGB (3) <-> thermal (1) it
cannot be computed and is switched off (``identity_active`` False, a warning at ``compile``).

Paired mode is a switch (``compile(paired=True, lambda_supervised=...)``), not another model: the
same networks trained on registered pairs, with the optional supervised L1 between ``G(a)`` and
``b``. Batches: ``(a, b)`` float32 ``(N, H, W, Ca)``, ``(N, H, W, Cb)`` in [-1, 1]; unpaired data simply
pairs independently shuffled sides. ``model(a)`` returns ``G(a)``; ``evaluate`` reports l1, psnr,
ssim of ``G(a)`` against ``b`` (meaningful on pairs). ``model.optimizer`` is the generators'
optimizer, so step-reading callbacks see the step count.

Under a ``tf.distribute`` strategy the losses are divided by the replica count before the gradients
and BatchNorm statistics are synchronized, as in :class:`~thermal_keras.models.Pix2Pix`. Each
replica keeps its own history pools (they hold that replica's fakes); a checkpoint stores the first
replica's pools, which every replica gets back on resume.
"""

import warnings

import keras
import tensorflow as tf
from keras import ops

from thermal_keras.cyclegan.image_pool import ImagePool
from thermal_keras.cyclegan.losses import PerceptualCycleLoss, SelfSimilarityLoss
from thermal_keras.distribute import replica_share, step_logs
from thermal_keras.features import MissingWeightsError
from thermal_keras.gan import GANModel, channels, check_weight
from thermal_keras.losses import check_gan_mode, gan_loss, l1_loss
from thermal_keras.networks.unet import check_generator_input_size
from thermal_keras.translation.stats import default_gan_optimizer, image_stats

_TRAIN_LOSSES = ("g_loss", "g_gan", "cycle", "identity", "supervised", "perceptual", "self_similarity",
                 "d_loss")


def _rebuilt_feature_loss(loss_class, config: dict):
    try:
        return loss_class(**config)
    except MissingWeightsError as error:
        raise MissingWeightsError(f"{error} (the CycleGAN was saved with a {loss_class.__name__}; "
                                  "keras.models.load_model(path, compile=False) loads it without its losses)") from None


def _check_channels(generator_ab, generator_ba, discriminator_a, discriminator_b):
    ca, cb = channels(generator_ab, "input"), channels(generator_ab, "output")
    expected = {"generator_ba input": (channels(generator_ba, "input"), cb),
                "generator_ba output": (channels(generator_ba, "output"), ca),
                "discriminator_a input": (channels(discriminator_a, "input"), ca),
                "discriminator_b input": (channels(discriminator_b, "input"), cb)}
    for what, (found, wanted) in expected.items():
        if found is not None and wanted is not None and found != wanted:
            raise ValueError(f"{what} has {found} channels but generator_ab maps {ca} -> {cb} channels; "
                             f"build it with {wanted}")
    return ca, cb


@keras.saving.register_keras_serializable(package="thermal_keras")
class CycleGAN(GANModel):
    """CycleGAN around G: A -> B, F: B -> A and PatchGAN discriminators D_A, D_B.

    Args:
        generator_ab, generator_ba: ``keras.Model`` translators, float32 in [-1, 1].
        discriminator_a, discriminator_b: ``keras.Model`` on single images -> logits ``(N, h, w, 1)``.
        pool_size: generated images kept per discriminator (50 in the reference; 0: no pool).
        seed: seed of the pools' random draws.

    Attributes after ``compile``: ``g_optimizer`` (G and F), ``d_optimizer`` (D_A and D_B), the loss
    weights, ``paired``, ``identity_active`` and ``compile_settings`` (every other ``compile``
    argument, the feature losses as their config: saved with the model, so
    ``keras.models.load_model`` compiles it as it was). Step counter: ``g_optimizer.iterations``.
    """

    def __init__(self, generator_ab, generator_ba, discriminator_a, discriminator_b, pool_size=50,
                 seed=None, **kwargs):
        kwargs.setdefault("name", "cyclegan")
        super().__init__(**kwargs)
        self.set_networks(generator_ab, generator_ba, discriminator_a, discriminator_b)
        self.channels_a, self.channels_b = _check_channels(*self.networks)
        self.pool_size = pool_size
        self.seed = seed
        self.fake_a_pool = ImagePool(pool_size, seed=seed, name="fake_a_pool")
        self.fake_b_pool = ImagePool(pool_size, seed=None if seed is None else seed + 1, name="fake_b_pool")
        self.perceptual_loss = self.self_similarity_loss = None
        self._trackers = {name: keras.metrics.Mean(name=name) for name in _TRAIN_LOSSES}
        self._test_trackers = [keras.metrics.Mean(name=name) for name in ("l1", "psnr", "ssim")]

    NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    CONFIG_FIELDS = ("pool_size", "seed")

    @property
    def identity_possible(self):
        return self.channels_a == self.channels_b

    @property
    def metrics(self):
        return list(self._trackers.values()) + self._test_trackers

    def build_pools(self, image_size):
        """Create the history pools' storage for ``image_size`` (int or (H, W)) images.

        Needed before a checkpoint saves or restores them; ``train_step`` does it on first use.
        """
        height, width = (image_size, image_size) if isinstance(image_size, int) else image_size
        if not self.fake_a_pool.built:
            self.fake_a_pool.build((None, height, width, self.channels_a))
        if not self.fake_b_pool.built:
            self.fake_b_pool.build((None, height, width, self.channels_b))

    def compile(self, g_optimizer=None, d_optimizer=None, gan_mode="lsgan", lambda_cycle=10.0,
                lambda_identity=0.5, paired=False, lambda_supervised=0.0, perceptual_loss=None,
                lambda_perceptual=0.0, self_similarity_loss=None, lambda_self_similarity=0.0, **kwargs):
        """Optimizers (default ``Adam(2e-4, beta_1=0.5)`` each), GAN mode and loss weights.

        ``perceptual_loss`` / ``self_similarity_loss``: instances of
        :class:`~thermal_keras.cyclegan.losses.PerceptualCycleLoss` /
        :class:`~thermal_keras.cyclegan.losses.SelfSimilarityLoss` (used when their weight is > 0).
        ``lambda_supervised`` > 0 needs ``paired=True``. ``lambda_identity`` is ignored, with a
        warning, when the domains' channel counts differ. Other ``kwargs`` go to ``keras.Model.compile``.
        """
        check_gan_mode(gan_mode)
        weights = {name: check_weight(value, name) for name, value in (
            ("lambda_cycle", lambda_cycle), ("lambda_identity", lambda_identity),
            ("lambda_supervised", lambda_supervised), ("lambda_perceptual", lambda_perceptual),
            ("lambda_self_similarity", lambda_self_similarity))}
        if weights["lambda_supervised"] and not paired:
            raise ValueError("lambda_supervised > 0 needs paired=True (registered (a, b) pairs)")
        for loss, weight in ((perceptual_loss, "lambda_perceptual"), (self_similarity_loss, "lambda_self_similarity")):
            if weights[weight] and loss is None:
                raise ValueError(f"{weight} > 0 needs its loss object (see thermal_keras.cyclegan.losses)")
        if weights["lambda_identity"] and not self.identity_possible:
            warnings.warn(f"identity loss off: G maps {self.channels_a} -> {self.channels_b} channels, so it "
                          "cannot take domain-B images (lambda_identity ignored)", stacklevel=2)
        self.compile_optimizers(g_optimizer or default_gan_optimizer("g_optimizer"),
                                d_optimizer or default_gan_optimizer("d_optimizer"),
                                self._generator_variables(), self._discriminator_variables(), kwargs)
        self.gan_mode, self._gan = gan_mode, gan_loss(gan_mode)
        self.paired = bool(paired)
        for name, value in weights.items():
            setattr(self, name, value)
        self.identity_active = bool(self.lambda_identity) and self.identity_possible
        self.perceptual_loss, self.self_similarity_loss = perceptual_loss, self_similarity_loss
        # A feature loss is recorded (as its config) only where its weight uses it, so reloading a
        # model never needs an extractor's weights file for a term that is off.
        self.compile_settings = {
            "gan_mode": gan_mode, "paired": self.paired, **weights,
            **{key: loss.get_config() if loss is not None and weights[weight] else None
               for key, loss, weight in (("perceptual_loss", perceptual_loss, "lambda_perceptual"),
                                         ("self_similarity_loss", self_similarity_loss, "lambda_self_similarity"))}}

    def _generator_variables(self):
        return self.generator_ab.trainable_variables + self.generator_ba.trainable_variables

    def _discriminator_variables(self):
        return self.discriminator_a.trainable_variables + self.discriminator_b.trainable_variables

    def _batch(self, data):
        real_a, real_b, _ = keras.utils.unpack_x_y_sample_weight(data)
        if real_b is None:
            raise ValueError("CycleGAN needs batches (images_a, images_b); got one side only")
        check_generator_input_size(self.generator_ab, real_a.shape[1], real_a.shape[2])
        check_generator_input_size(self.generator_ba, real_b.shape[1], real_b.shape[2])
        return ops.cast(real_a, "float32"), ops.cast(real_b, "float32")

    def _generator_losses(self, real_a, real_b, training=True):
        """Forward both cycles; returns ``(total, parts, fake_a, fake_b)`` (parts: float32 scalars)."""
        fake_b = self.generator_ab(real_a, training=training)
        rec_a = self.generator_ba(fake_b, training=training)
        fake_a = self.generator_ba(real_b, training=training)
        rec_b = self.generator_ab(fake_a, training=training)
        zero = ops.zeros((), "float32")
        parts = {
            "g_gan": self._gan.generator(self.discriminator_b(fake_b, training=training))
            + self._gan.generator(self.discriminator_a(fake_a, training=training)),
            "cycle": l1_loss(real_a, rec_a) + l1_loss(real_b, rec_b),
            "identity": zero, "supervised": zero, "perceptual": zero, "self_similarity": zero,
        }
        if self.identity_active:
            parts["identity"] = (l1_loss(real_b, self.generator_ab(real_b, training=training))
                                 + l1_loss(real_a, self.generator_ba(real_a, training=training)))
        if self.lambda_supervised:
            parts["supervised"] = l1_loss(real_b, fake_b)
        if self.lambda_perceptual:
            parts["perceptual"] = self.perceptual_loss(real_a, rec_a) + self.perceptual_loss(real_b, rec_b)
        if self.lambda_self_similarity:
            parts["self_similarity"] = (self.self_similarity_loss(real_a, fake_b)
                                        + self.self_similarity_loss(real_b, fake_a))
        total = (parts["g_gan"] + self.lambda_cycle * parts["cycle"]
                 + self.lambda_identity * self.lambda_cycle * parts["identity"]
                 + self.lambda_supervised * parts["supervised"]
                 + self.lambda_perceptual * parts["perceptual"]
                 + self.lambda_self_similarity * parts["self_similarity"])
        return total, parts, fake_a, fake_b

    def _discriminator_step(self, real_a, real_b, fake_a, fake_b):
        pooled_a = self.fake_a_pool(ops.stop_gradient(fake_a))
        pooled_b = self.fake_b_pool(ops.stop_gradient(fake_b))
        variables = self._discriminator_variables()
        with tf.GradientTape() as tape:
            d_a = self._gan.discriminator(self.discriminator_a(real_a, training=True),
                                          self.discriminator_a(pooled_a, training=True))
            d_b = self._gan.discriminator(self.discriminator_b(real_b, training=True),
                                          self.discriminator_b(pooled_b, training=True))
            d_loss = d_a + d_b
            scaled = self.d_optimizer.scale_loss(replica_share(d_loss))
        self.d_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return d_loss

    def train_step(self, data):
        """One generators update, then one discriminators update; returns running loss means."""
        self.require_compiled()
        real_a, real_b = self._batch(data)
        self.build_pools((real_a.shape[1], real_a.shape[2]))
        variables = self._generator_variables()
        with tf.GradientTape() as tape:
            g_loss, parts, fake_a, fake_b = self._generator_losses(real_a, real_b)
            scaled = self.g_optimizer.scale_loss(replica_share(g_loss))
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        d_loss = self._discriminator_step(real_a, real_b, fake_a, fake_b)
        for name, value in {"g_loss": g_loss, **parts, "d_loss": d_loss}.items():
            self._trackers[name].update_state(value)
        return step_logs({name: tracker.result() for name, tracker in self._trackers.items()})

    def test_step(self, data):
        """Translate A -> B and score against b: mean per-image ``l1``, ``psnr`` (dB), ``ssim``."""
        real_a, real_b = self._batch(data)
        fake_b = self.generator_ab(real_a, training=False)
        for tracker, values in zip(self._test_trackers, image_stats(fake_b, real_b)):
            tracker.update_state(values)
        return step_logs({tracker.name: tracker.result() for tracker in self._test_trackers})

    def checkpoint_objects(self):
        """``{name: object}`` for a :class:`~thermal_keras.training.TrainingCheckpoint`: the four
        networks, both optimizers and both pools (build the pools first, see :meth:`build_pools`)."""
        return {**super().checkpoint_objects(), "fake_a_pool": self.fake_a_pool, "fake_b_pool": self.fake_b_pool}

    def compile_from_config(self, config):
        """Compile a loaded model as it was saved: optimizers, GAN mode, every loss weight and the
        feature losses, rebuilt from their config (their extractor's weights are read again from the
        recorded ``weights``: the Keras cache file or a path; ``None`` gives a new random network)."""
        config = dict(config)
        for key, loss_class in (("perceptual_loss", PerceptualCycleLoss), ("self_similarity_loss", SelfSimilarityLoss)):
            if config.get(key) is not None:
                config[key] = _rebuilt_feature_loss(loss_class, config[key])
        with warnings.catch_warnings():  # the identity warning was given when the model was compiled
            warnings.filterwarnings("ignore", message="identity loss off", category=UserWarning)
            super().compile_from_config(config)
