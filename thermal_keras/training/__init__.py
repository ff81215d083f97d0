"""Training support: learning-rate schedules, the fused Adam optimizer, full-state checkpoints and monitoring callbacks."""

from thermal_keras.training.callbacks import CheckpointCallback, SampleGridCallback
from thermal_keras.training.checkpoint import CheckpointMismatchError, TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.schedules import LinearDecay

__all__ = [
    "CheckpointCallback",
    "CheckpointMismatchError",
    "FusedAdam",
    "LinearDecay",
    "SampleGridCallback",
    "TrainingCheckpoint",
]
