"""Electromagnetic-spectrum normalisation (EMSN), as the paper that proposed it defines it: file values ->
wavelengths -> ``[-1, 1]``.

Re-exported by :mod:`thermal_keras.data.pipeline`, where the CycleGAN data modes use it.
"""

from __future__ import annotations

import tensorflow as tf

EMSN_BANDS = {"visible": (380.0, 750.0), "infrared": (1000.0, 14000.0)}  # nm


def _emsn_band(band: str) -> tuple[float, float]:
    if band not in EMSN_BANDS:
        raise ValueError(f"band must be one of {tuple(EMSN_BANDS)}, got {band!r}")
    return EMSN_BANDS[band]


def emsn_normalize(x, band: str = "visible", value_range=(0.0, 255.0)) -> tf.Tensor:
    """Electromagnetic-spectrum normalisation, as the paper states it: file values -> ``[-1, 1]``.

    Step 1 maps ``value_range`` (0..255 for 8-bit files) linearly onto the band's wavelengths in nm
    (visible: 380..750, infrared: 1000..14000); step 2 min-max normalises that wavelength range to
    ``[-1, 1]``. The two affine maps cancel: the result is ``(x - low) / (high - low) * 2 - 1``, i.e.
    ``x / 127.5 - 1`` for 8-bit files, the standard scaling, whatever the band.

    Args:
        x: file values of any shape (float or int), e.g. uint8 ``(H, W, 3)`` RGB.
        band: "visible" or "infrared".
        value_range: ``(low, high)`` file values of the sensor's range.

    Returns:
        float32 tensor of ``x``'s shape in ``[-1, 1]`` (not clipped).
    """
    band_low, band_high = _emsn_band(band)
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with high > low, got {value_range}")
    wavelength = band_low + (tf.cast(x, tf.float32) - low) / (high - low) * (band_high - band_low)
    return (wavelength - band_low) / (band_high - band_low) * 2.0 - 1.0


def emsn_denormalize(y, band: str = "visible", value_range=(0.0, 255.0)) -> tf.Tensor:
    """Inverse of :func:`emsn_normalize`: ``[-1, 1]`` -> file values (float32), through the band."""
    band_low, band_high = _emsn_band(band)
    low, high = (float(v) for v in value_range)
    wavelength = band_low + (tf.cast(y, tf.float32) + 1.0) / 2.0 * (band_high - band_low)
    return low + (wavelength - band_low) / (band_high - band_low) * (high - low)
