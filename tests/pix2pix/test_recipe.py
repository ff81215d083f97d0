"""--recipe real: the real-data recipe's settings as defaults, explicit flags and files on top."""

import argparse

import pytest

from thermal_keras.config import ConfigError
from thermal_keras.pix2pix.config import REAL_RECIPE, Pix2PixConfig


def _parse(*argv):
    parser = argparse.ArgumentParser()
    Pix2PixConfig.add_arguments(parser)
    return Pix2PixConfig.from_args(parser.parse_args(list(argv)))


def test_recipe_sets_its_defaults_and_flags_override_them():
    config = _parse("--recipe", "real", "--ngf", "32")
    assert config.recipe == "real" and config.ngf == 32  # the flag wins
    for name, value in REAL_RECIPE.items():
        if name != "ngf":
            assert getattr(config, name) == value, name
    assert config.norm == "instance" and config.keep_aspect and config.lambda_l2 > 0
    plain = _parse()
    assert plain.recipe == "" and plain.norm == "batch" and plain.lambda_l2 == 0.0  # defaults untouched


def test_recipe_starts_from_the_shipped_sim_to_real_preset_of_its_own_network():
    from thermal_keras import presets
    from thermal_keras.pix2pix.config import REAL_RECIPE_PRESET

    assert REAL_RECIPE["init_from"] == REAL_RECIPE_PRESET in presets.preset_names()
    run = presets.read_info(presets.PRESET_ROOT / REAL_RECIPE_PRESET)["run_config"]
    for name in ("generator", "num_downs", "ngf", "norm", "thermal"):  # --init-from needs the same network
        assert run[name] == REAL_RECIPE[name], name
    assert _parse("--recipe", "real", "--init-from", "").init_from == ""  # from scratch on request


def test_recipe_round_trips_through_json_and_a_config_file_wins(tmp_path):
    config = Pix2PixConfig.from_recipe("real", epochs=1)
    path = tmp_path / "config.json"
    config.to_json(path)
    assert Pix2PixConfig.from_json(path) == config
    again = _parse("--config", str(path), "--decay-epochs", "2")
    assert again.epochs == 1 and again.decay_epochs == 2 and again.norm == "instance"


def test_unknown_recipe_is_refused():
    with pytest.raises(ConfigError, match="recipe"):
        Pix2PixConfig.from_recipe("night")
    with pytest.raises(SystemExit):
        _parse("--recipe", "night")  # argparse choices
