"""How a training run stops (issue 31): Ctrl-C, and losses that explode while staying finite.

Ctrl-C stops at the end of the step: one line ("stopped ...; resume with the same command"), exit
status 130, no traceback, no temporary left, the newest checkpoint complete. A CycleGAN at
``--lr 1e8`` logs adversarial losses of 1e19 that stay finite: the divergence guard stops it with
one line naming the loss and its bound, exit status 2, and no generator saved.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from fault_tools import TINY_TRAIN

START_TIMEOUT = 240  # seconds to the first checkpoints (TensorFlow import and tracing on 2 busy cores)
STOP_TIMEOUT = 60  # seconds from Ctrl-C to the exit


def _interruptible():
    # A parent that ignores SIGINT (a background job, some test runners) passes that on, and Python then
    # installs no KeyboardInterrupt handler: give the child a terminal's default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(path, process, timeout):
    deadline = time.monotonic() + timeout
    while not path.exists():
        if process.poll() is not None:
            pytest.fail(f"the run ended (rc {process.returncode}) before {path.name}: {process.stderr.read()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no {path} after {timeout} s")
        time.sleep(0.1)


def test_ctrl_c_stops_training_at_a_step_with_one_line(tmp_path):
    from thermal_keras.training.checkpoint import TrainingCheckpoint

    run = tmp_path / "run"
    argv = [sys.executable, "-m", "thermal_keras.cli", "train", "pix2pix", *TINY_TRAIN, "--output-dir", str(run)]
    argv[argv.index("--epochs") + 1] = "500"  # far more than the test waits for
    process = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_interruptible)
    _wait_for(run / "checkpoints" / "ckpt-000002", process, START_TIMEOUT)
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"still running {STOP_TIMEOUT} s after Ctrl-C")
    lines = [line for line in err.splitlines() if line.strip()]
    assert process.returncode == 130, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("thermal-keras train: stopped at step ")
    assert lines[0].endswith("; resume with the same command")
    assert [p for p in run.rglob("*") if p.name.startswith(".tmp")] == []
    assert not (run / "generator.keras").exists()
    listing = TrainingCheckpoint(run / "checkpoints", {"listing": types.SimpleNamespace(variables=[])})
    on_disk = sorted(p.name for p in (run / "checkpoints").iterdir() if p.name.startswith("ckpt-"))
    assert Path(listing.latest_path()).name == on_disk[-1]  # the newest checkpoint is a complete one


def test_ctrl_c_in_any_command_is_one_line_unless_debug(monkeypatch, capsys):
    """Every command: one line and 130; ``--debug`` passes the interrupt on (with its traceback)."""
    from thermal_keras import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", _parser_with(cli.build_parser, interrupted))
    try:
        code = cli.main(["synthetic", "x"])
    except KeyboardInterrupt:  # escaping, it would stop the whole pytest session
        pytest.fail("the interrupt escaped main() without --debug")
    assert code == 130
    assert capsys.readouterr().err.strip() == "thermal-keras synthetic: stopped"
    with pytest.raises(KeyboardInterrupt):
        cli.main(["--debug", "synthetic", "x"])


def _parser_with(build_parser, handler):
    def build():
        parser, handlers = build_parser()
        return parser, {**handlers, "synthetic": handler}
    return build


CYCLEGAN = ["train", "cyclegan", "--generator", "resnet", "--n-blocks", "1", "--ngf", "4", "--ndf", "4",
            "--n-layers-d", "1", "--image-size", "32", "--load-size", "36", "--pool-size", "0", "--epochs", "2",
            "--steps-per-epoch", "3", "--synthetic-train", "8", "--synthetic-test", "4", "--synthetic-size", "36",
            "--decay-epochs", "0", "--batch-size", "4"]


def test_a_cyclegan_that_diverges_finitely_is_stopped(tmp_path, monkeypatch, run_cli):
    monkeypatch.chdir(tmp_path)  # the synthetic set is written under ./data
    (tmp_path / "notes.txt").write_text("keep me")
    outcome = run_cli([*CYCLEGAN, "--lr", "1e8", "--output-dir", tmp_path / "run"], watch=tmp_path)
    assert outcome.code == 2
    line = outcome.error_line
    assert "training stopped: loss " in line and "beyond its bound 1e+06" in line and "diverged" in line
    assert "--lr" in line
    assert not (tmp_path / "run" / "generator.keras").exists()
    assert [p for p in (tmp_path / "run").rglob("*") if p.name.startswith(".tmp")] == []


def test_the_bounds_are_per_loss_and_optional():
    from thermal_keras.training.callbacks import ADVERSARIAL_BOUNDS, DivergedLossError, FiniteLossGuard

    guard = FiniteLossGuard()
    guard.on_train_begin()
    guard.on_train_batch_end(0, {"d_loss": 3.0, "g_loss": 5e7, "g_l1": 1e9})  # weighted terms: no bound
    with pytest.raises(DivergedLossError, match=r"loss g_gan is 2e\+06 at step 2, beyond its bound 1e\+06"):
        guard.on_train_batch_end(1, {"d_loss": 3.0, "g_gan": 2e6})
    FiniteLossGuard(bounds={}).on_train_batch_end(0, {"d_loss": 1e30})
    assert set(ADVERSARIAL_BOUNDS) >= {"d_loss", "g_gan"}
