"""RoadScene (Xu et al., FusionDN, AAAI 2020): registered RGB / long-wave infrared driving frames.

Layout (as the dataset's repository holds it)::

    <root>/crop_LR_visible/FLIR_NNNNN.jpg         RGB colour frame, about 500x330 (sizes vary per pair)
    <root>/cropinfrared/FLIR_NNNNN.jpg            long-wave infrared, 8-bit grey, same size as its partner

221 pairs picked from the FLIR ADAS driving videos (day and night), registered by the authors.
Frames named ``FLIR_video_NNNNN`` come from the dataset's video sequence. Licence: derived from FLIR
ADAS (free for research, non-commercial use); cite FusionDN and U2Fusion.

**Splits by runs.** Neighbouring frame numbers show the same street a moment apart, so a held-out
frame whose neighbour trains would measure memory, not translation. :func:`frame_runs` groups the
sorted names into runs (same prefix, numbers at most ``RUN_GAP`` apart). The held-out split is the
committed list of number intervals :data:`HELD_OUT_RUNS` (whole runs of the 169 frames of the
research sample, spread over the sequence: 31 frames); ``split="train"`` is every other frame
*outside* a guard band of ``RUN_GAP`` numbers around those intervals, so no training frame is a
neighbour of a held-out one even on the full 221-frame set.
"""

from __future__ import annotations

import re
from pathlib import Path

from data_loaders.common import RGB_SPEC, DatasetError, ImageSpec, PairedFiles, pair_by_stem, require_dir

ROADSCENE_INFRARED_SPEC = ImageSpec(channels=1, bit_depth=8)
VISIBLE_FOLDER, INFRARED_FOLDER = "crop_LR_visible", "cropinfrared"
SPLITS = ("train", "test", "all")
# Frames of one prefix whose numbers differ by at most this many are one run (the same street).
RUN_GAP = 50
# The held-out runs: (prefix, first number, last number), inclusive: every fifth run (the 3rd, 8th,
# ...) of the 53 runs that RUN_GAP makes of the 169-frame research sample, 31 frames, day and night.
HELD_OUT_RUNS = (
    ("FLIR_", 211, 233), ("FLIR_", 1130, 1130), ("FLIR_", 3801, 3813), ("FLIR_", 4688, 4735),
    ("FLIR_", 5857, 5987), ("FLIR_", 7365, 7433), ("FLIR_", 8021, 8094), ("FLIR_video_", 248, 248),
    ("FLIR_video_", 1053, 1053), ("FLIR_video_", 3237, 3237), ("FLIR_video_", 4215, 4215),
)
_NAME = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")


def frame_key(stem: str) -> tuple[str, int]:
    """``"FLIR_video_00248"`` -> ``("FLIR_video_", 248)``; a stem without trailing digits has number -1."""
    match = _NAME.match(stem)
    return (match["prefix"], int(match["number"])) if match else (stem, -1)


def frame_runs(stems, gap: int = RUN_GAP) -> list[list[str]]:
    """Runs of consecutive frames: stems sorted by (prefix, number), split where the prefix changes
    or the number jumps by more than ``gap``. Returns a list of runs, each a list of stems."""
    runs: list[list[str]] = []
    previous = None
    for stem in sorted(stems, key=frame_key):
        prefix, number = frame_key(stem)
        if previous and previous[0] == prefix and number - previous[1] <= gap:
            runs[-1].append(stem)
        else:
            runs.append([stem])
        previous = (prefix, number)
    return runs


def split_of(stem: str, gap: int = RUN_GAP) -> str | None:
    """``"test"`` for a frame inside a held-out run, ``None`` for one within ``gap`` numbers of a
    held-out run (a neighbour: in neither split), ``"train"`` otherwise."""
    prefix, number = frame_key(stem)
    near = None
    for run_prefix, first, last in HELD_OUT_RUNS:
        if prefix != run_prefix:
            continue
        if first <= number <= last:
            return "test"
        if first - gap <= number <= last + gap:
            near = True
    return None if near else "train"


def roadscene(root, split: str = "train", on_unpaired: str = "error") -> PairedFiles:
    """RGB (A) / long-wave infrared (B, 1-channel 8-bit) pairs of one RoadScene split.

    Args:
        root: the folder holding ``crop_LR_visible/`` and ``cropinfrared/`` (a clone of the
            dataset's repository, or the research sample).
        split: ``"train"`` (frames outside the held-out runs and their guard bands), ``"test"``
            (the held-out runs, :data:`HELD_OUT_RUNS`) or ``"all"``.
        on_unpaired: ``"error"`` (default) or ``"skip"`` frames present on one side only.

    Returns:
        Aligned :class:`PairedFiles` sorted by (prefix, frame number). Pairs differ in size from
        each other; the two images of a pair have the same size.
    """
    if split not in SPLITS:
        raise ValueError(f"RoadScene split must be one of {', '.join(SPLITS)}, got {split!r}")
    root = require_dir(root, "RoadScene folder")
    visible = require_dir(root / VISIBLE_FOLDER, "RoadScene visible folder")
    infrared = require_dir(root / INFRARED_FOLDER, "RoadScene infrared folder")
    a_paths, b_paths = pair_by_stem(visible, infrared, a_extensions=(".jpg", ".jpeg", ".png"),
                                    b_extensions=(".jpg", ".jpeg", ".png"), on_unpaired=on_unpaired,
                                    source=f"roadscene({root})")
    order = sorted(range(len(a_paths)), key=lambda i: frame_key(Path(a_paths[i]).stem))
    chosen = [i for i in order if split == "all" or split_of(Path(a_paths[i]).stem) == split]
    if not chosen:
        raise DatasetError(f"{root}: no RoadScene frames in split {split!r} (the held-out runs are "
                           f"frame numbers {held_out_runs_text()})")
    return PairedFiles(a_paths=tuple(str(a_paths[i]) for i in chosen),
                       b_paths=tuple(str(b_paths[i]) for i in chosen), a_spec=RGB_SPEC,
                       b_spec=ROADSCENE_INFRARED_SPEC, source=f"roadscene:{split}", aligned=True,
                       extras={"root": str(root), "split": split})


def held_out_runs_text() -> str:
    return ", ".join(f"{p}{a}" + (f"-{b}" if b != a else "") for p, a, b in HELD_OUT_RUNS)
