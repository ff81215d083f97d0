"""Keras callbacks for GAN training: full-state checkpoints and sample grids (PNG + TensorBoard).

For a per-epoch CSV of the losses use ``keras.callbacks.CSVLogger(path, append=True)``; with
``append=True`` a resumed run continues the same file.
"""

import os

import keras
import numpy as np
import tensorflow as tf

from thermal_keras import visualize
from thermal_keras.image_io import save_png

__all__ = ["ADVERSARIAL_BOUNDS", "CheckpointCallback", "DivergedLossError", "FiniteLossGuard", "NonFiniteLossError",
           "SampleGridCallback"]

# The adversarial losses of the four families (unweighted, or weighted below 1) stay near 1 while the
# networks train; a running mean beyond 1e6 only comes from networks that diverged (CycleGAN at --lr 1e8
# logs 1e19 and stays finite). Weighted sums and reconstruction terms are not bounded: their scale
# follows the user's loss weights.
ADVERSARIAL_BOUNDS = {"d_loss": 1e6, "g_gan": 1e6, "g_adv": 1e6, "adversarial": 1e6}


class NonFiniteLossError(ValueError):
    """A training loss became NaN or infinite; the run stopped without saving that state."""


class DivergedLossError(NonFiniteLossError):
    """A training loss went beyond its bound while finite (the networks diverged); the run stopped as
    for a non-finite loss."""


class FiniteLossGuard(keras.callbacks.Callback):
    """Stops training at the first step whose losses are not all finite, or beyond their bounds.

    Raises :class:`NonFiniteLossError` (:class:`DivergedLossError` for a finite loss beyond its bound)
    from ``on_train_batch_end`` (before any checkpoint of that epoch is written, so the newest
    checkpoint on disk is the last good state), naming the step, the loss and what usually causes it.
    The logged values are running means over the epoch, so one bad step makes them bad at once.

    Args:
        step_offset: added to the steps counted here when the model has no optimizer to ask.
        bounds: ``{loss name: largest magnitude}``; default :data:`ADVERSARIAL_BOUNDS`, ``{}`` for none.
    """

    HINTS = ("lower the learning rate (--lr)", "lower the loss weights (e.g. --lambda-l1)",
             "under mixed_float16, try --mixed-precision float32")

    def __init__(self, step_offset: int = 0, bounds: dict | None = None):
        super().__init__()
        self.step_offset = step_offset
        self.bounds = dict(ADVERSARIAL_BOUNDS if bounds is None else bounds)
        self._step = 0

    def on_train_begin(self, logs=None):
        self._step = 0

    def _global_step(self) -> int:
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        return int(iterations.numpy()) if iterations is not None else self.step_offset + self._step

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        values = {name: np.asarray(value, np.float64) for name, value in (logs or {}).items()}
        bad = [name for name, value in values.items() if not np.all(np.isfinite(value))]
        if bad:
            raise NonFiniteLossError(
                f"training stopped: loss {bad[0]} is {float(values[bad[0]])} at step {self._global_step()}"
                f"{' (also ' + ', '.join(bad[1:]) + ')' if bad[1:] else ''}; the last good checkpoint is kept. "
                f"Try: {'; '.join(self.HINTS)}")
        over = [name for name, bound in self.bounds.items() if name in values and np.any(np.abs(values[name]) > bound)]
        if over:
            name = over[0]
            raise DivergedLossError(
                f"training stopped: loss {name} is {float(values[name]):.3g} at step {self._global_step()}, beyond "
                f"its bound {self.bounds[name]:g} (finite, but the networks diverged"
                f"{'; also ' + ', '.join(over[1:]) if over[1:] else ''}); the last good checkpoint is kept. "
                f"Try: {self.HINTS[0]}")


class CheckpointCallback(keras.callbacks.Callback):
    """Saves a ``TrainingCheckpoint`` every ``every_n_epochs`` finished epochs and at train end.

    The checkpoint's epoch is the number of finished epochs (Keras' 0-based epoch index + 1),
    so ``model.fit(..., initial_epoch=state["epoch"])`` resumes after ``restore()``. The epoch's
    logs are stored in the checkpoint's ``extra["logs"]``.
    """

    def __init__(self, checkpoint, every_n_epochs=1):
        super().__init__()
        if not hasattr(checkpoint, "save"):
            raise ValueError(f"checkpoint must be a TrainingCheckpoint, got {type(checkpoint).__name__}")
        if isinstance(every_n_epochs, bool) or not isinstance(every_n_epochs, int) or every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be an integer >= 1, got {every_n_epochs!r}")
        self.checkpoint = checkpoint
        self.every_n_epochs = every_n_epochs
        self._finished_epochs = None
        self._saved_epoch = None
        self._last_logs = {}

    def on_epoch_end(self, epoch, logs=None):
        self._finished_epochs = epoch + 1
        self._last_logs = dict(logs or {})
        if self._finished_epochs % self.every_n_epochs == 0:
            self._save()

    def on_train_end(self, logs=None):
        if self._finished_epochs is not None and self._saved_epoch != self._finished_epochs:
            self._save()

    def _save(self):
        self.checkpoint.save(self._finished_epochs, extra={"logs": self._last_logs})
        self._saved_epoch = self._finished_epochs


