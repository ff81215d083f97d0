"""One SavedModel writer (thermal_keras.deploy.savedmodel) for every family, one metadata file name;
exports written before it (SR and FusionGAN metadata under their own names) are still read."""

import json
import shutil

import numpy as np
import pytest

from deploy_models import tiny_generator
from thermal_keras.deploy.savedmodel import METADATA_FILE, OLDER_METADATA_FILES, read_metadata
from thermal_keras.deploy.writers import export_generator
from thermal_keras.export import ThermalTranslator, export_saved_model
from thermal_keras.sr.inference import Upscaler, export_sr_saved_model

FAMILY_OF = {"pix2pix_unet": "translator", "swift_srgan_4x": "sr", "fusiongan": "fusion"}


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    """``{tiny generator name: its SavedModel folder}``, one per deploy contract, written by each caller."""
    root = tmp_path_factory.mktemp("exports")
    translator, _ = tiny_generator("pix2pix_unet")
    sr, _ = tiny_generator("swift_srgan_4x")
    fusion, _ = tiny_generator("fusiongan")
    return {"pix2pix_unet": export_saved_model(translator, root / "translator"),
            "swift_srgan_4x": export_sr_saved_model(sr, root / "sr"),
            "fusiongan": export_generator(fusion, "savedmodel", root / "fusion")}


@pytest.mark.parametrize("name", sorted(FAMILY_OF))
def test_every_family_writes_one_metadata_file_naming_its_family(exports, name):
    folder = exports[name]
    written = sorted(p.name for p in folder.iterdir() if p.suffix == ".json")
    assert written == [METADATA_FILE]
    assert json.loads((folder / METADATA_FILE).read_text())["family"] == FAMILY_OF[name]
    assert read_metadata(folder)[0] == FAMILY_OF[name]


def _as_older_export(folder, target, family):
    """A copy of ``folder`` laid out as before: metadata under the family's own name, no ``family`` key."""
    copy = shutil.copytree(folder, target)
    meta = json.loads((copy / METADATA_FILE).read_text())
    meta.pop("family")
    (copy / METADATA_FILE).unlink()
    (copy / OLDER_METADATA_FILES.get(family, METADATA_FILE)).write_text(json.dumps(meta))
    return copy


def test_an_older_sr_export_upscales_as_the_new_one(exports, tmp_path):
    older = _as_older_export(exports["swift_srgan_4x"], tmp_path / "older_sr", "sr")
    assert (older / "thermal_keras_sr.json").is_file() and not (older / METADATA_FILE).exists()
    image = np.random.default_rng(0).integers(0, 256, (13, 11, 1), dtype=np.uint8)
    new, old = Upscaler(exports["swift_srgan_4x"]), Upscaler(older)
    assert (old.scale, old.channels, old.overlap) == (new.scale, new.channels, new.overlap) == (4, 1, new.overlap)
    assert np.array_equal(old(image), new(image))


def test_an_older_translator_export_still_translates(exports, tmp_path):
    older = _as_older_export(exports["pix2pix_unet"], tmp_path / "older_translator", "translator")
    assert read_metadata(older)[0] == "translator"
    rgb = np.random.default_rng(1).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    assert np.array_equal(ThermalTranslator(older)(rgb)["thermal_u8"],
                          ThermalTranslator(exports["pix2pix_unet"])(rgb)["thermal_u8"])


@pytest.mark.parametrize("name, words", [("swift_srgan_4x", "a super-resolution export"),
                                         ("fusiongan", "a fusion export")])
@pytest.mark.parametrize("older", [False, True], ids=["current", "older"])
def test_translate_refuses_other_families_exports_old_and_new(exports, tmp_path, name, words, older):
    folder = _as_older_export(exports[name], tmp_path / name, FAMILY_OF[name]) if older else exports[name]
    with pytest.raises(ValueError, match=f"{words}; translate needs an RGB -> thermal export"):
        ThermalTranslator(folder)


def test_upscale_refuses_a_translator_export_naming_its_metadata(exports):
    with pytest.raises(ValueError, match=f"{METADATA_FILE}: not written by .* \\(a translator export"):
        Upscaler(exports["pix2pix_unet"])


def test_metadata_that_is_no_json_object_is_named(tmp_path):
    (tmp_path / METADATA_FILE).write_text("[1, 2]")
    with pytest.raises(ValueError, match=f"{METADATA_FILE}: not valid JSON metadata"):
        read_metadata(tmp_path)
    assert read_metadata(tmp_path / "nothing") == (None, {})
