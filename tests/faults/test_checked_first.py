"""Every problem that can be found before the work is found before it (issue 31).

Options out of range, outputs that cannot be written, models of another family and damaged presets
or weights files: each is refused with one line naming the option or the file, exit status 2,
nothing written (no run folder, no output) and, where the old code did the work first, nothing
printed on stdout (no score table, no "wrote ...").
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from bad_datasets import dataset, hr_dir
from PIL import Image
from test_input_faults_cli import FUSION, PIX2PIX, SRGAN, assert_refused

PRESETS = Path(__file__).resolve().parents[2] / "thermal_keras" / "presets"
PROC = Path("/proc")


def _photo(path, seed=0, grey=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (40, 40) if grey else (40, 40, 3), dtype=np.uint8)).save(path)
    return path


def _without(argv, option):
    argv = list(argv)
    index = argv.index(option)
    del argv[index:index + 2]
    return argv


# --- training options that leave nothing to train or do not fit the generator --------------------------

SIZE_CASES = {
    "U-Net depth from the size": (["--image-size", "33"], "--image-size 33: the U-Net, whose depth follows "
                                  "--image-size (5; --num-downs sets another), needs a multiple of 2**5 = 32; "
                                  "use 32 or 64"),
    "U-Net with --num-downs": (["--image-size", "48", "--num-downs", "5"],
                               "--image-size 48 with --num-downs 5: a U-Net needs a multiple of 2**5 = 32; "
                               "use 32 or 64"),
    "U-Net too shallow": (["--image-size", "16"], "--image-size 16: a U-Net needs at least 5 downsamplings"),
    "unet_128": (["--image-size", "64", "--generator", "unet_128"], "generator unet_128 needs a multiple of "
                 "2**7 = 128; use 128"),
}


@pytest.mark.parametrize("case", list(SIZE_CASES))
def test_a_crop_the_unet_cannot_take_is_refused_before_the_run_folder(case, tmp_path, run_cli):
    options, expected = SIZE_CASES[case]
    root, out = dataset(tmp_path), tmp_path / "run"
    argv = _without(_without(PIX2PIX, "--image-size"), "--num-downs")
    outcome = run_cli([*argv, *options, "--data", root, "--output-dir", out], watch=tmp_path)
    line = assert_refused(outcome, out, [expected])
    assert "num_downs must be" not in line


def test_a_crop_the_resnet_cannot_take_is_refused_before_the_run_folder(tmp_path, run_cli):
    root, out = dataset(tmp_path), tmp_path / "run"
    outcome = run_cli(["train", "cyclegan", "--layout", "paired", "--data", root, "--generator", "resnet",
                       "--n-blocks", "1", "--ngf", "4", "--ndf", "4", "--image-size", "34", "--load-size", "0",
                       "--epochs", "1", "--decay-epochs", "0", "--eval-split", "", "--output-dir", out],
                      watch=tmp_path)
    assert_refused(outcome, out, ["--image-size 34: generator resnet needs a multiple of 4", "use 32 or 36"])


@pytest.mark.parametrize("family", ["pix2pix", "fusiongan", "srgan"])
def test_nothing_to_train_is_refused(family, tmp_path, run_cli):
    out = tmp_path / "run"
    if family == "pix2pix":
        argv, expected = [*PIX2PIX, "--data", dataset(tmp_path), "--epochs", "0"], "--epochs 0 --decay-epochs 0"
    elif family == "fusiongan":
        argv, expected = [*FUSION, "--data", dataset(tmp_path) / "train", "--epochs", "0"], "--epochs 0"
    else:
        argv = [*SRGAN, "--data", hr_dir(tmp_path), "--pretrain-steps", "0"]
        expected = "--pretrain-steps 0 --gan-steps 0"
    outcome = run_cli([*argv, "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, [f"{expected}: nothing to train, so no generator would be trained"])
    assert "trained; generator saved" not in outcome.out


# --- outputs that cannot be written, options out of range: before the scores ----------------------------

def _folders(tmp_path):
    for i in range(3):
        _photo(tmp_path / "real" / f"{i}.png", i)
        _photo(tmp_path / "fake" / f"{i}.png", i + 5)
    return ["evaluate", "--real", tmp_path / "real", "--fake", tmp_path / "fake"]


@pytest.mark.skipif(not (PROC / "self").is_dir(), reason="needs Linux's /proc, which takes no new files")
def test_evaluate_json_where_no_file_can_be_made(tmp_path, run_cli):
    outcome = run_cli([*_folders(tmp_path), "--weights", "none", "--json", PROC / "x.json"], watch=tmp_path)
    assert outcome.code == 2 and outcome.out == ""  # refused before the scores, not after them
    assert "cannot write /proc/x.json: the folder /proc " in outcome.error_line
    assert ".tmp-" not in outcome.err and "Errno" not in outcome.err


@pytest.mark.skipif(not (PROC / "self").is_dir(), reason="needs Linux's /proc, which takes no new files")
def test_export_tflite_where_no_file_can_be_made(tiny_run, tmp_path, run_cli):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    outcome = run_cli(["export", "--run", run, "--format", "tflite", "--out", PROC / "x.tflite"], watch=tmp_path)
    assert outcome.code == 2 and outcome.out == ""
    assert "cannot write /proc/x.tflite: the folder /proc " in outcome.error_line
    assert ".tmp-" not in outcome.err and "Errno" not in outcome.err


def test_the_unwritable_check_tries_the_folder(tmp_path, monkeypatch):
    """Permission bits do not tell (root passes ``os.access`` everywhere): the check makes a file."""
    from thermal_keras import io

    real_open = os.open

    def read_only_filesystem(path, flags, *args):
        if Path(path).parent == tmp_path and flags & os.O_CREAT:
            raise OSError(30, "Read-only file system")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only_filesystem)
    with pytest.raises(ValueError, match=r"takes no new files \(Read-only file system\)"):
        io.check_writable_location(tmp_path / "deep" / "scores.json")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option, value, expected", [
    ("--kid-subset-size", "-5", "--kid-subset-size -5: must be at least 2"),
    ("--kid-subset-size", "1", "--kid-subset-size 1: must be at least 2"),
    ("--kid-subsets", "0", "--kid-subsets 0: must be at least 1"),
])
def test_kid_options_are_checked_before_the_feature_pass(option, value, expected, tmp_path, run_cli):
    outcome = run_cli([*_folders(tmp_path), "--weights", "random", option, value], watch=tmp_path)
    assert outcome.code == 2 and outcome.out == ""
    assert expected in outcome.error_line


def test_a_garbage_weights_file_is_named(tmp_path, run_cli):
    garbage = tmp_path / "inception.h5"
    garbage.write_bytes(b"<html>not found</html>" * 20)
    outcome = run_cli([*_folders(tmp_path), "--weights", garbage], watch=tmp_path)
    assert outcome.code == 2 and outcome.out == ""
    assert f"{garbage}: not a weights file (neither HDF5 .h5 nor a .keras archive)" in outcome.error_line


def test_an_hdf5_file_without_the_weights_is_named(tmp_path):
    import h5py

    from thermal_keras.features import feature_extractor

    empty = tmp_path / "empty.h5"
    with h5py.File(empty, "w") as file:
        file.attrs["note"] = "no layers"
    with pytest.raises(ValueError, match=f"{empty}: cannot load mobilenet_v2 weights from this file"):
        feature_extractor("mobilenet_v2", weights=str(empty), input_shape=(32, 32, 3))


@pytest.mark.parametrize("size", [["100000", "100000"], ["8193", "64"], ["0", "64"]], ids=" ".join)
def test_tflite_input_size_is_range_checked_first(size, tiny_run, tmp_path, run_cli):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    out = tmp_path / "big.tflite"
    outcome = run_cli(["export", "--run", run, "--format", "tflite", "--input-size", *size, "--out", out],
                      watch=tmp_path)
    assert outcome.code == 2 and outcome.out == ""
    assert f"--input-size {size[0]} {size[1]}: each side must be 1 to 8192 pixels" in outcome.error_line
    assert not out.exists() and "MLIR" not in outcome.err


# --- models and presets of the wrong kind, named ------------------------------------------------------------

def _fuse(model, tmp_path):
    ir, visible = _photo(tmp_path / "ir.png", 1, grey=True), _photo(tmp_path / "vis.png", 2)
    return ["fuse", "--model", model, ir, visible, tmp_path / "fused.png"]


def test_fuse_names_a_super_resolution_model(tmp_path, run_cli):
    from thermal_keras.models import build_generator

    model = tmp_path / "sr.keras"
    build_generator("swift_srgan", scale=2, channels=3, num_channels=8, num_blocks=1).save(model)
    outcome = run_cli(_fuse(model, tmp_path), watch=tmp_path)
    assert outcome.code == 2 and "\x1b" not in outcome.err  # no ANSI codes of a raw Keras error
    assert f"{model}: a super-resolution generator" in outcome.error_line
    assert "not a FusionGAN generator" in outcome.error_line
    assert not (tmp_path / "fused.png").exists()


def test_fuse_names_a_translator_run(tiny_run, tmp_path, run_cli):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    outcome = run_cli(_fuse(run, tmp_path), watch=tmp_path)
    assert outcome.code == 2 and "\x1b" not in outcome.err
    assert f"{run / 'generator.keras'}: an RGB -> thermal translator" in outcome.error_line
    assert not (tmp_path / "fused.png").exists()


def test_a_preset_folder_without_its_weights_says_so(tmp_path, run_cli):
    folder = tmp_path / "my_preset"
    folder.mkdir()
    shutil.copy(PRESETS / "pix2pix_rgb2thermal_128" / "preset.json", folder)
    photo = _photo(tmp_path / "a.png")
    outcome = run_cli(["translate", "--preset", folder, photo, tmp_path / "t.png"], watch=tmp_path)
    assert outcome.code == 2
    assert f"{folder / 'weights.npz'}: missing; a preset folder holds preset.json and weights.npz" \
        in outcome.error_line
    assert "unknown preset" not in outcome.error_line and not (tmp_path / "t.png").exists()


@pytest.mark.parametrize("kwargs, expected", [
    ({"in_channels": 0}, "in_channels must be an int >= 2"),
    ({"in_channels": 1}, "in_channels must be an int >= 2"),
    ({"in_channels": "2"}, "in_channels must be an int >= 2"),
    ({"filters": (8, 0, 8, 8)}, "filters and kernel_sizes must be positive ints"),
])
def test_a_fusiongan_generator_of_no_channels_is_refused(kwargs, expected):
    from thermal_keras.models import build_generator

    with pytest.raises(ValueError, match=expected):
        build_generator("fusiongan", **kwargs)
