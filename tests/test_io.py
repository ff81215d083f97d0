"""Atomic writes, image listing and reading, luma."""

import os
import stat

import numpy as np
import pytest
from PIL import Image

from thermal_keras import io


def test_atomic_path_renames_on_success_and_cleans_up_on_failure(tmp_path):
    target = tmp_path / "sub" / "out.txt"
    io.atomic_write_text(target, "one")
    assert target.read_text() == "one"
    with pytest.raises(RuntimeError):
        with io.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert target.read_text() == "one"
    assert [p.name for p in target.parent.iterdir()] == ["out.txt"]


def test_atomic_dir_replaces_only_when_complete_with_ordinary_permissions(tmp_path):
    target = tmp_path / "model"
    with io.atomic_dir(target) as tmp:
        (tmp / "a").write_text("1")
    with pytest.raises(ValueError):
        with io.atomic_dir(target) as tmp:
            (tmp / "b").write_text("2")
            raise ValueError("fail")
    assert sorted(p.name for p in target.iterdir()) == ["a"]
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o777 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_remove_stale_temporaries(tmp_path):
    (tmp_path / ".tmp-abc-x.png").write_bytes(b"")
    (tmp_path / ".tmp-999999999-def-folder").mkdir()  # no such process: a killed writer's
    (tmp_path / f".tmp-{os.getpid()}-0123-live.png").write_bytes(b"")  # a live writer's: kept
    (tmp_path / "keep.png").write_bytes(b"")
    assert len(io.remove_stale_temporaries(tmp_path)) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [f".tmp-{os.getpid()}-0123-live.png", "keep.png"]


def test_list_images_and_reading(tmp_path):
    Image.fromarray(np.full((4, 5, 3), 200, np.uint8)).save(tmp_path / "b.png")
    Image.fromarray(np.full((4, 5), 10, np.uint8)).save(tmp_path / "a.jpg")
    (tmp_path / "notes.txt").write_text("x")
    assert [p.name for p in io.list_images(tmp_path)] == ["a.jpg", "b.png"]
    with pytest.raises(ValueError, match="at least 3"):
        io.list_images(tmp_path, minimum=3)
    assert io.read_unit_image(tmp_path / "b.png").shape == (4, 5, 1)  # grey stored as RGB
    assert io.read_unit_image(tmp_path / "b.png", channels=3).shape == (4, 5, 3)
    (tmp_path / "broken.png").write_bytes(b"no")
    with pytest.raises(ValueError, match="broken.png"):
        io.read_rgb_u8(tmp_path / "broken.png")


def test_luma_weights_sum_to_one():
    assert np.allclose(io.luma(np.ones((2, 2, 3))), 1.0)
    assert io.luma([[255.0, 0.0, 0.0]])[0, 0] == pytest.approx(0.299 * 255, rel=1e-6)


def test_save_to_folder_copies_results_and_never_replaces_what_is_there(tmp_path):
    from thermal_keras.io import save_to_folder

    model = tmp_path / "run" / "saved_model"
    (model / "variables").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(b"pb")
    (model / "variables" / "v.index").write_bytes(b"ix")
    figure = tmp_path / "run" / "figure.png"
    figure.write_bytes(b"png")
    drive = tmp_path / "drive" / "00_quickstart"
    written = save_to_folder([model, figure], drive)
    assert written == [drive / "saved_model", drive / "figure.png"]
    assert (drive / "saved_model" / "variables" / "v.index").read_bytes() == b"ix"
    assert (drive / "figure.png").read_bytes() == b"png"
    figure.write_bytes(b"new")
    with pytest.raises(FileExistsError, match="figure.png already exists"):
        save_to_folder([figure], drive)
    assert (drive / "figure.png").read_bytes() == b"png"
    with pytest.raises(FileNotFoundError, match="nothing to copy at .*absent"):
        save_to_folder([tmp_path / "absent"], drive)
    assert sorted(p.name for p in drive.iterdir()) == ["figure.png", "saved_model"]
