"""EMSN as the paper that proposed it states it, and its equivalence with x / 127.5 - 1."""

import numpy as np
import pytest
import tensorflow as tf

from data_loaders.common import RGB_SPEC, ImageSpec
from thermal_keras.cyclegan.data import emsn_batches
from thermal_keras.data import pipeline

LEVELS = np.arange(256, dtype=np.uint8)


def _paper_steps(x, band_nm, top=255.0):
    """The paper's two steps in float64: values -> wavelengths, then min-max to [-1, 1]."""
    low_nm, high_nm = band_nm
    wavelength = low_nm + x.astype(np.float64) / top * (high_nm - low_nm)
    return (wavelength - wavelength.min()) / (wavelength.max() - wavelength.min()) * 2 - 1


@pytest.mark.parametrize("band, band_nm", [("visible", (380, 750)), ("infrared", (1000, 14000))])
def test_emsn_equals_the_standard_scaling(band, band_nm):
    emsn = np.asarray(pipeline.emsn_normalize(LEVELS, band))
    np.testing.assert_allclose(emsn, _paper_steps(LEVELS, band_nm), atol=1e-6)
    np.testing.assert_allclose(emsn, LEVELS / 127.5 - 1, atol=1e-6)
    assert emsn.dtype == np.float32 and emsn[0] == -1.0 and emsn[-1] == 1.0
    np.testing.assert_allclose(np.asarray(pipeline.emsn_denormalize(emsn, band)), LEVELS, atol=1e-3)


def test_sixteen_bit_counts_use_their_own_range():
    counts = np.array([27000, 29000, 31000], np.uint16)
    out = np.asarray(pipeline.emsn_normalize(counts, "infrared", value_range=(27000, 31000)))
    np.testing.assert_allclose(out, [-1.0, 0.0, 1.0], atol=1e-6)
    with pytest.raises(ValueError, match="band"):
        pipeline.emsn_normalize(counts, "ultraviolet")
    with pytest.raises(ValueError, match="value_range"):
        pipeline.emsn_normalize(counts, "infrared", value_range=(5, 5))


def test_emsn_batches_leave_pipeline_values_unchanged_up_to_rounding():
    rng = np.random.default_rng(0)
    rgb = (rng.integers(0, 256, (2, 8, 8, 3)) / 127.5 - 1).astype("float32")
    thermal_spec = ImageSpec(channels=1, bit_depth=16, value_range=(27000, 31000))
    thermal = rng.uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    batches = tf.data.Dataset.from_tensors((rgb, thermal))
    a, b = next(iter(emsn_batches(batches, RGB_SPEC, thermal_spec)))
    np.testing.assert_allclose(a.numpy(), rgb, atol=2e-6)
    np.testing.assert_allclose(b.numpy(), thermal, atol=2e-6)
