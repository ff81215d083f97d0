"""A generator output layer that adds what the training targets look like on average.

For a fixed camera pose — a car's forward camera, a street camera — the mean training target is a
strong prediction by itself: on 8-bit driving frames it beats an untrained guess and many trained
models (the sky is dark at the top, the road mid-grey at the bottom). :class:`MeanFramePrior` makes
the generator predict a correction to that mean frame instead of the whole image, so a generator
that has learned nothing yet already predicts the mean frame.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops


@keras.saving.register_keras_serializable(package="thermal_keras")
class MeanFramePrior(layers.Layer):
    """``clip(inputs + resize(mean_frame), -1, 1)``: the generator's output as a residual on the mean frame.

    Args:
        mean_frame: ``(h, w, C)`` float in ``[-1, 1]``, the mean training target (kept as a
            non-trainable weight, so it is saved with the model). At call time it is resized
            (bilinear, no antialiasing: an op every deploy format has) to the input's height and
            width, so the model runs at any size.

    Input and output: ``(N, H, W, C)`` float32.
    """

    def __init__(self, mean_frame=None, frame_shape=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if mean_frame is not None:
            mean_frame = np.asarray(mean_frame, np.float32)
            if mean_frame.ndim != 3 or not np.all(np.isfinite(mean_frame)) or np.abs(mean_frame).max() > 1:
                raise ValueError(f"MeanFramePrior needs a finite (h, w, C) mean frame in [-1, 1], "
                                 f"got shape {mean_frame.shape}")
            frame_shape = mean_frame.shape
        if frame_shape is None:
            raise ValueError("MeanFramePrior needs mean_frame (or frame_shape when loading)")
        self.frame_shape = tuple(int(d) for d in frame_shape)
        self.mean_frame = self.add_weight(shape=self.frame_shape, initializer="zeros", trainable=False,
                                          name="mean_frame")
        if mean_frame is not None:
            self.mean_frame.assign(mean_frame)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        shape = ops.shape(x)
        prior = ops.image.resize(self.mean_frame[None], (shape[1], shape[2]), interpolation="bilinear")
        return ops.clip(x + prior, -1.0, 1.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "frame_shape": list(self.frame_shape)}
