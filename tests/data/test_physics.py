import numpy as np
import pytest

from data_loaders import physics


def test_band_radiance_matches_planck_reference_values():
    # 8-14 µm band radiance in W/m²/sr (DESIGN.md, computed from Planck's law)
    got = physics.band_radiance([-20.0, 0.0, 20.0, 37.0, 80.0])
    np.testing.assert_allclose(got, [23.8, 35.2, 49.4, 63.8, 110.3], atol=0.05)


def test_band_radiance_full_spectrum_approaches_stefan_boltzmann():
    t_k = 300.0
    edges = np.geomspace(0.5e-6, 1000e-6, 301)  # many narrow bands: each integrates accurately
    total = sum(physics.band_radiance(t_k - physics.ZERO_CELSIUS_K, band_m=(lo, hi))
                for lo, hi in zip(edges[:-1], edges[1:]))
    sigma = 5.670374419e-8
    assert total == pytest.approx(sigma * t_k**4 / np.pi, rel=2e-3)


def test_brightness_temperature_inverts_band_radiance():
    celsius = np.linspace(-60, 150, 57)
    back = physics.brightness_temperature(physics.band_radiance(celsius))
    np.testing.assert_allclose(back, celsius, atol=1e-3)


def test_apparent_temperature_of_blackbody_is_true_and_of_mirror_is_reflected():
    assert physics.apparent_temperature(25.0, 1.0, -30.0) == pytest.approx(25.0, abs=1e-3)
    mirror = physics.apparent_temperature(25.0, 0.05, -30.0)
    assert -30.0 < mirror < -25.0  # polished metal shows the cold sky, not its own temperature
    skin = physics.apparent_temperature(34.0, 0.98, -30.0)
    assert 32.0 < skin < 34.0


def test_counts_round_trip_at_a_hundredth_of_a_kelvin():
    celsius = np.array([-40.0, 0.0, 36.61, 70.0])
    counts = physics.celsius_to_counts(celsius)
    assert counts.dtype == np.uint16
    assert counts.tolist() == [23315, 27315, 30976, 34315]
    np.testing.assert_allclose(physics.counts_to_celsius(counts), celsius, atol=0.005)


def test_agc_stretches_percentiles_to_full_8bit_range():
    counts = np.linspace(29000, 31000, 10000).reshape(100, 100).astype(np.uint16)
    u8 = physics.agc_8bit(counts)
    assert u8.dtype == np.uint8 and u8.min() == 0 and u8.max() == 255
    assert u8[0, 50] < u8[50, 50] < u8[99, 50]


def test_plateau_agc_spreads_detail_between_large_uniform_regions():
    """A frame of cold sky (-20 °C), warm road (30 °C) and a little detail between: the percentile
    stretch puts the detail in a few levels, plateau equalisation gives it a large share of 0..255."""
    rng = np.random.default_rng(0)
    celsius = np.where(np.arange(64)[:, None] < 24, -20.0, 30.0) * np.ones((64, 64))
    celsius[30:40, 10:50] = rng.uniform(5.0, 10.0, (10, 40))  # a textured wall between the two
    counts = physics.celsius_to_counts(celsius)
    wall = (slice(30, 40), slice(10, 50))
    plateau, linear = physics.agc_plateau_8bit(counts), physics.agc_8bit(counts)
    assert plateau.dtype == np.uint8 and plateau.shape == counts.shape
    assert np.ptp(plateau[wall]) > 2 * np.ptp(linear[wall])
    assert plateau[0, 0] < plateau[wall].min() <= plateau[wall].max() < plateau[-1, -1]  # order is kept
    order = np.argsort(counts.ravel(), kind="stable")
    assert (np.diff(plateau.ravel()[order].astype(int)) >= 0).all()  # a warmer pixel is never darker
    flat = physics.agc_plateau_8bit(np.full((8, 8), 30000))
    assert flat.min() == flat.max()  # a uniform frame stays uniform
