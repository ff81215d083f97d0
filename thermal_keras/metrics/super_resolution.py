"""Super-resolution PSNR and SSIM as the field reports them: on Y, with the border cropped.

RGB images are converted to the luma Y of ITU-R BT.601 (studio swing, as MATLAB's ``rgb2ycbcr``
and ``skimage.color.rgb2ycbcr``: ``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` for R, G, B in
``[0, 1]``, Y on the 8-bit scale), expressed back in the input's units; single-channel images are
their own Y. ``crop_border`` pixels (conventionally the scale factor) are removed from every side
before scoring, because the border is where any upscaler lacks context.

The peak is explicit and never the image maximum: ``data_range`` defaults to the range of the
input dtype (uint8 255, uint16 65535, float 1.0 -- the SR models' ``[0, 1]``), never to the data.
``sr`` and ``hr`` must be of one kind (the same integer dtype, or both floating point), because the
default range comes from ``hr``'s dtype: uint16 ``sr`` against float ``hr`` would be scored on a peak
of 1.0. A range that cannot fit the images is refused as in
:func:`thermal_keras.metrics.image.check_data_range` (not finite or not positive, below 255 for
uint8, exceeded by the values); all with a one-line ``ValueError`` before anything is computed.
"""

import tensorflow as tf

from thermal_keras.metrics.image import check_data_range, psnr, ssim

__all__ = ["rgb_to_y", "psnr_y", "ssim_y"]

BT601_Y_WEIGHTS = (65.481, 128.553, 24.966)  # for R, G, B in [0, 1], Y on the 0..255 scale
BT601_Y_OFFSET = 16.0
_DTYPE_RANGES = {tf.uint8: 255.0, tf.uint16: 65535.0}


def _default_range(dtype, data_range):
    """``data_range``, or the range of ``dtype`` when it is ``None`` (uint8 255, uint16 65535, float 1.0)."""
    if data_range is not None:
        return data_range
    if dtype.is_floating:
        return 1.0
    if dtype in _DTYPE_RANGES:
        return _DTYPE_RANGES[dtype]
    raise ValueError(f"pass data_range for images of dtype {dtype.name}")


def _scorable_pair(sr, hr, data_range):
    """``(sr, hr, peak)``: both as tensors of their own dtype, after the checks of the module docstring."""
    sr_t, hr_t = tf.convert_to_tensor(sr), tf.convert_to_tensor(hr)
    if sr_t.dtype != hr_t.dtype and not (sr_t.dtype.is_floating and hr_t.dtype.is_floating):
        raise ValueError(f"sr is {sr_t.dtype.name} and hr is {hr_t.dtype.name}: they must be of one kind "
                         f"(the same integer dtype, or both float); convert sr to hr's dtype and scale first")
    peak = check_data_range((sr_t, hr_t), _default_range(hr_t.dtype, data_range), names=("sr", "hr"))
    return sr_t, hr_t, peak


def rgb_to_y(images, data_range=1.0):
    """BT.601 luma of ``(..., 3)`` RGB in ``[0, data_range]`` -> ``(..., 1)`` float64 in the same units
    (Y spans ``[16/255, 235/255] * data_range``). ``(..., 1)`` input is returned as float64.
    A ``data_range`` that cannot fit ``images`` is a ``ValueError`` (as for :func:`psnr_y`)."""
    data_range = check_data_range((images,), data_range, names=("images",))
    x = tf.cast(tf.convert_to_tensor(images), tf.float64)
    if x.shape[-1] == 1:
        return x
    if x.shape[-1] != 3:
        raise ValueError(f"expected 1 or 3 channels (last axis), got shape {x.shape}")
    weights = tf.constant(BT601_Y_WEIGHTS, tf.float64) / 255.0
    y = tf.reduce_sum(x * weights, axis=-1, keepdims=True) + BT601_Y_OFFSET / 255.0 * data_range
    return y


def _cropped_y(sr_t, hr_t, crop_border, data_range):
    if isinstance(crop_border, bool) or not isinstance(crop_border, int) or crop_border < 0:
        raise ValueError(f"crop_border must be an int >= 0, got {crop_border!r}")
    if sr_t.shape.rank not in (3, 4) or sr_t.shape != hr_t.shape:
        raise ValueError(f"sr and hr must share one shape (H, W, C) or (N, H, W, C); got {sr_t.shape}, {hr_t.shape}")
    if sr_t.shape.rank == 3:
        sr_t, hr_t = sr_t[None], hr_t[None]
    h, w = hr_t.shape[1], hr_t.shape[2]
    if h is not None and w is not None and min(h, w) <= 2 * crop_border:
        raise ValueError(f"crop_border {crop_border} leaves nothing of a {h}x{w} image")
    if crop_border:
        sr_t = sr_t[:, crop_border:-crop_border, crop_border:-crop_border]
        hr_t = hr_t[:, crop_border:-crop_border, crop_border:-crop_border]
    return rgb_to_y(sr_t, data_range), rgb_to_y(hr_t, data_range)


def psnr_y(sr, hr, crop_border=4, data_range=None):
    """PSNR (dB) on Y after cropping ``crop_border`` pixels from each side; batch mean of per-image values.

    Args:
        sr, hr: ``(H, W, C)`` or ``(N, H, W, C)``, C 1 or 3, values in ``[0, data_range]``.
        crop_border: pixels removed from each side (the scale factor, by convention).
        data_range: peak value; default from ``hr``'s dtype (uint8 255, uint16 65535, float 1.0).

    Returns:
        float32 scalar tensor.

    Raises:
        ValueError: ``sr`` and ``hr`` of different kinds (e.g. uint16 and float), or a ``data_range``
            that cannot fit them (see the module docstring).
    """
    sr_t, hr_t, peak = _scorable_pair(sr, hr, data_range)
    sr_y, hr_y = _cropped_y(sr_t, hr_t, crop_border, peak)
    return psnr(hr_y, sr_y, data_range=peak)


def ssim_y(sr, hr, crop_border=4, data_range=None):
    """SSIM on Y after the border crop (11×11 Gaussian window, σ 1.5, K1 0.01, K2 0.03); arguments
    as :func:`psnr_y`. float32 scalar tensor, batch mean."""
    sr_t, hr_t, peak = _scorable_pair(sr, hr, data_range)
    sr_y, hr_y = _cropped_y(sr_t, hr_t, crop_border, peak)
    return ssim(hr_y, sr_y, data_range=peak)
