"""Learning-rate schedules: pix2pix/CycleGAN's constant-then-linear-decay, per optimizer step."""

import keras
from keras import ops

__all__ = ["LinearDecay"]


@keras.saving.register_keras_serializable(package="thermal_keras")
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant learning rate, then a straight line down to zero.

    ``lr(step) = initial_learning_rate`` for ``step < constant_steps``, then
    ``initial_learning_rate * (1 - (step - constant_steps) / decay_steps)``, reaching 0 at
    ``constant_steps + decay_steps`` and staying there. ``step`` is the optimizer's
    ``iterations`` (updates done so far), so update number ``i`` (from 0) uses ``lr(i)``.

    Relation to the pix2pix reference, whose LambdaLR is stepped once per epoch with the factor
    ``1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1)``: with ``S`` steps per epoch,
    ``LinearDecay(lr, n_epochs * S, (n_epochs_decay + 1) * S)`` equals the reference's rate of
    epoch ``k`` at the end of that epoch (step ``(k + 1) * S``) and interpolates linearly
    within it instead of jumping at epoch boundaries. The reference never reaches zero (its last
    epoch runs at ``lr / (n_epochs_decay + 1)``); ``decay_steps = n_epochs_decay * S`` instead
    gives the final update ``lr / decay_steps`` and 0 after it.

    Args:
        initial_learning_rate: float > 0, e.g. 2e-4 for pix2pix.
        constant_steps: int >= 0, updates at the full rate.
        decay_steps: int > 0, updates over which the rate falls to 0.
    """

    def __init__(self, initial_learning_rate, constant_steps, decay_steps, name="LinearDecay"):
        super().__init__()
        if not float(initial_learning_rate) > 0:
            raise ValueError(f"initial_learning_rate must be > 0, got {initial_learning_rate!r}")
        if int(constant_steps) != constant_steps or constant_steps < 0:
            raise ValueError(f"constant_steps must be an integer >= 0, got {constant_steps!r}")
        if int(decay_steps) != decay_steps or decay_steps <= 0:
            raise ValueError(f"decay_steps must be an integer > 0, got {decay_steps!r}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.constant_steps = int(constant_steps)
        self.decay_steps = int(decay_steps)
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        steps_into_decay = ops.maximum(step - float(self.constant_steps), 0.0)
        remaining_fraction = ops.clip(1.0 - steps_into_decay / float(self.decay_steps), 0.0, 1.0)
        return self.initial_learning_rate * remaining_fraction

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "constant_steps": self.constant_steps,
            "decay_steps": self.decay_steps,
            "name": self.name,
        }
