"""Dataset layouts -> PairedFiles: pairing by name, spec detection, FLIR v1/v2 and LLVIP rules.

Fixture folders are written here with PIL/tifffile (tiny images); the real LLVIP sample is read from
../shared when present.
"""

import json
import warnings

import numpy as np
import pytest
from image_files import save

from data_loaders.common import (
    DatasetError,
    ImageSpec,
    UnpairedFilesWarning,
    load_target_spec,
    pair_by_stem,
    require_dir,
    save_dataset_spec,
)
from data_loaders.flir_v1 import flir_v1
from data_loaders.flir_v2 import MAP_FILE, flir_v2, flir_v2_unpaired
from data_loaders.images import estimate_value_range, probe_image, read_image
from data_loaders.llvip import llvip
from data_loaders.paired import paired_folder
from data_loaders.validate import validate_pairs


def rgb(seed, h=24, w=32):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def counts(seed, h=24, w=32, low=27000, high=31000):
    return np.random.default_rng(seed).integers(low, high, (h, w), dtype=np.uint16)


# --- common helpers ---------------------------------------------------------------------------

def test_pair_by_stem_pairs_different_extensions_in_name_order(tmp_path):
    for stem in ("b", "a", "c"):
        save(tmp_path / "A" / f"{stem}.png", rgb(1))
        save(tmp_path / "B" / f"{stem}.tiff", counts(1))
    a, b = pair_by_stem(tmp_path / "A", tmp_path / "B")
    assert [p.rsplit("/", 1)[1] for p in a] == ["a.png", "b.png", "c.png"]
    assert [p.rsplit("/", 1)[1] for p in b] == ["a.tiff", "b.tiff", "c.tiff"]


def test_pair_by_stem_error_names_unpaired_files_on_both_sides(tmp_path):
    save(tmp_path / "A" / "both.png", rgb(1))
    save(tmp_path / "B" / "both.png", rgb(1))
    save(tmp_path / "A" / "only_in_a.png", rgb(2))
    save(tmp_path / "B" / "only_in_b.png", rgb(3))
    with pytest.raises(DatasetError) as err:
        pair_by_stem(tmp_path / "A", tmp_path / "B")
    message = str(err.value)
    assert "only_in_a.png" in message and "only_in_b.png" in message
    assert str(tmp_path / "B") in message  # says where the partner is missing


def test_pair_by_stem_skip_warns_with_count_and_names(tmp_path):
    for i in range(3):
        save(tmp_path / "A" / f"f{i}.png", rgb(i))
    save(tmp_path / "B" / "f1.png", rgb(1))
    with pytest.warns(UnpairedFilesWarning, match="2 file") as caught:
        a, b = pair_by_stem(tmp_path / "A", tmp_path / "B", on_unpaired="skip")
    assert len(a) == len(b) == 1 and a[0].endswith("f1.png")
    assert "f0.png" in str(caught[0].message) and "f2.png" in str(caught[0].message)


def test_missing_and_empty_folders_are_named(tmp_path):
    with pytest.raises(DatasetError, match="nowhere.*not found"):
        require_dir(tmp_path / "nowhere")
    (tmp_path / "A").mkdir()
    (tmp_path / "A" / "notes.txt").write_text("not an image")
    save(tmp_path / "B" / "x.png", rgb(0))
    with pytest.raises(DatasetError, match=r"A.*holds no images"):
        pair_by_stem(tmp_path / "A", tmp_path / "B")


def test_duplicate_stems_in_one_folder_are_an_error(tmp_path):
    save(tmp_path / "A" / "x.png", rgb(0))
    save(tmp_path / "A" / "x.jpg", rgb(0))
    save(tmp_path / "B" / "x.png", rgb(0))
    with pytest.raises(DatasetError, match=r"x\.jpg.*x\.png|x\.png.*x\.jpg"):
        pair_by_stem(tmp_path / "A", tmp_path / "B")


def test_probe_reads_bit_depth_and_channels_from_headers(tmp_path):
    colour = probe_image(save(tmp_path / "c.png", rgb(0)))
    grey16 = probe_image(save(tmp_path / "g.png", counts(0)))
    assert (colour.channels, colour.bit_depth, grey16.channels, grey16.bit_depth) == (3, 8, 1, 16)
    info = probe_image(save(tmp_path / "t.tiff", counts(0, 20, 30)))
    assert (info.width, info.height, info.channels, info.bit_depth) == (30, 20, 1, 16)
    assert probe_image(save(tmp_path / "f.tiff", np.zeros((4, 4), np.float32))).bit_depth is None


def test_estimate_value_range_uses_percentiles(tmp_path):
    values = np.arange(20000, 30000, dtype=np.uint16).reshape(100, 100)  # uniform 20000..29999
    paths = [save(tmp_path / f"{i}.tiff", values) for i in range(3)]
    low, high = estimate_value_range(paths)
    assert low == pytest.approx(20050, abs=2) and high == pytest.approx(29950, abs=2)


