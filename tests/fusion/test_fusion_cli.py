"""`thermal-keras fuse`, `train fusiongan` and `evaluate --real --fake`."""

import json

import numpy as np
import pytest
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio

from thermal_keras.cli import main
from thermal_keras.fusion import baselines as fb


def _save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def _pair(tmp_path, name="a", seed=0, size=(40, 48)):
    rng = np.random.default_rng(seed)
    ir = _save(tmp_path / "ir" / f"{name}.png", rng.integers(0, 256, size).astype(np.uint8))
    visible = _save(tmp_path / "vis" / f"{name}.png", rng.integers(0, 256, (*size, 3)).astype(np.uint8))
    return ir, visible


@pytest.mark.parametrize("command", [["fuse"], ["train", "fusiongan"]], ids=" ".join)
def test_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(command + ["--help"])
    assert exit_info.value.code == 0
    assert "usage: thermal-keras " + " ".join(command) in capsys.readouterr().out


def test_fuse_two_files_with_a_baseline(tmp_path):
    ir, visible = _pair(tmp_path)
    out = tmp_path / "fused.png"
    assert main(["fuse", "--method", "average", str(ir), str(visible), str(out)]) == 0
    ir_values = np.asarray(Image.open(ir), np.float64)
    visible_rgb = np.asarray(Image.open(visible), np.float64)
    expected = fb.colour_from_visible(np.rint(np.clip(fb.average_fusion(ir_values, fb.rgb_to_ycbcr(visible_rgb)[..., 0]),
                                                      0, 255)), visible_rgb)
    assert np.abs(np.asarray(Image.open(out)).astype(int) - expected).max() <= 1
    grey_out = tmp_path / "grey" / "x.png"
    assert main(["fuse", "--method", "pyramid", "--grey", str(ir), str(visible), str(grey_out)]) == 0
    assert np.asarray(Image.open(grey_out)).shape == (40, 48)


def test_fuse_errors_are_clear(tmp_path, capsys):
    ir, visible = _pair(tmp_path)
    assert main(["fuse", str(ir), str(visible), str(tmp_path / "o.png")]) == 2
    assert "--model" in capsys.readouterr().err
    assert main(["fuse", "--method", "average", str(tmp_path / "nope.png"), str(visible), str(tmp_path / "o.png")]) == 2
    assert "nope.png" in capsys.readouterr().err
    assert not (tmp_path / "o.png").exists()


def test_train_fusiongan_then_fuse_folders_with_it(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "run"
    tiny = ["--synthetic-train", "8", "--synthetic-test", "2", "--eval-split", "test", "--synthetic-size", "48",
            "--image-size", "32", "--ngf", "4", "--ndf", "4", "--batch-size", "4", "--epochs", "1",
            "--jit-compile", "off", "--output-dir", str(run)]
    assert main(["train", "fusiongan", *tiny]) == 0
    assert (run / "generator.keras").is_file()
    table = json.loads((run / "metrics.json").read_text())
    assert table["n_images"] == 2 and set(table) >= {"fusiongan", "average", "pyramid"}
    assert "Qabf" in capsys.readouterr().out
    for i in range(2):
        _pair(tmp_path / "pairs", f"f{i}", seed=i)
    out = tmp_path / "fused"
    assert main(["fuse", "--model", str(run), str(tmp_path / "pairs" / "ir"), str(tmp_path / "pairs" / "vis"),
                 str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["f0.png", "f1.png"]
    assert np.asarray(Image.open(out / "f0.png")).shape == (40, 48, 3)


def _folders(tmp_path, n=3):
    rng = np.random.default_rng(5)
    for i in range(n):
        real = rng.integers(0, 256, (32, 32)).astype(np.uint8)
        noisy = np.clip(real.astype(int) + rng.integers(-20, 21, real.shape), 0, 255).astype(np.uint8)
        _save(tmp_path / "real" / f"{i}.png", real)
        _save(tmp_path / "fake" / f"{i}.png", noisy)
    return tmp_path / "real", tmp_path / "fake"


def test_evaluate_folders_paired_metrics_and_fid_kid(tmp_path, capsys):
    real, fake = _folders(tmp_path)
    out = tmp_path / "scores.json"
    assert main(["evaluate", "--real", str(real), "--fake", str(fake), "--weights", "random",
                 "--kid-subsets", "3", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    expected_psnr = np.mean([peak_signal_noise_ratio(np.asarray(Image.open(real / f"{i}.png")),
                                                     np.asarray(Image.open(fake / f"{i}.png")), data_range=255)
                             for i in range(3)])
    assert report["paired"]["psnr"] == pytest.approx(expected_psnr, abs=1e-3)
    assert report["paired"]["n_pairs"] == 3 and 0 < report["paired"]["ssim"] < 1
    assert report["distribution"]["fid"] > 0 and report["distribution"]["n_real"] == 3
    text = capsys.readouterr().out
    assert "PSNR" in text and "FID" in text and "KID" in text


def test_evaluate_folders_missing_weights_fails_before_work(tmp_path, monkeypatch, capsys):
    real, fake = _folders(tmp_path, n=2)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert main(["evaluate", "--real", str(real), "--fake", str(fake), "--json", str(tmp_path / "s.json")]) == 2
    assert "inception_v3_weights" in capsys.readouterr().err
    assert not (tmp_path / "s.json").exists()
    assert main(["evaluate"]) == 2
    assert "--real" in capsys.readouterr().err