class SampleGridCallback(keras.callbacks.Callback):
    """Writes RGB | real | generated thermal grids for a fixed batch during training.

    Every ``every_n_steps`` global steps, and at the end of training, runs
    ``self.model(rgb, training=False)`` (the model's call returns the generated thermal) and writes
    ``directory/step_<NNNNNN>.png`` (uint8, ``N * H`` by ``3 * W`` pixels). With ``log_dir`` the
    same grid goes to TensorBoard as the image summary ``"samples"`` in ``log_dir``.

    The global step is ``model.g_optimizer.iterations`` when the model has one (so it continues
    across resumed runs), else the number of training batches this callback has seen.

    Args:
        rgb: ``(N, H, W, 3)`` float in ``[-1, 1]``, the fixed inputs.
        thermal: ``(N, H, W, 1)`` float in ``[-1, 1]``, their real thermal images.
        directory: folder for the PNGs (created if missing).
        every_n_steps: int >= 1.
        log_dir: optional TensorBoard log folder.
        cmap: thermal colormap name (see ``visualize.thermal_colormap``).
    """

    def __init__(self, rgb, thermal, directory, every_n_steps=100, log_dir=None, cmap="inferno"):
        super().__init__()
        self.rgb = self._checked_images(rgb, "rgb", 3)
        self.thermal = self._checked_images(thermal, "thermal", 1)
        if self.rgb.shape[:3] != self.thermal.shape[:3]:
            raise ValueError(f"rgb and thermal must share (N, H, W), got {self.rgb.shape} and {self.thermal.shape}")
        if isinstance(every_n_steps, bool) or not isinstance(every_n_steps, int) or every_n_steps < 1:
            raise ValueError(f"every_n_steps must be an integer >= 1, got {every_n_steps!r}")
        visualize.thermal_colormap(cmap)  # an unknown name fails here, not mid-training
        self.directory = os.fspath(directory)
        self.every_n_steps = every_n_steps
        self.log_dir = None if log_dir is None else os.fspath(log_dir)
        self.cmap = cmap
        self._batches_seen = 0
        self._last_checked_step = 0
        self._written_step = None
        self._writer = None

    @staticmethod
    def _checked_images(images, name, channels):
        array = np.asarray(images, dtype=np.float32)
        if array.ndim != 4 or array.shape[-1] != channels or array.shape[0] == 0:
            raise ValueError(f"{name} must have shape (N, H, W, {channels}) with N >= 1, got {array.shape}")
        if not np.all(np.isfinite(array)) or array.min() < -1.001 or array.max() > 1.001:
            raise ValueError(f"{name} must hold finite values in [-1, 1], got [{array.min()}, {array.max()}]")
        return array

    def global_step(self):
        """The generator optimizer's ``iterations`` if the model has one, else batches seen."""
        optimizer = getattr(self.model, "g_optimizer", None)
        if optimizer is not None:
            return int(optimizer.iterations.numpy())
        return self._batches_seen

    def on_train_begin(self, logs=None):
        self._last_checked_step = self.global_step()

    def on_train_batch_end(self, batch, logs=None):
        self._batches_seen += 1
        step = self.global_step()
        previous, self._last_checked_step = self._last_checked_step, step
        # "Crossed a multiple" rather than "step % n == 0": with steps_per_execution > 1 Keras
        # calls this once per several steps and an exact multiple can be skipped.
        if step // self.every_n_steps > previous // self.every_n_steps:
            self.write_grid(step)

    def on_train_end(self, logs=None):
        step = self.global_step()
        if self._written_step != step:
            self.write_grid(step)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def write_grid(self, step):
        """Generates the thermal images, writes the PNG (and summary); returns the PNG's path."""
        fake_thermal = self.model(self.rgb, training=False)
        grid = visualize.sample_grid(self.rgb, self.thermal, keras.ops.convert_to_numpy(fake_thermal), cmap=self.cmap)
        path = save_png(grid, os.path.join(self.directory, f"step_{step:06d}.png"))
        if self.log_dir is not None:
            if self._writer is None:
                self._writer = tf.summary.create_file_writer(self.log_dir)
            with self._writer.as_default():
                tf.summary.image("samples", grid[None], step=step)
            self._writer.flush()
        self._written_step = step
        return path