# --- paired_folder ------------------------------------------------------------------------------

def test_paired_folder_detects_8bit_grey_target(tmp_path):
    for i in range(3):
        save(tmp_path / "A" / f"{i}.png", rgb(i))
        save(tmp_path / "B" / f"{i}.png", rgb(i)[..., 0])
    files = paired_folder(tmp_path)
    assert len(files) == 3 and files.aligned
    assert files.b_spec == ImageSpec(channels=1, bit_depth=8)


def test_paired_folder_16bit_auto_range_is_recorded(tmp_path):
    for i in range(4):
        save(tmp_path / "A" / f"{i}.png", rgb(i))
        save(tmp_path / "B" / f"{i}.png", counts(i, low=28000, high=30000))
    files = paired_folder(tmp_path)
    low, high = files.b_spec.value_range
    assert files.b_spec.bit_depth == 16 and files.b_spec.channels == 1
    assert 28000 <= low < 28100 and 29900 < high <= 30000
    assert files.extras["value_range_source"].startswith("auto")


def test_paired_folder_16bit_range_from_dataset_json(tmp_path):
    for i in range(2):
        save(tmp_path / "A" / f"{i}.png", rgb(i))
        save(tmp_path / "B" / f"{i}.png", counts(i))
    save_dataset_spec(tmp_path, ImageSpec(channels=1, bit_depth=16, value_range=(20000, 40000),
                                          counts_per_kelvin=100))
    files = paired_folder(tmp_path)
    assert files.b_spec.value_range == (20000.0, 40000.0) and files.b_spec.counts_per_kelvin == 100
    assert files.extras["value_range_source"] == "dataset.json"


def test_paired_split_folder_reads_synthetic_style_json_in_parent(tmp_path):
    split = tmp_path / "train"
    save(split / "A" / "0.png", rgb(0))
    save(split / "B" / "0.png", counts(0))
    (tmp_path / "dataset.json").write_text(json.dumps(
        {"thermal_u16": {"value_range": [23315, 34315], "counts_per_kelvin": 100.0}}))
    assert load_target_spec(split).value_range == (23315.0, 34315.0)
    assert paired_folder(split).b_spec.value_range == (23315.0, 34315.0)


# --- LLVIP --------------------------------------------------------------------------------------

def test_llvip_layout_fixture(tmp_path):
    for i in (1, 2):
        save(tmp_path / "visible" / "test" / f"{i:06d}.jpg", rgb(i))
        save(tmp_path / "infrared" / "test" / f"{i:06d}.jpg", np.repeat(rgb(i)[..., :1], 3, -1))
    files = llvip(tmp_path, split="test")
    assert len(files) == 2 and files.aligned and files.b_spec.channels == 1
    assert files.a_paths[0].endswith("visible/test/000001.jpg")
    with pytest.raises(DatasetError, match=r"visible/train.*not found \(beside it: test\)"):
        llvip(tmp_path, split="train")


def test_llvip_real_sample(llvip_sample_root):
    files = llvip(llvip_sample_root, split="train")
    assert len(files) == 32
    assert all(a.rsplit("/", 1)[1] == b.rsplit("/", 1)[1] for a, b in zip(files.a_paths, files.b_paths))
    infos = validate_pairs(files)  # every file decodes, infrared is grey, sizes match
    assert {(a.width, a.height) for a, _ in infos} == {(1280, 1024)}
    assert {(b.channels, b.bit_depth) for _, b in infos} == {(3, 8)}  # 3-channel grey on disk
    grey = read_image(files.b_paths[0])
    assert np.array_equal(grey[..., 0], grey[..., 2])


# --- FLIR ADAS v1 -------------------------------------------------------------------------------

def write_flir_v1(root, stems, rgb_missing=()):
    for i, stem in enumerate(stems):
        if stem not in rgb_missing:
            save(root / "train" / "RGB" / f"{stem}.jpg", rgb(i, 36, 40))
        save(root / "train" / "thermal_8_bit" / f"{stem}.jpeg", rgb(i, 24, 32)[..., 0])
        save(root / "train" / "thermal_16_bit" / f"{stem}.tiff", counts(i, low=27000 + i, high=31000))


def test_flir_v1_8bit_pairs_are_not_aligned(tmp_path):
    write_flir_v1(tmp_path, ["FLIR_00001", "FLIR_00002"])
    files = flir_v1(tmp_path)
    assert len(files) == 2 and not files.aligned
    assert files.b_paths[1].endswith("thermal_8_bit/FLIR_00002.jpeg")
    assert files.b_spec == ImageSpec(channels=1, bit_depth=8)
    validate_pairs(files, sizes_must_match=False)


