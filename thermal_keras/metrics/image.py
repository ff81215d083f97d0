"""Image-quality metrics for generated images: MSE, RMSE, PSNR, SSIM, UQI and temperature error.

Every function takes two images of the same shape, ``(H, W)``, ``(H, W, C)`` or ``(N, H, W, C)``,
as NumPy arrays or tensors of any real dtype, and returns a scalar ``float32`` tensor: the mean over
the batch of the per-image value (per-image PSNR, then averaged, as the field reports it). A 3-D
input is one image with channels, never a batch of grey images: pass ``(N, H, W, 1)`` for those.

The functions are plain TensorFlow ops, so they also run inside ``tf.function`` (e.g. a
``test_step``); shapes are checked on the static shape there.

PSNR and SSIM need the ``data_range`` the images live in (255 for uint8, 2.0 for ``[-1, 1]``,
1.0 for ``[0, 1]``); there is no default because a wrong guess silently changes the numbers. A range
that cannot be right is refused with a one-line ``ValueError`` before anything is computed
(:func:`check_data_range`): one that is not a finite positive number, one below 255 for uint8 images,
and one that the values themselves exceed (the largest minus the smallest value of both images more
than 1% above ``data_range``, e.g. ``[0, 255]`` floats with ``data_range=1``). The value test needs
concrete values, so inside ``tf.function`` only the number and dtype tests run.
"""

import math
import numbers

import numpy as np
import tensorflow as tf

__all__ = ["mse", "rmse", "psnr", "ssim", "uqi", "mean_abs_temperature_error", "match_level"]

# tf.image.ssim's defaults, which are also Wang et al. 2004's and scikit-image's with
# gaussian_weights=True, sigma=1.5, use_sample_covariance=False.
SSIM_FILTER_SIZE = 11
SSIM_FILTER_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03


# How far the values of both images may spread beyond data_range (a fraction of it): float rounding
# of scaled values and mildly overshooting outputs pass, every scale mistake (x2, x255, x257) fails.
RANGE_TOLERANCE = 0.01
UINT8_RANGE = 255.0


def _real_tensor(image, name):
    """``image`` as a tensor of its own dtype; ``TypeError`` unless it holds real numbers."""
    tensor = tf.convert_to_tensor(image)
    if not (tensor.dtype.is_floating or tensor.dtype.is_integer):
        raise TypeError(f"{name} must hold real numbers, got dtype {tensor.dtype.name}")
    return tensor


def _to_float_tensor(image, name, dtype):
    return tf.cast(_real_tensor(image, name), dtype)


def _as_image_batch(y_true, y_pred, dtype=tf.float32):
    """Converts both inputs to ``(N, H, W, C)`` tensors of ``dtype`` after checking their shapes."""
    true = _to_float_tensor(y_true, "y_true", dtype)
    pred = _to_float_tensor(y_pred, "y_pred", dtype)
    true_shape, pred_shape = true.shape, pred.shape
    if true_shape.rank is None or true_shape.rank not in (2, 3, 4):
        raise ValueError(f"y_true must have shape (H, W), (H, W, C) or (N, H, W, C), got {true_shape}")
    if not true_shape.is_compatible_with(pred_shape):
        raise ValueError(f"y_true and y_pred must have the same shape, got {true_shape} and {pred_shape}")
    if true_shape.rank == 2:
        true, pred = true[None, :, :, None], pred[None, :, :, None]
    elif true_shape.rank == 3:
        true, pred = true[None], pred[None]
    return true, pred


def _check_data_range(data_range):
    """``data_range`` as a float; ``ValueError`` unless it is a finite number above 0."""
    if (isinstance(data_range, bool) or not isinstance(data_range, numbers.Real)
            or not math.isfinite(data_range) or not data_range > 0):
        raise ValueError(
            f"data_range must be a finite positive number (255 for uint8, 65535 for uint16, "
            f"2.0 for [-1, 1], 1.0 for [0, 1]), got {data_range!r}"
        )
    return float(data_range)


def _value_span(tensors) -> float:
    """Largest minus smallest value over all non-empty ``tensors`` (eager), in float64; 0 when all are empty."""
    filled = [tf.cast(t, tf.float64) for t in tensors if int(tf.size(t)) > 0]
    if not filled:
        return 0.0
    return max(float(tf.reduce_max(t)) for t in filled) - min(float(tf.reduce_min(t)) for t in filled)


