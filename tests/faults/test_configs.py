"""Faults in options: every family's JSON config and flags are typed and range-checked from one
definition, and a bad one stops the command before anything is written, naming the file and option."""

import json

import pytest

FAMILIES = ["pix2pix", "cyclegan", "srgan", "fusiongan"]
SHARED_BAD = {  # options every family has
    "seed": -1, "batch_size": 0, "steps_per_epoch": -3, "mixed_precision": "half", "jit_compile": "yes",
    "strategy": "horovod", "checkpoint_every": 0, "resume": "no", "output_dir": 7,
}
FAMILY_BAD = {
    "pix2pix": {"flip": "false", "image_size": 0, "lr": "fast", "lambda_l1": -1.0, "discriminator": "foo",
                "generator": "foo", "norm": "group", "gan_mode": "wgan", "load_size": 16},
    "cyclegan": {"paired": 1, "pool_size": -1, "lambda_cycle": float("inf"), "n_blocks": 0, "generator": "foo",
                 "lambda_supervised": 1.0},
    "srgan": {"scale": 3, "channels": 2, "hr_size": 90, "gain_max": 0.5, "perceptual": "resnet",
              "generator": "edsr", "bicubic_residual": "yes"},
    "fusiongan": {"layout": "flir_v1", "d_steps": 0, "xi": -5.0, "image_size": 4, "beta_1": 1.5},
}
CASES = [(family, name, value) for family in FAMILIES
         for name, value in {**SHARED_BAD, **FAMILY_BAD[family]}.items()]


@pytest.mark.parametrize("family, name, value", CASES, ids=[f"{f}-{n}" for f, n, _ in CASES])
def test_a_bad_value_in_a_json_config_names_the_file_and_the_option(family, name, value, tmp_path, run_cli):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({name: value}))
    result = run_cli(["train", family, "--config", config, "--output-dir", tmp_path / "run"], watch=tmp_path)
    assert result.code == 2
    line = result.error_line
    assert str(config) in line and (name in line or "supervised" in line)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("text, message", [
    ('{"not_an_option": 1}', "unknown options"), ("[1, 2]", "expected a JSON object"),
    ("{broken", "not valid JSON")], ids=["unknown", "not-an-object", "garbage"])
def test_a_config_file_that_is_not_a_config(family, text, message, tmp_path, run_cli):
    config = tmp_path / "config.json"
    config.write_text(text)
    result = run_cli(["train", family, "--config", config, "--output-dir", tmp_path / "run"], watch=tmp_path)
    assert result.code == 2 and message in result.error_line and str(config) in result.error_line


@pytest.mark.parametrize("family", FAMILIES)
def test_a_missing_config_file(family, tmp_path, run_cli):
    result = run_cli(["train", family, "--config", tmp_path / "nowhere.json"], watch=tmp_path)
    assert result.code == 2 and "nowhere.json: cannot read config file" in result.error_line


@pytest.mark.parametrize("argv, option", [
    (["train", "pix2pix", "--image-size", "0"], "image_size"), (["train", "pix2pix", "--lr", "nan"], "lr"),
    (["train", "cyclegan", "--lambda-supervised", "1"], "lambda_supervised"),
    (["train", "srgan", "--hr-size", "90"], "hr_size"), (["train", "fusiongan", "--d-steps", "0"], "d_steps")],
    ids=lambda v: " ".join(v) if isinstance(v, list) else v)
def test_flags_get_the_same_checks(argv, option, tmp_path, run_cli):
    result = run_cli([*argv, "--output-dir", tmp_path / "run"], watch=tmp_path)
    assert result.code == 2 and f"option {option}" in result.error_line and not (tmp_path / "run").exists()


@pytest.mark.parametrize("argv", [["train", "pix2pix", "--norm", "group"], ["train", "srgan", "--scale", "3"],
                                  ["train", "pix2pix", "--discriminator", "foo"], ["train", "pix2pix", "--flip", "x"]],
                         ids=" ".join)
def test_argparse_rejects_bad_choices_before_anything(argv, tmp_path, run_cli):
    result = run_cli([*argv, "--output-dir", tmp_path / "run"], watch=tmp_path)
    assert result.code == 2 and not (tmp_path / "run").exists()


def test_debug_shows_the_traceback(tmp_path):
    from thermal_keras.cli import main
    from thermal_keras.config import ConfigError

    config = tmp_path / "config.json"
    config.write_text('{"flip": "false"}')
    with pytest.raises(ConfigError, match="flip"):
        main(["--debug", "train", "pix2pix", "--config", str(config)])
