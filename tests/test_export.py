import numpy as np
import pytest
import tensorflow as tf

from data_loaders.common import ImageSpec
from thermal_keras.export import ThermalTranslator, export_saved_model, save_keras
from thermal_keras.models import build_generator, generator_size_multiple

SPEC_16 = ImageSpec(channels=1, bit_depth=16, value_range=(23315, 34315), counts_per_kelvin=100.0)


@pytest.fixture(scope="module")
def generator():
    return build_generator("unet", in_channels=3, out_channels=1, ngf=8, num_downs=5)


def _reference(generator, rgb_u8, multiple):
    """What the serving function must compute: pad symmetrically, translate, crop back."""
    x = rgb_u8.astype(np.float32) / 127.5 - 1.0
    h, w = x.shape[1:3]
    padded = np.pad(x, [(0, 0), (0, -h % multiple), (0, -w % multiple), (0, 0)], mode="symmetric")
    y = np.asarray(generator(padded, training=False))[:, :h, :w]
    return np.clip(y, -1, 1)


def test_size_multiple_counts_stride_two_downsamplings(generator):
    assert generator_size_multiple(generator) == 32


def test_saved_model_serves_any_size_and_matches_the_model(generator, tmp_path):
    path = export_saved_model(generator, tmp_path / "sm", target_spec=SPEC_16)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temp folder renamed away
    loaded = tf.saved_model.load(str(path))
    rgb = np.random.default_rng(0).integers(0, 256, (2, 40, 52, 3), dtype=np.uint8)  # not multiples of 32
    out = {k: v.numpy() for k, v in loaded.serve(tf.constant(rgb)).items()}
    expected = _reference(generator, rgb, 32)
    assert out["thermal"].shape == (2, 40, 52, 1)
    np.testing.assert_allclose(out["thermal"], expected, atol=1e-5)
    assert out["thermal_u8"].dtype == np.uint8
    np.testing.assert_array_equal(out["thermal_u8"], np.round((expected + 1) * 127.5).astype(np.uint8))
    counts = (expected + 1) / 2 * (34315 - 23315) + 23315
    assert np.abs(out["thermal_u16"].astype(np.float64) - counts).max() <= 0.51
    np.testing.assert_allclose(out["celsius"], counts / 100.0 - 273.15, atol=1e-3)


def test_tiny_input_smaller_than_its_padding_still_translates(generator, tmp_path):
    path = export_saved_model(generator, tmp_path / "sm")
    out = ThermalTranslator(path)(np.full((5, 7, 3), 128, np.uint8))
    assert out["thermal_u8"].shape == (5, 7, 1)
    assert "thermal_u16" not in out  # 8-bit target: no counts output


def test_keras_file_and_saved_model_agree(generator, tmp_path):
    keras_path = save_keras(generator, tmp_path / "g.keras")
    sm_path = export_saved_model(generator, tmp_path / "sm")
    rgb = np.random.default_rng(1).integers(0, 256, (48, 33, 3), dtype=np.uint8)
    a, b = ThermalTranslator(keras_path)(rgb), ThermalTranslator(sm_path)(rgb)
    np.testing.assert_allclose(a["thermal"], b["thermal"], atol=1e-5)


def test_translator_rejects_wrong_input(generator, tmp_path):
    translator = ThermalTranslator(export_saved_model(generator, tmp_path / "sm"))
    with pytest.raises(ValueError, match="uint8 RGB"):
        translator(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(FileNotFoundError, match="nothing"):
        ThermalTranslator(tmp_path / "nothing")
    with pytest.raises(ValueError, match=".keras"):
        save_keras(generator, tmp_path / "g.h5")
