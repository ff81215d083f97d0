"""What the RGB -> thermal translators' training jobs share (pix2pix and CycleGAN): the linear-decay
Adam, the U-Net depth and crop checks, and :class:`TranslationJob` (paired files, epoch-based data,
sample grids, the target spec, scores against the grey and mean baselines)."""

from __future__ import annotations

import math
from pathlib import Path

from thermal_keras.config import ConfigError
from thermal_keras.data import pipeline
from thermal_keras.data.sources import train_and_eval_pairs
from thermal_keras.networks.resnet import N_DOWNSAMPLING
from thermal_keras.networks.unet import MIN_NUM_DOWNS, UNET_DEPTHS
from thermal_keras.training.callbacks import SampleGridCallback
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.run import TARGET_SPEC_FILE, TrainedRun, TrainingJob, write_target_spec
from thermal_keras.training.schedules import LinearDecay
from thermal_keras.translation.config import TranslationConfig


def linear_decay_adam(config: TranslationConfig, steps_per_epoch: int) -> FusedAdam:
    """Adam with the translators' schedule: ``config.lr`` for ``epochs``, then linear decay to 0
    over ``decay_epochs``."""
    schedule = config.lr if config.decay_epochs == 0 else LinearDecay(
        config.lr, constant_steps=config.epochs * steps_per_epoch,
        decay_steps=config.decay_epochs * steps_per_epoch)
    return FusedAdam(schedule, beta_1=config.beta_1)


def unet_downs(config: TranslationConfig) -> int:
    """U-Net downsamplings for generator ``unet``: ``num_downs`` or log2 of the crop side."""
    return config.num_downs or int(round(math.log2(config.image_size)))


def _size_choices(size: int, multiple: int) -> str:
    below = size // multiple * multiple
    return " or ".join(str(v) for v in (below, below + multiple) if v > 0)


def check_crop_fits_generator(config: TranslationConfig) -> None:
    """A one-line ``ConfigError`` naming ``--image-size`` (and ``--num-downs`` where given) when the
    training crop does not fit the generator: a U-Net needs a multiple of ``2**num_downs`` with
    ``num_downs >= 5``, a ResNet a multiple of 4. Runs before anything is read or written."""
    size, name = config.image_size, config.generator
    if name.startswith("resnet"):
        multiple = 2**N_DOWNSAMPLING
        if size % multiple:
            raise ConfigError(f"--image-size {size}: generator {name} needs a multiple of {multiple} "
                              f"({N_DOWNSAMPLING} stride-2 convolutions); use {_size_choices(size, multiple)}")
        return
    depth = UNET_DEPTHS.get(name) or unet_downs(config)
    given = f" with --num-downs {config.num_downs}" if name == "unet" and config.num_downs else ""
    if depth < MIN_NUM_DOWNS:
        option = f"--num-downs {config.num_downs}" if given else f"--image-size {size}"
        raise ConfigError(f"{option}: a U-Net needs at least {MIN_NUM_DOWNS} downsamplings, so --image-size "
                          f"a multiple of {2**MIN_NUM_DOWNS} (e.g. 32, 64 or 128)")
    multiple = 2**depth
    if size % multiple:
        where = f"generator {name}" if name in UNET_DEPTHS else "a U-Net" if given else (
            f"the U-Net, whose depth follows --image-size ({depth}; --num-downs sets another),")
        raise ConfigError(f"--image-size {size}{given}: {where} needs a multiple of 2**{depth} = {multiple}; "
                          f"use {_size_choices(size, multiple)}")


class TranslationJob(TrainingJob):
    """What the RGB -> thermal translators share: paired files, epoch-based data, sample grids,
    the target spec, and scores against the grey and mean baselines."""

    def prepare(self):
        check_crop_fits_generator(self.config)

    def load_data(self):
        return train_and_eval_pairs(self.config)

    def dataset(self, train, first_epoch, num_epochs, steps_per_epoch):
        config = self.config
        return pipeline.paired_dataset(
            train, batch_size=config.batch_size, image_size=config.image_size,
            load_size=config.load_size or None, flip=config.flip, seed=config.seed,
            first_epoch=first_epoch, num_epochs=num_epochs, steps_per_epoch=steps_per_epoch,
            exposure=config.exposure_jitter, keep_aspect=config.keep_aspect)

    def writers(self, train, held_out, initial_epoch):
        preview = held_out or train
        rgb, thermal = next(iter(pipeline.eval_dataset(preview.subset(range(min(4, len(preview)))),
                                                       image_size=self.config.image_size, batch_size=4,
                                                       keep_aspect=self.config.keep_aspect)))
        out = Path(self.config.output_dir)
        return [SampleGridCallback(rgb, thermal, out / "samples", every_n_steps=self.config.sample_every,
                                   log_dir=out / "logs")]

    def write_inputs(self, out, train):
        write_target_spec(out / TARGET_SPEC_FILE, train.b_spec)

    def evaluate(self, run: TrainedRun):
        from thermal_keras.translation.evaluate import evaluate_translation

        if run.eval_files is None:
            return None
        return evaluate_translation(self.generator(run.model), run.eval_files, run.train_files,
                                    self.config.image_size, keep_aspect=self.config.keep_aspect)
