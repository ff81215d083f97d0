"""Helpers of the fault-injection suite (the fixtures that use them are in this folder's conftest.py):
tree hashes, the outcome of a CLI call, and the tiny training options the cases share."""

import hashlib
import os
from pathlib import Path


def tree_hashes(root) -> dict:
    """``{relative path: sha256}`` of every file below ``root`` (folders as ``"dir"``, symbolic links
    as ``"link to TARGET"``, never followed: a link may dangle or point at a file outside)."""
    root = Path(root)
    hashes = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            hashes[key] = f"link to {os.readlink(path)}"
        else:
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


TINY_TRAIN = ["--image-size", "32", "--load-size", "36", "--generator", "unet", "--num-downs", "5",
              "--ngf", "4", "--ndf", "4", "--discriminator", "n_layers", "--n-layers-d", "1",
              "--batch-size", "4", "--synthetic-train", "8", "--synthetic-test", "4",
              "--epochs", "1", "--decay-epochs", "0", "--synthetic-size", "36"]
