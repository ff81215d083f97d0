"""Generic paired folders: ``<root>/A/x.png`` (input, RGB) goes with ``<root>/B/x.tiff`` (target).

The pix2pix "aligned" layout with the two images kept in two folders instead of side by side. Files
pair by name without extension; both images of a pair are assumed pixel-registered.
"""

from __future__ import annotations

from pathlib import Path

from data_loaders.common import (
    RGB_SPEC,
    DatasetError,
    ImageSpec,
    PairedFiles,
    load_target_spec,
    pair_by_stem,
    require_dir,
)
from data_loaders.images import estimate_value_range, is_grey, probe_image, read_image

AUTO_PERCENTILES = (0.5, 99.5)
AUTO_MAX_FILES = 64


def detect_spec(b_paths, root, channels: int | None = None) -> tuple[ImageSpec, str]:
    """The B spec from the first B file: its bit depth, 1 channel when grey (else 3).

    A 16-bit side needs a count range: the one recorded in ``dataset.json`` (in ``root`` or its
    parent) when that matches, else the 0.5/99.5 percentiles of up to 64 evenly spaced files.

    Args:
        b_paths: the files; the first one decides. root: where ``dataset.json`` is looked for.
        channels: ``1`` requires a one-channel side (thermal): a first file in colour raises
            :class:`DatasetError` naming it; ``None`` detects (grey -> 1, else 3).

    Returns:
        ``(spec, where the value range came from)``.
    """
    first = b_paths[0]
    recorded = load_target_spec(root)  # read even when unused: a broken dataset.json is named now
    info = probe_image(first)
    if info.bit_depth is None:
        raise DatasetError(f"{first}: {info.sample_type} samples are not supported (8-bit or 16-bit only)")
    grey = info.channels == 1 or (info.channels == 3 and is_grey(read_image(first)))
    if channels == 1 and not grey:
        kind = "colour image" if info.channels == 3 else "image"
        raise DatasetError(f"{first}: {info.channels}-channel {kind} on the thermal (B) side; "
                           "thermal targets are one channel of values (grey), not a colour-mapped picture")
    channels = 1 if grey else 3
    if info.bit_depth == 8:
        return ImageSpec(channels=channels, bit_depth=8), "8-bit: (0, 255)"
    if recorded is not None and recorded.bit_depth == 16:
        return ImageSpec(channels=channels, bit_depth=16, value_range=recorded.value_range,
                         counts_per_kelvin=recorded.counts_per_kelvin), "dataset.json"
    low_high = estimate_value_range(b_paths, AUTO_PERCENTILES, AUTO_MAX_FILES)
    used = min(len(b_paths), AUTO_MAX_FILES)
    return (ImageSpec(channels=channels, bit_depth=16, value_range=low_high),
            f"auto: {AUTO_PERCENTILES[0]}/{AUTO_PERCENTILES[1]} percentiles of {used} file(s)")


def paired_folder(root, a: str = "A", b: str = "B", b_spec: ImageSpec | None = None,
                  a_spec: ImageSpec = RGB_SPEC, on_unpaired: str = "error",
                  b_channels: int | None = 1) -> PairedFiles:
    """Pairs from ``<root>/<a>/`` and ``<root>/<b>/`` with matching file names (PNG, JPEG or TIFF).

    Args:
        root: the dataset (or split) folder.
        a, b: the input (RGB) and target (thermal) subfolder names.
        b_spec: how B is stored; ``None`` detects it from the first B file (see :func:`detect_spec`):
            a 16-bit B gets its ``value_range`` from ``dataset.json`` or a percentile estimate, and
            the returned spec records it (``extras["value_range_source"]`` says which).
        a_spec: how A is stored (8-bit RGB by default).
        on_unpaired: ``"error"`` (default) or ``"skip"`` files whose name has no partner.
        b_channels: ``1`` (default: B is thermal) refuses a colour first B file, naming it;
            ``None`` lets a colour B side load as 3 channels (RGB -> RGB translation).

    Returns:
        Aligned :class:`PairedFiles` sorted by name.
    """
    root = require_dir(root, "dataset folder")
    source = f"paired_folder({root})"
    a_paths, b_paths = pair_by_stem(require_dir(root / a, "A folder"), require_dir(root / b, "B folder"),
                                    on_unpaired=on_unpaired, source=source)
    where = "given"
    if b_spec is None:
        b_spec, where = detect_spec(b_paths, root, channels=b_channels)
    return PairedFiles(a_paths=tuple(a_paths), b_paths=tuple(b_paths), a_spec=a_spec, b_spec=b_spec,
                       source=source, aligned=True,
                       extras={"root": str(Path(root)), "value_range_source": where})
