"""FusionGAN networks, losses and training; the classical baselines; the TNO loader; fusion jobs."""

import dataclasses

import keras
import numpy as np
import pytest
from PIL import Image

from data_loaders import DatasetError, tno
from thermal_keras.fusion import baselines as fb
from thermal_keras.fusion.config import FusionGANConfig
from thermal_keras.fusion.data import fusion_dataset, load_fusion_split
from thermal_keras.fusion.evaluate import format_fusion_table, fusers, fusion_table
from thermal_keras.fusion.model import content_loss_terms, laplacian
from thermal_keras.fusion.train import train_fusiongan
from thermal_keras.layers import EdgePadding2D
from thermal_keras.models import FusionGAN, build_discriminator, build_generator


def _trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_parameter_counts_follow_the_reference_layers():
    generator = build_generator("fusiongan")
    # conv 5x5 2->256, 5x5 256->128, 3x3 128->64, 3x3 64->32 (+ biases, BN gamma/beta), 1x1 32->1.
    convs = [(5, 2, 256), (5, 256, 128), (3, 128, 64), (3, 64, 32), (1, 32, 1)]
    expected = sum(k * k * i * o + o for k, i, o in convs) + 2 * (256 + 128 + 64 + 32)
    assert _trainable(generator) == expected == 925_633
    discriminator = build_discriminator("fusiongan", image_size=120)  # 120 -> 59 -> 29 -> 14 -> 6
    convs_d = [(1, 32), (32, 64), (64, 128), (128, 256)]
    expected_d = sum(9 * i * o + o for i, o in convs_d) + 2 * (64 + 128 + 256) + 6 * 6 * 256 + 1
    assert _trainable(discriminator) == expected_d == 397_953


def test_generator_keeps_the_size_and_range():
    generator = build_generator("fusiongan", filters=(8, 8, 8, 8))
    out = np.asarray(generator(np.random.default_rng(0).uniform(-1, 1, (2, 37, 45, 2)).astype("float32")))
    assert out.shape == (2, 37, 45, 1) and out.dtype == np.float32
    assert np.abs(out).max() <= 1.0


def test_edge_padding_repeats_border_pixels_like_numpy():
    x = np.arange(2 * 3 * 4 * 2, dtype="float32").reshape(2, 3, 4, 2)
    ours = np.asarray(EdgePadding2D(2)(x))
    np.testing.assert_array_equal(ours, np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="edge"))
    assert EdgePadding2D.from_config(EdgePadding2D(3).get_config()).padding == 3


def test_laplacian_and_content_terms_by_hand():
    x = np.zeros((1, 5, 5, 1), "float32")
    x[0, 2, 2, 0] = 1.0
    lap = np.asarray(laplacian(x))[0, ..., 0]
    assert lap[2, 2] == -4.0 and lap[1, 2] == lap[2, 1] == lap[3, 2] == lap[2, 3] == 1.0
    assert np.abs(lap).sum() == 8.0
    ramp = np.tile(np.arange(6.0, dtype="float32"), (6, 1))[None, ..., None]  # linear: Laplacian 0 inside
    assert np.allclose(np.asarray(laplacian(ramp))[0, 1:-1, 1:-1, 0], 0.0)
    intensity, gradient = content_loss_terms(x, np.zeros_like(x), x)
    assert float(intensity) == pytest.approx(1 / 25) and float(gradient) == 0.0
    # "sum": the fused Laplacian should be the infrared's plus the visible's.
    _, gradient = content_loss_terms(x, x, x, gradient_target="sum")  # ∇F - (∇x + ∇x) = -∇x
    assert float(gradient) == pytest.approx(float(np.mean(lap ** 2)))
    _, gradient = content_loss_terms(2 * x, x, x, gradient_target="sum")
    assert float(gradient) == 0.0


def _tiny_model(size=32, d_steps=2):
    generator = build_generator("fusiongan", filters=(8, 8, 8, 8))
    discriminator = build_discriminator("fusiongan", image_size=size, filters=(4, 4, 4, 4))
    model = FusionGAN(generator, discriminator, seed=3)
    model.compile(d_steps=d_steps, lambda_content=100.0, xi=5.0)
    return model


