"""BT.601 luma, written once: the weights, a NumPy version and a TensorFlow version.

The grey baseline of translation, FusionGAN's visible input, the fusion export contract and the web
demo all reduce RGB to ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, full range as in JPEG; the
weights sum to 1, so the value range is kept). Super-resolution's Y channel is another convention
(studio swing, :mod:`thermal_keras.metrics.super_resolution`).
"""

from __future__ import annotations

import numpy as np

LUMA_BT601 = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma weights of R, G, B (they sum to 1)


def luma(rgb) -> np.ndarray:
    """BT.601 luma of RGB ``(..., 3)`` (any value range, same range out): ``(..., 1)`` float32."""
    rgb = np.asarray(rgb, np.float32)
    return (rgb @ np.asarray(LUMA_BT601, np.float32))[..., None]


def luma_tensor(rgb):
    """:func:`luma` in TensorFlow (imported on first use), graph-safe: RGB ``(..., 3)`` in any value
    range -> float32 ``(..., 1)`` in the same range."""
    import tensorflow as tf

    weights = tf.constant(LUMA_BT601, tf.float32)
    return tf.reduce_sum(tf.cast(rgb, tf.float32) * weights, axis=-1, keepdims=True)
