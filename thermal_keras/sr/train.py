"""The super-resolution training job: pixel-MSE pre-training (SRResNet), then SRGAN, then scoring.

``train_srgan(config)`` trains in two phases of :mod:`thermal_keras.training.run`'s job, each
resumable from its own full-state checkpoints (``checkpoints/pretrain``, ``checkpoints/gan``; logs
``log_pretrain.csv``, ``log_gan.csv``): a run killed at any point and started again with the same
config continues where it stopped. The GAN phase starts from the pre-trained generator with fresh
optimizers, as in Ledig et al. Afterwards the generator is scored against bicubic upscaling on
Y-PSNR/SSIM (:mod:`thermal_keras.sr.evaluate`); ``metrics.json`` also holds the scores right after
pre-training when both phases ran.
"""

from __future__ import annotations

from thermal_keras.distribute import is_chief
from thermal_keras.networks import build_discriminator, build_generator
from thermal_keras.precision import choose_jit_compile
from thermal_keras.sr.config import SRGANConfig
from thermal_keras.sr.data import sr_dataset
from thermal_keras.sr.evaluate import eval_images, evaluate_against_bicubic
from thermal_keras.sr.model import SRGAN
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.run import Phase, TrainedRun, TrainingJob


def hr_images(config: SRGANConfig):
    """The training :class:`~data_loaders.hr_folder.HRImages` of ``config`` (checked: crop fits)."""
    from data_loaders.hr_folder import check_min_size, hr_folder
    from data_loaders.nih_chestxray import nih_chestxray

    if not config.data:
        raise ValueError("--data: give an HR image folder")
    if config.layout == "nih_chestxray":
        images = nih_chestxray(config.data, config.split)
    else:
        images = hr_folder(config.data, recursive=config.recursive, channels=config.channels or None)
    check_min_size(images.paths, config.hr_size)
    return images


def _epochs(steps: int, steps_per_epoch: int) -> int:
    return max(1, -(-steps // steps_per_epoch)) if steps else 0


class SRGANJob(TrainingJob):
    """Two phases on HR crops: ``pretrain`` (pixel MSE, generator only) and ``gan``."""

    def nothing_to_train(self):
        config = self.config
        return None if config.pretrain_steps + config.gan_steps else "--pretrain-steps 0 --gan-steps 0"

    def load_data(self):
        images = hr_images(self.config)  # bad input fails here, before any model is built
        self.channels = self.config.channels or images.spec.channels
        return images, None

    def steps_per_epoch(self, train):
        return self.config.steps_per_epoch

    def build_model(self, train):
        config = self.config
        generator = build_generator(config.generator, scale=config.scale, channels=self.channels,
                                    num_channels=config.num_channels, num_blocks=config.num_blocks,
                                    bicubic_residual=config.bicubic_residual)
        return SRGAN(generator, build_discriminator(config.discriminator, channels=self.channels))

    def phases(self, model, steps_per_epoch):
        config = self.config
        jit = choose_jit_compile(config.jit_compile)
        self.pretrained_report = None

        def pretrain(m):
            m.compile(FusedAdam(config.pretrain_lr), pretrain=True, jit_compile=jit)

        def gan(m):
            m.compile(FusedAdam(config.lr, beta_1=0.9), FusedAdam(config.lr, beta_1=0.9),
                      pixel_weight=config.pixel_weight, adversarial_weight=config.adversarial_weight,
                      perceptual_weight=config.perceptual_weight, tv_weight=config.tv_weight,
                      perceptual=config.perceptual or None,
                      perceptual_weights=config.perceptual_weights or None, jit_compile=jit)

        def score_pretrained(m):
            if config.gan_steps and config.pretrain_steps:
                self.pretrained_report = self._score(m.generator)

        pretrain_objects = lambda: {"generator": model.generator, "g_optimizer": model.g_optimizer}  # noqa: E731
        phases = [Phase("pretrain", _epochs(config.pretrain_steps, steps_per_epoch), pretrain, pretrain_objects,
                        "checkpoints/pretrain", "log_pretrain.csv", after=score_pretrained)]
        if config.gan_steps:
            phases.append(Phase("gan", _epochs(config.gan_steps, steps_per_epoch), gan, model.checkpoint_objects,
                                "checkpoints/gan", "log_gan.csv"))
        return phases

    def dataset(self, train, first_epoch, num_epochs, steps_per_epoch):
        config = self.config
        return sr_dataset(train.paths, train.spec, hr_size=config.hr_size, scale=config.scale,
                          batch_size=config.batch_size, seed=config.seed, gain=(1.0, config.gain_max))

    def _score(self, generator):
        if not is_chief(self.strategy):
            return None
        if not hasattr(self, "_eval_images"):
            self._eval_images = eval_images(self.config, self.channels)
        return None if self._eval_images is None else evaluate_against_bicubic(
            generator, self._eval_images, self.config.scale)

    def evaluate(self, run):
        report = self._score(run.model.generator)
        return None if report is None else {**report, "after_pretraining": self.pretrained_report}


def train_srgan(config: SRGANConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Pre-train, train the GAN, save ``generator.keras`` and score it (see the module docstring).

    ``run.history`` is ``{"pretrain": ..., "gan": ...}`` (the phases that trained in this call);
    ``run.report`` the :func:`~thermal_keras.sr.evaluate.evaluate_against_bicubic` report of the final
    generator with ``"after_pretraining"`` (the same for the pre-trained one, when both phases ran).
    """
    return SRGANJob(config).run(callbacks, verbose)
