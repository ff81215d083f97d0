"""Faults in training: non-finite losses, damaged checkpoints, interrupted writes, bad configs.

Every case checks the message, the exit status and that nothing written before changed.
"""

import json
import shutil
import types
import zipfile

import numpy as np
import pytest
from fault_tools import TINY_TRAIN, tree_hashes

from data_loaders import synthetic
from thermal_keras.training.checkpoint import TrainingCheckpoint


def _listing(directory):
    """A checkpoint folder opened only to list what it holds."""
    return TrainingCheckpoint(directory, {"listing": types.SimpleNamespace(variables=[])})


DIVERGING = [  # options that make every step's loss non-finite
    ["--lr", "1e8"], ["--lambda-l1", "1e39"], ["--lr", "1e30", "--beta-1", "0.0"]]


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults_data") / "pairs"
    synthetic.write_dataset(root, splits={"train": 8, "test": 4}, size=36, seed=0, layout="flir_v1")
    return root


def tiny(run_dir, data_root, *extra):
    return ["train", "pix2pix", *TINY_TRAIN, "--data", data_root, "--output-dir", run_dir, *extra]


@pytest.mark.parametrize("options", DIVERGING, ids=" ".join)
def test_a_diverging_run_stops_with_a_message_and_saves_no_generator(options, tmp_path, data_root, run_cli):
    result = run_cli(tiny(tmp_path / "run", data_root, *options), watch=tmp_path)
    assert result.code == 2
    line = result.error_line
    assert "training stopped: loss" in line and "at step" in line and "--lr" in line
    assert not (tmp_path / "run" / "generator.keras").exists()
    assert not (tmp_path / "run" / "checkpoints").exists() or not _listing(tmp_path / "run" / "checkpoints").checkpoints()


def test_divergence_after_a_good_epoch_keeps_its_checkpoint(tmp_path, data_root, run_cli):
    run = tmp_path / "run"
    assert run_cli(tiny(run, data_root)).code == 0
    checkpoints = tree_hashes(run / "checkpoints")
    (run / "generator.keras").unlink()
    result = run_cli(tiny(run, data_root, "--epochs", "2", "--lambda-l1", "1e39"), watch=run / "checkpoints")
    assert result.code == 2 and "training stopped" in result.err
    assert tree_hashes(run / "checkpoints") == checkpoints  # the epoch-1 state is untouched
    assert not (run / "generator.keras").exists()


@pytest.mark.parametrize("family, options", [
    ("cyclegan", ["--generator", "resnet", "--n-blocks", "1", "--ngf", "4", "--ndf", "4", "--n-layers-d", "1",
                  "--image-size", "32", "--load-size", "36", "--lambda-cycle", "1e38", "--pool-size", "0"]),
    ("fusiongan", ["--image-size", "32", "--ngf", "2", "--ndf", "2", "--batch-size", "4", "--lr", "1e12",
                   "--synthetic-train", "8", "--synthetic-size", "40", "--layout", "paired"]),
], ids=["cyclegan", "fusiongan"])
def test_every_family_has_the_guard(family, options, tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)
    common = ["--epochs", "1", "--steps-per-epoch", "3", "--output-dir", tmp_path / "run"]
    if family == "cyclegan":
        common += ["--synthetic-train", "8", "--synthetic-test", "4", "--synthetic-size", "36",
                   "--decay-epochs", "0", "--batch-size", "4"]
    result = run_cli(["train", family, *options, *common])
    assert result.code == 2 and "training stopped: loss" in result.error_line


def test_the_sr_family_has_the_guard(tmp_path, run_cli):
    from image_files import save

    folder = tmp_path / "hr"
    rng = np.random.default_rng(0)
    for i in range(3):
        save(folder / f"p{i}.png", rng.integers(0, 256, (48, 48, 3), dtype=np.uint8))
    result = run_cli(["train", "srgan", "--data", folder, "--eval-data", "", "--num-channels", "4",
                      "--num-blocks", "1", "--hr-size", "32", "--batch-size", "2", "--pretrain-steps", "2",
                      "--gan-steps", "0", "--steps-per-epoch", "1", "--pretrain-lr", "1e30",
                      "--output-dir", tmp_path / "run"], watch=folder)
    assert result.code == 2 and "training stopped: loss" in result.error_line


# --- damaged checkpoints -------------------------------------------------------------------------

def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _drop_key(key):
    def damage(path):
        state = json.loads((path.parent / "state.json").read_text())
        del state[key]
        (path.parent / "state.json").write_text(json.dumps(state))
    return damage


