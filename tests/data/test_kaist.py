"""The KAIST multispectral loader on a miniature copy of its layout (setXX/VXXX/{visible,lwir}/IXXXXX.jpg)."""

import numpy as np
import pytest
from image_files import save

from data_loaders import DatasetError
from data_loaders.common import UnpairedFilesWarning
from data_loaders.kaist import kaist


def miniature(root, sets=("set00", "set01", "set06"), videos=("V000", "V001"), frames=4):
    rng = np.random.default_rng(0)
    for set_name in sets:
        for video in videos:
            for i in range(frames):
                grey = rng.integers(0, 255, (16, 20), dtype=np.uint8)
                save(root / set_name / video / "visible" / f"I{i:05d}.jpg", rng.integers(0, 255, (16, 20, 3), dtype=np.uint8))
                save(root / set_name / video / "lwir" / f"I{i:05d}.jpg", np.repeat(grey[..., None], 3, -1))
    return root


def test_train_sets_pair_frames_by_name_in_order(tmp_path):
    files = kaist(miniature(tmp_path / "kaist"))
    assert len(files) == 2 * 2 * 4 and files.aligned  # set00 and set01 (train), two videos, four frames
    assert files.extras["sets"] == ["set00", "set01"]
    for a, b in zip(files.a_paths, files.b_paths):
        assert a.replace("/visible/", "/lwir/") == b
    assert files.a_paths[0].endswith("set00/V000/visible/I00000.jpg")
    assert files.a_spec.channels == 3 and files.b_spec.channels == 1 and files.b_spec.bit_depth == 8


def test_test_sets_step_and_explicit_lists(tmp_path):
    root = miniature(tmp_path / "kaist")
    test = kaist(root, "test", step=2)
    assert len(test) == 2 * 2 and all("/set06/" in p for p in test.a_paths)
    assert [p[-10:] for p in test.a_paths[:2]] == ["I00000.jpg", "I00002.jpg"]
    assert len(kaist(root, ["set01"])) == 8
    assert len(kaist(root, "all")) == 24


def test_missing_sets_and_unpaired_frames_are_named(tmp_path):
    root = miniature(tmp_path / "kaist", sets=("set00",))
    with pytest.raises(DatasetError, match="none of the KAIST sets set06"):
        kaist(root, "test")
    with pytest.raises(DatasetError, match="KAIST sets not found: set03"):
        kaist(root, ["set00", "set03"])
    (root / "set00" / "V000" / "lwir" / "I00003.jpg").unlink()
    with pytest.raises(DatasetError, match="I00003"):
        kaist(root)
    with pytest.warns(UnpairedFilesWarning, match="I00003"):
        assert len(kaist(root, on_unpaired="skip")) == 7
    with pytest.raises(ValueError, match="step"):
        kaist(root, step=0)
