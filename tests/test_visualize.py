"""Colour tables, value mapping, sample-grid layout and atomic PNG writes."""

import os

import matplotlib
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from thermal_keras import io, visualize


def test_inferno_table_matches_matplotlib():
    table = visualize.thermal_colormap("inferno")
    assert table.shape == (256, 3) and table.dtype == np.uint8
    expected = matplotlib.colormaps["inferno"](np.linspace(0, 1, 256))[:, :3] * 255
    assert np.abs(table.astype(float) - expected).max() <= 0.5
    table[0] = 7  # callers get a copy, not the cached table
    assert not np.array_equal(visualize.thermal_colormap("inferno")[0], [7, 7, 7])


def test_ironbow_runs_dark_to_bright():
    table = visualize.thermal_colormap("ironbow").astype(int)
    brightness = table.sum(axis=1)
    assert table.shape == (256, 3)
    assert tuple(table[0]) == (0, 0, 0) and brightness[-1] > 700
    assert np.all(np.diff(brightness) >= -2)  # close to monotone, as a thermal palette must be


def test_unknown_colormap_raises():
    with pytest.raises(ValueError, match="not-a-map"):
        visualize.thermal_colormap("not-a-map")


def test_colorize_thermal_maps_range_ends_to_table_ends():
    table = visualize.thermal_colormap("magma")
    thermal = np.array([[-1.0, 0.0], [1.0, 5.0]], dtype=np.float32)
    coloured = visualize.colorize_thermal(thermal, cmap="magma")
    assert coloured.shape == (2, 2, 3) and coloured.dtype == np.uint8
    np.testing.assert_array_equal(coloured[0, 0], table[0])
    np.testing.assert_array_equal(coloured[0, 1], table[128])  # 127.5 rounds half to even
    np.testing.assert_array_equal(coloured[1, 0], table[255])
    np.testing.assert_array_equal(coloured[1, 1], table[255])  # clipped
    batch = visualize.colorize_thermal(tf.constant(thermal[None, ..., None]), cmap="magma")
    assert batch.shape == (1, 2, 2, 3)
    np.testing.assert_array_equal(batch[0], coloured)


def test_colorize_thermal_custom_range_and_bad_shape():
    coloured = visualize.colorize_thermal(np.array([[20.0, 40.0]]), value_range=(20, 40), cmap="gray")
    np.testing.assert_array_equal(coloured[0], [[0, 0, 0], [255, 255, 255]])
    with pytest.raises(ValueError, match="shape"):
        visualize.colorize_thermal(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="value_range"):
        visualize.colorize_thermal(np.zeros((4, 4)), value_range=(1, 1))


def test_to_uint8_rgb():
    values = np.array([-1.0, -0.5, 0.0, 1.0, 2.0, np.nan])
    np.testing.assert_array_equal(visualize.to_uint8_rgb(values), [0, 64, 128, 255, 255, 0])
    np.testing.assert_array_equal(visualize.to_uint8_rgb(np.array([0.0, 1.0]), value_range=(0, 1)), [0, 255])


def test_sample_grid_layout():
    rng = np.random.default_rng(0)
    rgb = rng.uniform(-1, 1, (3, 8, 10, 3)).astype(np.float32)
    real = rng.uniform(-1, 1, (3, 8, 10, 1)).astype(np.float32)
    fake = rng.uniform(-1, 1, (3, 8, 10, 1)).astype(np.float32)
    grid = visualize.sample_grid(rgb, tf.constant(real), fake, cmap="inferno")
    assert grid.shape == (3 * 8, 3 * 10, 3) and grid.dtype == np.uint8
    row = 2  # the third image's row: RGB | real | fake
    np.testing.assert_array_equal(grid[16:24, 0:10], visualize.to_uint8_rgb(rgb[row]))
    np.testing.assert_array_equal(grid[16:24, 10:20], visualize.colorize_thermal(real[row]))
    np.testing.assert_array_equal(grid[16:24, 20:30], visualize.colorize_thermal(fake[row]))


def test_sample_grid_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="share"):
        visualize.sample_grid(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 1)), np.zeros((1, 8, 8, 1)))
    with pytest.raises(ValueError, match="real_thermal"):
        visualize.sample_grid(np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 3)), np.zeros((2, 8, 8, 1)))


def test_save_png_round_trips_and_leaves_no_temporary(tmp_path):
    image = np.random.default_rng(1).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    target = tmp_path / "sub" / "grid.png"
    assert io.save_png(image, target) == target
    np.testing.assert_array_equal(np.asarray(Image.open(target)), image)
    assert os.listdir(target.parent) == ["grid.png"]
    thermal_u16 = np.arange(12, dtype=np.uint16).reshape(3, 4) * 5000
    io.save_png(thermal_u16, tmp_path / "t16.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "t16.png")), thermal_u16)


def test_save_png_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "grid.png"
    io.save_png(np.zeros((4, 4), np.uint8), target)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        io.save_png(np.full((4, 4), 255, np.uint8), target)
    assert os.listdir(tmp_path) == ["grid.png"]
    assert np.asarray(Image.open(target)).max() == 0
    with pytest.raises(ValueError, match="grid.png"):
        io.save_png(np.zeros((4, 4), np.float32), target)