def _garbage_state(path):
    (path.parent / "state.json").write_text("{not json")


def _empty_npz(path):
    with zipfile.ZipFile(path, "w"):
        pass


def _flip_bytes(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])  # always a change
    path.write_bytes(bytes(data))


DAMAGE = {"truncated npz": _truncate, "state without epoch": _drop_key("epoch"),
          "state without rng": _drop_key("rng"), "state without step": _drop_key("step"),
          "garbage state": _garbage_state, "npz without arrays": _empty_npz, "corrupt npz bytes": _flip_bytes}


@pytest.fixture(scope="module")
def two_epoch_run(tmp_path_factory, data_root):
    from thermal_keras.cli import main

    run = tmp_path_factory.mktemp("two_epochs") / "run"
    assert main([str(a) for a in tiny(run, data_root, "--epochs", "2")]) == 0
    return run


@pytest.mark.parametrize("damage", list(DAMAGE), ids=list(DAMAGE))
def test_resume_skips_a_damaged_newest_checkpoint(damage, two_epoch_run, tmp_path, data_root, run_cli, caplog):
    run = tmp_path / "run"
    shutil.copytree(two_epoch_run, run)
    checkpoints = _listing(run / "checkpoints")
    newest, older = checkpoints.latest_path(), checkpoints.checkpoints()[0]
    assert newest.endswith("ckpt-000002") and older.endswith("ckpt-000001")
    DAMAGE[damage](run / "checkpoints" / "ckpt-000002" / "variables.npz")
    result = run_cli(tiny(run, data_root, "--epochs", "2"))
    assert result.code == 0
    [skipped] = [r for r in caplog.records if r.name == "thermal_keras.training.checkpoint"]
    assert skipped.levelname == "WARNING" and "ckpt-000002" in skipped.getMessage()
    assert skipped.getMessage().startswith("warning: skipped damaged checkpoint")
    log = (run / "log.csv").read_text().strip().splitlines()
    assert log[-1].startswith("1,")  # epoch index 1 (the second epoch) was trained again from ckpt 1


def test_a_damaged_latest_pointer_falls_back_to_the_newest_complete_checkpoint(two_epoch_run, tmp_path):
    run = tmp_path / "run"
    shutil.copytree(two_epoch_run, run)
    (run / "checkpoints" / "latest").write_text("garbage")
    assert _listing(run / "checkpoints").latest_path().endswith("ckpt-000002")


def test_an_explicit_damaged_checkpoint_is_an_error(two_epoch_run, tmp_path):
    from thermal_keras.training.checkpoint import DamagedCheckpointError

    run = tmp_path / "run"
    shutil.copytree(two_epoch_run, run)
    _truncate(run / "checkpoints" / "ckpt-000002" / "variables.npz")
    with pytest.raises(DamagedCheckpointError, match="variables.npz cannot be read"):
        _listing(run / "checkpoints").restore(run / "checkpoints" / "ckpt-000002")


# --- interrupted writes and nothing written before the checks -----------------------------------

def test_a_killed_synthetic_write_is_cleaned_by_the_next(tmp_path, run_cli):
    leftover = tmp_path / ".tmp-999999999-0123abcd-set"
    (leftover / "train").mkdir(parents=True)
    result = run_cli(["synthetic", tmp_path / "set", "--size", "16", "--train", "2", "--test", "1"])
    assert result.code == 0 and not leftover.exists() and (tmp_path / "set" / "dataset.json").is_file()


def test_a_killed_run_folder_write_is_cleaned_on_the_next_run(tmp_path, data_root, run_cli):
    run = tmp_path / "run"
    run.mkdir()
    (run / ".tmp-999999999-0123abcd-config.json").write_text("{")
    assert run_cli(tiny(run, data_root)).code == 0
    assert not any(p.name.startswith(".tmp-") for p in run.iterdir())


@pytest.mark.parametrize("bad", [["--data", "nowhere"], ["--layout", "llvip"], ["--train-split", "nosuch"]],
                         ids=" ".join)
def test_a_failed_input_check_writes_nothing(bad, tmp_path, data_root, run_cli):
    argv = tiny(tmp_path / "run", data_root, *bad)
    if bad[0] == "--data":
        argv = [tmp_path / a if a == "nowhere" else a for a in argv]
    result = run_cli(argv, watch=tmp_path)
    assert result.code == 2 and not (tmp_path / "run").exists()
