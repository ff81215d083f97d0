"""``thermal-keras export --format ...``: writes what it says, checks everything before work."""

import json

import numpy as np
import pytest

from deploy_models import tiny_generator
from thermal_keras.cli import main


@pytest.fixture(scope="module")
def sr_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "sr.keras"
    tiny_generator("srgan_2x")[0].save(path)
    return path


def test_onnx_from_a_keras_file_then_refuses_to_overwrite(sr_file, tmp_path, capsys):
    from thermal_keras.deploy.runners import load_runner

    out = tmp_path / "sr.onnx"
    assert main(["export", "--model", str(sr_file), "--format", "onnx", "--out", str(out)]) == 0
    assert json.loads((tmp_path / "sr.onnx.json").read_text())["outputs"] == ["sr", "sr_u8"]
    assert load_runner(out)(lr=np.zeros((1, 5, 6, 3), np.uint8))["sr_u8"].shape == (1, 10, 12, 3)
    before = out.read_bytes()
    assert main(["export", "--model", str(sr_file), "--format", "onnx", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == before


@pytest.mark.parametrize("options,message", [
    (["--format", "onnx", "--variant", "int8", "--out", "x.onnx"], "applies to --format tflite only"),
    (["--format", "tflite", "--out", "x.onnx"], "must end in .tflite"),
    (["--format", "keras", "--input-size", "8", "8", "--out", "x.keras"], "--input-size applies"),
    (["--format", "tflite", "--input-size", "0", "8", "--out", "x.tflite"], "each side must be 1 to 8192 pixels"),
])
def test_bad_options_fail_before_any_work(options, message, sr_file, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--model", str(sr_file), *options]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_missing_model_file_is_named(tmp_path, capsys):
    assert main(["export", "--model", str(tmp_path / "none.keras"), "--format", "tflite",
                 "--out", str(tmp_path / "x.tflite")]) == 2
    assert "none.keras" in capsys.readouterr().err
