"""The pix2pix training job: config in, trained (and resumable) run folder out.

``train_pix2pix(config)`` builds the data pipeline, the networks and the optimizers, restores the last
full-state checkpoint in ``config.output_dir`` when there is one, and calls ``fit()`` for the epochs
that remain. A run killed at any point and started again with the same config continues from its
last checkpoint with the step counter, learning-rate schedule, RNG states and data order intact.

Run folder::

    config.json   log.csv   checkpoints/   samples/step_000200.png   logs/ (TensorBoard)

``config.strategy`` spreads training over devices or machines (:mod:`thermal_keras.distribute`):
networks and optimizers are built inside the strategy's scope, ``config.batch_size`` is the global
batch, and only the chief process writes into the run folder. Under ``multi_worker`` every worker
reads the checkpoint to resume from, so ``output_dir`` must be storage they all see.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import keras
import tensorflow as tf

from thermal_keras import data
from thermal_keras.config import Pix2PixConfig
from thermal_keras.datasets import train_and_eval_pairs
from thermal_keras.distribute import (check_global_batch, check_same_on_every_worker, is_chief, make_strategy,
                                      shard_by_data)
from thermal_keras.models import Pix2Pix, build_discriminator, build_generator
from thermal_keras.precision import apply_precision, choose_jit_compile, choose_precision, has_gpu  # noqa: F401
from thermal_keras.training.callbacks import CheckpointCallback, SampleGridCallback
from thermal_keras.training.checkpoint import TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.schedules import LinearDecay


@dataclass
class TrainedRun:
    """What ``train_pix2pix`` hands back: the model, its data and where everything was written."""

    model: Pix2Pix
    train_files: object
    eval_files: object
    output_dir: Path
    history: dict
    initial_epoch: int
    steps_per_epoch: int
    strategy: object = None  # the tf.distribute.Strategy it trained under

    @property
    def is_chief(self) -> bool:
        """Whether this process wrote the run folder (false on non-chief multi-worker processes)."""
        return is_chief(self.strategy)


def start_run(config) -> tf.distribute.Strategy:
    """The set-up every training entry point shares, before any other work: the strategy of
    ``config.strategy`` (first: multi-worker set-up must precede other TensorFlow work), the global
    batch check, the seed, and the dtype policy of ``config.mixed_precision``."""
    strategy = make_strategy(config.strategy, config.tpu)
    check_global_batch(config.batch_size, strategy)
    keras.utils.set_random_seed(config.seed)
    apply_precision(config.mixed_precision, strategy)
    return strategy


def restored_epoch(checkpoint: TrainingCheckpoint, config, strategy) -> int:
    """Restore the newest checkpoint when ``config.resume``; returns its epoch (0 without one).
    Every worker restores; they must all have found the same checkpoint."""
    state = checkpoint.restore() if config.resume else None
    epoch = int(state["epoch"]) if state else 0
    check_same_on_every_worker(epoch, strategy, f"the epoch to resume from in {checkpoint.directory}")
    return epoch


def build_pix2pix(config: Pix2PixConfig, in_channels: int = 3, out_channels: int = 1) -> Pix2Pix:
    """Generator and discriminator by name from ``config`` (uncompiled)."""
    num_downs = config.num_downs or int(round(math.log2(config.image_size)))
    generator = build_generator(config.generator, in_channels=in_channels, out_channels=out_channels,
                                ngf=config.ngf, norm=config.norm,
                                num_downs=num_downs if config.generator == "unet" else None)
    if config.discriminator == "pixel":
        discriminator = build_discriminator("pixel", in_channels=in_channels + out_channels,
                                            ndf=config.ndf, norm=config.norm)
    else:  # "basic" is the 3-layer PatchGAN; another --n-layers-d means the n_layers variant
        name = "basic" if config.discriminator == "basic" and config.n_layers_d == 3 else "n_layers"
        discriminator = build_discriminator(name, in_channels=in_channels + out_channels,
                                            ndf=config.ndf, n_layers=config.n_layers_d, norm=config.norm)
    return Pix2Pix(generator, discriminator)


def compile_pix2pix(model: Pix2Pix, config: Pix2PixConfig, steps_per_epoch: int):
    """Adam for both networks with the constant-then-linear-decay schedule of the reference.
    Call it inside the strategy's scope, where the model was built."""
    def adam():
        schedule = config.lr if config.decay_epochs == 0 else LinearDecay(
            config.lr, constant_steps=config.epochs * steps_per_epoch,
            decay_steps=config.decay_epochs * steps_per_epoch)
        return FusedAdam(schedule, beta_1=config.beta_1)

    model.compile(g_optimizer=adam(), d_optimizer=adam(), gan_mode=config.gan_mode,
                  lambda_l1=config.lambda_l1, jit_compile=choose_jit_compile(config.jit_compile))
    return model


