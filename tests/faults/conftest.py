"""Shared set-up of the fault-injection suite: tree hashes and a CLI runner that captures the outcome.

Every case asserts three things: the message (one line naming the file or option), the exit status
(2 for a user error) and that no file that existed before the command changed (:func:`tree_hashes`).
"""

import hashlib
from pathlib import Path

import pytest

from thermal_keras.cli import main


def tree_hashes(root) -> dict:
    """``{relative path: sha256}`` of every file below ``root`` (folders as ``"dir"``)."""
    root = Path(root)
    hashes = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        hashes[key] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def changed_or_removed(before: dict, after: dict) -> list:
    """Paths of ``before`` that are gone or whose content changed in ``after``."""
    return [key for key, digest in before.items() if after.get(key) != digest]


class CliOutcome:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err

    @property
    def error_line(self) -> str:
        lines = [line for line in self.err.strip().splitlines() if line.strip()]
        assert len(lines) == 1, f"expected one error line, got: {self.err!r}"
        assert "Traceback" not in self.err
        return lines[0]


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


TINY_TRAIN = ["--image-size", "32", "--load-size", "36", "--generator", "unet", "--num-downs", "5",
              "--ngf", "4", "--ndf", "4", "--discriminator", "n_layers", "--n-layers-d", "1",
              "--batch-size", "4", "--synthetic-train", "8", "--synthetic-test", "4",
              "--epochs", "1", "--decay-epochs", "0", "--synthetic-size", "36"]


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
