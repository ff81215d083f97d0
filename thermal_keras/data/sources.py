"""Dataset sources: from a config's ``data``/``layout`` to train and held-out :class:`~data_loaders.PairedFiles`.

``data="synthetic"`` writes (once) the built-in set in the configured layout under
``data/synthetic-...`` and reads it back through the same loader a real dataset would use.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from data_loaders import DatasetError, PairedFiles, flir_v1, flir_v2, kaist, llvip, paired, roadscene, synthetic
from data_loaders.common import DATASET_SPEC_FILE, read_dataset_json, require_dir


def synthetic_root(config) -> Path:
    """Where the synthetic set for ``config`` lives: the folder name holds everything that decides its
    content (generator version, layout, size, splits and their sizes, seed), so two runs that share
    it want the same files and a set written by an older version of the generator is never reused."""
    size = synthetic_size(config)
    splits = "+".join(f"{name}{n}" for name, n in _synthetic_splits(config).items())
    version = synthetic.GENERATOR_VERSION
    view = "" if synthetic_view(config) == "mixed" else f"-{synthetic_view(config)}"
    return Path("data") / f"synthetic-v{version}{view}-{config.layout}-{size}px-{splits}-seed{config.seed}"


def synthetic_view(config) -> str:
    """The synthetic set's camera set-up (``data_loaders.scene.VIEWS``); configs without the option: mixed."""
    return getattr(config, "synthetic_view", "mixed")


def _synthetic_splits(config) -> dict:
    splits = {config.train_split: config.synthetic_train}
    if config.eval_split:
        splits[config.eval_split] = config.synthetic_test
    return splits


def synthetic_size(config) -> int:
    return config.synthetic_size or config.load_size or config.image_size


def ensure_synthetic(config) -> Path:
    """Write the synthetic set for ``config`` if it is not there yet; returns its root."""
    if config.layout not in synthetic.LAYOUTS:
        raise ValueError(f"the synthetic set is written in one of {synthetic.LAYOUTS}, not {config.layout!r}")
    return synthetic.write_dataset(synthetic_root(config), splits=_synthetic_splits(config),
                                   size=synthetic_size(config), seed=config.seed, layout=config.layout,
                                   view=synthetic_view(config))


def _paired_split_folder(root: Path, split: str) -> Path:
    """``root/split`` when it exists; ``root`` itself for a dataset without split folders (``A/``
    and ``B/`` at the top); else :class:`DatasetError` naming the missing split folder."""
    if (root / split).is_dir():
        return root / split
    if (root / "A").is_dir() or (root / "B").is_dir():
        return root
    return require_dir(root / split, f"split folder for split {split!r}")  # raises, naming what is there


def load_split(root, layout: str, split: str, thermal: str = "16bit") -> PairedFiles:
    """The pairs of one split of a dataset folder in ``layout``.

    A ``dataset.json`` at the root that is not a JSON object raises :class:`DatasetError` naming it.
    """
    root = Path(root)
    spec = _dataset_json(root)
    if layout == "paired":
        return paired.paired_folder(_paired_split_folder(root, split))
    if layout == "llvip":
        return llvip.llvip(root, split=split)
    if layout == "flir_v1":
        kwargs = {}
        if thermal == "16bit" and spec and "thermal_u16" in spec:  # the synthetic set records its range
            try:
                kwargs = {"count_range": tuple(float(v) for v in spec["thermal_u16"]["value_range"]),
                          "radiometric": True}
            except (TypeError, ValueError, KeyError) as error:
                raise DatasetError(f"{root / DATASET_SPEC_FILE}: thermal_u16.value_range is not "
                                   f"[low, high] ({error})") from None
        files = flir_v1.flir_v1(root, split=split, thermal=thermal, **kwargs)
        # Real FLIR v1 frames are not registered; the synthetic set written in its layout is.
        return dataclasses.replace(files, aligned=True) if _is_synthetic(spec) else files
    if layout == "flir_v2":
        return flir_v2.flir_v2(root, split=split)
    if layout == "roadscene":  # split: train, test (the held-out runs of data_loaders.roadscene) or all
        return roadscene.roadscene(root, split=split)
    if layout == "kaist":  # split: train (set00-05), test (set06-11), all, or one set name
        return kaist.kaist(root, split if split in ("train", "test", "all") else [split])
    raise ValueError(f"unknown layout {layout!r}; expected paired, llvip, flir_v1, flir_v2, kaist or roadscene")


def check_before_training(config, train: PairedFiles, held_out: PairedFiles | None = None) -> None:
    """Decode and check every file of both splits now, as training and evaluation will read them.

    The training pairs with the training crop rules (``config.image_size``, ``config.load_size``:
    ``0`` crops from the file, so every image must be at least the crop), the held-out pairs as
    :func:`~thermal_keras.data.pipeline.eval_dataset` reads them, so a bad held-out pair fails before
    training rather than at evaluation. Raises :class:`DatasetError` (one line, naming the files).
    """
    from thermal_keras.data import pipeline

    pipeline.check_files(train, image_size=config.image_size, load_size=config.load_size or None)
    if held_out is not None:
        same_files = held_out.a_paths == train.a_paths and held_out.b_paths == train.b_paths
        if same_files and config.eval_split != config.train_split:
            raise DatasetError(
                f"{held_out.source}: the held-out split {config.eval_split!r} is the training split "
                f"itself (the dataset has no {config.eval_split!r} folder); give --eval-split '' or a "
                "split with other pairs")
        try:
            pipeline.check_files(held_out, image_size=config.image_size, load_size=None, jitter=False)
        except DatasetError as error:
            raise DatasetError(f"held-out split {config.eval_split!r}: {error}") from None


def train_and_eval_pairs(config, check: bool = True) -> tuple[PairedFiles, PairedFiles | None]:
    """(training pairs, held-out pairs or None) for ``config``; with ``check`` (default) every file of
    both is decoded and checked first (:func:`check_before_training`), before any model exists."""
    root = ensure_synthetic(config) if config.data == "synthetic" else Path(config.data)
    if not root.is_dir():
        raise DatasetError(f"{root}: dataset folder not found")
    train = load_split(root, config.layout, config.train_split, config.thermal)
    held_out = load_split(root, config.layout, config.eval_split, config.thermal) if config.eval_split else None
    if check:
        check_before_training(config, train, held_out)
    return train, held_out


def _is_synthetic(spec) -> bool:
    return bool(spec) and spec.get("generator") == "thermal_keras.synthetic"


def _dataset_json(root: Path):
    """``root/dataset.json`` as a dict, ``None`` when there is none; garbage raises naming the file."""
    path = root / DATASET_SPEC_FILE
    return read_dataset_json(path) if path.is_file() else None
