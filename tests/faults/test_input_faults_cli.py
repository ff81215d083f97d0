"""Input faults at the command line ("Never lose a user's data"): every bad dataset is refused before
training with one line that names the file and says what is wrong, exit status 2, no run folder and
no config.json written, and no file that was there before changed. The datasets: ``bad_datasets``.
"""

from __future__ import annotations

from pathlib import Path

from bad_datasets import (
    PIX2PIX_FAULTS, SR_FAULTS, dataset, f_colour_target_first, f_garbage_dataset_json,
    f_missing_target_folder, f_unpaired_input
)
import pytest


PIX2PIX = ["train", "pix2pix", "--layout", "paired", "--image-size", "32", "--load-size", "0",
           "--generator", "unet", "--num-downs", "5", "--ngf", "4", "--ndf", "4",
           "--discriminator", "n_layers", "--n-layers-d", "1", "--batch-size", "2", "--epochs", "1",
           "--decay-epochs", "0", "--eval-split", ""]
SRGAN = ["train", "srgan", "--hr-size", "32", "--scale", "4", "--batch-size", "2", "--num-channels", "4",
         "--num-blocks", "1", "--pretrain-steps", "1", "--gan-steps", "0", "--steps-per-epoch", "1",
         "--perceptual", "", "--eval-data", ""]
FUSION = ["train", "fusiongan", "--layout", "paired", "--image-size", "32", "--load-size", "0",
          "--ngf", "4", "--ndf", "4", "--epochs", "1", "--batch-size", "2", "--eval-split", ""]


def assert_refused(outcome, out: Path, fragments, command="train"):
    line = outcome.error_line  # exactly one stderr line, no traceback
    assert outcome.code == 2, outcome.err
    assert line.startswith(f"thermal-keras {command}: error: "), line
    for fragment in fragments:
        assert str(fragment) in line, f"{fragment!r} not in {line!r}"
    assert not out.exists(), "a run folder was created for input that cannot train"
    return line


@pytest.mark.parametrize("build", PIX2PIX_FAULTS, ids=lambda f: f.__name__[2:])
def test_pix2pix_refuses_bad_input_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments, extra = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out, *extra], watch=tmp_path)
    assert_refused(outcome, out, fragments)
    assert not list(tmp_path.rglob("config.json"))


def test_the_clean_dataset_trains(tmp_path, run_cli):
    """The control: the same tiny dataset and options, unbroken, train and write the run folder."""
    root = dataset(tmp_path, splits=("train", "test"))
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out, "--eval-split", "test"], watch=tmp_path)
    assert outcome.code == 0, outcome.err
    assert (out / "config.json").is_file() and (out / "generator.keras").is_file()


# --- super-resolution and fusion: their load_data refuses the same faults ------------------------

@pytest.mark.parametrize("build", SR_FAULTS, ids=lambda f: f.__name__[2:])
def test_srgan_refuses_bad_hr_images_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*SRGAN, "--data", root, "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, fragments)


@pytest.mark.parametrize("build", [f_colour_target_first, f_unpaired_input, f_garbage_dataset_json,
                                   f_missing_target_folder], ids=lambda f: f.__name__[2:])
def test_fusiongan_refuses_bad_pairs_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments, _ = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*FUSION, "--data", root / "train", "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, fragments)
