"""Tiled upscaling (equal to untiled), the SR SavedModel (uint8/uint16/float) and `thermal-keras upscale`."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from thermal_keras.cli import main
from thermal_keras.models import build_generator
from thermal_keras.sr.inference import Upscaler, default_overlap, export_sr_saved_model, tile_starts, upscale_array


@pytest.fixture(scope="module")
def generator():
    # BN with non-trivial statistics, so inference-mode normalisation is part of what is compared
    model = build_generator("swift_srgan", scale=2, channels=3, num_channels=8, num_blocks=2)
    rng = np.random.default_rng(0)
    for layer in model.layers:
        bn = getattr(layer, "bn", None)
        if bn is not None:
            bn.moving_mean.assign(rng.normal(0, 0.1, bn.moving_mean.shape).astype("float32"))
            bn.moving_variance.assign(rng.uniform(0.5, 2, bn.moving_variance.shape).astype("float32"))
    return model


@pytest.mark.parametrize("length, tile, overlap", [(100, 32, 8), (33, 32, 8), (20, 32, 8), (64, 40, 13)])
def test_tile_cores_partition_the_axis_with_enough_context(length, tile, overlap):
    spans = tile_starts(length, tile, overlap)
    cores = [(c0, c1) for _, c0, c1 in spans]
    assert cores[0][0] == 0 and cores[-1][1] == length
    assert all(a[1] == b[0] for a, b in zip(cores, cores[1:]))
    for start, c0, c1 in spans:
        end = start + min(tile, length)
        assert 0 <= start and end <= length
        assert start == 0 or c0 - start >= overlap
        assert end == length or end - c1 >= overlap


def test_tiled_output_equals_untiled_output(generator):
    lr = np.random.default_rng(1).random((70, 53, 3)).astype(np.float32)
    whole = np.clip(np.asarray(generator(lr[None]))[0], 0, 1)
    overlap = default_overlap(generator)
    assert overlap == 12  # 4 + 2*2 + 1 + 1 + 9x9 at 2x (2)
    tiled = upscale_array(generator, lr, 2, tile=32, overlap=overlap)
    assert tiled.shape == (140, 106, 3)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    seams = upscale_array(generator, lr, 2, tile=32, overlap=2)  # too little context shows
    assert np.abs(seams - whole).max() > 1e-3


def test_bicubic_residual_generator_tiles_exactly():
    model = build_generator("swift_srgan", scale=4, channels=1, num_channels=8, num_blocks=1, bicubic_residual=True)
    lr = np.random.default_rng(2).random((45, 38, 1)).astype(np.float32)
    whole = np.asarray(model(lr[None]))[0]
    np.testing.assert_allclose(upscale_array(model, lr, 4, tile=28, overlap=default_overlap(model)), whole, atol=1e-5)


def test_saved_model_has_uint8_uint16_and_float_signatures(generator, tmp_path):
    path = export_sr_saved_model(generator, tmp_path / "sr")
    loaded = tf.saved_model.load(str(path))
    image = np.random.default_rng(3).integers(0, 256, (1, 12, 10, 3)).astype(np.uint8)
    unit = np.clip(np.asarray(generator(image.astype(np.float32) / 255)), 0, 1)
    out_u8 = loaded.serve(tf.constant(image)).numpy()
    assert out_u8.dtype == np.uint8 and out_u8.shape == (1, 24, 20, 3)
    assert np.abs(out_u8.astype(int) - np.round(unit * 255)).max() <= 1
    image16 = image.astype(np.uint16) * 257
    out_u16 = loaded.serve_u16(tf.constant(image16)).numpy()
    assert out_u16.dtype == np.uint16 and np.abs(out_u16 / 65535.0 - unit).max() < 1e-4
    np.testing.assert_allclose(loaded.serve_float(tf.constant(image / 255.0, tf.float32)).numpy(), unit, atol=1e-5)


def test_upscaler_keeps_the_bit_depth(generator, tmp_path):
    generator.save(tmp_path / "g.keras")
    upscaler = Upscaler(tmp_path / "g.keras", tile=32)
    assert (upscaler.scale, upscaler.channels, upscaler.overlap) == (2, 3, 12)
    image = np.random.default_rng(4).integers(0, 65536, (40, 36, 3)).astype(np.uint16)
    out = upscaler(image)
    assert out.dtype == np.uint16 and out.shape == (80, 72, 3)
    expected = np.clip(np.asarray(generator(image[None].astype(np.float32) / 65535))[0], 0, 1)
    assert np.abs(out / 65535.0 - expected).max() < 1e-4
    with pytest.raises(ValueError, match=r"\(h, w, 3\)"):
        upscaler(np.zeros((8, 8, 2), np.uint8))


def test_upscale_command_on_a_folder(generator, tmp_path, capsys):
    generator.save(tmp_path / "g.keras")
    rng = np.random.default_rng(5)
    (tmp_path / "in").mkdir()
    Image.fromarray(rng.integers(0, 256, (30, 26, 3)).astype(np.uint8)).save(tmp_path / "in" / "a.png")
    Image.fromarray(rng.integers(0, 256, (20, 22)).astype(np.uint8)).save(tmp_path / "in" / "b.jpg")
    code = main(["upscale", str(tmp_path / "in"), str(tmp_path / "out"), "--model", str(tmp_path / "g.keras"),
                 "--scale", "2", "--tile", "28"])
    assert code == 0
    a = np.asarray(Image.open(tmp_path / "out" / "a.png"))
    b = np.asarray(Image.open(tmp_path / "out" / "b.png"))
    assert a.shape == (60, 52, 3) and b.shape == (40, 44, 3)  # grey input repeated to the model's RGB
    assert main(["upscale", str(tmp_path / "in"), str(tmp_path / "o2"), "--model", str(tmp_path / "g.keras"),
                 "--scale", "4"]) == 2
    assert "upscales 2x" in capsys.readouterr().err


def test_train_srgan_and_export_commands_have_help(capsys):
    for command in (["train", "srgan"], ["upscale"], ["export-sr"]):
        with pytest.raises(SystemExit) as exit_info:
            main(command + ["--help"])
        assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--pretrain-steps", "--adversarial-weight", "--perceptual-weights", "--tile", "--overlap"):
        assert flag in text
