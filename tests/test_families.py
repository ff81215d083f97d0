"""The family registry (thermal_keras.families): every family registered once, looked up everywhere."""

import re
from pathlib import Path

import pytest

from thermal_keras import families, presets
from thermal_keras.presets.recipes import RECIPES

PACKAGE = Path(families.__file__).resolve().parent
# `family == "x"`, `family != 'x'`, `family in ("x", ...)`, `family not in ('x', ...)`: a switch on a name.
SWITCH = re.compile(r"""family["']?]?\s*(==|!=)\s*["']|family["']?]?\s+(not\s+)?in\s+[(\[{]\s*["']""")


def test_every_shipped_preset_and_recipe_names_a_registered_family():
    shipped = {row["family"] for row in presets.list_presets()}
    recipes = {recipe["family"] for recipe in RECIPES.values()}
    assert shipped and shipped <= set(families.names()), shipped
    assert recipes <= set(families.names()), recipes


def test_presets_accept_exactly_the_registered_families():
    assert presets.FAMILIES == families.names()
    assert set(families.names()) == {"pix2pix", "cyclegan", "srgan", "fusiongan", "stdfusionnet"}


@pytest.mark.parametrize("name", families.names())
def test_every_field_of_a_family_resolves(name):
    entry = families.family(name)
    assert entry.contract in families.CONTRACTS
    assert entry.config_class.__name__.endswith("Config")
    for field in ("quick_check", "evaluate_on", "format_report", "package_metrics", "real_check"):
        assert entry.load(field) is None if getattr(entry, field) is None else callable(entry.load(field)), field
    assert entry.report_rows


def test_an_unknown_family_is_one_line_naming_it_and_the_known_ones():
    with pytest.raises(ValueError) as caught:
        families.family("stylegan")
    message = str(caught.value)
    assert "\n" not in message and "'stylegan'" in message
    assert all(name in message for name in families.names())


def test_a_family_cannot_be_registered_twice_or_with_an_unknown_contract():
    entry = families.family("pix2pix")
    with pytest.raises(ValueError, match="registered already"):
        families.register(entry)
    import dataclasses

    with pytest.raises(ValueError, match="contract 'audio'"):
        families.register(dataclasses.replace(entry, name="other", contract="audio"))
    assert "other" not in families.names()


def test_contract_lookups_follow_the_registry():
    from thermal_keras.deploy.cli import FAMILY_OF_PRESET
    from thermal_keras.fusion.cli import FUSION_FAMILIES as FUSE_FAMILIES
    from thermal_keras.presets.checks import FUSION_FAMILIES

    assert families.with_contract("translator") == ("pix2pix", "cyclegan")
    assert FUSION_FAMILIES == FUSE_FAMILIES == families.with_contract("fusion") == ("fusiongan", "stdfusionnet")
    assert FAMILY_OF_PRESET == {name: families.family(name).contract for name in families.names()}


def test_the_registry_imports_nothing_from_the_package():
    import ast

    tree = ast.parse((PACKAGE / "families.py").read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {name for name in imported if name and name.split(".")[0] in ("thermal_keras", "data_loaders")}


def test_the_switch_pattern_finds_switches():
    for line in ('if preset.family == "srgan":', "family != 'x'", 'if family in ("pix2pix", "cyclegan"):',
                 "elif info['family'] not in ['a']:"):
        assert SWITCH.search(line), line
    for line in ("if family not in FAMILIES:", "family = family or generator_family(generator)"):
        assert not SWITCH.search(line), line


def test_no_switch_on_a_family_name_is_left_in_the_package():
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py")) if path.name != "families.py"
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if SWITCH.search(line)]
    assert not found, "\n".join(found)
