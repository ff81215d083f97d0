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


MIXED_VIEW_MATERIAL_SHA256 = "8611155103df3b425066a4ae5560e7c6b0fc5d52e1860188ee9f43b70755e0fc"


@pytest.fixture(scope="module")
def driving():
    return synthetic.generate_pairs(12, size=96, seed=1, view="driving")


def test_the_driving_view_is_seeded_and_differs_from_the_mixed_view(driving):
    again = synthetic.generate_pairs(3, size=96, seed=1, view="driving")
    np.testing.assert_array_equal(again["thermal_u16"], driving["thermal_u16"][:3])
    mixed = synthetic.generate_pairs(3, size=96, seed=1)
    assert not np.array_equal(mixed["rgb"], again["rgb"])
    with pytest.raises(ValueError, match="view"):
        synthetic.generate_pairs(1, size=32, view="aerial")


def test_the_driving_view_has_sky_above_and_road_below_like_a_forward_camera(driving):
    material = driving["material"]
    top, bottom = material[:, :12], material[:, -12:, 30:66]  # the top rows; the bottom edge's centre
    assert (top == MATERIAL_ID["sky"]).mean() > 0.5  # horizon at 35-52 % of the height: open sky above
    assert (material[:, -1] == MATERIAL_ID["sky"]).sum() == 0
    assert np.isin(bottom, [MATERIAL_ID[m] for m in ("asphalt", "paint", "rubber", "clothing", "skin",
                                                    "aluminium", "glass")]).mean() > 0.7  # the road ahead
    apparent = physics.counts_to_celsius(driving["thermal_u16"])[..., 0]
    sky = np.array([np.median(a[m == MATERIAL_ID["sky"]]) for a, m in zip(apparent, material)])
    road = np.array([np.median(a[m == MATERIAL_ID["asphalt"]]) for a, m in zip(apparent, material)])
    assert (sky < road).all()  # long-wave sky is the coldest part of a driving frame


def test_a_driven_car_seen_from_behind_has_warm_tyres_and_a_hot_exhaust():
    from data_loaders.scene import Canvas, _draw_car_rear
    from data_loaders.weather import draw_weather

    weather = draw_weather(np.random.default_rng(0), is_day=False, air_c=10.0)
    for seed in range(20):  # 80 % of rear-view cars are driven: the first hot one is a driven one
        canvas = Canvas(128)
        canvas.paint(np.ones((128, 128), bool), "asphalt", 12.0, (0.2, 0.2, 0.2), faces_sky=True)
        _draw_car_rear(canvas, np.random.default_rng(seed), 0.5, 0.8, 1.0, weather)
        if canvas.celsius.max() > 40.0:
            break
    tyres = canvas.celsius[canvas.material == MATERIAL_ID["rubber"]]
    exhaust = canvas.celsius[canvas.material == MATERIAL_ID["aluminium"]]
    assert tyres.size and exhaust.size
    assert tyres.min() >= 10.0 + 8.0 and exhaust.max() >= 10.0 + 40.0


def test_a_driving_set_records_its_view_and_a_mixed_one_does_not(tmp_path):
    root = synthetic.write_dataset(tmp_path / "d", splits={"train": 1}, size=32, view="driving")
    assert json.loads((root / "dataset.json").read_text())["view"] == "driving"
    mixed = synthetic.write_dataset(tmp_path / "m", splits={"train": 1}, size=32)
    assert "view" not in json.loads((mixed / "dataset.json").read_text())
    with pytest.raises(DatasetError, match="dataset.json"):  # another view is another set
        synthetic.write_dataset(tmp_path / "d", splits={"train": 1}, size=32)


def test_the_default_view_renders_what_it_did_before_the_driving_view():
    import hashlib

    pairs = synthetic.generate_pairs(6, 48, seed=2)
    # The material maps (integer geometry, the same on every CPU, unlike the last bits of the float
    # renderings), computed at 3b250f1, before view= existed: the presets were trained on these scenes.
    digest = hashlib.sha256(np.ascontiguousarray(pairs["material"]).tobytes()).hexdigest()
    assert digest == MIXED_VIEW_MATERIAL_SHA256


def test_the_synthetic_view_option_selects_the_set_a_run_trains_on(tmp_path, monkeypatch):
    from thermal_keras.cli import build_parser
    from thermal_keras.data import sources
    from thermal_keras.pix2pix.config import Pix2PixConfig

    monkeypatch.chdir(tmp_path)
    config = Pix2PixConfig(synthetic_train=1, synthetic_test=1, image_size=32, load_size=0, synthetic_view="driving")
    root = sources.ensure_synthetic(config)
    assert "-driving-" in root.name and json.loads((root / "dataset.json").read_text())["view"] == "driving"
    assert "driving" not in sources.synthetic_root(Pix2PixConfig()).name  # the default set keeps its folder name
    with pytest.raises(SystemExit):  # argparse names the option and its choices
        build_parser()[0].parse_args(["train", "pix2pix", "--synthetic-view", "aerial"])
