"""FusionGAN (Ma et al., Information Fusion 2019): a GAN that fuses infrared and visible images; and
STDFusionNet (Ma et al., IEEE TIM 2021), its salient-target successor without a discriminator (at the
end of the file: :func:`salient_loss`, :class:`STDFusionNet`).

The generator sees ``concat(IR, VIS)`` and outputs one fused grey image; its content loss keeps the
infrared *intensities* and the visible *gradients*, while a discriminator that tells fused images
from visible ones pushes more visible texture in:

``L_G = mean((D(F) - c)²) + λ · (mean((F - IR)²) + ξ · mean((∇F - ∇VIS)²))``, ``c ~ U(0.7, 1.2)``
``L_D = mean((D(VIS) - b)²) + mean((D(F) - a)²)``, ``b ~ U(0.7, 1.2)``, ``a ~ U(0, 0.3)``

(least squares with soft, freshly drawn labels; ∇ the 4-neighbour Laplacian; the reference code uses
λ = 100, ξ = 5, two discriminator steps per generator step, Adam 1e-4, batch 32, 120² patches).

``gradient_target="sum"`` (not in the reference) asks for ``∇F ≈ ∇IR + ∇VIS`` instead of ``∇VIS``:
the content loss's optimum is then the infrared image plus the visible image's high-pass detail
(cut-off set by ξ), where the reference's optimum replaces the infrared detail by the visible one
and loses the infrared image's own edges. The shipped preset uses it (docs/presets.md).

The networks are in :mod:`thermal_keras.fusion.networks`.

Images: float32 ``(N, H, W, 1)`` in ``[-1, 1]``; the visible input is grey (the luma ``Y``; colour
is put back from the visible image's CbCr, see :mod:`thermal_keras.fusion.baselines`).

Under a ``tf.distribute`` strategy the losses are divided by the replica count before the gradients
and BatchNorm statistics are synchronized, as in :class:`~thermal_keras.pix2pix.model.Pix2Pix`. Every
replica draws the same soft labels (one seed state, advanced in step).
"""

from __future__ import annotations

import keras
import tensorflow as tf
from keras import ops

from thermal_keras.distribute import replica_share, step_logs
from thermal_keras.gan import GANModel, check_weight
from thermal_keras.training.optimizers import FusedAdam

LAPLACIAN_KERNEL = ((0.0, 1.0, 0.0), (1.0, -4.0, 1.0), (0.0, 1.0, 0.0))


def laplacian(images):
    """4-neighbour Laplacian of ``(N, H, W, 1)`` images, zero padding ("same"), float32."""
    kernel = ops.reshape(ops.convert_to_tensor(LAPLACIAN_KERNEL, "float32"), (3, 3, 1, 1))
    return ops.conv(ops.cast(images, "float32"), kernel, strides=1, padding="same")


GRADIENT_TARGETS = ("visible", "sum")


def content_loss_terms(fused, ir, visible, gradient_target: str = "visible"):
    """``(mean((F - IR)²), mean((∇F - T)²))`` as float32 scalars, ``T = ∇VIS`` (the reference) or,
    with ``gradient_target="sum"``, ``T = ∇IR + ∇VIS``."""
    fused, ir, visible = (ops.cast(t, "float32") for t in (fused, ir, visible))
    intensity = ops.mean(ops.square(fused - ir))
    target = laplacian(visible) if gradient_target == "visible" else laplacian(ir) + laplacian(visible)
    gradient = ops.mean(ops.square(laplacian(fused) - target))
    return intensity, gradient