def test_train_step_updates_both_networks_with_d_steps_per_g_step():
    model = _tiny_model(d_steps=2)
    rng = np.random.default_rng(1)
    ir = rng.uniform(-1, 1, (4, 32, 32, 1)).astype("float32")
    visible = rng.uniform(-1, 1, (4, 32, 32, 1)).astype("float32")
    g_before = [np.array(w) for w in model.generator.trainable_weights]
    d_before = [np.array(w) for w in model.discriminator.trainable_weights]
    history = model.fit(ir, visible, batch_size=2, epochs=1, verbose=0, shuffle=False).history
    assert int(model.g_optimizer.iterations) == 2 and int(model.d_optimizer.iterations) == 4
    assert set(history) >= {"g_loss", "g_adv", "g_intensity", "g_gradient", "d_loss"}
    g_loss, g_adv = history["g_loss"][-1], history["g_adv"][-1]
    assert g_loss == pytest.approx(g_adv + 100 * (history["g_intensity"][-1] + 5 * history["g_gradient"][-1]),
                                   rel=0.05)  # running means of the parts, so only close
    assert any(not np.allclose(a, np.array(b)) for a, b in zip(g_before, model.generator.trainable_weights))
    assert any(not np.allclose(a, np.array(b)) for a, b in zip(d_before, model.discriminator.trainable_weights))
    scores = model.evaluate(ir, visible, batch_size=2, verbose=0, return_dict=True)
    fused = np.asarray(model.fuse(ir, visible))
    assert scores["intensity"] == pytest.approx(np.mean((fused - ir) ** 2), rel=1e-4)


def test_compile_rejects_bad_settings_and_model_round_trips(tmp_path):
    model = _tiny_model()
    with pytest.raises(ValueError, match="d_steps"):
        model.compile(d_steps=0)
    with pytest.raises(ValueError, match="xi"):
        model.compile(xi=-1.0)
    model.compile(d_steps=3, xi=2.0)
    path = tmp_path / "fusiongan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(2).uniform(-1, 1, (1, 32, 32, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert loaded.loss_settings["d_steps"] == 3 and loaded.loss_settings["xi"] == 2.0


# --- Baselines and colour ----------------------------------------------------------------------

def _texture(seed, shape=(37, 50)):
    return np.random.default_rng(seed).uniform(0, 255, shape)


def test_average_and_pyramid_baselines():
    a, b = _texture(0), _texture(1)
    np.testing.assert_allclose(fb.average_fusion(a, b), (a + b) / 2)
    for levels in (1, 3, fb.max_pyramid_levels(a.shape)):
        np.testing.assert_allclose(fb.reconstruct_pyramid(fb.laplacian_pyramid(a, levels)), a, atol=1e-9)
    np.testing.assert_allclose(fb.pyramid_fusion(a, a), a, atol=1e-9)
    flat = np.full_like(a, 100.0)
    fused = fb.pyramid_fusion(a, flat)
    # Max-abs keeps a's details whole; the base is averaged with the flat image.
    assert np.std(fused) > 1.8 * np.std(fb.average_fusion(a, flat))
    with pytest.raises(ValueError, match="levels"):
        fb.laplacian_pyramid(a, 99)
    with pytest.raises(ValueError, match="one size"):
        fb.average_fusion(a, b[:10])


def test_ycbcr_matches_pillow_and_round_trips():
    rgb = np.random.default_rng(3).integers(0, 256, (8, 9, 3)).astype(np.uint8)
    pillow = np.asarray(Image.fromarray(rgb).convert("YCbCr"), np.float64)
    assert np.abs(fb.rgb_to_ycbcr(rgb) - pillow).max() <= 1.0  # Pillow rounds in fixed point
    np.testing.assert_allclose(fb.ycbcr_to_rgb(fb.rgb_to_ycbcr(rgb)), rgb, atol=1e-9)
    y = fb.rgb_to_ycbcr(rgb)[..., 0]
    np.testing.assert_array_equal(fb.colour_from_visible(y, rgb), rgb)


# --- TNO loader ---------------------------------------------------------------------------------

def _write_grey(path, seed):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.random.default_rng(seed).integers(0, 256, (48, 48)).astype(np.uint8)).save(path)


def test_tno_two_folder_and_scene_layouts(tmp_path):
    for i in range(3):
        _write_grey(tmp_path / "repack" / "IR" / f"{i}.bmp", i)
        _write_grey(tmp_path / "repack" / "VI" / f"{i}.bmp", 10 + i)
    files = tno.tno(tmp_path / "repack")
    assert len(files) == 3 and files.extras["layout"] == "folders"
    assert files.b_paths[0].endswith("IR/0.bmp") and files.a_paths[0].endswith("VI/0.bmp")
    assert files.b_spec.channels == 1
    for scene in ("Kaptein_1123", "bench"):
        _write_grey(tmp_path / "scenes" / scene / f"IR_{scene}.bmp", 1)
        _write_grey(tmp_path / "scenes" / scene / f"VIS_{scene}.bmp", 2)
    files = tno.tno(tmp_path / "scenes")
    assert len(files) == 2 and "IR_Kaptein_1123" in files.b_paths[0] and "VIS_bench" in files.a_paths[1]
    _write_grey(tmp_path / "scenes" / "broken" / "IR_x.bmp", 3)
    with pytest.raises(DatasetError, match="broken"):
        tno.tno(tmp_path / "scenes")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no TNO layout"):
        tno.tno(tmp_path / "empty")


