"""The one resumable training job every family runs: config in, trained run folder out.

A family subclasses :class:`TrainingJob` and fills in what is its own (its data, its model, its
phases and its evaluation); :meth:`TrainingJob.run` does the rest the same way for all four:

1. set-up (:func:`start_run`): the ``tf.distribute`` strategy, the global batch check, the seed and
   the dtype policy;
2. the data is loaded and checked (bad input fails here, before anything is written);
3. the model is built inside the strategy's scope;
4. for each phase (one for the GANs, pre-training + GAN for super-resolution): compile, restore
   the newest full-state checkpoint of that phase when ``config.resume``, and ``fit()`` the epochs that
   remain, with checkpoints, a CSV log and the family's own writers (sample grids) on the chief;
   A loss that becomes NaN or infinite, or an adversarial loss beyond its bound (diverged), stops the
   run at once with :class:`~thermal_keras.training.callbacks.NonFiniteLossError` (the newest
   checkpoint is the last good state; no generator is saved); Ctrl-C stops it at the end of the step
   with :class:`~thermal_keras.training.interrupt.TrainingInterrupted` (nothing half-written, the same
   command resumes);
5. the generator is saved as ``generator.keras`` and scored on the held-out data against the
   family's baselines (``metrics.json``).

A run killed at any point and started again with the same config continues from its last
checkpoint with the step counter, learning-rate schedule, RNG states and data order intact. Under
``multi_worker`` every worker reads the checkpoint to resume from, so ``output_dir`` must be storage
they all see; only the chief writes.

Run folder::

    config.json  log.csv (log_<phase>.csv)  checkpoints/ (checkpoints/<phase>/)  generator.keras
    metrics.json  samples/  logs/ (TensorBoard)  target_spec.json (translators)
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import keras
import tensorflow as tf

from data_loaders.files import atomic_write_text, remove_stale_temporaries
from thermal_keras.config import ConfigError
from thermal_keras.distribute import (
    check_global_batch,
    check_same_on_every_worker,
    is_chief,
    make_strategy,
    shard_by_data,
)
from thermal_keras.model_files import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, save_keras
from thermal_keras.precision import apply_precision
from thermal_keras.reports import write_report_json
from thermal_keras.training.callbacks import CheckpointCallback, FiniteLossGuard
from thermal_keras.training.checkpoint import TrainingCheckpoint
from thermal_keras.training.interrupt import stop_at_step

GENERATOR_FILE = RUN_GENERATOR_FILE
METRICS_FILE = "metrics.json"
TARGET_SPEC_FILE = RUN_TARGET_SPEC_FILE
logger = logging.getLogger(__name__)


@dataclass
class TrainedRun:
    """What every training function hands back.

    ``history``: the ``fit()`` history of a one-phase job, or ``{phase: history}`` for several
    (``{}`` for a phase that had nothing left to train).
    ``report``: the held-out scores against the family's baselines (``None`` without a held-out
    split, or on a non-chief worker).
    """

    model: keras.Model
    train_files: object
    eval_files: object
    output_dir: Path
    history: dict
    initial_epoch: int
    steps_per_epoch: int
    strategy: object = None  # the tf.distribute.Strategy it trained under
    report: dict | None = None

    @property
    def is_chief(self) -> bool:
        """Whether this process wrote the run folder (false on non-chief multi-worker processes)."""
        return is_chief(self.strategy)

    @property
    def generator_path(self) -> Path:
        return self.output_dir / GENERATOR_FILE


@dataclass
class Phase:
    """One resumable ``fit()`` of a job.

    ``compile(model)`` runs inside the strategy's scope; ``checkpoint_objects()`` is called after it
    (the optimizers exist then); ``after(model)`` runs once the phase is done (trained or restored).
    """

    name: str
    epochs: int
    compile: Callable
    checkpoint_objects: Callable
    checkpoint_dir: str = "checkpoints"
    log_file: str = "log.csv"
    after: Callable | None = None


def start_run(config) -> tf.distribute.Strategy:
    """The set-up every training run shares, before any other work: the strategy of
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


