"""What pix2pix and CycleGAN share lives in thermal_keras.translation; the old homes re-export it."""

import ast
import importlib
from pathlib import Path

import pytest

import thermal_keras

PACKAGE = Path(thermal_keras.__file__).resolve().parent

# (old home, name, new home): the names users and the other family were given under pix2pix
MOVED = [("thermal_keras.pix2pix.config", "TranslationConfig", "thermal_keras.translation.config"),
         ("thermal_keras.pix2pix.config", "TRANSLATOR_GENERATORS", "thermal_keras.translation.config"),
         ("thermal_keras.pix2pix.model", "default_gan_optimizer", "thermal_keras.translation.stats"),
         ("thermal_keras.pix2pix.model", "image_stats", "thermal_keras.translation.stats"),
         ("thermal_keras.pix2pix.train", "linear_decay_adam", "thermal_keras.translation.train"),
         ("thermal_keras.pix2pix.train", "unet_downs", "thermal_keras.translation.train"),
         ("thermal_keras.pix2pix.train", "check_crop_fits_generator", "thermal_keras.translation.train"),
         ("thermal_keras.pix2pix.train", "TranslationJob", "thermal_keras.translation.train"),
         ("thermal_keras.pix2pix.evaluate", "evaluate_translation", "thermal_keras.translation.evaluate"),
         ("thermal_keras.pix2pix.evaluate", "format_report", "thermal_keras.translation.evaluate"),
         ("thermal_keras.pix2pix.evaluate", "image_metrics", "thermal_keras.translation.evaluate"),
         ("thermal_keras.pix2pix.evaluate", "mean_target", "thermal_keras.translation.evaluate"),
         ("thermal_keras.pix2pix.evaluate", "grey_of_rgb", "thermal_keras.translation.evaluate"),  # notebook 03
         ("thermal_keras.pix2pix.cli", "check_run", "thermal_keras.translation.runs"),
         ("thermal_keras.pix2pix.cli", "load_run", "thermal_keras.translation.runs"),
         ("thermal_keras.pix2pix.cli", "read_photo", "thermal_keras.commands.translate")]


@pytest.mark.parametrize("old, name, new", MOVED, ids=[f"{o}.{n}" for o, n, _ in MOVED])
def test_a_moved_name_is_one_object_at_its_old_and_new_home(old, name, new):
    assert getattr(importlib.import_module(old), name) is getattr(importlib.import_module(new), name)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_cyclegan_imports_nothing_from_pix2pix():
    leaning = {str(p.relative_to(PACKAGE)): sorted(n for n in _imports(p) if n.startswith("thermal_keras.pix2pix"))
               for p in (PACKAGE / "cyclegan").glob("*.py")}
    assert not any(leaning.values()), {k: v for k, v in leaning.items() if v}


def test_each_family_cli_holds_only_its_own_commands():
    from thermal_keras.cli import build_parser

    _, handlers = build_parser()
    import thermal_keras.pix2pix.cli as pix2pix_cli

    class Recorder:
        def __init__(self):
            self.names = []

        def add_parser(self, name, **kwargs):
            self.names.append(name)
            import argparse

            return argparse.ArgumentParser(prog=name)

    commands, models = Recorder(), Recorder()
    assert set(pix2pix_cli.register(commands, models)) == {"train:pix2pix"}
    assert commands.names == [] and models.names == ["pix2pix"]
    assert {"demo", "evaluate", "export", "translate", "train:pix2pix", "train:cyclegan"} <= set(handlers)
