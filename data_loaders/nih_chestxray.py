"""NIH ChestX-ray14 (Wang et al., CVPR 2017): 112,120 frontal chest X-rays, 1024x1024 8-bit PNG.

Layout as downloaded from the NIH box (or Kaggle)::

    <root>/images_001/images/00000001_000.png ... images_012/images/...
    <root>/Data_Entry_2017.csv        (or Data_Entry_2017_v2020.csv: one row per image, labels)
    <root>/train_val_list.txt          <root>/test_list.txt   (official patient-wise split)

4x super-resolution from 256 to 1024 pixels trains on these (docs/super_resolution.md). A few files are stored as RGBA; the spec
says 1 channel, and loading converts them.
"""

from __future__ import annotations

import csv
from pathlib import Path

from data_loaders.common import DatasetError, ImageSpec, require_dir
from data_loaders.hr_folder import HRImages

XRAY_SPEC = ImageSpec(channels=1, bit_depth=8)
SPLIT_FILES = {"train": "train_val_list.txt", "train_val": "train_val_list.txt", "test": "test_list.txt"}
ENTRY_FILES = ("Data_Entry_2017_v2020.csv", "Data_Entry_2017.csv")


def image_index(root) -> dict[str, Path]:
    """File name -> path over ``images_*/images/*.png`` (and ``images_*/*.png``)."""
    root = require_dir(root, "NIH ChestX-ray14 folder")
    folders = sorted(p for p in root.glob("images_*") if p.is_dir())
    if not folders:
        raise DatasetError(f"{root}: no images_001 .. images_012 folders (NIH ChestX-ray14 layout)")
    index = {}
    for folder in folders:
        inner = folder / "images" if (folder / "images").is_dir() else folder
        index.update({p.name: p for p in inner.glob("*.png")})
    if not index:
        raise DatasetError(f"{root}: the images_* folders hold no PNG files")
    return index


def read_labels(root) -> dict[str, list[str]]:
    """Image name -> finding labels (``"No Finding"`` or e.g. ``["Effusion", "Mass"]``) from the CSV."""
    root = Path(root)
    for name in ENTRY_FILES:
        path = root / name
        if path.is_file():
            with open(path, newline="") as f:
                rows = csv.DictReader(f)
                if not rows.fieldnames or "Image Index" not in rows.fieldnames:
                    raise DatasetError(f"{path}: no 'Image Index' column; not the NIH data entry file")
                return {row["Image Index"]: row.get("Finding Labels", "").split("|") for row in rows}
    raise DatasetError(f"{root}: none of {', '.join(ENTRY_FILES)} found")


def nih_chestxray(root, split: str = "train", on_missing: str = "error", finding: str | None = None,
                  validate: bool = True) -> HRImages:
    """The X-rays of one official split as :class:`HRImages` (1 channel, 8-bit), in list order.

    Args:
        root: the dataset folder. split: "train" (= train_val_list.txt) or "test".
        on_missing: "error" when a listed image is not on disk, or "skip" (partial downloads).
        finding: keep only images whose labels include this (e.g. "No Finding"); needs the CSV.
        validate: decode every image now with the training decoder
            (:func:`data_loaders.validate.validate_images`), so a truncated download fails here,
            naming the file. Imports TensorFlow.
    """
    root = require_dir(root, "NIH ChestX-ray14 folder")
    if split not in SPLIT_FILES:
        raise ValueError(f"split must be one of {sorted(SPLIT_FILES)}, got {split!r}")
    if on_missing not in ("error", "skip"):
        raise ValueError(f"on_missing must be 'error' or 'skip', got {on_missing!r}")
    split_file = root / SPLIT_FILES[split]
    if not split_file.is_file():
        raise DatasetError(f"{split_file}: split file not found")
    names = [line.strip() for line in split_file.read_text().splitlines() if line.strip()]
    index = image_index(root)
    missing = [n for n in names if n not in index]
    if missing and on_missing == "error":
        raise DatasetError(f"{split_file}: {len(missing)} listed image(s) not under images_*/images/, "
                           f"e.g. {', '.join(missing[:3])} (on_missing='skip' to use what is there)")
    names = [n for n in names if n in index]
    if finding is not None:
        labels = read_labels(root)
        names = [n for n in names if finding in labels.get(n, [])]
    if not names:
        raise DatasetError(f"{root}: no images left for split {split!r}" + (f" with {finding!r}" if finding else ""))
    paths = tuple(str(index[n]) for n in names)
    if validate:
        from data_loaders.validate import validate_images

        validate_images(paths, XRAY_SPEC, source=f"nih_chestxray:{split}")
    return HRImages(paths, XRAY_SPEC, source=f"nih_chestxray:{split}",
                    extras={"root": str(root), "missing": len(missing)})
