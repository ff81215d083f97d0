import json

import numpy as np
import pytest
from PIL import Image

from data_loaders import DatasetError, physics, synthetic
from data_loaders.scene import MATERIAL_ID


@pytest.fixture(scope="module")
def pairs():
    return synthetic.generate_pairs(24, size=64, seed=3)


def test_shapes_and_dtypes(pairs):
    assert pairs["rgb"].shape == (24, 64, 64, 3) and pairs["rgb"].dtype == np.uint8
    assert pairs["thermal_u8"].shape == (24, 64, 64, 1) and pairs["thermal_u8"].dtype == np.uint8
    assert pairs["thermal_u16"].shape == (24, 64, 64, 1) and pairs["thermal_u16"].dtype == np.uint16
    assert pairs["celsius"].shape == (24, 64, 64, 1) and pairs["celsius"].dtype == np.float32


def test_seeded_and_prefix_stable(pairs):
    again = synthetic.generate_pairs(5, size=64, seed=3)
    for key in ("rgb", "thermal_u16", "celsius"):
        np.testing.assert_array_equal(again[key], pairs[key][:5])
    other = synthetic.generate_pairs(5, size=64, seed=4)
    assert not np.array_equal(other["rgb"], again["rgb"])


def test_counts_stay_inside_the_recorded_range(pairs):
    low, high = synthetic.COUNT_RANGE
    assert pairs["thermal_u16"].min() >= low and pairs["thermal_u16"].max() <= high


def test_thermal_follows_materials(pairs):
    apparent = physics.counts_to_celsius(pairs["thermal_u16"])[..., 0]
    material = pairs["material"]
    skin = apparent[material == MATERIAL_ID["skin"]]
    sky = apparent[material == MATERIAL_ID["sky"]]
    assert skin.size and sky.size
    assert 28.0 < np.median(skin) < 36.0  # skin ~ 33 °C seen through ε 0.98
    assert np.median(sky) < np.median(apparent[material == MATERIAL_ID["asphalt"]]) - 10.0
    # polished aluminium reflects the sky (cold when clear, less so under clouds): it reads colder
    # than its true temperature
    metal = material == MATERIAL_ID["aluminium"]
    if metal.any():
        true_c = pairs["celsius"][..., 0]
        assert np.median(apparent[metal]) < np.median(true_c[metal]) - 2.5


def test_night_rgb_is_dark_but_thermal_keeps_its_contrast(pairs):
    day, night = pairs["is_day"], ~pairs["is_day"]
    assert day.any() and night.any()
    assert pairs["rgb"][night].mean() < 0.5 * pairs["rgb"][day].mean()
    spread = pairs["thermal_u16"].reshape(24, -1).std(axis=1)
    assert spread[night].mean() > 0.4 * spread[day].mean()


def test_the_season_shows_in_the_vegetation_and_snow_below_freezing():
    """A photo says something about the air temperature, as real ones do: green in summer, brown in
    winter, snow below freezing (data_loaders.weather)."""
    pairs = synthetic.generate_pairs(60, size=48, seed=11)
    greenness, air = [], []
    for rgb, material, air_c in zip(pairs["rgb"], pairs["material"], pairs["air_c"]):
        snow = material == MATERIAL_ID["snow"]
        assert snow.any() == (air_c < 0.5), air_c
        plants = rgb[material == MATERIAL_ID["vegetation"]].astype(float)
        if not snow.any() and len(plants) > 20:
            greenness.append(np.mean(plants[:, 1] / (plants.sum(axis=1) + 1.0)))
            air.append(air_c)
    assert len(air) > 20 and np.corrcoef(greenness, air)[0, 1] > 0.5


def test_clouds_warm_the_sky():
    pairs = synthetic.generate_pairs(40, size=48, seed=12)
    apparent = physics.counts_to_celsius(pairs["thermal_u16"])[..., 0]
    below_air = [np.median(a[m == MATERIAL_ID["sky"]]) - air for a, m, air in
                 zip(apparent, pairs["material"], pairs["air_c"]) if (m == MATERIAL_ID["sky"]).sum() > 50]
    cloud = [c for m, c in zip(pairs["material"], pairs["cloud"]) if (m == MATERIAL_ID["sky"]).sum() > 50]
    assert len(cloud) > 10 and np.corrcoef(cloud, below_air)[0, 1] > 0.5


def test_grey_of_rgb_is_a_poor_predictor_of_thermal(pairs):
    """Learnable but not trivial: brightness in RGB explains little of the temperature."""
    grey = pairs["rgb"].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    corr = [np.corrcoef(g.ravel(), t.ravel())[0, 1] for g, t in zip(grey, pairs["thermal_u16"][..., 0])]
    assert abs(np.mean(corr)) < 0.5


@pytest.mark.parametrize("layout, files", [
    ("flir_v1", ["train/RGB/FLIR_00001.jpg", "train/thermal_8_bit/FLIR_00001.jpeg",
                 "train/thermal_16_bit/FLIR_00001.tiff", "train/celsius/FLIR_00001.npy"]),
    ("paired", ["train/A/00001.png", "train/B/00001.png", "test/A/00002.png"]),
    ("llvip", ["visible/train/000001.jpg", "infrared/train/000001.jpg", "infrared/test/000002.jpg"]),
])
def test_write_dataset_layouts(tmp_path, layout, files):
    root = synthetic.write_dataset(tmp_path / layout, splits={"train": 3, "test": 2}, size=32, layout=layout)
    for name in files:
        assert (root / name).is_file(), name
    settings = json.loads((root / "dataset.json").read_text())
    assert settings["thermal_u16"]["value_range"] == list(synthetic.COUNT_RANGE)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp folder left


def test_written_16bit_files_hold_the_generated_counts(tmp_path):
    import tifffile

    root = synthetic.write_dataset(tmp_path / "d", splits={"train": 2}, size=32, seed=5, layout="paired")
    arrays = synthetic.generate_pairs(2, size=32, seed=5 * 1000)
    png = np.asarray(Image.open(root / "train" / "B" / "00002.png"))
    np.testing.assert_array_equal(png, arrays["thermal_u16"][1, ..., 0])
    root_v1 = synthetic.write_dataset(tmp_path / "v1", splits={"train": 1}, size=32, seed=5)
    tiff = tifffile.imread(root_v1 / "train" / "thermal_16_bit" / "FLIR_00001.tiff")
    assert tiff.dtype == np.uint16
    np.testing.assert_array_equal(tiff, arrays["thermal_u16"][0, ..., 0])


def test_existing_folder_is_reused_or_refused(tmp_path):
    root = synthetic.write_dataset(tmp_path / "d", splits={"train": 2}, size=32)
    stamp = (root / "dataset.json").stat().st_mtime_ns
    synthetic.write_dataset(tmp_path / "d", splits={"train": 2}, size=32)
    assert (root / "dataset.json").stat().st_mtime_ns == stamp  # same settings: nothing rewritten
    with pytest.raises(DatasetError, match="dataset.json"):
        synthetic.write_dataset(tmp_path / "d", splits={"train": 3}, size=32)
    synthetic.write_dataset(tmp_path / "d", splits={"train": 3}, size=32, overwrite=True)
    assert len(list((root / "train" / "RGB").iterdir())) == 3
