"""The thermal-keras command line: help texts, error handling, and train -> evaluate -> export -> translate."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from thermal_keras.cli import main

COMMANDS = [["demo"], ["train", "pix2pix"], ["evaluate"], ["export"], ["translate"], ["synthetic"]]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(command + ["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "usage: thermal-keras " + " ".join(command) in text


def test_train_help_lists_the_shared_options(capsys):
    with pytest.raises(SystemExit):
        main(["train", "pix2pix", "--help"])
    text = capsys.readouterr().out
    for flag in ("--image-size", "--gan-mode", "--lambda-l1", "--layout", "--resume", "--config"):
        assert flag in text


def test_console_script_is_installed():
    proc = subprocess.run([sys.executable, "-m", "thermal_keras.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "translate" in proc.stdout


def test_missing_dataset_is_a_clear_error_before_training(tmp_path, capsys):
    code = main(["train", "pix2pix", "--data", str(tmp_path / "nowhere"), "--output-dir", str(tmp_path / "run")])
    assert code == 2
    assert "nowhere" in capsys.readouterr().err
    assert not (tmp_path / "run" / "checkpoints").exists()


def test_train_evaluate_export_translate(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run = tmp_path / "run"
    tiny = ["--image-size", "32", "--load-size", "36", "--generator", "unet", "--num-downs", "5",
            "--ngf", "8", "--ndf", "8", "--discriminator", "n_layers", "--n-layers-d", "2",
            "--batch-size", "4", "--synthetic-train", "16", "--synthetic-test", "8",
            "--epochs", "1", "--decay-epochs", "0", "--output-dir", str(run)]
    assert main(["train", "pix2pix", *tiny]) == 0
    assert (run / "generator.keras").is_file()

    assert main(["evaluate", "--run", str(run)]) == 0
    report = json.loads((run / "metrics.json").read_text())
    assert report["n_images"] == 8 and "temperature_mae_k" in report["model"]

    assert main(["export", "--run", str(run), "--out", str(tmp_path / "exported")]) == 0
    meta = json.loads((tmp_path / "exported" / "thermal_keras.json").read_text())
    assert meta["size_multiple"] == 32 and meta["target_spec"]["bit_depth"] == 16

    photos = tmp_path / "photos"
    photos.mkdir()
    rng = np.random.default_rng(0)
    for name, shape in (("a.jpg", (50, 70, 3)), ("b.png", (33, 40, 3))):
        Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8)).save(photos / name)
    capsys.readouterr()
    assert main(["translate", "--model", str(tmp_path / "exported"), str(photos), str(tmp_path / "out"),
                 "--colormap", "inferno", "--counts"]) == 0
    a = np.asarray(Image.open(tmp_path / "out" / "a.png"))
    assert a.shape == (50, 70) and a.dtype == np.uint16  # full resolution, 16-bit counts
    assert np.asarray(Image.open(tmp_path / "out" / "b_inferno.png")).shape == (33, 40, 3)


def test_translate_refuses_a_bad_image_before_writing_anything(tmp_path, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(photos / "good.png")
    (photos / "broken.jpg").write_bytes(b"not a jpeg")
    code = main(["translate", "--model", str(tmp_path / "model"), str(photos), str(tmp_path / "out")])
    assert code == 2
    assert "broken.jpg" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["--help"], ["train", "srgan", "--help"], ["fuse", "--help"],
                                  ["train", "pix2pix", "--norm", "group"]], ids=" ".join)
def test_help_and_argument_errors_do_not_import_tensorflow(argv):
    code = ("import sys\nfrom thermal_keras.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n"
            "    pass\nprint('imported:', 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "imported: False False"


def test_user_errors_exit_2_with_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"flip": "false"}')
    assert main(["train", "pix2pix", "--config", str(bad), "--output-dir", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "bad.json" in err and "flip" in err
    assert not (tmp_path / "run").exists()
