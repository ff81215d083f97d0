"""The FusionGAN training job: ``train_fusiongan(config)`` trains (or resumes) and scores a run.

It reads pairs (LLVIP, TNO-style or paired folders, or the built-in synthetic set), trains with
full-state checkpoints (:mod:`thermal_keras.training.run`) and, with a held-out split, scores the
generator beside the averaging and Laplacian-pyramid baselines on every fusion metric
(``metrics.json``).
"""

from __future__ import annotations

from thermal_keras.fusion.config import FusionGANConfig
from thermal_keras.fusion.data import fusion_dataset, fusion_pairs
from thermal_keras.fusion.evaluate import fusers, fusion_table
from thermal_keras.training.run import TrainedRun, TrainingJob


def build_fusiongan(config: FusionGANConfig):
    """Compiled :class:`~thermal_keras.models.FusionGAN` for ``config`` (networks by name); call it
    inside the training strategy's scope."""
    from thermal_keras.models import FusionGAN, build_discriminator, build_generator

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
