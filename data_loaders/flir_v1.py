"""FLIR ADAS v1 (release 1.3): RGB and thermal frames of a driving dataset, paired by frame name.

Layout of a split (``train``, ``val`` or ``video``)::

    <root>/<split>/RGB/FLIR_00001.jpg              visible, 1800x1600 (some frames have no RGB)
    <root>/<split>/thermal_8_bit/FLIR_00001.jpeg   thermal after the camera's AGC, 640x512, 8-bit
    <root>/<split>/thermal_16_bit/FLIR_00001.tiff  raw thermal counts, 640x512, 16-bit

The RGB and thermal frames are NOT pixel-aligned: they come from two cameras with different fields of
view and resolutions, so the pairs are only time-matched (``aligned=False``). pix2pix on them learns a
spatially blurred mapping; crop/resize choices cannot fix the parallax.
"""

from __future__ import annotations

from data_loaders.common import RGB_SPEC, ImageSpec, PairedFiles, pair_by_stem, require_dir
from data_loaders.images import estimate_value_range

THERMAL_DIRS = {"8bit": ("thermal_8_bit", (".jpeg", ".jpg")), "16bit": ("thermal_16_bit", (".tiff", ".tif"))}
AUTO_PERCENTILES = (0.5, 99.5)
AUTO_MAX_FILES = 64
# FLIR Duo style T-linear output: 0.01 K per count (DESIGN.md), only when the user says so.
RADIOMETRIC_COUNTS_PER_KELVIN = 100.0


def _count_range(count_range, b_paths) -> tuple[tuple[float, float], str]:
    if isinstance(count_range, str):
        if count_range != "auto":
            raise ValueError(f"count_range must be 'auto' or (low, high), got {count_range!r}")
        used = min(len(b_paths), AUTO_MAX_FILES)
        return (estimate_value_range(b_paths, AUTO_PERCENTILES, AUTO_MAX_FILES),
                f"auto: {AUTO_PERCENTILES[0]}/{AUTO_PERCENTILES[1]} percentiles of {used} file(s)")
    try:
        low, high = (float(v) for v in count_range)
    except (TypeError, ValueError) as err:
        raise ValueError(f"count_range must be 'auto' or (low, high), got {count_range!r}") from err
    if not high > low:
        raise ValueError(f"count_range must be (low, high) with high > low, got {count_range!r}")
    return (low, high), "given"


def flir_v1(root, split: str = "train", thermal: str = "8bit", count_range="auto",
            on_unpaired: str = "skip", radiometric: bool = False) -> PairedFiles:
    """RGB (A) / thermal (B) frame pairs of one FLIR ADAS v1 split; NOT pixel-aligned (see module).

    Args:
        root: the dataset folder holding the split folders.
        split: ``"train"``, ``"val"`` or ``"video"`` (any split folder present works).
        thermal: ``"8bit"`` for the AGC JPEGs, ``"16bit"`` for the raw count TIFFs.
        count_range: 16-bit only: ``"auto"`` estimates ``(low, high)`` from the 0.5/99.5 percentiles
            of up to 64 evenly spaced files; a ``(low, high)`` tuple is used as is.
        on_unpaired: ``"skip"`` (default; real v1 has thermal frames without RGB) warns with how many
            were left out and names a few; ``"error"`` raises.
        radiometric: 16-bit only: the TIFFs are T-linear counts at 0.01 K a count, so the spec gets
            ``counts_per_kelvin=100`` and outputs can be turned into °C. Off by default because v1
            does not document the mapping.

    Returns:
        :class:`PairedFiles` with ``aligned=False``, sorted by frame name; ``extras`` records the
        split, the thermal kind and where the count range came from.
    """
    if thermal not in THERMAL_DIRS:
        raise ValueError(f"thermal must be '8bit' or '16bit', got {thermal!r}")
    if radiometric and thermal != "16bit":
        raise ValueError("radiometric=True needs thermal='16bit' (the 8-bit frames are AGC output)")
    root = require_dir(root, "FLIR v1 folder")
    base = require_dir(root / split, "FLIR v1 split folder")
    folder, extensions = THERMAL_DIRS[thermal]
    a_paths, b_paths = pair_by_stem(require_dir(base / "RGB", "FLIR v1 RGB folder"),
                                    require_dir(base / folder, "FLIR v1 thermal folder"),
                                    a_extensions=(".jpg", ".jpeg"), b_extensions=extensions,
                                    on_unpaired=on_unpaired, source=f"flir_v1({root}, {split})")
    extras = {"root": str(root), "split": split, "thermal": thermal}
    if thermal == "8bit":
        b_spec = ImageSpec(channels=1, bit_depth=8)
    else:
        value_range, extras["value_range_source"] = _count_range(count_range, b_paths)
        b_spec = ImageSpec(channels=1, bit_depth=16, value_range=value_range,
                           counts_per_kelvin=RADIOMETRIC_COUNTS_PER_KELVIN if radiometric else None)
    return PairedFiles(a_paths=tuple(a_paths), b_paths=tuple(b_paths), a_spec=RGB_SPEC, b_spec=b_spec,
                       source=f"flir_v1:{split}:{thermal}", aligned=False, extras=extras)
