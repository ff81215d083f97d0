"""Shared set-up of the fault-injection suite: tree hashes and a CLI runner that captures the outcome.

Every case asserts three things: the message (one line naming the file or option), the exit status
(2 for a user error) and that no file that existed before the command changed (:func:`tree_hashes`).
"""

import pytest
from fault_tools import TINY_TRAIN, CliOutcome, changed_or_removed, tree_hashes

from thermal_keras.cli import main


@pytest.fixture
def run_cli(capsys):
    """``run_cli(argv, watch=folder)``: run the command; with ``watch`` also assert that no file
    that existed below ``watch`` beforehand changed or vanished."""
    def run(argv, watch=None):
        before = tree_hashes(watch) if watch is not None else None
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exit_info:  # argparse errors
            code = exit_info.code
        captured = capsys.readouterr()
        if watch is not None:
            assert changed_or_removed(before, tree_hashes(watch)) == []
        return CliOutcome(code, captured.out, captured.err)
    return run


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A finished tiny pix2pix run folder (trained once for the whole suite; copy it before changing it)."""
    import os

    work = tmp_path_factory.mktemp("tiny_run")
    cwd = os.getcwd()
    os.chdir(work)  # the synthetic set is written under ./data
    try:
        assert main(["train", "pix2pix", *TINY_TRAIN, "--output-dir", str(work / "run")]) == 0
    finally:
        os.chdir(cwd)
    return work / "run"


@pytest.fixture(scope="session")
def tiny_export(tiny_run, tmp_path_factory):
    """A SavedModel exported from :func:`tiny_run`."""
    out = tmp_path_factory.mktemp("tiny_export") / "saved_model"
    assert main(["export", "--run", str(tiny_run), "--out", str(out)]) == 0
    return out
