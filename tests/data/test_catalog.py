"""The dataset catalog: every loader has a source and licence, and `prepare_data` falls back clearly."""

import io
import tarfile

import numpy as np
import pytest
from PIL import Image

from data_loaders import DatasetError, catalog
from data_loaders.hr_folder import hr_folder


def test_every_dataset_loader_is_catalogued_with_its_terms():
    import importlib

    assert {"flir_v1", "flir_v2", "llvip", "kaist", "nih_chestxray", "roadscene", "tno"} == set(catalog.DATASETS)
    for name, info in catalog.DATASETS.items():
        module, function = info.loader.rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), function)), info.loader
        assert info.page.startswith("https://") and info.licence and info.size and info.cite
        assert info.access in ("direct", "form", "page", "git")
        assert bool(info.download_urls) == (info.access == "direct"), name
        assert info.title in catalog.describe_dataset(name) and info.licence in catalog.describe_dataset(name)
    with pytest.raises(ValueError, match="unknown dataset 'flir'"):
        catalog.dataset_info("flir")


def test_without_a_folder_the_synthetic_set_is_used_and_says_how_to_get_the_real_one():
    choice = catalog.prepare_data("llvip")
    assert choice.synthetic and choice.dataset == "synthetic"
    assert choice.message.count(". ") == 0 and choice.message.endswith(".")  # one sentence
    assert "https://bupt-ai-cz.github.io/LLVIP/" in choice.message
    form = catalog.prepare_data("flir_v2", download=True)
    assert form.synthetic and "no direct download link" in form.message and "form" in form.message


def test_roadscene_says_to_clone_its_repository():
    assert "git clone https://github.com/hanna-xu/RoadScene" in catalog.describe_dataset("roadscene")
    choice = catalog.prepare_data("roadscene")
    assert choice.synthetic and "git clone https://github.com/hanna-xu/RoadScene" in choice.message
    assert choice.message.count(". ") == 0 and choice.message.endswith(".")


def _local_repository(path):
    """A small git repository at ``path`` laid out like RoadScene (one frame per side), as a clone source."""
    import subprocess

    for folder in ("crop_LR_visible", "cropinfrared"):
        (path / folder).mkdir(parents=True)
        Image.fromarray(np.zeros((8, 8), np.uint8)).save(path / folder / "FLIR_00001.jpg")
    git = ["git", "-C", str(path), "-c", "user.name=t", "-c", "user.email=t@t"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "frames"]):
        subprocess.run(git + command, check=True, capture_output=True)
    return path


@pytest.mark.skipif(__import__("shutil").which("git") is None, reason="git is not installed")
def test_a_git_dataset_is_cloned_into_the_cache_once_and_a_failed_clone_falls_back(tmp_path, monkeypatch):
    import dataclasses

    source = _local_repository(tmp_path / "source")
    info = catalog.DATASETS["roadscene"]
    monkeypatch.setitem(catalog.DATASETS, "roadscene", dataclasses.replace(info, page=str(source)))
    cache = tmp_path / "cache"
    cloned = catalog.prepare_data("roadscene", download=True, cache_dir=cache)
    assert cloned.path == cache / "roadscene" and cloned.dataset == "roadscene"
    assert (cloned.path / "cropinfrared" / "FLIR_00001.jpg").is_file()
    assert sorted(p.name for p in cache.iterdir()) == ["roadscene"]  # no temporary left
    again = catalog.prepare_data("roadscene", download=True, cache_dir=cache)
    assert again.path == cloned.path and "cloned before" in again.message
    monkeypatch.setitem(catalog.DATASETS, "roadscene", dataclasses.replace(info, page=str(tmp_path / "nowhere")))
    failed = catalog.prepare_data("roadscene", download=True, cache_dir=tmp_path / "other")
    assert failed.synthetic and failed.message.startswith("Cloning RoadScene failed (")
    assert failed.message.endswith("so this run uses the built-in synthetic set.") and "\n" not in failed.message
    assert list((tmp_path / "other").iterdir()) == []  # the half-made clone is gone


def test_a_given_folder_is_used_and_a_missing_one_is_named(tmp_path):
    assert catalog.prepare_data("tno", tmp_path).path == tmp_path
    with pytest.raises(DatasetError, match="nowhere: DATA_DIR is not a folder"):
        catalog.prepare_data("tno", tmp_path / "nowhere")


def _xray_archive(path):
    """A miniature NIH archive: images/00000001_000.png ... as in images_001.tar.gz."""
    with tarfile.open(path, "w:gz") as archive:
        for i in range(3):
            data = io.BytesIO()
            Image.fromarray(np.full((40, 40), 60 * i, np.uint8)).save(data, format="PNG")
            member = tarfile.TarInfo(f"images/0000000{i}_000.png")
            member.size = data.getbuffer().nbytes
            data.seek(0)
            archive.addfile(member, data)


def test_download_goes_through_the_keras_cache_and_offline_falls_back(tmp_path, monkeypatch):
    source = tmp_path / "served.tar.gz"
    _xray_archive(source)
    monkeypatch.setitem(catalog.DATASETS, "nih_chestxray", catalog.DatasetInfo(
        **{**catalog.DATASETS["nih_chestxray"].__dict__, "download_urls": (source.as_uri(),)}))
    choice = catalog.prepare_data("nih_chestxray", download=True, cache_dir=tmp_path / "cache")
    assert choice.path == tmp_path / "cache" / "nih_chestxray" and not choice.synthetic
    images = hr_folder(choice.path, recursive=True)
    assert len(images) == 3
    monkeypatch.setitem(catalog.DATASETS, "nih_chestxray", catalog.DatasetInfo(
        **{**catalog.DATASETS["nih_chestxray"].__dict__, "download_urls": ((tmp_path / "absent.gz").as_uri(),)}))
    offline = catalog.prepare_data("nih_chestxray", download=True, cache_dir=tmp_path / "other")
    assert offline.synthetic and offline.message.startswith("Downloading NIH ChestX-ray14 failed (")
    with pytest.raises(ValueError, match="subset must be at least 1"):
        catalog.prepare_data("nih_chestxray", download=True, subset=0)
