"""Teledyne FLIR ADAS v2: only the video test split has RGB/thermal pairs.

Layout (from the dataset's README and public loaders; the map's shape is a flat JSON object)::

    <root>/images_rgb_{train,val}/data/*.jpg        RGB, not paired with the thermal images
    <root>/images_thermal_{train,val}/data/*.jpg    thermal (8-bit AGC), not paired with the RGB
    <root>/video_rgb_test/data/*.jpg                RGB video frames
    <root>/video_thermal_test/data/*.jpg            thermal video frames
    <root>/rgb_to_thermal_vid_map.json              {"<rgb file name>": "<thermal file name>", ...}

The map time-syncs each RGB video frame with a thermal frame (3,749 pairs in the release). The two
cameras differ in field of view and resolution, so even these pairs are not pixel-aligned
(``aligned=False``). The train/val images were sampled independently per spectrum: use
:func:`flir_v2_unpaired` for unpaired (CycleGAN-style) training.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

from data_loaders.common import (
    RGB_SPEC,
    DatasetError,
    ImageSpec,
    PairedFiles,
    UnpairedFilesWarning,
    list_images,
    one_line,
    require_dir,
)

MAP_FILE = "rgb_to_thermal_vid_map.json"
PAIRED_SPLITS = ("video_test",)
UNPAIRED_SPLITS = ("train", "val", "video_test")
THERMAL_SPEC = ImageSpec(channels=1, bit_depth=8)  # data/ holds the 8-bit post-processed frames


def _split_dirs(root: Path, split: str) -> tuple[Path, Path]:
    if split == "video_test":
        return root / "video_rgb_test" / "data", root / "video_thermal_test" / "data"
    return root / f"images_rgb_{split}" / "data", root / f"images_thermal_{split}" / "data"


def read_pair_map(root) -> dict[str, str]:
    """``rgb_to_thermal_vid_map.json`` as ``{rgb file name: thermal file name}`` (folders stripped)."""
    path = Path(root) / MAP_FILE
    if not path.is_file():
        raise DatasetError(f"{path}: FLIR v2 pair map not found (it sits at the dataset root)")
    try:
        content = json.loads(path.read_text())
    except (OSError, ValueError) as err:
        raise DatasetError(f"{path}: not readable JSON ({one_line(err, 120)})") from err
    if not isinstance(content, dict) or not content or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in content.items()):
        raise DatasetError(f"{path}: expected a non-empty JSON object of RGB file name -> thermal file name")
    return {Path(k).name: Path(v).name for k, v in content.items()}


def flir_v2(root, split: str = "video_test", on_unpaired: str = "error") -> PairedFiles:
    """RGB (A) / thermal (B) pairs of FLIR ADAS v2 from ``rgb_to_thermal_vid_map.json`` only.

    Args:
        root: the dataset folder (holding ``video_rgb_test/`` and the map).
        split: only ``"video_test"`` has pairs; ``"train"``/``"val"`` raise :class:`DatasetError`.
        on_unpaired: what to do when a mapped file is not on disk: ``"error"`` (default) raises
            naming the files, ``"skip"`` leaves those pairs out with a warning.

    Returns:
        :class:`PairedFiles` with ``aligned=False``, in RGB file-name order.
    """
    if split in ("train", "val"):
        raise DatasetError(
            f"flir_v2 split {split!r}: FLIR ADAS v2's train/val RGB and thermal images are not paired "
            f"(sampled independently per spectrum) and not pixel-aligned; only 'video_test' has pairs "
            f"(via {MAP_FILE}). For unpaired training use flir_v2_unpaired(root, {split!r}).")
    if split not in PAIRED_SPLITS:
        raise ValueError(f"split must be 'video_test' for pairs, got {split!r}")
    if on_unpaired not in ("error", "skip"):
        raise ValueError(f"on_unpaired must be 'error' or 'skip', got {on_unpaired!r}")
    root = require_dir(root, "FLIR v2 folder")
    rgb_dir, thermal_dir = (require_dir(d, "FLIR v2 video folder") for d in _split_dirs(root, split))
    pairs, missing = [], []
    for rgb_name, thermal_name in sorted(read_pair_map(root).items()):
        rgb, thermal = rgb_dir / rgb_name, thermal_dir / thermal_name
        absent = [str(p) for p in (rgb, thermal) if not p.is_file()]
        missing.extend(f"{p} (mapped: {rgb_name} -> {thermal_name})" for p in absent)
        if not absent:
            pairs.append((str(rgb), str(thermal)))
    if missing:
        message = f"flir_v2({root}): {len(missing)} mapped file(s) not found: " + "; ".join(missing[:5])
        if on_unpaired == "error" or not pairs:
            raise DatasetError(message)
        warnings.warn(message + " (those pairs skipped)", UnpairedFilesWarning, stacklevel=2)
    return PairedFiles(a_paths=tuple(a for a, _ in pairs), b_paths=tuple(b for _, b in pairs),
                       a_spec=RGB_SPEC, b_spec=THERMAL_SPEC, source=f"flir_v2:{split}", aligned=False,
                       extras={"root": str(root), "split": split})


def flir_v2_unpaired(root, split: str = "train") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The RGB and thermal images of one split as two separate, unrelated lists (for unpaired
    translation such as CycleGAN); thermal files are 8-bit 1-channel (:data:`THERMAL_SPEC`).

    Args:
        root: the dataset folder.
        split: ``"train"``, ``"val"`` or ``"video_test"``.

    Returns:
        ``(rgb_paths, thermal_paths)``, each sorted by file name; lengths differ in general.
    """
    if split not in UNPAIRED_SPLITS:
        raise ValueError(f"split must be one of {UNPAIRED_SPLITS}, got {split!r}")
    root = require_dir(root, "FLIR v2 folder")
    rgb_dir, thermal_dir = _split_dirs(root, split)
    rgb = list_images(rgb_dir, (".jpg", ".jpeg"), "FLIR v2 RGB folder")
    thermal = list_images(thermal_dir, (".jpg", ".jpeg"), "FLIR v2 thermal folder")
    return tuple(map(str, rgb)), tuple(map(str, thermal))
