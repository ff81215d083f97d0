"""Ctrl-C during training: stop at the end of the step, with nothing half-written.

While ``fit()`` runs inside :func:`stop_at_step`, a SIGINT (Ctrl-C) is held until the step in progress
ends: the :class:`StopAtStep` callback then raises :class:`TrainingInterrupted` from
``on_train_batch_end``, before any later checkpoint, CSV line or sample grid is begun. A checkpoint
being written when Ctrl-C comes is finished first, so the newest checkpoint on disk is complete and
the same command resumes from it. Ctrl-C during the last checkpoint stops the run before the
generator is saved (resuming saves it). A second Ctrl-C stops at once (``KeyboardInterrupt``), for a
step that takes too long; files are still written under temporary names first.

The handler is installed only in the main thread and only where Python's own Ctrl-C handler is in
place: a process that ignores SIGINT (a background job) keeps ignoring it.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import keras

__all__ = ["StopAtStep", "TrainingInterrupted", "stop_at_step"]


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped training between two steps; ``step`` is the last finished step (or ``None``)."""

    def __init__(self, step: int | None = None):
        super().__init__("stopped" if step is None else f"stopped at step {step}")
        self.step = step


class StopAtStep(keras.callbacks.Callback):
    """Raises :class:`TrainingInterrupted` at the end of the step during which Ctrl-C came
    (:meth:`request` is the SIGINT handler :func:`stop_at_step` installs)."""

    def __init__(self):
        super().__init__()
        self.requested = False

    def request(self, signum=None, frame=None):
        if self.requested:  # the second Ctrl-C: at once
            raise KeyboardInterrupt
        self.requested = True

    def step(self) -> int | None:
        """The generator optimizer's ``iterations`` (GAN models), else the model optimizer's."""
        model = self.model
        optimizer = getattr(model, "g_optimizer", None) or getattr(model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return None if iterations is None else int(iterations.numpy())

    def stop_if_requested(self):
        if self.requested:
            raise TrainingInterrupted(self.step())

    def on_train_batch_end(self, batch, logs=None):
        self.stop_if_requested()


@contextlib.contextmanager
def stop_at_step():
    """Yield a :class:`StopAtStep` callback for ``fit()``; Ctrl-C inside the block stops at the step's
    end. A Ctrl-C that came after the last step (during the final checkpoint) raises on leaving."""
    stopper = StopAtStep()
    ours = (threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    previous = signal.signal(signal.SIGINT, stopper.request) if ours else None
    try:
        yield stopper
        stopper.stop_if_requested()
    finally:
        if ours:
            signal.signal(signal.SIGINT, previous)