@keras.saving.register_keras_serializable(package="thermal_keras")
class FusionGAN(GANModel):
    """FusionGAN around a generator and a discriminator (see the module docstring for the losses).

    Data: batches ``(ir, visible)``, each float32 ``(N, H, W, 1)`` in ``[-1, 1]`` (H, W equal to the
    discriminator's image size for training). ``model(concat([ir, visible], -1))`` and
    :meth:`fuse` return the fused image ``(N, H, W, 1)`` in ``[-1, 1]``. Step counter:
    ``g_optimizer.iterations``; ``d_optimizer.iterations`` advances ``d_steps`` times as fast.
    """

    def __init__(self, generator, discriminator, seed: int = 0, **kwargs):
        kwargs.setdefault("name", "fusiongan")
        super().__init__(**kwargs)
        self.set_networks(generator, discriminator)
        self.seed = seed
        self.label_seeds = keras.random.SeedGenerator(seed, name="label_seeds")
        self.loss_settings = {}
        names = ("g_loss", "g_adv", "g_intensity", "g_gradient", "d_loss", "intensity", "gradient")
        self.trackers = {n: keras.metrics.Mean(name=n) for n in names}

    CONFIG_FIELDS = ("seed",)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def fuse(self, ir, visible, training=False):
        """Fused image of ``ir`` and ``visible`` (each ``(N, H, W, 1)`` in ``[-1, 1]``)."""
        return self.generator(ops.concatenate([ir, visible], axis=-1), training=training)

    def compile(self, g_optimizer=None, d_optimizer=None, lambda_content: float = 100.0, xi: float = 5.0,
                d_steps: int = 2, real_label_range=(0.7, 1.2), fake_label_range=(0.0, 0.3),
                gradient_target: str = "visible", **kwargs):
        """Optimizers (default Adam(1e-4) each, as the reference) and the loss settings.

        ``lambda_content``: λ, weight of the content loss; ``xi``: ξ, weight of the gradient term
        inside it; ``gradient_target``: ``"visible"`` (the reference) or ``"sum"`` (see the module
        docstring); ``d_steps``: discriminator updates per generator update; label ranges: the
        uniform soft labels for "visible" (real) and "fused" (fake). Other kwargs go to
        ``keras.Model.compile`` (``jit_compile``, ``run_eagerly``).
        """
        lambda_content, xi = check_weight(lambda_content, "lambda_content"), check_weight(xi, "xi")
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be an int >= 1, got {d_steps!r}")
        if gradient_target not in GRADIENT_TARGETS:
            raise ValueError(f"gradient_target must be one of {GRADIENT_TARGETS}, got {gradient_target!r}")
        for key, (low, high) in (("real_label_range", real_label_range), ("fake_label_range", fake_label_range)):
            if not low <= high:
                raise ValueError(f"{key} must be (low, high) with low <= high, got {(low, high)}")
        self.compile_optimizers(g_optimizer or FusedAdam(1e-4, name="g_optimizer"),
                                d_optimizer or FusedAdam(1e-4, name="d_optimizer"),
                                self.generator.trainable_variables, self.discriminator.trainable_variables, kwargs)
        self.loss_settings = {"lambda_content": float(lambda_content), "xi": float(xi), "d_steps": d_steps,
                              "gradient_target": gradient_target, "real_label_range": tuple(real_label_range),
                              "fake_label_range": tuple(fake_label_range)}
        self.compile_settings = self.loss_settings

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
        self.require_compiled()
        ir, visible = self._batch(data)
        pair = ops.concatenate([ir, visible], axis=-1)
        settings = self.loss_settings
        for _ in range(settings["d_steps"]):
            d_loss = self._discriminator_step(pair, visible)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fused = self.generator(pair, training=True)
            g_adv = self._least_squares(self.discriminator(fused, training=True), settings["real_label_range"])
            intensity, gradient = content_loss_terms(fused, ir, visible, settings["gradient_target"])
            g_loss = g_adv + settings["lambda_content"] * (intensity + settings["xi"] * gradient)
            scaled = self.g_optimizer.scale_loss(replica_share(g_loss))
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        values = {"g_loss": g_loss, "g_adv": g_adv, "g_intensity": intensity, "g_gradient": gradient,
                  "d_loss": d_loss}
        for key, value in values.items():
            self.trackers[key].update_state(value)
        return step_logs({key: self.trackers[key].result() for key in values})

    def test_step(self, data):
        """Content-loss terms of the fused images: ``intensity`` (vs IR) and ``gradient`` (vs its target)."""
        ir, visible = self._batch(data)
        intensity, gradient = content_loss_terms(self.fuse(ir, visible), ir, visible,
                                                 self.loss_settings.get("gradient_target", "visible"))
        self.trackers["intensity"].update_state(intensity)
        self.trackers["gradient"].update_state(gradient)
        return step_logs({key: self.trackers[key].result() for key in ("intensity", "gradient")})

    def checkpoint_objects(self) -> dict:
        """Networks, optimizers and the soft labels' seed state."""
        import types

        return {**super().checkpoint_objects(),
                "label_seeds": types.SimpleNamespace(variables=[self.label_seeds.state])}