# --- Jobs ---------------------------------------------------------------------------------------

def _tiny_config(tmp_path, **changes):
    config = FusionGANConfig(
        synthetic_train=8, image_size=32, ngf=4, ndf=4, load_size=0, synthetic_size=48, batch_size=4, epochs=1,
        output_dir=str(tmp_path / "run"), jit_compile="off", mixed_precision="off")
    return dataclasses.replace(config, **changes)


def test_train_fusiongan_on_synthetic_pairs_and_resume(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run = train_fusiongan(_tiny_config(tmp_path), verbose=0)
    assert run.steps_per_epoch == 2 and len(run.history["g_loss"]) == 1
    assert (run.output_dir / "log.csv").is_file() and (run.output_dir / "checkpoints").is_dir()
    again = train_fusiongan(_tiny_config(tmp_path, epochs=2), verbose=0)
    assert again.initial_epoch == 1 and int(again.model.g_optimizer.iterations) == 4
    ir, visible = next(iter(fusion_dataset(run.train_files, batch_size=2, image_size=32,
                                                       load_size=None, shuffle=False)))
    assert ir.shape == visible.shape == (2, 32, 32, 1)


def test_short_run_keeps_more_contrast_and_detail_than_averaging(tmp_path, monkeypatch):
    """The training has an effect: after 60 steps (the preset's loss: infrared intensities, infrared
    plus visible Laplacian) the fused images keep more contrast (SD) and more edges (SF, AG) than the
    average of the two inputs, which halves both, and the content loss has fallen."""
    monkeypatch.chdir(tmp_path)
    config = _tiny_config(tmp_path, synthetic_train=16, synthetic_test=4, synthetic_size=64, image_size=48,
                          ngf=8, ndf=8, epochs=15, eval_split="test", gradient_target="sum", xi=30.0)
    run = train_fusiongan(config, verbose=0)
    content = [i + 30.0 * g for i, g in zip(run.history["g_intensity"], run.history["g_gradient"])]
    assert content[-1] < 0.5 * content[0], content
    table = run.report
    assert table["n_images"] == 4
    for metric in ("SD", "SF", "AG"):
        assert table["fusiongan"][metric] > table["average"][metric], (metric, table)


def test_bad_data_folder_fails_before_training(tmp_path):
    with pytest.raises(DatasetError, match="nowhere"):
        train_fusiongan(_tiny_config(tmp_path, data=str(tmp_path / "nowhere")), verbose=0)
    assert not (tmp_path / "run").exists()


def test_fusion_table_on_the_llvip_sample(llvip_sample_root):
    files = load_fusion_split(llvip_sample_root, "llvip", "train").subset(range(2))
    table = fusion_table(files, fusers(), max_side=96)
    assert table["n_images"] == 2 and table["size"] == [77, 96]
    for name in ("average", "pyramid"):
        assert 0 < table[name]["EN"] <= 8 and 0 < table[name]["Qabf"] < 1
    # Max-abs pyramid fusion keeps more edges than averaging.
    assert table["pyramid"]["Qabf"] > table["average"]["Qabf"]
    assert table["pyramid"]["SF"] > table["average"]["SF"]
    assert "Qabf" in format_fusion_table(table)


def test_infrared_residual_generator_starts_from_the_infrared_image_and_stays_in_range(tmp_path):
    import keras
    import numpy as np

    from thermal_keras.models import build_generator

    filters = (16, 8, 4, 2)
    residual = build_generator("fusiongan", filters=filters, ir_residual=True)
    plain = build_generator("fusiongan", filters=filters)
    count = lambda model: sum(int(np.prod(w.shape)) for w in model.trainable_weights)  # noqa: E731
    assert count(residual) == count(plain)
    pair = np.random.default_rng(0).uniform(-1, 1, (2, 21, 17, 2)).astype("float32")
    np.testing.assert_allclose(residual(pair), pair[..., :1], atol=1e-6)  # untrained: the infrared image
    last = residual.get_layer("conv5")
    last.kernel.assign(np.full(last.kernel.shape, 5.0, "float32"))  # a large change saturates, clipped
    out = np.asarray(residual(pair))
    assert out.min() >= -1.0 and out.max() <= 1.0 and not np.allclose(out, pair[..., :1])
    path = tmp_path / "g.keras"
    residual.save(path)
    np.testing.assert_allclose(keras.models.load_model(path)(pair), out, atol=1e-6)
