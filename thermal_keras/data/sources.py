"""Dataset sources: from a config's ``data``/``layout`` to train and held-out :class:`~data_loaders.PairedFiles`.

``data="synthetic"`` writes (once) the built-in set in the configured layout under
``data/synthetic-...`` and reads it back through the same loader a real dataset would use.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from data_loaders import DatasetError, PairedFiles, flir_v1, flir_v2, llvip, paired, synthetic


def synthetic_root(config) -> Path:
    """Where the synthetic set for ``config`` lives (one folder per layout, size, counts and seed)."""
    size = synthetic_size(config)
    return Path("data") / (f"synthetic-{config.layout}-{size}px-{config.synthetic_train}"
                           f"+{config.synthetic_test}-seed{config.seed}")


def synthetic_size(config) -> int:
    return config.synthetic_size or config.load_size or config.image_size


def ensure_synthetic(config) -> Path:
    """Write the synthetic set for ``config`` if it is not there yet; returns its root."""
    if config.layout not in synthetic.LAYOUTS:
        raise ValueError(f"the synthetic set is written in one of {synthetic.LAYOUTS}, not {config.layout!r}")
    splits = {config.train_split: config.synthetic_train}
    if config.eval_split:
        splits[config.eval_split] = config.synthetic_test
    return synthetic.write_dataset(synthetic_root(config), splits=splits, size=synthetic_size(config),
                                   seed=config.seed, layout=config.layout)


def load_split(root, layout: str, split: str, thermal: str = "16bit") -> PairedFiles:
    """The pairs of one split of a dataset folder in ``layout``."""
    root = Path(root)
    spec = _dataset_json(root)
    if layout == "paired":
        folder = root / split if (root / split).is_dir() else root
        return paired.paired_folder(folder)
    if layout == "llvip":
        return llvip.llvip(root, split=split)
    if layout == "flir_v1":
        kwargs = {}
        if thermal == "16bit" and spec and "thermal_u16" in spec:  # the synthetic set records its range
            kwargs = {"count_range": tuple(spec["thermal_u16"]["value_range"]), "radiometric": True}
        files = flir_v1.flir_v1(root, split=split, thermal=thermal, **kwargs)
        # Real FLIR v1 frames are not registered; the synthetic set written in its layout is.
        return dataclasses.replace(files, aligned=True) if _is_synthetic(spec) else files
    if layout == "flir_v2":
        return flir_v2.flir_v2(root, split=split)
    raise ValueError(f"unknown layout {layout!r}; expected paired, llvip, flir_v1 or flir_v2")


def train_and_eval_pairs(config) -> tuple[PairedFiles, PairedFiles | None]:
    """(training pairs, held-out pairs or None) for ``config``."""
    root = ensure_synthetic(config) if config.data == "synthetic" else Path(config.data)
    if not root.is_dir():
        raise DatasetError(f"{root}: dataset folder not found")
    train = load_split(root, config.layout, config.train_split, config.thermal)
    held_out = load_split(root, config.layout, config.eval_split, config.thermal) if config.eval_split else None
    return train, held_out


def _is_synthetic(spec) -> bool:
    return bool(spec) and spec.get("generator") == "thermal_keras.synthetic"


def _dataset_json(root: Path):
    try:
        return json.loads((root / "dataset.json").read_text())
    except (OSError, ValueError):
        return None
