"""The RoadScene loader and its split by runs of frames, on a miniature copy of the layout
(crop_LR_visible/ + cropinfrared/, sizes varying per pair) and, when present, the research sample."""

from pathlib import Path

import numpy as np
import pytest
from image_files import save

from data_loaders import DatasetError
from data_loaders import roadscene as rs
from thermal_keras.data.sources import load_split

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "roadscene_sample"
# A neighbour of a held-out run (FLIR_05857-05987) in the guard band, frames inside and far away.
NAMES = ("FLIR_00006", "FLIR_05857", "FLIR_05900", "FLIR_05990", "FLIR_06100", "FLIR_video_00248", "FLIR_video_00595")


def miniature(root, names=NAMES):
    rng = np.random.default_rng(0)
    for i, name in enumerate(names):
        h, w = 20 + i, 30 + 2 * i  # sizes vary per pair, the two images of a pair match
        save(root / rs.VISIBLE_FOLDER / f"{name}.jpg", rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        save(root / rs.INFRARED_FOLDER / f"{name}.jpg", rng.integers(0, 255, (h, w), dtype=np.uint8))
    return root


def stems(files):
    return [Path(p).stem for p in files.a_paths]


def test_frame_runs_split_where_the_prefix_changes_or_numbers_jump():
    runs = rs.frame_runs(["FLIR_00100", "FLIR_00010", "FLIR_00060", "FLIR_00300", "FLIR_video_00061"], gap=50)
    assert runs == [["FLIR_00010", "FLIR_00060", "FLIR_00100"], ["FLIR_00300"], ["FLIR_video_00061"]]
    assert rs.frame_key("FLIR_video_00248") == ("FLIR_video_", 248)


def test_split_holds_out_whole_runs_and_drops_their_neighbours(tmp_path):
    root = miniature(tmp_path / "roadscene")
    train, test = rs.roadscene(root, "train"), rs.roadscene(root, "test")
    assert stems(test) == ["FLIR_05857", "FLIR_05900", "FLIR_video_00248"]
    # FLIR_05990 is 3 numbers after a held-out run: a neighbour, in neither split.
    assert stems(train) == ["FLIR_00006", "FLIR_06100", "FLIR_video_00595"]
    assert len(rs.roadscene(root, "all")) == len(NAMES)
    assert train.a_spec.channels == 3 and train.b_spec.channels == 1 and train.b_spec.bit_depth == 8
    for a, b in zip(train.a_paths, train.b_paths):
        assert Path(a).parent.name == rs.VISIBLE_FOLDER and Path(b).parent.name == rs.INFRARED_FOLDER
        assert Path(a).stem == Path(b).stem


def test_layout_roadscene_through_the_config_sources(tmp_path):
    root = miniature(tmp_path / "roadscene")
    assert stems(load_split(root, "roadscene", "test")) == stems(rs.roadscene(root, "test"))


def test_bad_split_and_missing_folders_are_named(tmp_path):
    root = miniature(tmp_path / "roadscene")
    with pytest.raises(ValueError, match="split must be one of train, test, all"):
        rs.roadscene(root, "val")
    (root / rs.INFRARED_FOLDER / "FLIR_00006.jpg").unlink()
    with pytest.raises(DatasetError, match="FLIR_00006"):
        rs.roadscene(root, "train")
    visible_only = tmp_path / "visible_only"
    (visible_only / rs.VISIBLE_FOLDER).mkdir(parents=True)
    with pytest.raises(DatasetError, match="cropinfrared"):
        rs.roadscene(visible_only, "train")


def test_research_sample_split_is_the_committed_one():
    if not (SAMPLE / rs.VISIBLE_FOLDER).is_dir():
        pytest.skip(f"RoadScene sample not found at {SAMPLE} (it lives in ../shared, outside the repo)")
    train, test, everything = (rs.roadscene(SAMPLE, s) for s in ("train", "test", "all"))
    assert (len(train), len(test), len(everything)) == (138, 31, 169)
    # Held-out frames are whole runs: no training frame is within RUN_GAP numbers of a held-out one.
    held = [rs.frame_key(s) for s in stems(test)]
    for prefix, number in map(rs.frame_key, stems(train)):
        assert all(p != prefix or abs(n - number) > rs.RUN_GAP for p, n in held)
