"""The pix2pix training job: ``train_pix2pix(config)`` trains (or resumes) and scores a run.

See :mod:`thermal_keras.training.run` for the run folder and how resuming works. pix2pix adds
sample grids (``samples/step_*.png`` and TensorBoard), ``target_spec.json`` (how the thermal targets
are stored, for export) and, with a held-out split, scores against the grey-of-RGB and mean-image
baselines (:mod:`thermal_keras.translation.evaluate`); what it shares with CycleGAN is in
:mod:`thermal_keras.translation.train`.
"""

from __future__ import annotations

import keras

from thermal_keras.networks import build_discriminator, build_generator
from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.pix2pix.model import Pix2Pix
from thermal_keras.precision import choose_jit_compile
from thermal_keras.priors import MeanFramePrior
from thermal_keras.training.run import TrainedRun
from thermal_keras.translation.train import (  # noqa: F401  (re-exported: shared with CycleGAN)
    TranslationJob, check_crop_fits_generator, linear_decay_adam, unet_downs)


def build_pix2pix(config: Pix2PixConfig, in_channels: int = 3, out_channels: int = 1, mean_frame=None) -> Pix2Pix:
    """Generator and discriminator by name from ``config`` (uncompiled). With ``config.mean_prior`` the
    generator ends with a :class:`~thermal_keras.priors.MeanFramePrior` holding ``mean_frame``
    (``(h, w, out_channels)`` in [-1, 1], the mean training target)."""
    generator = build_generator(config.generator, in_channels=in_channels, out_channels=out_channels,
                                ngf=config.ngf, norm=config.norm,
                                num_downs=unet_downs(config) if config.generator == "unet" else None)
    if config.mean_prior:
        if mean_frame is None:
            raise ValueError("option mean_prior: pass the mean training target (mean_frame)")
        generator = keras.Model(generator.input, MeanFramePrior(mean_frame, name="mean_frame_prior")(generator.output),
                                name=generator.name)
    if config.discriminator == "pixel":
        discriminator = build_discriminator("pixel", in_channels=in_channels + out_channels,
                                            ndf=config.ndf, norm=config.norm)
    else:  # "basic" is the 3-layer PatchGAN; another --n-layers-d means the n_layers variant
        name = "basic" if config.discriminator == "basic" and config.n_layers_d == 3 else "n_layers"
        discriminator = build_discriminator(name, in_channels=in_channels + out_channels,
                                            ndf=config.ndf, n_layers=config.n_layers_d, norm=config.norm)
    return Pix2Pix(generator, discriminator)


def compile_pix2pix(model: Pix2Pix, config: Pix2PixConfig, steps_per_epoch: int) -> Pix2Pix:
    """Adam for both networks with the constant-then-linear-decay schedule of the reference.
    Call it inside the strategy's scope, where the model was built."""
    model.compile(g_optimizer=linear_decay_adam(config, steps_per_epoch),
                  d_optimizer=linear_decay_adam(config, steps_per_epoch), gan_mode=config.gan_mode,
                  lambda_l1=config.lambda_l1, lambda_gan=config.lambda_gan, lambda_l2=config.lambda_l2,
                  lambda_ssim=config.lambda_ssim,
                  lambda_grad=config.lambda_grad, level_free=config.level_free, lambda_level=config.lambda_level,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


class Pix2PixJob(TranslationJob):
    def build_model(self, train):
        mean_frame = None
        if self.config.mean_prior:
            from thermal_keras.pix2pix.evaluate import mean_target

            mean_frame = mean_target(train, self.config.image_size, keep_aspect=self.config.keep_aspect)
        return build_pix2pix(self.config, train.a_spec.channels, train.b_spec.channels, mean_frame)

    def compile_model(self, model, steps_per_epoch):
        compile_pix2pix(model, self.config, steps_per_epoch)


def train_pix2pix(config: Pix2PixConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) pix2pix as ``config`` says, save ``generator.keras`` and, with a held-out
    split, score it (``run.report``, ``metrics.json``).

    ``callbacks`` run on every process; the run's own writers (checkpoints, samples, CSV log) on the
    chief only. ``config.strategy`` spreads training over devices or machines
    (:mod:`thermal_keras.distribute`); ``config.batch_size`` is the global batch.
    """
    return Pix2PixJob(config).run(callbacks, verbose)
