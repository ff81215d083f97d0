"""Backend-neutral versions of the few layer computations that use TensorFlow kernels directly.

Three layers take a TensorFlow-only path on the TensorFlow backend, for speed or because
``keras.ops`` has no equivalent with the same numbers:

* :class:`~thermal_keras.layers.PixelShuffle`: ``tf.nn.depth_to_space``; here a reshape and transpose;
* :class:`~thermal_keras.sr.networks.BicubicUpsample`: ``tf.image.resize(method="bicubic")``; here
  :func:`bicubic_upsample` (same numbers, and only ops TFLite and ONNX have built in);
* :class:`~thermal_keras.layers.SingleFilterConv2D`: a depthwise trick on TF CPUs at batch 1; the
  plain convolution elsewhere (already ``keras.ops``, so nothing here).

Which path runs: the TensorFlow path when Keras runs on TensorFlow, the neutral one on JAX and
PyTorch, and the neutral one on TensorFlow too inside :func:`neutral_paths` (the deploy exporters
trace their graphs there, so a TFLite file holds no TensorFlow-only op). :func:`tensorflow_kernels`
answers which, at trace time.
"""

from __future__ import annotations

import contextlib
import contextvars

import keras
import numpy as np
from keras import ops

_FORCE_NEUTRAL = contextvars.ContextVar("thermal_keras_force_neutral", default=False)
CUBIC_A = -0.5  # Keys' cubic convolution coefficient, as TensorFlow's (and JAX's) bicubic resize


@contextlib.contextmanager
def neutral_paths():
    """Within this block, layers traced on TensorFlow take their backend-neutral path."""
    token = _FORCE_NEUTRAL.set(True)
    try:
        yield
    finally:
        _FORCE_NEUTRAL.reset(token)


def tensorflow_kernels() -> bool:
    """Whether layers may use TensorFlow kernels now: Keras runs on TensorFlow, outside :func:`neutral_paths`."""
    return keras.backend.backend() == "tensorflow" and not _FORCE_NEUTRAL.get()


def depth_to_space(x, r: int):
    """``(N, H, W, C * r²)`` -> ``(N, H * r, W * r, C)`` with ``tf.nn.depth_to_space``'s channel order
    (input channel ``(i * r + j) * C + c`` goes to sub-pixel ``(i, j)`` of channel ``c``); any dtype."""
    shape = ops.shape(x)
    n, h, w, c = shape[0], shape[1], shape[2], x.shape[-1] // (r * r)
    x = ops.reshape(x, (n, h, w, r, r, c))
    x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
    return ops.reshape(x, (n, h * r, w * r, c))


def cubic_phase_weights(scale: int) -> np.ndarray:
    """``(5, scale)`` weights: output row ``i * scale + p`` is ``sum_k w[k, p] * in[i + k - 2]``.

    Half-pixel centres: output ``o`` samples input position ``(o + 0.5) / scale - 0.5``; the taps
    are Keys' cubic (``a = -0.5``) at that distance, zero beyond 2 pixels.
    """
    a = CUBIC_A
    weights = np.zeros((5, scale), np.float64)
    for p in range(scale):
        offset = (p + 0.5) / scale - 0.5
        for k in range(5):
            t = abs(offset - (k - 2))
            if t <= 1:
                weights[k, p] = (a + 2) * t**3 - (a + 3) * t**2 + 1
            elif t < 2:
                weights[k, p] = a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a
    return weights


def _upsample_rows(x, weights):
    """Upsample axis 1 of ``(N, H, W, C)`` by ``weights.shape[1]``, taps outside the image dropped
    and the rest renormalised (TensorFlow's border rule)."""
    scale = weights.shape[1]
    shape = ops.shape(x)
    n, h, w, c = shape[0], shape[1], shape[2], x.shape[-1]

    def taps(values, channels):
        kernel = np.broadcast_to(weights[:, None, None, :], (5, 1, channels, scale)).astype(np.float32)
        padded = ops.pad(values, [[0, 0], [2, 2], [0, 0], [0, 0]])
        return ops.depthwise_conv(padded, ops.convert_to_tensor(kernel, dtype=values.dtype), padding="valid")

    def interleave(values, batch, width, channels):  # (B, H, W, channels * scale) -> (B, H * scale, W, channels)
        values = ops.reshape(values, (batch, h, width, channels, scale))
        values = ops.transpose(values, (0, 1, 4, 2, 3))
        return ops.reshape(values, (batch, h * scale, width, channels))

    summed = interleave(taps(x, c), n, w, c)
    norm = interleave(taps(ops.ones_like(x[:1, :, :1, :1]), 1), 1, 1, 1)
    return summed / norm


def bicubic_upsample(x, scale: int):
    """``(N, h, w, C)`` float -> ``(N, h * scale, w * scale, C)``, equal to TensorFlow's
    ``tf.image.resize(x, (h * scale, w * scale), "bicubic")`` up to float rounding, in ``keras.ops``."""
    weights = cubic_phase_weights(scale)
    x = _upsample_rows(x, weights)
    x = ops.transpose(_upsample_rows(ops.transpose(x, (0, 2, 1, 3)), weights), (0, 2, 1, 3))
    return x