# --- STDFusionNet (Ma et al., IEEE TIM 2021): no discriminator, a salient-target loss ---------

SOBEL_X = ((-1.0, 0.0, 1.0), (-2.0, 0.0, 2.0), (-1.0, 0.0, 1.0))
SALIENT_TERMS = ("salient_intensity", "salient_gradient", "background_intensity", "background_gradient")


def sobel_gradient(images):
    """``|Sobel_x * I| + |Sobel_y * I|`` of ``(N, H, W, 1)`` images, zero padding ("same"), float32;
    the gradient operator of STDFusionNet's loss (its reference code's ``gradient``)."""
    kernel_x = ops.convert_to_tensor(SOBEL_X, "float32")
    kernels = ops.reshape(ops.stack([kernel_x, ops.transpose(kernel_x)], axis=-1), (3, 3, 1, 2))
    edges = ops.conv(ops.cast(images, "float32"), kernels, strides=1, padding="same")
    return ops.sum(ops.abs(edges), axis=-1, keepdims=True)


SALIENT_WEIGHTINGS = ("frame", "region")  # each term a mean over the whole frame (the paper) or over its region
_EMPTY_REGION = 1e-6  # the area below which a region counts as absent from the batch (its terms are then 0)


def check_weighting(weighting: str) -> str:
    """``weighting`` when it is one of :data:`SALIENT_WEIGHTINGS`, else a one-line ``ValueError``."""
    if weighting not in SALIENT_WEIGHTINGS:
        raise ValueError(f"weighting must be one of {', '.join(SALIENT_WEIGHTINGS)}, got {weighting!r}")
    return weighting


def salient_loss_terms(fused, ir, visible, mask, weighting: str = "frame") -> dict:
    """The four terms of STDFusionNet's loss as float32 scalars (see :func:`salient_loss`).

    ``fused``, ``ir``, ``visible``: ``(N, H, W, 1)`` in ``[-1, 1]``; ``mask``: ``(N, H, W, 1)`` in
    ``[0, 1]``, 1 on salient targets. ``weighting="frame"`` (the paper's ``1/(HW)``, the reference code's
    ``reduce_mean``): each term is a mean over all ``N·H·W`` pixels, so a region weighs as much as it
    covers. ``"region"`` (a named variant, not the paper's): the salient terms are divided by the
    mask's mean and the background terms by the background's, i.e. each is a mean over its own region,
    so small targets weigh as much as the background (a region absent from the batch gives 0).
    """
    check_weighting(weighting)
    fused, ir, visible, mask = (ops.cast(t, "float32") for t in (fused, ir, visible, mask))
    background = 1.0 - mask
    grad_fused = sobel_gradient(fused)
    salient_area = background_area = 1.0
    if weighting == "region":
        salient_area = ops.maximum(ops.mean(mask), _EMPTY_REGION)
        background_area = ops.maximum(ops.mean(background), _EMPTY_REGION)
    return {"salient_intensity": ops.mean(mask * ops.abs(fused - ir)) / salient_area,
            "salient_gradient": ops.mean(mask * ops.abs(grad_fused - sobel_gradient(ir))) / salient_area,
            "background_intensity": ops.mean(background * ops.abs(fused - visible)) / background_area,
            "background_gradient": ops.mean(background * ops.abs(grad_fused - sobel_gradient(visible)))
            / background_area}


def salient_loss(fused, ir, visible, mask, alpha: float = 7.0, weighting: str = "frame"):
    """STDFusionNet's loss, float32 scalar >= 0:

    ``L = α·(mean(M·|F − IR|) + mean(M·|∇F − ∇IR|)) + mean((1−M)·|F − VIS|) + mean((1−M)·|∇F − ∇VIS|)``

    ``M`` the salient-target mask, ``∇`` :func:`sobel_gradient`, L1 norms divided by the pixel count;
    pixel and gradient terms weigh the same within a region, and ``α`` (7 in the paper) weighs the
    small salient regions against the background. Zero when ``F = IR`` wherever ``M > 0``, ``F = VIS``
    wherever ``M < 1``, and the Sobel gradients agree there too (images that differ only at least one
    pixel inside the mask's edge); it grows with the L1 error in either region. ``weighting="region"``
    averages each region's terms over that region instead (:func:`salient_loss_terms`).
    """
    terms = salient_loss_terms(fused, ir, visible, mask, weighting)
    return (alpha * (terms["salient_intensity"] + terms["salient_gradient"])
            + terms["background_intensity"] + terms["background_gradient"])


