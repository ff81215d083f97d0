"""RunConfig: one definition per option, typed and range-checked the same for code, JSON and flags."""

import argparse
import dataclasses
import json

import pytest

from thermal_keras.config import ConfigError, PairedDataConfig, RunConfig
from thermal_keras.cyclegan.config import CycleGANConfig
from thermal_keras.fusion.config import FusionGANConfig
from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.sr.config import SRGANConfig

FAMILIES = [Pix2PixConfig, CycleGANConfig, SRGANConfig, FusionGANConfig]


def _own_fields(cls, base):
    return {f.name for f in dataclasses.fields(cls)} - {f.name for f in dataclasses.fields(base)}


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda c: c.__name__)
def test_every_family_shares_the_run_options(cls):
    assert issubclass(cls, RunConfig)
    shared = {f.name for f in dataclasses.fields(RunConfig)}
    assert shared <= {f.name for f in dataclasses.fields(cls)}
    assert cls().to_dict().keys() >= shared


def test_families_add_only_their_own_fields():
    # CycleGAN and pix2pix share their translation options through one base, not copies.
    assert _own_fields(Pix2PixConfig, PairedDataConfig) & _own_fields(CycleGANConfig, PairedDataConfig) == {
        "thermal", "generator", "num_downs", "ngf", "ndf", "n_layers_d", "norm", "gan_mode",
        "decay_epochs", "sample_every"}
    assert "lambda_l1" not in _own_fields(CycleGANConfig, PairedDataConfig)


@pytest.mark.parametrize("cls", FAMILIES, ids=lambda c: c.__name__)
def test_json_round_trip(cls, tmp_path):
    config = cls(seed=3)
    path = tmp_path / "config.json"
    config.to_json(path)
    assert cls.from_json(path) == config
    assert cls.from_json(config.to_json()) == config


@pytest.mark.parametrize("values, option", [
    ({"flip": "false"}, "flip"), ({"resume": "no"}, "resume"), ({"image_size": 0}, "image_size"),
    ({"image_size": 64.0}, "image_size"), ({"batch_size": True}, "batch_size"), ({"lr": "fast"}, "lr"),
    ({"lr": float("nan")}, "lr"), ({"norm": "group"}, "norm"), ({"discriminator": "foo"}, "discriminator"),
    ({"load_size": 32, "image_size": 64}, "load_size")])
def test_wrong_values_name_the_option(values, option, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(values))
    with pytest.raises(ConfigError, match=option) as error:
        Pix2PixConfig.from_json(path)
    assert str(path) in str(error.value)
    with pytest.raises(ConfigError, match=option):
        Pix2PixConfig(**values)


def test_ints_are_accepted_for_floats():
    assert Pix2PixConfig(lambda_l1=10).lambda_l1 == 10.0 and isinstance(Pix2PixConfig(lambda_l1=10).lambda_l1, float)


def test_unknown_options_and_unreadable_files_are_named(tmp_path):
    with pytest.raises(ConfigError, match="unknown options"):
        Pix2PixConfig.from_json('{"lambda_cycle": 1}')
    with pytest.raises(ConfigError, match="missing.json: cannot read"):
        Pix2PixConfig.from_json(tmp_path / "missing.json")
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(ConfigError, match="garbage.json: not valid JSON"):
        Pix2PixConfig.from_json(garbage)


def test_family_checks():
    with pytest.raises(ConfigError, match="lambda_supervised"):
        CycleGANConfig(lambda_supervised=1.0)
    with pytest.raises(ConfigError, match="hr_size"):
        SRGANConfig(hr_size=90, scale=4)


def test_flags_override_the_config_file(tmp_path):
    parser = argparse.ArgumentParser()
    Pix2PixConfig.add_arguments(parser)
    path = tmp_path / "c.json"
    Pix2PixConfig(image_size=128, load_size=0, ngf=8).to_json(path)
    config = Pix2PixConfig.from_args(parser.parse_args(["--config", str(path), "--ngf", "16", "--no-flip"]))
    assert (config.image_size, config.ngf, config.flip) == (128, 16, False)
    with pytest.raises(SystemExit):
        parser.parse_args(["--norm", "group"])
