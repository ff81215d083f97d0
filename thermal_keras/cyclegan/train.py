"""The CycleGAN training job: ``train_cyclegan(config)`` trains (or resumes) and scores a run.

It runs like :func:`thermal_keras.pix2pix.train.train_pix2pix` and writes the same run folder
(:mod:`thermal_keras.training.run`); its full-state checkpoints hold all four networks, both
optimizers and both history pools. ``generator.keras`` is the RGB -> thermal generator ``G``.
Data modes (unpaired, paired, EMSN): :mod:`thermal_keras.cyclegan.data`.
"""

from __future__ import annotations

import keras

from thermal_keras import features
from thermal_keras.cyclegan.config import CycleGANConfig
from thermal_keras.cyclegan.data import training_dataset
from thermal_keras.cyclegan.losses import PerceptualCycleLoss, SelfSimilarityLoss
from thermal_keras.cyclegan.model import CycleGAN
from thermal_keras.layers import MeanLevel
from thermal_keras.networks import build_discriminator, build_generator
from thermal_keras.precision import choose_jit_compile
from thermal_keras.training.run import TrainedRun
from thermal_keras.translation.train import TranslationJob, linear_decay_adam, unet_downs


def _generator(config: CycleGANConfig, in_channels: int, out_channels: int):
    kwargs = dict(in_channels=in_channels, out_channels=out_channels, ngf=config.ngf, norm=config.norm)
    if config.generator == "resnet":
        kwargs["n_blocks"] = config.n_blocks
    if config.generator == "unet":
        kwargs["num_downs"] = unet_downs(config)
    return build_generator(config.generator, **kwargs)


def _discriminator(config: CycleGANConfig, in_channels: int):
    name = "basic" if config.n_layers_d == 3 else "n_layers"
    return build_discriminator(name, in_channels=in_channels, ndf=config.ndf, n_layers=config.n_layers_d,
                               norm=config.norm)


def build_cyclegan(config: CycleGANConfig, channels_a: int = 3, channels_b: int = 1,
                   level: float | None = None) -> CycleGAN:
    """G (A -> B), F (B -> A), D_A, D_B by name from ``config`` (uncompiled). With ``config.mean_level``
    G ends with a :class:`~thermal_keras.layers.MeanLevel` (named ``mean_level``) at ``level`` in [-1, 1]."""
    generator_ab = _generator(config, channels_a, channels_b)
    if config.mean_level:
        if level is None:
            raise ValueError("option mean_level: pass the thermal training frames' mean level")
        generator_ab = keras.Model(generator_ab.input, MeanLevel(level, name="mean_level")(generator_ab.output),
                                   name=generator_ab.name)
    return CycleGAN(generator_ab, _generator(config, channels_b, channels_a),
                    _discriminator(config, channels_a), _discriminator(config, channels_b),
                    pool_size=config.pool_size, seed=config.seed)


def _layer_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def _feature_weights(config: CycleGANConfig):
    return None if config.feature_weights == "random" else config.feature_weights


def feature_losses(config: CycleGANConfig):
    """``(PerceptualCycleLoss or None, SelfSimilarityLoss or None)``, built only when weighted."""
    weights = _feature_weights(config)
    perceptual = PerceptualCycleLoss(_layer_names(config.perceptual_layers), weights=weights) \
        if config.perceptual_cycle else None
    self_similarity = SelfSimilarityLoss(_layer_names(config.self_similarity_layers), config.patch_size,
                                         config.num_patches, weights=weights, seed=config.seed) \
        if config.self_similarity else None
    return perceptual, self_similarity


def compile_cyclegan(model: CycleGAN, config: CycleGANConfig, steps_per_epoch: int) -> CycleGAN:
    """Adam for both optimizers with the constant-then-linear-decay schedule; loss weights from config.
    Call it inside the strategy's scope, where the model was built."""
    perceptual, self_similarity = feature_losses(config)
    model.compile(g_optimizer=linear_decay_adam(config, steps_per_epoch),
                  d_optimizer=linear_decay_adam(config, steps_per_epoch), gan_mode=config.gan_mode,
                  lambda_cycle=config.lambda_cycle, lambda_identity=config.lambda_identity, paired=config.paired,
                  lambda_supervised=config.lambda_supervised, perceptual_loss=perceptual,
                  lambda_perceptual=config.perceptual_cycle, self_similarity_loss=self_similarity,
                  lambda_self_similarity=config.self_similarity,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


class CycleGANJob(TranslationJob):
    def prepare(self):
        super().prepare()
        if self.config.perceptual_cycle or self.config.self_similarity:  # a missing VGG16 file fails first
            features.resolve_weights("vgg16", _feature_weights(self.config))

    def build_model(self, train):
        level = None
        if self.config.mean_level:
            from thermal_keras.translation.evaluate import mean_target

            level = float(mean_target(train, self.config.image_size, keep_aspect=self.config.keep_aspect).mean())
        model = build_cyclegan(self.config, train.a_spec.channels, train.b_spec.channels, level)
        model.build_pools(self.config.image_size)
        return model

    def compile_model(self, model, steps_per_epoch):
        compile_cyclegan(model, self.config, steps_per_epoch)

    def dataset(self, train, first_epoch, num_epochs, steps_per_epoch):
        return training_dataset(train, self.config, first_epoch, steps_per_epoch)

    def generator(self, model):
        return model.generator_ab


def train_cyclegan(config: CycleGANConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) CycleGAN as ``config`` says; returns a
    :class:`~thermal_keras.training.run.TrainedRun` whose ``model`` is the :class:`CycleGAN`
    (``model.generator_ab`` translates RGB -> thermal) and whose ``report`` scores it on the
    held-out split against the grey and mean baselines."""
    return CycleGANJob(config).run(callbacks, verbose)
