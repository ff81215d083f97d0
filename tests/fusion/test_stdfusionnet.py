"""STDFusionNet: the salient-target loss by hand, the network's sizes, the masked synthetic batches, a
short training run, and (with the preset) people on synthetic night scenes."""

import dataclasses

import keras
import numpy as np
import pytest

from data_loaders.scene import MATERIAL_ID
from thermal_keras.fusion.config import STDFusionNetConfig
from thermal_keras.fusion.model import salient_loss, salient_loss_terms, sobel_gradient
from thermal_keras.fusion.salient import SalientScenes, salient_dataset, salient_mask, salient_scenes, scene_batch
from thermal_keras.fusion.train import train_stdfusionnet
from thermal_keras.models import STDFusionNet, build_generator

PRESET = "stdfusionnet_vis_ir"


def _scene(seed=0, shape=(2, 24, 28)):
    """Visible texture, a binary mask (a rectangle per image) and an infrared image that differs from the
    visible one only at least 2 pixels inside the mask's edge (so the Sobel gradients agree elsewhere)."""
    rng = np.random.default_rng(seed)
    visible = rng.uniform(-1, 1, (*shape, 1)).astype("float32")
    mask = np.zeros_like(visible)
    mask[:, 5:17, 6:20] = 1.0
    bump = np.zeros_like(visible)
    bump[:, 7:15, 8:18] = rng.uniform(0.2, 0.9, (shape[0], 8, 10, 1))
    return np.clip(visible + bump, -1, 1), visible, mask


# --- The loss ----------------------------------------------------------------------------------

def test_sobel_gradient_by_hand():
    ramp = np.tile(np.arange(7.0, dtype="float32"), (7, 1))[None, ..., None]  # f(x) = x
    grad = np.asarray(sobel_gradient(ramp))[0, ..., 0]
    assert np.allclose(grad[1:-1, 1:-1], 8.0)  # (-1, 0, 1)·(x-1, x, x+1) = 2, times 1 + 2 + 1; Sobel_y 0
    impulse = np.zeros((1, 5, 5, 1), "float32")
    impulse[0, 2, 2] = 1.0
    grad = np.asarray(sobel_gradient(impulse))[0, ..., 0]
    assert grad[2, 2] == 0.0 and grad[1, 2] == grad[2, 1] == 2.0 and grad[1, 1] == 2.0  # |2|+|0|, |1|+|1|
    assert grad.sum() == 4 * 2 + 4 * 2  # edge neighbours 2 each, corner neighbours 1 + 1


def test_loss_is_zero_for_infrared_inside_the_mask_and_visible_outside():
    ir, visible, mask = _scene()
    fused = np.where(mask > 0, ir, visible)
    terms = {k: float(v) for k, v in salient_loss_terms(fused, ir, visible, mask).items()}
    assert terms == {"salient_intensity": 0.0, "salient_gradient": 0.0, "background_intensity": 0.0,
                     "background_gradient": 0.0}
    assert float(salient_loss(fused, ir, visible, mask)) == 0.0
    # Either source alone is wrong somewhere: the visible image inside the mask, the infrared one nowhere else.
    assert float(salient_loss(visible, ir, visible, mask)) > 0.0
    assert float(salient_loss_terms(ir, ir, visible, mask)["background_intensity"]) == 0.0  # equal outside


def test_loss_grows_with_the_error_and_weighs_the_mask_by_alpha():
    ir, visible, mask = _scene(seed=1)
    perfect = np.where(mask > 0, ir, visible)
    inside, outside = np.zeros_like(mask), np.zeros_like(mask)
    inside[:, 8:14, 9:17] = 1.0  # 48 pixels an image, inside the mask
    outside[:, 18:24, 0:8] = 1.0  # 48 pixels an image, outside it
    pixels = mask.size
    losses = []
    for error in (0.05, 0.1, 0.2, 0.4):
        terms = salient_loss_terms(perfect + error * inside, ir, visible, mask)
        assert float(terms["salient_intensity"]) == pytest.approx(error * inside.sum() / pixels, rel=1e-5)
        assert float(terms["background_intensity"]) == 0.0
        losses.append(float(salient_loss(perfect + error * inside, ir, visible, mask)))
        terms = salient_loss_terms(perfect + error * outside, ir, visible, mask)
        assert float(terms["background_intensity"]) == pytest.approx(error * outside.sum() / pixels, rel=1e-5)
        assert float(terms["salient_intensity"]) == 0.0
    assert all(a < b for a, b in zip(losses, losses[1:]))
    error_inside = float(salient_loss(perfect + 0.2 * inside, ir, visible, mask, alpha=7.0))
    assert error_inside == pytest.approx(7 * float(salient_loss(perfect + 0.2 * inside, ir, visible, mask, alpha=1.0)))
    assert error_inside > float(salient_loss(perfect + 0.2 * outside, ir, visible, mask))  # same error, α = 7


