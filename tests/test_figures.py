"""The result figures: shared scales, colorbars with units, difference maps, and bad shapes refused."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from thermal_keras import figures  # noqa: E402


def colorbar_labels(fig):
    return sorted(ax.get_ylabel() for ax in fig.axes if ax.get_label() == "<colorbar>")


def test_translation_figure_puts_each_row_on_one_celsius_scale_and_maps_the_error_in_kelvin():
    rng = np.random.default_rng(0)
    camera = rng.uniform(0, 40, (2, 16, 16))
    camera[1] -= 30  # a colder scene gets its own scale
    generated = camera + rng.normal(0, 2, camera.shape)
    fig = figures.translation_figure(rng.integers(0, 255, (2, 16, 16, 3), dtype=np.uint8), generated, camera[..., None])
    assert colorbar_labels(fig) == ["absolute difference (K)"] + ["apparent temperature (°C)"] * 2
    images = [ax.images[0] for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    assert len(images) == 8 and fig.dpi == 100
    for row in range(2):
        generated_panel, camera_panel = images[4 * row + 1], images[4 * row + 2]
        low = min(np.percentile(camera[row], 1), np.percentile(generated[row], 1))
        high = max(np.percentile(camera[row], 99), np.percentile(generated[row], 99))
        assert generated_panel.get_clim() == camera_panel.get_clim() == (low, high)
    np.testing.assert_allclose(images[3].get_array(), np.abs(generated[0] - camera[0]))
    assert images[3].get_clim() == images[7].get_clim()
    plt.close(fig)
    with pytest.raises(ValueError, match="must agree"):
        figures.translation_figure(np.zeros((2, 8, 8, 3), np.uint8), np.zeros((2, 8, 8)), np.zeros((1, 8, 8)))


def test_super_resolution_figure_shows_crops_and_the_psnr_of_each_error():
    rng = np.random.default_rng(1)
    hr = rng.uniform(0, 255, (32, 32))
    lr = hr.reshape(8, 4, 8, 4).mean(axis=(1, 3))
    bicubic = np.kron(lr, np.ones((4, 4)))
    model = hr + rng.normal(0, 1, hr.shape)
    fig = figures.super_resolution_figure(lr, bicubic, model, hr, box=(8, 8, 8), model_name="Swift-SRGAN")
    titles = [ax.get_title() for ax in fig.axes]
    psnr = 10 * np.log10((hr.max() - hr.min()) ** 2 / np.mean((model - hr) ** 2))
    assert f"|Swift-SRGAN - HR|\nPSNR {psnr:.2f} dB" in titles and "LR input (8×8)" in titles
    assert colorbar_labels(fig) == ["grey level, 0-255", "|error| (grey level, 0-255)"]
    crop = [ax for ax in fig.axes if ax.get_title().startswith("zoom")][3].images[0].get_array()
    np.testing.assert_array_equal(crop, hr[8:16, 8:16])
    plt.close(fig)
    with pytest.raises(ValueError, match="multiple of lr"):
        figures.super_resolution_figure(lr, bicubic[:30], model, hr)


def test_detailed_square_finds_the_textured_quarter():
    image = np.zeros((64, 64))
    image[32:, 32:] = np.random.default_rng(2).uniform(0, 1, (32, 32))
    assert figures.detailed_square(image, 32) == (32, 32, 32)


def test_fusion_figure_labels_infrared_levels_and_fused_grey():
    fused = {"average": np.full((1, 8, 8), 100.0), "FusionGAN": np.full((1, 8, 8, 1), 120.0)}
    fig = figures.fusion_figure(np.zeros((1, 8, 8, 3), np.uint8), np.zeros((1, 8, 8)), fused, titles=["night"])
    assert colorbar_labels(fig) == ["fused grey level (8-bit)", "infrared level (8-bit)"]
    assert [ax.get_title() for ax in fig.axes[:4]] == ["visible", "infrared", "average", "FusionGAN"]
    plt.close(fig)
    with pytest.raises(ValueError, match="same N, H and W"):
        figures.fusion_figure(np.zeros((1, 8, 8, 3), np.uint8), np.zeros((1, 8, 8)), {"x": np.zeros((1, 4, 4))})


def test_sample_grid_figure_shows_each_panel_large_with_one_colour_bar_in_units(tmp_path):
    from thermal_keras import visualize
    from thermal_keras.image_io import save_png

    rng = np.random.default_rng(3)
    rgb = rng.uniform(-1, 1, (2, 16, 16, 3))
    camera = np.linspace(-1, 1, 2 * 16 * 16).reshape(2, 16, 16, 1)
    generated = np.clip(camera + rng.normal(0, 0.2, camera.shape), -1, 1)
    grid = visualize.sample_grid(rgb, camera, generated, cmap="ironbow")
    path = save_png(grid, tmp_path / "step_000200.png")
    fig = figures.sample_grid_figure(path, value_range=(-40, 70), units="apparent temperature (°C)", cmap="ironbow")
    assert fig._suptitle.get_text() == "after 200 training steps" and fig.dpi == 100
    assert fig.get_size_inches()[0] >= 3 * figures.PANEL_INCHES
    assert colorbar_labels(fig) == ["apparent temperature (°C)"]
    bar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"][0]
    assert bar.get_ylim() == (-40, 70)
    np.testing.assert_allclose(bar._colorbar.mappable.cmap(1.0)[:3], visualize.thermal_colormap("ironbow")[-1] / 255)
    panels = [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    assert [ax.get_title() for ax in panels[:3]] == ["RGB input", "thermal camera", "generated"]
    assert len(panels) == 6
    np.testing.assert_array_equal(panels[5].images[0].get_array(), grid[16:, 32:])
    plt.close(fig)
    fig = figures.sample_grid_figure(grid, step=1000, title="unpaired, {step:,} steps")
    assert fig._suptitle.get_text() == "unpaired, 1,000 steps"
    plt.close(fig)
    save_png(grid, tmp_path / "last.png")
    with pytest.raises(ValueError, match="step_NNNNNN"):
        figures.sample_grid_figure(tmp_path / "last.png")
    with pytest.raises(ValueError, match="uint8"):
        figures.sample_grid_figure(grid[:, :47], step=1)
    with pytest.raises(ValueError, match="rows"):
        figures.sample_grid_figure(grid, step=1, rows=3)


def test_held_out_translation_figure_draws_the_brightest_middle_and_darkest_frames(tmp_path):
    import keras
    from PIL import Image

    from data_loaders.paired import paired_folder

    for side in ("A", "B"):
        (tmp_path / side).mkdir()
    for k, level in enumerate((200, 40, 120, 90, 160)):  # RGB brightness per frame; frame_1 the darkest
        Image.fromarray(np.full((20, 24, 3), level, np.uint8)).save(tmp_path / "A" / f"frame_{k}.png")
        Image.fromarray(np.full((20, 24), 255 - level, np.uint8)).save(tmp_path / "B" / f"frame_{k}.png")
    files = paired_folder(tmp_path)
    inputs = keras.Input((16, 16, 3))
    generator = keras.Model(inputs, keras.ops.mean(inputs, axis=-1, keepdims=True))  # grey of the RGB
    fig = figures.held_out_translation_figure(generator, files, image_size=16, title="held out")
    row_labels = [ax.get_ylabel() for ax in fig.axes if ax.get_label() != "<colorbar>" and ax.get_ylabel()]
    assert row_labels == ["frame_0", "frame_2", "frame_1"]  # brightest (200), middle of five (120), darkest (40)
    assert colorbar_labels(fig) == ["8-bit AGC level"] * 3 + ["absolute difference (8-bit AGC level)"]
    images = [ax.images[0] for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]
    np.testing.assert_allclose(images[1].get_array(), 200.0, atol=1.0)  # generated: the grey, in levels
    np.testing.assert_allclose(images[2].get_array(), 55.0, atol=1.0)  # camera: 255 - 200
    assert fig._suptitle.get_text() == "held out" and fig.dpi == 100
    plt.close(fig)