def check_data_range(images, data_range, names=("y_true", "y_pred")) -> float:
    """``data_range`` as a float after checking that it can score ``images``; one-line ``ValueError`` if not.

    Refused: a ``data_range`` that is not a finite positive number; one below 255 when an image is
    uint8 (its values span 0..255); and, on concrete (eager) values, one that the values of all
    ``images`` together spread over by more than ``RANGE_TOLERANCE`` (1%) of it, e.g. ``[0, 255]``
    floats with ``data_range=1`` or ``[-1, 1]`` images with ``data_range=1``. Inside ``tf.function``
    the values are symbolic, so only the first two tests run there.

    Args:
        images: arrays or tensors of any real dtype and shape (usually the two images compared).
        data_range: the range the caller states (255 for uint8, 2.0 for ``[-1, 1]``, 1.0 for ``[0, 1]``).
        names: one name per image, for the message.

    Returns:
        ``float(data_range)``.
    """
    peak = _check_data_range(data_range)
    tensors = [_real_tensor(image, name) for image, name in zip(images, names)]
    for tensor, name in zip(tensors, names):
        if tensor.dtype == tf.uint8 and peak < UINT8_RANGE:
            raise ValueError(f"data_range={data_range!r} is below 255, the range of {name}'s uint8 values; "
                             f"pass data_range=255")
    if tf.executing_eagerly():
        span = _value_span(tensors)
        if span > peak * (1.0 + RANGE_TOLERANCE):
            raise ValueError(f"the values of {' and '.join(names)} span {span:.4g}, more than "
                             f"data_range={data_range!r}: pass the range they live in (255 for 0..255, "
                             f"2.0 for [-1, 1], 1.0 for [0, 1])")
    return peak


def _check_min_size(images, size, metric_name):
    height, width = images.shape[1], images.shape[2]
    if (height is not None and height < size) or (width is not None and width < size):
        raise ValueError(f"{metric_name} needs images of at least {size}x{size} pixels, got {images.shape}")


def _per_image_mse(true, pred):
    return tf.reduce_mean(tf.math.squared_difference(true, pred), axis=[1, 2, 3])


def mse(y_true, y_pred):
    """Mean squared error, averaged per image then over the batch; in squared input units."""
    true, pred = _as_image_batch(y_true, y_pred, tf.float64)
    return tf.cast(tf.reduce_mean(_per_image_mse(true, pred)), tf.float32)


def rmse(y_true, y_pred):
    """Root mean squared error: the square root of each image's MSE, averaged over the batch."""
    true, pred = _as_image_batch(y_true, y_pred, tf.float64)
    return tf.cast(tf.reduce_mean(tf.sqrt(_per_image_mse(true, pred))), tf.float32)


def psnr(y_true, y_pred, *, data_range):
    """Peak signal-to-noise ratio in dB, ``10 log10(data_range² / MSE)`` per image, batch mean.

    Identical images give ``inf`` (MSE 0), and so does a batch that holds one identical pair.
    A ``data_range`` that cannot fit the images is a ``ValueError`` (:func:`check_data_range`).
    """
    peak = check_data_range((y_true, y_pred), data_range)
    true, pred = _as_image_batch(y_true, y_pred, tf.float64)
    per_image = 10.0 * tf.math.log(peak**2 / _per_image_mse(true, pred)) / np.log(10.0)
    return tf.cast(tf.reduce_mean(per_image), tf.float32)


def ssim(y_true, y_pred, *, data_range):
    """Structural similarity (Wang et al. 2004) via ``tf.image.ssim``; 1.0 for identical images.

    11×11 Gaussian window with sigma 1.5, K1 0.01, K2 0.03, population covariances, mean over the
    valid (unpadded) region and over channels, then over the batch. Images must be at least 11×11.
    A ``data_range`` that cannot fit the images is a ``ValueError`` (:func:`check_data_range`).
    """
    peak = check_data_range((y_true, y_pred), data_range)
    true, pred = _as_image_batch(y_true, y_pred, tf.float32)
    _check_min_size(true, SSIM_FILTER_SIZE, "ssim")
    # Not rescaled to [0, 1] first: that rounds integer data that float32 holds exactly and costs
    # agreement with float64 references (3e-8 -> 4e-6 on structured uint8 images).
    per_image = tf.image.ssim(
        true, pred, max_val=peak,
        filter_size=SSIM_FILTER_SIZE, filter_sigma=SSIM_FILTER_SIGMA, k1=SSIM_K1, k2=SSIM_K2,
    )
    return tf.reduce_mean(per_image)


def _window_mean(images, window_size):
    return tf.nn.avg_pool2d(images, ksize=window_size, strides=1, padding="VALID")


def _window_max(images, window_size):
    return tf.nn.max_pool2d(images, ksize=window_size, strides=1, padding="VALID")