def test_salient_mask_marks_people_and_vehicles_with_a_soft_edge():
    material = np.full((12, 12), MATERIAL_ID["asphalt"], np.uint8)
    material[2:6, 2:6] = MATERIAL_ID["skin"]
    material[7:11, 6:11] = MATERIAL_ID["paint"]
    material[0, 11] = MATERIAL_ID["glass"]
    mask = salient_mask(material)
    assert mask.shape == (12, 12) and mask.dtype == np.float32
    assert mask[3, 3] == 1.0 and mask[8, 8] == 1.0 and mask[0, 11] == 0.0 and mask[11, 0] == 0.0
    assert 0.0 < mask[1, 3] < 1.0 and np.all(np.round(mask * 16) == mask * 16)  # the [1, 2, 1]/4 blur
    with pytest.raises(ValueError, match="material must be a map"):
        salient_mask(material[None])


# --- The network -------------------------------------------------------------------------------

def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_network_follows_the_reference_layers():
    def block(i, o):  # 1x1 i->i, 3x3 i->i, 1x1 i->o (with biases), 1x1 identity i->o without bias when i != o
        return (i * i + i) + (9 * i * i + i) + (i * o + o) + (i * o if i != o else 0)
    encoder = (25 * 16 + 16) + block(16, 16) + block(16, 32) + block(32, 64)
    decoder = block(128, 64) + block(64, 32) + block(32, 16) + block(16, 1)
    generator = build_generator("stdfusionnet")
    assert _trainable(generator) == 2 * encoder + decoder == 282_513
    assert generator.output.dtype == "float32" and generator.layers[-1].name == "fused"


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (33, 50)])
def test_network_keeps_any_input_size_and_the_range(shape):
    generator = build_generator("stdfusionnet", width=4)
    x = np.random.default_rng(0).uniform(-1, 1, (2, *shape, 2)).astype("float32")
    out = np.asarray(generator(x))
    assert out.shape == (2, *shape, 1) and out.dtype == np.float32 and np.abs(out).max() <= 1.0


def test_region_weighting_averages_each_region_over_itself():
    ir, visible, mask = _scene(seed=3)
    rng = np.random.default_rng(3)
    fused = np.clip(visible + rng.normal(0, 0.2, visible.shape), -1, 1).astype("float32")
    frame = {k: float(v) for k, v in salient_loss_terms(fused, ir, visible, mask).items()}
    region = {k: float(v) for k, v in salient_loss_terms(fused, ir, visible, mask, "region").items()}
    salient_area = mask.mean()  # 12·14 of 24·28 pixels: a quarter
    for key in ("salient_intensity", "salient_gradient"):
        assert region[key] == pytest.approx(frame[key] / salient_area, rel=1e-5)
    for key in ("background_intensity", "background_gradient"):
        assert region[key] == pytest.approx(frame[key] / (1 - salient_area), rel=1e-5)
    # the same error inside the mask costs the same as outside it, whatever the mask's size
    perfect = np.where(mask > 0, ir, visible)
    inside, outside = np.zeros_like(mask), np.zeros_like(mask)
    inside[:, 5:17, 6:20], outside[:, 17:, :] = 1.0, 1.0
    hit_inside = salient_loss_terms(perfect + 0.1 * inside, ir, visible, mask, "region")["salient_intensity"]
    hit_outside = salient_loss_terms(perfect + 0.1 * outside * (1 - mask), ir, visible, mask, "region")
    assert float(hit_inside) == pytest.approx(0.1, rel=1e-5)
    assert float(hit_outside["background_intensity"]) == pytest.approx(0.1 * outside.sum() / (1 - mask).sum(), rel=1e-5)
    # a batch without targets: the salient terms are 0, nothing divides by 0
    empty = salient_loss_terms(fused, ir, visible, np.zeros_like(mask), "region")
    assert float(empty["salient_intensity"]) == 0.0 and np.isfinite(float(empty["background_gradient"]))
    with pytest.raises(ValueError, match="weighting must be one of frame, region, got 'pixel'"):
        salient_loss_terms(fused, ir, visible, mask, "pixel")
    assert float(salient_loss(fused, ir, visible, mask, alpha=1.0, weighting="region")) == pytest.approx(
        sum(region.values()), rel=1e-5)


