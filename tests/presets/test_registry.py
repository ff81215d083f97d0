"""The preset registry: write, list, load (SHA-256 checked), the CLI's --preset and --init-from."""

import json
import shutil

import numpy as np
import pytest

from data_loaders.synthetic import THERMAL_U16_SPEC
from thermal_keras import presets
from thermal_keras.cli import main
from thermal_keras.networks import build_generator


def tiny_generator(seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    return build_generator("unet", in_channels=3, out_channels=1, num_downs=5, ngf=4)


@pytest.fixture(scope="module")
def preset_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("presets")
    presets.write_preset(tiny_generator(), root / "tiny_pix2pix", name="tiny_pix2pix", family="pix2pix",
                         task="RGB -> thermal", description="a test preset", target_spec=THERMAL_U16_SPEC,
                         training={"steps": 0, "command": "none"},
                         metrics={"held-out": {"model": {"psnr": 1.0}, "mean_baseline": {"psnr": 2.0}}},
                         headline="1.0 dB")
    return root


def test_round_trip_keeps_outputs_within_float16_rounding(preset_root):
    original = tiny_generator()
    loaded = presets.load_preset("tiny_pix2pix", root=preset_root)
    x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    difference = np.abs(np.asarray(original(x, training=False)) - np.asarray(loaded.generator(x, training=False)))
    assert loaded.generator.weights[0].dtype == "float32"
    assert 0 < difference.max() < 2e-2  # float16 storage: close, not bit-identical
    assert loaded.target_spec == THERMAL_U16_SPEC
    assert loaded.family == "pix2pix"
    assert "SHA-256" in loaded.card and "a test preset" in loaded.card


def test_list_presets_reads_every_folder(preset_root):
    rows = presets.list_presets(preset_root)
    assert [r["name"] for r in rows] == ["tiny_pix2pix"]
    assert rows[0]["parameters"] == sum(int(np.prod(w.shape)) for w in tiny_generator().trainable_weights)
    assert rows[0]["headline"] == "1.0 dB"


def test_damaged_weights_are_refused_naming_the_file(preset_root, tmp_path):
    copy = tmp_path / "tiny_pix2pix"
    shutil.copytree(preset_root / "tiny_pix2pix", copy)
    data = bytearray((copy / presets.WEIGHTS_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (copy / presets.WEIGHTS_FILE).write_bytes(bytes(data))
    with pytest.raises(presets.PresetError, match=r"weights\.npz: SHA-256 .* does not match"):
        presets.load_preset(copy)


def test_unknown_preset_names_the_shipped_ones(preset_root):
    with pytest.raises(presets.PresetError, match="unknown preset 'nope'; shipped presets: tiny_pix2pix"):
        presets.load_preset("nope", root=preset_root)


def test_write_preset_never_replaces_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(presets.PresetError, match="exists"):
        presets.write_preset(tiny_generator(), tmp_path / "mine", name="x", family="pix2pix", task="t",
                             description="d", overwrite=True)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep"


def test_shipped_presets_are_listed_and_described():
    for row in presets.list_presets():
        info = presets.read_info(presets.PRESET_ROOT / row["name"])
        assert info["training"]["data_licence"] and info["training"]["command"].startswith("thermal-keras train")
        assert row["size_mb"] > 0


def test_presets_command_lists_without_tensorflow_work(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["name", "family", "task"]


def test_translate_and_export_take_a_preset_folder(preset_root, tmp_path, capsys):
    from PIL import Image

    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(photo)
    out = tmp_path / "out"
    assert main(["translate", "--preset", str(preset_root / "tiny_pix2pix"), "--counts", str(photo), str(out)]) == 0
    counts = np.asarray(Image.open(out / "photo.png"))
    assert counts.shape == (40, 50) and counts.dtype == np.uint16  # radiometric preset: 16-bit counts
    assert THERMAL_U16_SPEC.value_range[0] <= counts.min() <= counts.max() <= THERMAL_U16_SPEC.value_range[1]
    saved = tmp_path / "saved"
    assert main(["export", "--preset", str(preset_root / "tiny_pix2pix"), "--out", str(saved)]) == 0
    assert (saved / "saved_model.pb").is_file()
    assert main(["export", "--preset", str(preset_root / "tiny_pix2pix")]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_init_from_copies_weights_and_refuses_another_architecture(preset_root, tmp_path):
    from thermal_keras.training.run import init_generator

    target = tiny_generator(seed=5)
    init_generator(target, str(preset_root / "tiny_pix2pix"))
    stored = presets.load_preset(preset_root / "tiny_pix2pix").generator
    assert all(np.array_equal(a, b) for a, b in zip(target.get_weights(), stored.get_weights()))
    wider = build_generator("unet", in_channels=3, out_channels=1, num_downs=5, ngf=8)
    with pytest.raises(ValueError, match="does not match this run's"):
        init_generator(wider, str(preset_root / "tiny_pix2pix"))
    with pytest.raises(FileNotFoundError, match="neither a preset"):
        init_generator(wider, str(tmp_path / "missing.keras"))


def test_preset_json_is_plain_json_with_the_architecture(preset_root):
    info = json.loads((preset_root / "tiny_pix2pix" / presets.PRESET_FILE).read_text())
    assert info["weights"]["dtype"] == "float16" and len(info["weights"]["sha256"]) == 64
    assert info["architecture"]["class_name"] == "Functional"


@pytest.fixture(scope="module")
def sr_and_fusion_presets(tmp_path_factory):
    """Tiny SR (1 channel, 2x) and FusionGAN presets written as `make presets` writes real ones."""
    import keras

    from thermal_keras.models import build_generator

    keras.utils.set_random_seed(3)
    root = tmp_path_factory.mktemp("more_presets")
    sr = build_generator("swift_srgan", scale=2, channels=1, num_channels=4, num_blocks=1, bicubic_residual=True)
    presets.write_preset(sr, root / "tiny_sr", name="tiny_sr", family="srgan", task="2x SR",
                         description="a test SR preset", extra={"scale": 2, "channels": 1})
    fusion = build_generator("fusiongan", filters=(8, 4, 4, 2))
    presets.write_preset(fusion, root / "tiny_fusion", name="tiny_fusion", family="fusiongan", task="fusion",
                         description="a test fusion preset", extra={"image_size": 32})
    return root


def test_upscale_fuse_and_export_take_sr_and_fusion_presets(sr_and_fusion_presets, tmp_path, capsys):
    from PIL import Image

    rng = np.random.default_rng(2)
    grey, visible = tmp_path / "ir.png", tmp_path / "vis.png"
    Image.fromarray(rng.integers(0, 255, (30, 40), dtype=np.uint8)).save(grey)
    Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(visible)
    sr, fusion = sr_and_fusion_presets / "tiny_sr", sr_and_fusion_presets / "tiny_fusion"
    assert main(["upscale", "--preset", str(sr), str(grey), str(tmp_path / "big.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "big.png")).shape == (60, 80)  # the preset's own 2x
    assert main(["fuse", "--preset", str(fusion), str(grey), str(visible), str(tmp_path / "fused.png")]) == 0
    assert np.asarray(Image.open(tmp_path / "fused.png")).shape == (30, 40, 3)
    assert main(["export", "--preset", str(sr), "--out", str(tmp_path / "sr_export")]) == 0
    assert (tmp_path / "sr_export" / "saved_model.pb").is_file()
    capsys.readouterr()
    # A preset of the wrong family is named, before anything is written.
    assert main(["translate", "--preset", str(sr), str(visible), str(tmp_path / "t.png")]) == 2
    assert "srgan model" in capsys.readouterr().err and not (tmp_path / "t.png").exists()
    assert main(["upscale", "--preset", str(fusion), str(grey), str(tmp_path / "u.png")]) == 2
    assert "not super-resolution" in capsys.readouterr().err
    # FusionGAN presets export too (issue 17: the fusion contract, ir + visible in, fused out)
    assert main(["export", "--preset", str(fusion), "--out", str(tmp_path / "f_export")]) == 0
    assert (tmp_path / "f_export" / "saved_model.pb").is_file()


def test_evaluate_preset_on_a_folder_of_images(sr_and_fusion_presets, tmp_path, capsys):
    from PIL import Image

    folder = tmp_path / "frames"
    folder.mkdir()
    y, x = np.mgrid[:48, :64]
    Image.fromarray((127 + 100 * np.sin(x / 3.0) * np.cos(y / 5.0)).astype(np.uint8)).save(folder / "a.png")
    out = tmp_path / "scores.json"
    assert main(["evaluate", "--preset", str(sr_and_fusion_presets / "tiny_sr"), "--data", str(folder),
                 "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert report["family"] == "srgan" and report["n_images"] == 1
    assert report["psnr_y_gain"] == pytest.approx(report["model"]["psnr_y"] - report["bicubic"]["psnr_y"])
    assert "Y-PSNR gain over bicubic" in capsys.readouterr().out
    assert main(["evaluate", "--preset", str(sr_and_fusion_presets / "tiny_sr"), "--data",
                 str(tmp_path / "nowhere")]) == 2


def test_freeze_keeps_the_named_layers_fixed(preset_root):
    from thermal_keras.training.run import freeze_layers

    generator = tiny_generator()
    frozen = freeze_layers(generator, "down")
    assert frozen and all(generator.get_layer(name).trainable is False for name in frozen)
    assert all(layer.trainable for layer in generator.layers if not layer.name.startswith("down"))
    with pytest.raises(ValueError, match="--freeze encoder: no layer"):
        freeze_layers(tiny_generator(), "encoder")


def test_evaluate_translation_preset_on_a_paired_folder(preset_root, tmp_path):
    from data_loaders import synthetic
    from thermal_keras.presets.evaluate import evaluate_preset, format_preset_report

    root = synthetic.write_dataset(tmp_path / "pairs", splits={"train": 4, "test": 3}, size=32, layout="paired")
    copy = shutil.copytree(preset_root / "tiny_pix2pix", tmp_path / "tiny_pix2pix")
    info = json.loads((copy / presets.PRESET_FILE).read_text())
    info.update(run_config={"thermal": "16bit"}, image_size=32)  # what a packaged translator records
    (copy / presets.PRESET_FILE).write_text(json.dumps(info))
    report = evaluate_preset(str(copy), root, "paired", "test")
    assert report["family"] == "pix2pix" and report["n_images"] == 3
    assert {"model", "grey_baseline", "mean_baseline"} <= report.keys()
    assert "temperature_mae_k" in report["model"] and "|ΔT| K" in format_preset_report(report)