def write_config(out: Path, config, resumed: bool):
    """Record the config in ``out/config.json``; on resume, log a warning (logger
    ``thermal_keras.training.run``) naming the options that changed."""
    path = out / "config.json"
    if resumed and path.exists():
        try:
            before = json.loads(path.read_text())
        except ValueError:
            before = {}
        # Options newer than the run's config.json were not recorded: not a change.
        changed = {k: (before[k], v) for k, v in config.to_dict().items() if k in before and before[k] != v}
        if changed:
            logger.warning("warning: resuming %s with changed options (was, now): %s", out, changed)
    config.to_json(path)


def write_target_spec(path: Path, spec):
    """Record how the targets are stored, so export can add counts/°C outputs without the data
    (read back by :func:`thermal_keras.export.read_target_spec_file`)."""
    atomic_write_text(path, json.dumps(dataclasses.asdict(spec), indent=2) + "\n")


def _copied_weights(model: keras.Model) -> list:
    """The weights ``--init-from`` copies: all but a :class:`~thermal_keras.priors.MeanFramePrior`'s
    mean frame, which comes from each run's own training data."""
    return [w for w in model.weights if not w.path.endswith("/mean_frame")]


def init_generator(generator: keras.Model, source: str):
    """Copy the weights of ``source`` (a preset, a ``.keras`` file or a run folder) into ``generator``;
    a ``ValueError`` naming the source when the architectures differ. A mean-frame prior on either
    side is not copied (the run's own mean frame stays)."""
    from thermal_keras.presets.library import weights_source

    model, where = weights_source(source)
    ours, theirs = _copied_weights(generator), _copied_weights(model)
    if len(ours) != len(theirs) or any(tuple(a.shape) != tuple(b.shape) for a, b in zip(ours, theirs)):
        mismatch = next(((a.path, tuple(a.shape), tuple(b.shape)) for a, b in zip(ours, theirs)
                         if tuple(a.shape) != tuple(b.shape)), None)
        detail = (f"first difference {mismatch[0]}: {mismatch[2]} there, {mismatch[1]} here" if mismatch
                  else f"{len(theirs)} weights there, {len(ours)} here")
        raise ValueError(f"--init-from {where}: its generator does not match this run's ({detail}); "
                         f"train with the same generator options as the model you start from")
    for mine, source_weight in zip(ours, theirs):
        mine.assign(source_weight)


def freeze_layers(generator: keras.Model, prefixes: str) -> list[str]:
    """Set ``trainable = False`` on the layers whose names start with one of the comma-separated
    ``prefixes``; returns their names. A prefix that matches no layer is a ``ValueError``."""
    wanted = [p.strip() for p in prefixes.split(",") if p.strip()]
    frozen = []
    for prefix in wanted:
        matched = [layer for layer in generator.layers if layer.name.startswith(prefix)]
        if not matched:
            raise ValueError(f"--freeze {prefix}: no layer of {generator.name} starts with it "
                             f"(layers: {', '.join(layer.name for layer in generator.layers[:8])}, ...)")
        for layer in matched:
            layer.trainable = False
            frozen.append(layer.name)
    return frozen