def test_network_refuses_bad_settings_and_round_trips(tmp_path):
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="width must be an int"):
            build_generator("stdfusionnet", width=bad)
    with pytest.raises(ValueError, match="init must be one of"):
        build_generator("stdfusionnet", init="he")
    model = STDFusionNet(build_generator("stdfusionnet", width=4), seed=2)
    model.compile(alpha=3.0, weighting="region")
    with pytest.raises(ValueError, match="alpha"):
        model.compile(alpha=-1.0)
    with pytest.raises(ValueError, match="weighting must be one of frame, region"):
        model.compile(weighting="pixel")
    path = tmp_path / "std.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 20, 24, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert loaded.loss_settings == {"alpha": 3.0, "weighting": "region"}
    generator = keras.models.load_model(_saved(model.generator, tmp_path), safe_mode=True)
    np.testing.assert_allclose(np.asarray(generator(x)), np.asarray(model(x)), atol=1e-6)


def _saved(generator, folder):
    path = folder / "generator.keras"
    generator.save(path)
    return path


# --- Batches and training ----------------------------------------------------------------------

def _tiny_scenes(n=6, side=40, seed=0):
    rng = np.random.default_rng(seed)
    ir, visible = (rng.integers(0, 256, (n, side, side), dtype=np.uint8) for _ in range(2))
    mask = np.zeros((n, side, side), np.uint8)
    mask[:, 10:25, 12:30] = 255
    return SalientScenes(ir=ir, visible_y=visible, mask=mask, is_day=np.zeros(n, bool))


def test_batches_crop_all_three_alike_and_resume_exactly():
    scenes = _tiny_scenes()
    scenes.ir[:] = scenes.mask  # the infrared image is the mask: a shared crop keeps them equal
    run = [[np.asarray(t) for t in batch] for batch in
           salient_dataset(scenes, batch_size=2, image_size=24, seed=5, num_epochs=3)]
    assert len(run) == 9 and all(t.shape == (2, 24, 24, 1) and t.dtype == np.float32 for t in run[0])
    for ir, visible, mask in run:
        np.testing.assert_allclose((ir + 1) / 2, mask, atol=1e-6)
        assert -1 <= visible.min() and visible.max() <= 1 and set(np.unique(mask)) <= {0.0, 1.0}
    resumed = [[np.asarray(t) for t in batch] for batch in
               salient_dataset(scenes, batch_size=2, image_size=24, seed=5, first_epoch=2, num_epochs=1)]
    assert all(np.array_equal(a, b) for x, y in zip(run[6:], resumed) for a, b in zip(x, y))
    with pytest.raises(ValueError, match="image_size"):
        salient_dataset(scenes, batch_size=2, image_size=41)


def test_synthetic_scenes_carry_masks_of_people_and_cars(tmp_path):
    scenes = salient_scenes(3, 48, seed=0, split=1, keep_rgb=True, cache_root=tmp_path)
    again = salient_scenes(3, 48, seed=0, split=1, keep_rgb=True, cache_root=tmp_path)  # from the cache
    assert len(list(tmp_path.glob("salient-*.npz"))) == 1 and np.array_equal(scenes.mask, again.mask)
    assert scenes.ir.shape == scenes.visible_y.shape == scenes.mask.shape == (3, 48, 48)
    assert scenes.visible_rgb.shape == (3, 48, 48, 3) and scenes.mask.max() == 255
    ir, visible, mask = scene_batch(scenes)
    assert ir.shape == (3, 48, 48, 1) and 0 <= mask.min() and mask.max() == 1.0
    # Salient targets are warm: brighter in the 8-bit infrared image than the rest of the scene.
    assert ir[mask > 0.99].mean() > ir[mask == 0].mean()


def test_a_short_training_run_lowers_the_loss_and_stays_finite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the scene cache goes to ./data
    config = STDFusionNetConfig(synthetic_train=8, synthetic_test=2, synthetic_size=48, image_size=32, batch_size=4,
                                width=4, epochs=6, decay_epochs=0, lr=3e-3, output_dir=str(tmp_path / "run"))
    run = train_stdfusionnet(config, verbose=0)
    losses = run.history["loss"]
    assert len(losses) == 6 and all(np.isfinite(losses)) and losses[-1] < 0.8 * losses[0]
    assert set(run.history) >= {"salient_intensity", "salient_gradient", "background_intensity", "background_gradient"}
    assert run.generator_path.is_file() and (tmp_path / "run" / "metrics.json").is_file()
    assert set(run.report) >= {"stdfusionnet", "average", "pyramid"} and run.report["n_images"] == 2
    assert all(np.isfinite(v) for v in run.report["stdfusionnet"].values())
    more = train_stdfusionnet(dataclasses.replace(config, epochs=7), verbose=0)  # resumes at epoch 6
    assert more.initial_epoch == 6 and len(more.history["loss"]) == 1