def train_pix2pix(config: Pix2PixConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) pix2pix as ``config`` says; see the module docstring for the run folder.

    ``callbacks`` run on every process; the run's own writers (checkpoints, samples, CSV log) on the
    chief only.
    """
    strategy = start_run(config)
    chief = is_chief(strategy)
    train_files, eval_files = train_and_eval_pairs(config)  # raises on bad input before any work
    out = Path(config.output_dir)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
    steps_per_epoch = config.steps_per_epoch or max(1, len(train_files) // config.batch_size)
    with strategy.scope():
        model = build_pix2pix(config, train_files.a_spec.channels, train_files.b_spec.channels)
        compile_pix2pix(model, config, steps_per_epoch)

    checkpoint = TrainingCheckpoint(out / "checkpoints", {
        "generator": model.generator, "discriminator": model.discriminator,
        "g_optimizer": model.g_optimizer, "d_optimizer": model.d_optimizer})
    initial_epoch = restored_epoch(checkpoint, config, strategy)
    if chief:
        _write_config(out, config, resumed=initial_epoch > 0)
        write_spec(out / "target_spec.json", train_files.b_spec)

    history = {}
    if initial_epoch < config.total_epochs:
        train_ds = shard_by_data(data.paired_dataset(
            train_files, batch_size=config.batch_size, image_size=config.image_size,
            load_size=config.load_size or None, flip=config.flip, seed=config.seed,
            first_epoch=initial_epoch, num_epochs=config.total_epochs - initial_epoch,
            steps_per_epoch=steps_per_epoch))
        writers = _run_writers(config, checkpoint, eval_files or train_files, initial_epoch) if chief else []
        result = model.fit(train_ds, epochs=config.total_epochs, initial_epoch=initial_epoch,
                           steps_per_epoch=steps_per_epoch, callbacks=[*writers, *callbacks], verbose=verbose,
                           shuffle=False)  # the dataset does its own seeded, resumable shuffling
        history = result.history
    return TrainedRun(model, train_files, eval_files, out, history, initial_epoch, steps_per_epoch, strategy)


def _run_writers(config, checkpoint: TrainingCheckpoint, preview, initial_epoch: int) -> list:
    """The chief's callbacks: full-state checkpoints, sample grids of 4 ``preview`` pairs, CSV log."""
    out = Path(config.output_dir)
    rgb, thermal = next(iter(data.eval_dataset(preview.subset(range(min(4, len(preview)))),
                                               image_size=config.image_size, batch_size=4)))
    return [
        CheckpointCallback(checkpoint, every_n_epochs=config.checkpoint_every),
        SampleGridCallback(rgb, thermal, out / "samples", every_n_steps=config.sample_every,
                           log_dir=out / "logs"),
        keras.callbacks.CSVLogger(str(out / "log.csv"), append=initial_epoch > 0),
    ]


def write_spec(path: Path, spec):
    """Record how the targets are stored, so export can add counts/°C outputs without the data."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(json.dumps(dataclasses.asdict(spec), indent=2) + "\n")
    os.replace(tmp, path)


def read_spec(path: Path):
    from data_loaders.common import ImageSpec

    values = json.loads(Path(path).read_text())
    if values.get("value_range") is not None:
        values["value_range"] = tuple(values["value_range"])
    return ImageSpec(**values)


def _write_config(out: Path, config: Pix2PixConfig, resumed: bool):
    """Record the config; on resume, warn about options that differ from the checkpointed run."""
    path = out / "config.json"
    if resumed and path.exists():
        before = json.loads(path.read_text())
        # Options newer than the run's config.json (e.g. strategy) were not recorded: not a change.
        changed = {k: (before[k], v) for k, v in dataclasses.asdict(config).items() if k in before and before[k] != v}
        if changed:
            print(f"warning: resuming {out} with changed options (was, now): {changed}")
    tmp = path.with_name(f".config.json.tmp-{os.getpid()}")
    tmp.write_text(config.to_json())
    os.replace(tmp, path)