class TrainingJob:
    """One family's training run; subclasses fill in the hooks below (see the module docstring)."""

    def __init__(self, config):
        self.config = config

    # --- hooks ------------------------------------------------------------------------------------

    def prepare(self):
        """Checks that need no TensorFlow work (e.g. a weights file exists); runs first."""

    def nothing_to_train(self) -> str | None:
        """The options that leave nothing to train, as the user gave them (``None``: there is
        training to do). Checked first: an untrained generator is never saved as trained."""
        config = self.config
        if getattr(config, "epochs", 1) + getattr(config, "decay_epochs", 0) > 0:
            return None
        return "--epochs 0" + (" --decay-epochs 0" if hasattr(config, "decay_epochs") else "")

    def load_data(self) -> tuple:
        """``(train data, held-out data or None)``; raises on bad input."""
        raise NotImplementedError

    def steps_per_epoch(self, train) -> int:
        return self.config.steps_per_epoch or max(1, len(train) // self.config.batch_size)

    def build_model(self, train) -> keras.Model:
        """The (uncompiled) model, inside the strategy's scope."""
        raise NotImplementedError

    def phases(self, model, steps_per_epoch: int) -> list[Phase]:
        """One phase by default: ``compile_model`` and all of ``config.total_epochs``."""
        return [Phase("train", self.config.total_epochs, lambda m: self.compile_model(m, steps_per_epoch),
                      model.checkpoint_objects)]

    def compile_model(self, model, steps_per_epoch: int):
        raise NotImplementedError

    def dataset(self, train, first_epoch: int, num_epochs: int, steps_per_epoch: int) -> tf.data.Dataset:
        raise NotImplementedError

    def writers(self, train, held_out, initial_epoch: int) -> list:
        """The chief's extra callbacks (e.g. sample grids)."""
        return []

    def write_inputs(self, out: Path, train):
        """Files recording the inputs (e.g. ``target_spec.json``), written by the chief."""

    def generator(self, model) -> keras.Model:
        """The network saved as ``generator.keras``."""
        return model.generator

    def evaluate(self, run: TrainedRun) -> dict | None:
        """Held-out scores against the family's baselines (``None``: nothing to score)."""
        return None

    # --- the job ----------------------------------------------------------------------------------

    def run(self, callbacks=(), verbose="auto") -> TrainedRun:
        """Train (or resume), save the generator and score it; see the module docstring."""
        config = self.config
        nothing = self.nothing_to_train()
        if nothing:
            raise ConfigError(f"{nothing}: nothing to train, so no generator would be trained; give at least one "
                              f"epoch or step")
        self.prepare()
        self.strategy = strategy = start_run(config)
        chief = is_chief(strategy)
        train, held_out = self.load_data()  # raises on bad input before anything is written
        out = Path(config.output_dir)
        steps = self.steps_per_epoch(train)
        with strategy.scope():
            model = self.build_model(train)
            if config.init_from:
                init_generator(self.generator(model), config.init_from)
            if config.freeze:
                freeze_layers(self.generator(model), config.freeze)
        if chief:
            out.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(out)
        histories, initial_epoch = {}, 0
        phases = self.phases(model, steps)
        for index, phase in enumerate(phases):
            with strategy.scope():
                phase.compile(model)
            checkpoint = TrainingCheckpoint(out / phase.checkpoint_dir, phase.checkpoint_objects())
            start = restored_epoch(checkpoint, config, strategy)
            if index == 0:
                initial_epoch = start
                if chief:
                    write_config(out, config, resumed=start > 0)
                    self.write_inputs(out, train)
            histories[phase.name] = {}
            if start < phase.epochs:
                dataset = shard_by_data(self.dataset(train, start, phase.epochs - start, steps))
                writers = [CheckpointCallback(checkpoint, every_n_epochs=config.checkpoint_every),
                           keras.callbacks.CSVLogger(str(out / phase.log_file), append=start > 0),
                           *(self.writers(train, held_out, start) if index == 0 else [])] if chief else []
                with stop_at_step() as stopper:  # Ctrl-C: at the end of the step, nothing half-written
                    histories[phase.name] = model.fit(
                        dataset, epochs=phase.epochs, initial_epoch=start, steps_per_epoch=steps,
                        callbacks=[FiniteLossGuard(), stopper, *writers, *callbacks], verbose=verbose,
                        shuffle=False).history  # the dataset does its own seeded, resumable shuffling
            if phase.after is not None:
                phase.after(model)
        history = histories.get(phases[0].name, {}) if len(phases) == 1 else histories
        run = TrainedRun(model, train, held_out, out, history, initial_epoch, steps, strategy)
        if chief:
            save_keras(self.generator(model), run.generator_path)
            run.report = self.evaluate(run)
            if run.report is not None:
                write_report_json(out / METRICS_FILE, run.report)
        return run


def format_trained(run: TrainedRun, report_text: str | None = None) -> str:
    """The lines a ``train`` command prints at the end."""
    if not run.is_chief:
        return "trained (non-chief worker: the chief writes the run folder)"
    lines = [f"trained; generator saved to {run.generator_path}"]
    if report_text:
        lines += [report_text, f"scores written to {run.output_dir / METRICS_FILE}"]
    return "\n".join(lines)