@keras.saving.register_keras_serializable(package="thermal_keras")
class STDFusionNet(GANModel):
    """STDFusionNet around its generator (:func:`~thermal_keras.fusion.networks.stdfusionnet_generator`).

    Not adversarial: one network, one optimizer (Adam 1e-3 in the reference) and :func:`salient_loss`.
    The GAN base class is used for its compile, checkpoint and serialisation plumbing only.

    Data: batches ``(ir, visible, mask)``: float32 ``(N, H, W, 1)`` each, the images in ``[-1, 1]``, the
    mask in ``[0, 1]`` (:func:`thermal_keras.fusion.salient.salient_dataset`); the mask is needed in
    training only. ``model(concat([ir, visible], -1))`` and :meth:`fuse` return the fused image
    ``(N, H, W, 1)`` in ``[-1, 1]``. Step counter: ``g_optimizer.iterations``.
    """

    NETWORKS = ("generator",)
    CONFIG_FIELDS = ("seed",)

    def __init__(self, generator, seed: int = 0, **kwargs):
        kwargs.setdefault("name", "stdfusionnet")
        super().__init__(**kwargs)
        self.set_networks(generator)
        self.seed = seed
        self.loss_settings = {}
        self.trackers = {n: keras.metrics.Mean(name=n) for n in ("loss", *SALIENT_TERMS)}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def fuse(self, ir, visible, training=False):
        """Fused image of ``ir`` and ``visible`` (each ``(N, H, W, 1)`` in ``[-1, 1]``)."""
        return self.generator(ops.concatenate([ir, visible], axis=-1), training=training)

    def compile(self, g_optimizer=None, alpha: float = 7.0, weighting: str = "frame", **kwargs):
        """The optimizer (default Adam(1e-3), the reference's), ``alpha``, the salient regions' weight,
        and ``weighting`` (``"frame"``, the paper's, or ``"region"``: see :func:`salient_loss_terms`).
        Other kwargs go to ``keras.Model.compile`` (``jit_compile``, ``run_eagerly``)."""
        alpha = check_weight(alpha, "alpha")
        check_weighting(weighting)
        self.compile_optimizers(g_optimizer or FusedAdam(1e-3, name="g_optimizer"), None,
                                self.generator.trainable_variables, [], kwargs)
        self.loss_settings = {"alpha": alpha, "weighting": weighting}
        self.compile_settings = self.loss_settings

    @staticmethod
    def _batch(data):
        if not isinstance(data, (tuple, list)) or len(data) != 3:
            raise ValueError("STDFusionNet needs batches (ir, visible, mask)")
        return tuple(ops.cast(t, "float32") for t in data)

    def _salient_losses(self, ir, visible, mask, training):
        terms = salient_loss_terms(self.fuse(ir, visible, training=training), ir, visible, mask,
                                   self.loss_settings.get("weighting", "frame"))
        alpha = self.loss_settings.get("alpha", 7.0)
        loss = (alpha * (terms["salient_intensity"] + terms["salient_gradient"])
                + terms["background_intensity"] + terms["background_gradient"])
        return {"loss": loss, **terms}

    def _logged(self, values):
        for key, value in values.items():
            self.trackers[key].update_state(value)
        return step_logs({key: self.trackers[key].result() for key in values})

    def train_step(self, data):
        """One Adam update of the generator on :func:`salient_loss`."""
        self.require_compiled()
        ir, visible, mask = self._batch(data)
        variables = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            values = self._salient_losses(ir, visible, mask, training=True)
            scaled = self.g_optimizer.scale_loss(replica_share(values["loss"]))
        self.g_optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        return self._logged(values)

    def test_step(self, data):
        """The loss and its four terms on held-out batches."""
        return self._logged(self._salient_losses(*self._batch(data), training=False))