def test_config_refuses_real_data_and_crops_larger_than_the_scenes():
    from thermal_keras.config import ConfigError

    with pytest.raises(ConfigError, match="data"):
        STDFusionNetConfig(data="/data/LLVIP")
    with pytest.raises(ConfigError, match="synthetic_size"):
        STDFusionNetConfig(image_size=256, synthetic_size=192)
    with pytest.raises(ConfigError, match="VIF needs 41"):
        STDFusionNetConfig(image_size=32, synthetic_size=32)
    assert STDFusionNetConfig(image_size=32, synthetic_size=32, synthetic_test=0).synthetic_test == 0
    with pytest.raises(ConfigError, match="weighting"):
        STDFusionNetConfig(weighting="pixel")
    assert STDFusionNetConfig().weighting == "frame"  # the paper's


def test_a_stdfusionnet_preset_packages_checks_fuses_and_exports(tmp_path, capsys):
    """A tiny preset written as `presets build` writes one: its quick check, report, fuse and export."""
    from PIL import Image

    from thermal_keras import presets
    from thermal_keras.cli import main
    from thermal_keras.presets import checks

    run_config = {"seed": 0, "synthetic_size": 48, "image_size": 32}
    folder = presets.write_preset(build_generator("stdfusionnet", width=2), tmp_path / "tiny_std", name="tiny_std",
                                  family="stdfusionnet", task="fusion", description="a test STDFusionNet preset",
                                  extra={"image_size": 32, "run_config": run_config})
    preset = presets.load_preset(folder)
    report = checks.quick_check(preset)
    assert report["n_images"] == checks.FUSION_CHECK_PAIRS and set(report["wins"]) == {"average", "pyramid"}
    text = presets.format_preset_report({"family": "stdfusionnet", **report})
    assert "stdfusionnet" in text and "STDFusionNet beats averaging on" in text
    rng = np.random.default_rng(2)
    ir, visible = tmp_path / "ir.png", tmp_path / "vis.png"
    Image.fromarray(rng.integers(0, 255, (30, 40), dtype=np.uint8)).save(ir)
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(visible)
    assert main(["fuse", "--preset", str(folder), str(ir), str(visible), str(tmp_path / "fused.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "fused.png")).shape == (30, 40, 3)
    assert main(["export", "--preset", str(folder), "--out", str(tmp_path / "export")]) == 0
    assert (tmp_path / "export" / "saved_model.pb").is_file()
    capsys.readouterr()


# --- With the preset: people on synthetic night scenes ---------------------------------------------

def people_brightness(generator, n: int = 24, size: int = 128, seed: int = 7):
    """``(fused, infrared)`` mean 0..255 levels over the people (skin and clothing) of the synthetic night
    scenes among ``n`` held-out scenes (a seed no recipe trains on)."""
    from data_loaders import synthetic
    from thermal_keras.fusion.evaluate import generator_fuser
    from thermal_keras.io import luma

    pairs = synthetic.generate_pairs(n, size=size, seed=seed)
    fuse = generator_fuser(generator)
    fused_sum = ir_sum = count = 0.0
    for rgb, ir, material, is_day in zip(pairs["rgb"], pairs["thermal_u8"][..., 0], pairs["material"], pairs["is_day"]):
        people = np.isin(material, [MATERIAL_ID["skin"], MATERIAL_ID["clothing"]])
        if is_day or people.sum() < 20:
            continue
        fused = fuse(ir.astype(float), luma(rgb)[..., 0].astype(float))
        fused_sum, ir_sum, count = fused_sum + fused[people].sum(), ir_sum + ir[people].sum(), count + people.sum()
    assert count > 0, "no night scene with people among the scenes drawn"
    return fused_sum / count, ir_sum / count


def test_people_stay_as_bright_as_in_the_infrared_at_night():
    from thermal_keras import presets

    if PRESET not in presets.preset_names():
        pytest.skip(f"no {PRESET} preset shipped yet (train it: `thermal-keras presets build {PRESET}`)")
    fused, infrared = people_brightness(presets.from_preset(PRESET))
    assert fused >= infrared - 1.0, f"people at {fused:.1f} in the fused image, {infrared:.1f} in the infrared"
