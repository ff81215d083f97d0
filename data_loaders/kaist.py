"""KAIST Multispectral Pedestrian (Hwang et al., CVPR 2015): registered visible/LWIR video frames.

Layout (as the dataset's images archive unpacks)::

    <root>/set00/V000/visible/I00000.jpg     640x512 colour JPEG
    <root>/set00/V000/lwir/I00000.jpg        640x512 long-wave infrared, 8-bit grey (3 channels)
    <root>/set00/V001/...
    <root>/set11/V000/...

Sets 00–05 are the standard training sets and 06–11 the test sets (both day and night). Frames of
one video share names on both sides; pairs are registered by the beam-splitter rig. Licence: CC BY-NC-SA 4.0
(research use, attribution, no commercial use).
"""

from __future__ import annotations

import re
from pathlib import Path

from data_loaders.common import RGB_SPEC, DatasetError, ImageSpec, PairedFiles, pair_by_stem, require_dir

KAIST_LWIR_SPEC = ImageSpec(channels=1, bit_depth=8)  # 3-channel grey JPEGs reduced to one channel
TRAIN_SETS = tuple(f"set{i:02d}" for i in range(6))
TEST_SETS = tuple(f"set{i:02d}" for i in range(6, 12))
_SET, _VIDEO = re.compile(r"set\d\d"), re.compile(r"V\d\d\d")


def kaist(root, sets="train", step: int = 1, on_unpaired: str = "error") -> PairedFiles:
    """Visible (A, RGB) / LWIR (B, 1-channel 8-bit) pairs of the chosen KAIST sets.

    Args:
        root: the folder holding ``setXX/``.
        sets: ``"train"`` (set00–set05), ``"test"`` (set06–set11), ``"all"``, or a list of set
            names (``["set00", "set03"]``); sets missing from ``root`` are an error naming them.
        step: keep every ``step``-th frame of each video (consecutive frames are nearly equal:
            KAIST's own "train-02"/"test-20" subsets use 2 and 20).
        on_unpaired: ``"error"`` or ``"skip"`` frames present on one side only.

    Returns:
        Aligned :class:`PairedFiles` sorted by set, video and frame.
    """
    root = require_dir(root, "KAIST folder")
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise ValueError(f"step must be a positive int, got {step!r}")
    present = sorted(p.name for p in root.iterdir() if p.is_dir() and _SET.fullmatch(p.name))
    wanted = {"train": TRAIN_SETS, "test": TEST_SETS, "all": tuple(present)}.get(sets, sets) \
        if isinstance(sets, str) else tuple(sets)
    if isinstance(wanted, str):
        raise ValueError(f"sets must be 'train', 'test', 'all' or a list of set names, got {sets!r}")
    chosen = [name for name in wanted if name in present]
    if not chosen:
        raise DatasetError(f"{root}: none of the KAIST sets {', '.join(wanted)} is here "
                           f"(found: {', '.join(present) or 'no setXX folders'})")
    missing = [name for name in wanted if name not in present and sets not in ("train", "test")]
    if missing:
        raise DatasetError(f"{root}: KAIST sets not found: {', '.join(missing)}")
    visible, lwir = [], []
    for set_name in chosen:
        videos = sorted(p for p in (root / set_name).iterdir() if p.is_dir() and _VIDEO.fullmatch(p.name))
        for video in videos:
            a, b = pair_by_stem(require_dir(video / "visible", "KAIST visible folder"),
                                require_dir(video / "lwir", "KAIST lwir folder"),
                                a_extensions=(".jpg", ".jpeg", ".png"), b_extensions=(".jpg", ".jpeg", ".png"),
                                on_unpaired=on_unpaired, source=f"kaist({video})")
            visible += a[::step]
            lwir += b[::step]
    if not visible:
        raise DatasetError(f"{root}: no V### video folders with visible/ and lwir/ in {', '.join(chosen)}")
    return PairedFiles(a_paths=tuple(visible), b_paths=tuple(lwir), a_spec=RGB_SPEC, b_spec=KAIST_LWIR_SPEC,
                       source=f"kaist:{','.join(chosen)}", aligned=True,
                       extras={"root": str(Path(root)), "sets": chosen, "step": step})