def _constant_window_stats(images, window_size):
    """Per-window mean and variance, with exact zeros (and exact means) where a window is constant.

    Box-filter moments carry rounding noise, which would turn a constant window's zero variance
    into a tiny number and skip the zero-denominator rules; max/min pooling detects constancy exactly.
    """
    window_max = _window_max(images, window_size)
    is_constant = tf.equal(window_max, -_window_max(-images, window_size))
    mean = _window_mean(images, window_size)
    variance = tf.maximum(_window_mean(tf.square(images), window_size) - tf.square(mean), 0.0)
    mean = tf.where(is_constant, window_max, mean)
    variance = tf.where(is_constant, tf.zeros_like(variance), variance)
    return mean, variance, is_constant


def _uqi_map(true, pred, window_size):
    """Q for every ``window_size``² window (stride 1, VALID) of float64 ``(N, H, W, C)`` images."""
    mean_x, var_x, constant_x = _constant_window_stats(true, window_size)
    mean_y, var_y, constant_y = _constant_window_stats(pred, window_size)
    covariance = _window_mean(true * pred, window_size) - mean_x * mean_y
    covariance = tf.where(constant_x | constant_y, tf.zeros_like(covariance), covariance)
    variance_sum = var_x + var_y
    mean_square_sum = tf.square(mean_x) + tf.square(mean_y)
    denominator = variance_sum * mean_square_sum
    safe = lambda value: tf.where(value == 0, tf.ones_like(value), value)  # noqa: E731
    full_formula = 4.0 * covariance * mean_x * mean_y / safe(denominator)
    luminance_only = 2.0 * mean_x * mean_y / safe(mean_square_sum)
    # The authors' img_qi.m: Q = 1 by default (both denominators 0, or only the means' one),
    # the luminance term where only the variances vanish, the full formula elsewhere.
    quality = tf.ones_like(denominator)
    quality = tf.where((variance_sum == 0) & (mean_square_sum != 0), luminance_only, quality)
    return tf.where(denominator != 0, full_formula, quality)


def uqi(y_true, y_pred, window_size=8):
    """Universal image quality index Q (Wang & Bovik 2002), in ``[-1, 1]``; 1.0 for identical images.

    ``Q = 4 cov(x, y) mean(x) mean(y) / ((var x + var y)(mean(x)² + mean(y)²))`` over every
    ``window_size``² sliding window (stride 1, population statistics), averaged over windows and
    channels, then over the batch. Zero denominators follow the authors' reference code (see
    ``_uqi_map``). Q is not shift-invariant: compute it on the range you report (the paper used
    0..255 grey levels), not on zero-centred ``[-1, 1]`` data where window means can vanish.
    Computed in float64 so flat regions are not lost to rounding.
    """
    if isinstance(window_size, bool) or not isinstance(window_size, numbers.Integral) or window_size < 1:
        raise ValueError(f"window_size must be a positive integer, got {window_size!r}")
    true, pred = _as_image_batch(y_true, y_pred, tf.float64)
    _check_min_size(true, window_size, "uqi")
    quality = _uqi_map(true, pred, int(window_size))
    return tf.cast(tf.reduce_mean(tf.reduce_mean(quality, axis=[1, 2, 3])), tf.float32)


def mean_abs_temperature_error(celsius_true, celsius_pred):
    """Mean absolute temperature error in kelvin (equal to °C differences) between two temperature maps.

    Takes maps in °C (or both in K) of shape ``(H, W)``, ``(H, W, 1)`` or ``(N, H, W, 1)``; the
    per-image mean |Δ| averaged over the batch.
    """
    true, pred = _as_image_batch(celsius_true, celsius_pred, tf.float64)
    per_image = tf.reduce_mean(tf.abs(true - pred), axis=[1, 2, 3])
    return tf.cast(tf.reduce_mean(per_image), tf.float32)


def match_level(y_true, y_pred, value_range=(0.0, 1.0)) -> np.ndarray:
    """``y_pred`` with each image's mean and standard deviation set to those of its ``y_true`` image,
    clipped to ``value_range``: NumPy batches ``(N, H, W, C)`` in, the matched ``(N, H, W, C)`` out.

    Scores of the matched images (UQI, SSIM) measure structure alone, where a frame's level and gain
    are arbitrary (8-bit AGC frames, unpaired translation); a constant image stays constant, at its
    target's mean.
    """
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    if true.ndim != 4 or true.shape != pred.shape:
        raise ValueError(f"match_level needs two (N, H, W, C) batches of one shape, got {true.shape} and {pred.shape}")
    t_mean, t_std = true.mean(axis=(1, 2, 3), keepdims=True), true.std(axis=(1, 2, 3), keepdims=True)
    p_mean, p_std = pred.mean(axis=(1, 2, 3), keepdims=True), pred.std(axis=(1, 2, 3), keepdims=True)
    return np.clip((pred - p_mean) / np.maximum(p_std, 1e-6) * t_std + t_mean, *value_range)
