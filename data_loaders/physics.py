"""Thermal-camera physics in NumPy: band radiance, brightness temperature, counts and AGC.

Used by the synthetic scene generator and to turn radiometric outputs back into °C. No TensorFlow.

Units: temperatures in °C unless a name says kelvin, radiance in W·m⁻²·sr⁻¹ integrated over the
camera band (8–14 µm by default, long-wave infrared).
"""

from __future__ import annotations

import numpy as np

PLANCK_H = 6.62607015e-34  # J·s
LIGHT_C = 2.99792458e8  # m/s
BOLTZMANN_K = 1.380649e-23  # J/K
ZERO_CELSIUS_K = 273.15
LWIR_BAND_M = (8e-6, 14e-6)
COUNTS_PER_KELVIN = 100.0  # FLIR-style T-linear 16-bit output: 0.01 K a count

# Long-wave emissivities (DESIGN.md); the synthetic scene draws from these.
EMISSIVITY = {
    "sky": 1.0,
    "asphalt": 0.97,
    "concrete": 0.94,
    "vegetation": 0.95,
    "glass": 0.97,
    "paint": 0.94,
    "aluminium": 0.05,
    "skin": 0.98,
    "clothing": 0.93,
    "rubber": 0.95,
    "soil": 0.93,
    "snow": 0.98,
}

_QUAD_NODES, _QUAD_WEIGHTS = np.polynomial.legendre.leggauss(48)


def band_radiance(celsius, band_m: tuple[float, float] = LWIR_BAND_M) -> np.ndarray:
    """Blackbody radiance integrated over a wavelength band (Planck's law).

    Args:
        celsius: temperatures in °C, any shape.
        band_m: (shortest, longest) wavelength in metres; 8–14 µm by default.

    Returns:
        float64 array of the same shape, W·m⁻²·sr⁻¹ (e.g. 20 °C -> 49.4 over 8–14 µm).
    """
    t_k = np.asarray(celsius, dtype=np.float64) + ZERO_CELSIUS_K
    lo, hi = band_m
    lam = 0.5 * (hi - lo) * _QUAD_NODES + 0.5 * (hi + lo)  # Gauss–Legendre nodes in the band
    weights = 0.5 * (hi - lo) * _QUAD_WEIGHTS
    c1 = 2.0 * PLANCK_H * LIGHT_C**2 / lam**5
    c2 = PLANCK_H * LIGHT_C / (lam * BOLTZMANN_K)
    spectral = c1 / np.expm1(c2 / t_k[..., None])
    return spectral @ weights


_LUT_CELSIUS = np.linspace(-120.0, 250.0, 7401)  # 0.05 K steps; radiance is monotonic in T
_LUT_RADIANCE = band_radiance(_LUT_CELSIUS)


def brightness_temperature(radiance) -> np.ndarray:
    """Inverse of :func:`band_radiance` (8–14 µm): the blackbody °C that emits ``radiance``.

    Linear interpolation in a 0.05 K table (error < 1 mK over -120..250 °C).
    """
    return np.interp(np.asarray(radiance, dtype=np.float64), _LUT_RADIANCE, _LUT_CELSIUS)


def apparent_temperature(celsius, emissivity, reflected_celsius) -> np.ndarray:
    """What a radiometric LWIR camera reports for a grey body that reflects its surroundings.

    ``L = ε·L(T) + (1 − ε)·L(T_reflected)``, then back to a blackbody temperature. A polished metal
    (ε 0.05) under a cold sky therefore looks cold whatever its real temperature.
    """
    eps = np.asarray(emissivity, dtype=np.float64)
    radiance = eps * band_radiance(celsius) + (1.0 - eps) * band_radiance(reflected_celsius)
    return brightness_temperature(radiance)


def celsius_to_counts(celsius, counts_per_kelvin: float = COUNTS_PER_KELVIN) -> np.ndarray:
    """°C -> uint16 T-linear counts (``(T + 273.15) * counts_per_kelvin``), rounded and clipped."""
    counts = np.rint((np.asarray(celsius, dtype=np.float64) + ZERO_CELSIUS_K) * counts_per_kelvin)
    return np.clip(counts, 0, 65535).astype(np.uint16)


def counts_to_celsius(counts, counts_per_kelvin: float = COUNTS_PER_KELVIN) -> np.ndarray:
    """T-linear counts -> °C as float32 (inverse of :func:`celsius_to_counts`)."""
    return (np.asarray(counts, dtype=np.float64) / counts_per_kelvin - ZERO_CELSIUS_K).astype(np.float32)


def agc_8bit(counts, low_percentile: float = 1.0, high_percentile: float = 99.0) -> np.ndarray:
    """Automatic gain control as a camera's 8-bit video does: a per-image percentile stretch.

    Args:
        counts: one image of 16-bit counts, shape (H, W) or (H, W, 1).
        low_percentile, high_percentile: the counts mapped to 0 and 255.

    Returns:
        uint8 array of the same shape. The absolute temperature is lost: only order survives.
    """
    x = np.asarray(counts, dtype=np.float64)
    lo, hi = np.percentile(x, [low_percentile, high_percentile])
    scaled = (x - lo) / max(hi - lo, 1.0) * 255.0
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def agc_plateau_8bit(counts, plateau: float = 0.02, linear_share: float = 0.3) -> np.ndarray:
    """Automatic gain control as driving cameras' 8-bit video does it (FLIR's default AGC is a plateau
    histogram equalisation): each count's level is its share of the image's clipped histogram below it,
    blended with a linear 1st-99th percentile stretch so that equal steps stay roughly equal.

    Args:
        counts: one image of 16-bit counts (0.01 K a count), shape (H, W) or (H, W, 1).
        plateau: the cap of each 0.1 K histogram bin, as a share of the pixels: a large uniform surface
            (sky, road) gets at most this much of the 0..255 range, the rest goes to the detail between.
        linear_share: weight of the linear stretch in the blend (0: pure equalisation).

    Returns:
        uint8 array of the same shape, mean near 128: as with any AGC only order survives.
    """
    x = np.asarray(counts, dtype=np.float64)
    lo, hi = np.percentile(x, [1.0, 99.0])
    bins = np.arange(lo, max(hi, lo + 10.0) + 10.0, 10.0)  # 0.1 K bins from the 1st to the 99th percentile
    histogram = np.minimum(np.histogram(np.clip(x, bins[0], bins[-1]), bins)[0], plateau * x.size)
    cumulative = np.concatenate([[0.0], np.cumsum(histogram)]) / max(histogram.sum(), 1.0)
    equalised = np.interp(x, bins, cumulative)
    linear = np.clip((x - lo) / max(hi - lo, 1.0), 0.0, 1.0)
    return np.clip(np.rint(255.0 * ((1 - linear_share) * equalised + linear_share * linear)), 0, 255).astype(np.uint8)