def test_flir_v1_skips_thermal_without_rgb_with_a_warning(tmp_path):
    write_flir_v1(tmp_path, [f"FLIR_{i:05d}" for i in range(1, 6)], rgb_missing=("FLIR_00002", "FLIR_00004"))
    with pytest.warns(UnpairedFilesWarning) as caught:
        files = flir_v1(tmp_path)
    message = str(caught[0].message)
    assert len(files) == 3 and "2 file(s)" in message and "FLIR_00002.jpeg" in message
    with pytest.raises(DatasetError, match="FLIR_00004"):
        flir_v1(tmp_path, on_unpaired="error")


def test_flir_v1_16bit_auto_tuple_and_radiometric(tmp_path):
    write_flir_v1(tmp_path, ["FLIR_00001", "FLIR_00002", "FLIR_00003"])
    auto = flir_v1(tmp_path, thermal="16bit")
    low, high = auto.b_spec.value_range
    assert auto.b_spec.bit_depth == 16 and 27000 <= low < 27100 and 30900 < high <= 31000
    assert auto.b_spec.counts_per_kelvin is None
    assert auto.b_paths[0].endswith(".tiff")
    given = flir_v1(tmp_path, thermal="16bit", count_range=(25000, 35000), radiometric=True)
    assert given.b_spec.value_range == (25000.0, 35000.0) and given.b_spec.counts_per_kelvin == 100
    with pytest.raises(ValueError, match="radiometric"):
        flir_v1(tmp_path, thermal="8bit", radiometric=True)
    with pytest.raises(ValueError, match="thermal"):
        flir_v1(tmp_path, thermal="14bit")


def test_flir_v1_missing_split_lists_what_is_there(tmp_path):
    write_flir_v1(tmp_path, ["FLIR_00001"])
    with pytest.raises(DatasetError, match=r"val.*not found.*train"):
        flir_v1(tmp_path, split="val")


# --- FLIR ADAS v2 -------------------------------------------------------------------------------

def write_flir_v2(root, n=3):
    mapping = {}
    for i in range(n):
        rgb_name = f"video-aaa-frame-{i:06d}-rgbhash{i}.jpg"
        thermal_name = f"video-bbb-frame-{i:06d}-thhash{i}.jpg"
        save(root / "video_rgb_test" / "data" / rgb_name, rgb(i, 36, 40))
        save(root / "video_thermal_test" / "data" / thermal_name, rgb(i)[..., 0])
        mapping[rgb_name] = thermal_name
    for split in ("train", "val"):
        save(root / f"images_rgb_{split}" / "data" / "video-x-frame-000001-r.jpg", rgb(0))
        save(root / f"images_thermal_{split}" / "data" / "video-y-frame-000007-t.jpg", rgb(0)[..., 0])
        save(root / f"images_thermal_{split}" / "data" / "video-y-frame-000009-t.jpg", rgb(1)[..., 0])
    (root / MAP_FILE).write_text(json.dumps(mapping))
    return mapping


def test_flir_v2_pairs_only_from_the_map(tmp_path):
    mapping = write_flir_v2(tmp_path)
    save(tmp_path / "video_rgb_test" / "data" / "unmapped.jpg", rgb(9))
    files = flir_v2(tmp_path)
    assert len(files) == 3 and not files.aligned
    pairs = {a.rsplit("/", 1)[1]: b.rsplit("/", 1)[1] for a, b in zip(files.a_paths, files.b_paths)}
    assert pairs == mapping


def test_flir_v2_train_and_val_are_refused_with_the_reason(tmp_path):
    write_flir_v2(tmp_path)
    for split in ("train", "val"):
        with pytest.raises(DatasetError, match="not paired.*not pixel-aligned.*flir_v2_unpaired"):
            flir_v2(tmp_path, split=split)
    rgb_paths, thermal_paths = flir_v2_unpaired(tmp_path, "train")
    assert len(rgb_paths) == 1 and len(thermal_paths) == 2
    assert "images_thermal_train" in thermal_paths[0]


def test_flir_v2_missing_mapped_file_is_named(tmp_path):
    mapping = write_flir_v2(tmp_path)
    gone = next(iter(mapping.values()))
    (tmp_path / "video_thermal_test" / "data" / gone).unlink()
    with pytest.raises(DatasetError, match=gone):
        flir_v2(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        files = flir_v2(tmp_path, on_unpaired="skip")
    assert len(files) == 2 and any(gone in str(w.message) for w in caught)


def test_flir_v2_map_shape_is_checked(tmp_path):
    write_flir_v2(tmp_path)
    (tmp_path / MAP_FILE).write_text(json.dumps([["a.jpg", "b.jpg"]]))
    with pytest.raises(DatasetError, match=MAP_FILE):
        flir_v2(tmp_path)


def test_data_loaders_import_nothing_from_thermal_keras():
    """The loaders are the floor the package stands on: no import of ``thermal_keras`` (at module level
    or inside a function), so no import circle can pass through them."""
    import ast
    from pathlib import Path

    import data_loaders

    found = []
    for path in sorted(Path(data_loaders.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}:{node.lineno} {name}" for name in names if name.split(".")[0] == "thermal_keras"]
    assert not found, found
