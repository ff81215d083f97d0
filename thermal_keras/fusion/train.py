"""The fusion training jobs: ``train_fusiongan(config)`` and ``train_stdfusionnet(config)`` train (or
resume) and score a run.

It reads pairs (LLVIP, TNO-style or paired folders, or the built-in synthetic set), trains with
full-state checkpoints (:mod:`thermal_keras.training.run`) and, with a held-out split, scores the
generator beside the averaging and Laplacian-pyramid baselines on every fusion metric
(``metrics.json``). STDFusionNet trains on synthetic scenes only, whose material maps give its
salient-target masks (:mod:`thermal_keras.fusion.salient`), and is scored on held-out scenes.
"""

from __future__ import annotations

from thermal_keras.fusion.config import FusionGANConfig, STDFusionNetConfig
from thermal_keras.fusion.data import fusion_dataset, fusion_pairs
from thermal_keras.fusion.evaluate import fusers, fusion_table
from thermal_keras.training.run import TrainedRun, TrainingJob


def build_fusiongan(config: FusionGANConfig):
    """Compiled :class:`~thermal_keras.models.FusionGAN` for ``config`` (networks by name); call it
    inside the training strategy's scope."""
    from thermal_keras.fusion.model import FusionGAN
    from thermal_keras.networks import build_discriminator, build_generator

    generator = build_generator("fusiongan", filters=tuple(config.ngf * m for m in (8, 4, 2, 1)),
                                ir_residual=config.ir_residual)
    discriminator = build_discriminator("fusiongan", image_size=config.image_size,
                                        filters=tuple(config.ndf * m for m in (1, 2, 4, 8)))
    model = FusionGAN(generator, discriminator, seed=config.seed)
    compile_fusiongan(model, config)
    return model


def compile_fusiongan(model, config: FusionGANConfig):
    """Adam for both networks and the loss settings of ``config``."""
    from thermal_keras.precision import choose_jit_compile
    from thermal_keras.training.optimizers import FusedAdam

    model.compile(g_optimizer=FusedAdam(config.lr, beta_1=config.beta_1),
                  d_optimizer=FusedAdam(config.lr, beta_1=config.beta_1),
                  lambda_content=config.lambda_content, xi=config.xi, d_steps=config.d_steps,
                  gradient_target=config.gradient_target,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


class FusionGANJob(TrainingJob):
    def load_data(self):
        return fusion_pairs(self.config)

    def build_model(self, train):
        return build_fusiongan(self.config)

    def compile_model(self, model, steps_per_epoch):
        if model.g_optimizer is None:
            compile_fusiongan(model, self.config)

    def dataset(self, train, first_epoch, num_epochs, steps_per_epoch):
        config = self.config
        return fusion_dataset(train, batch_size=config.batch_size, image_size=config.image_size,
                              load_size=config.load_size or None, flip=config.flip, seed=config.seed,
                              first_epoch=first_epoch, num_epochs=num_epochs, steps_per_epoch=steps_per_epoch)

    def evaluate(self, run):
        if run.eval_files is None:
            return None
        return fusion_table(run.eval_files, fusers(run.model.generator))


def train_fusiongan(config: FusionGANConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) FusionGAN as ``config`` says; bad data fails before any training. With
    ``config.eval_split`` the run's ``report`` is :func:`~thermal_keras.fusion.evaluate.fusion_table`
    of FusionGAN, averaging and the pyramid on the held-out pairs."""
    return FusionGANJob(config).run(callbacks, verbose)


# --- STDFusionNet ------------------------------------------------------------------------------

def build_stdfusionnet(config: STDFusionNetConfig, steps_per_epoch: int = 1):
    """Compiled :class:`~thermal_keras.fusion.model.STDFusionNet` for ``config`` (generator by name);
    call it inside the training strategy's scope."""
    from thermal_keras.fusion.model import STDFusionNet
    from thermal_keras.networks import build_generator

    model = STDFusionNet(build_generator("stdfusionnet", width=config.width, init=config.init), seed=config.seed)
    compile_stdfusionnet(model, config, steps_per_epoch)
    return model


def compile_stdfusionnet(model, config: STDFusionNetConfig, steps_per_epoch: int):
    """Adam at ``config.lr`` for ``epochs``, then falling linearly to 0 over ``decay_epochs`` (per step)."""
    from thermal_keras.precision import choose_jit_compile
    from thermal_keras.training.optimizers import FusedAdam
    from thermal_keras.training.schedules import LinearDecay

    rate = config.lr if config.decay_epochs == 0 or config.lr == 0 else LinearDecay(
        config.lr, constant_steps=config.epochs * steps_per_epoch, decay_steps=config.decay_epochs * steps_per_epoch)
    model.compile(g_optimizer=FusedAdam(rate, beta_1=config.beta_1), alpha=config.alpha, weighting=config.weighting,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


def held_out_table(generator, scenes, name: str = "stdfusionnet") -> dict:
    """:func:`~thermal_keras.fusion.evaluate.fusion_table_of_pairs` of ``generator``, averaging and the
    pyramid on held-out :class:`~thermal_keras.fusion.salient.SalientScenes` (kept with their RGB)."""
    from thermal_keras.fusion.evaluate import fusion_table_of_pairs

    pairs = ((ir.astype(float), rgb.astype(float)) for ir, rgb in zip(scenes.ir, scenes.visible_rgb))
    return fusion_table_of_pairs(pairs, fusers(generator, name=name), n=len(scenes))


class STDFusionNetJob(TrainingJob):
    def load_data(self):
        from thermal_keras.fusion.salient import salient_scenes

        config = self.config
        if config.image_size > config.synthetic_size:  # config.check() says so too; a replaced field may not
            raise ValueError(f"image_size {config.image_size} is larger than synthetic_size {config.synthetic_size}")
        train = salient_scenes(config.synthetic_train, config.synthetic_size, config.seed, split=0)
        held_out = salient_scenes(config.synthetic_test, config.synthetic_size, config.seed, split=1,
                                  keep_rgb=True) if config.synthetic_test else None
        return train, held_out

    def build_model(self, train):
        return build_stdfusionnet(self.config, self.steps_per_epoch(train))

    def compile_model(self, model, steps_per_epoch):
        if model.g_optimizer is None:
            compile_stdfusionnet(model, self.config, steps_per_epoch)

    def dataset(self, train, first_epoch, num_epochs, steps_per_epoch):
        from thermal_keras.fusion.salient import salient_dataset

        config = self.config
        return salient_dataset(train, batch_size=config.batch_size, image_size=config.image_size, flip=config.flip,
                               seed=config.seed, first_epoch=first_epoch, num_epochs=num_epochs,
                               steps_per_epoch=steps_per_epoch)

    def evaluate(self, run):
        if run.eval_files is None:
            return None
        return held_out_table(run.model.generator, run.eval_files)


def train_stdfusionnet(config: STDFusionNetConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) STDFusionNet on synthetic scenes with salient-target masks; with
    ``config.synthetic_test`` the run's ``report`` scores it beside averaging and the pyramid on as
    many held-out scenes (every fusion metric, ``metrics.json``)."""
    return STDFusionNetJob(config).run(callbacks, verbose)
