"""Training support: learning-rate schedules, the fused Adam optimizer, full-state checkpoints and monitoring callbacks."""

from thermal_keras.training.callbacks import CheckpointCallback, FiniteLossGuard, NonFiniteLossError, SampleGridCallback
from thermal_keras.training.checkpoint import CheckpointMismatchError, TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.schedules import LinearDecay

__all__ = [
    "CheckpointCallback",
    "CheckpointMismatchError",
    "FiniteLossGuard",
    "FusedAdam",
    "LinearDecay",
    "NonFiniteLossError",
    "SampleGridCallback",
    "TrainingCheckpoint",
]
