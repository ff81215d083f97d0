"""Single-image folders for super-resolution: high-resolution photographs, X-rays or thermal frames.

Super-resolution needs only HR images (LR partners are made from them on the fly, see
:mod:`thermal_keras.sr.data`). A folder of any image sizes works; 8-bit files map as ``x / 255``,
16-bit thermal files through a count range taken from ``dataset.json`` (the synthetic set writes
one) or from the 0.5/99.5 percentiles of the files. Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from data_loaders.common import (
    IMAGE_EXTENSIONS,
    DatasetError,
    ImageSpec,
    check_image_entry,
    find_spec_file,
    list_images,
    require_dir,
)
from data_loaders.images import probe_image
from data_loaders.paired import detect_spec


@dataclass(frozen=True)
class HRImages:
    """HR image files and how they are stored (``spec``: channels, bit depth, value range)."""

    paths: tuple[str, ...]
    spec: ImageSpec
    source: str = ""
    extras: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if not self.paths:
            raise DatasetError(f"{self.source or 'HR images'}: no image files")

    def __len__(self) -> int:
        return len(self.paths)

    def subset(self, indices) -> "HRImages":
        return HRImages(tuple(self.paths[i] for i in indices), self.spec, self.source, dict(self.extras))


def _listed(root: Path, recursive: bool, extensions) -> list[Path]:
    if not recursive:
        return list_images(root, extensions, "HR image folder")
    wanted = tuple(e.lower() for e in extensions)
    found = sorted(p for p in root.rglob("*") if not p.is_dir() and not p.name.startswith(".")
                   and p.suffix.lower() in wanted)
    for path in found:  # a broken link or a name that is not UTF-8 is named, not skipped
        check_image_entry(path)
    if not found:
        raise DatasetError(f"{root}: HR image folder holds no images ({', '.join(wanted)}), searched recursively")
    return found


def check_min_size(paths, min_size: int) -> None:
    """:class:`DatasetError` naming the first file smaller than ``min_size`` on either side (headers
    only; :func:`hr_folder` has decoded every file already)."""
    for path in paths:
        info = probe_image(path)
        if min(info.width, info.height) < min_size:
            raise DatasetError(f"{path}: {info.width}x{info.height} is smaller than {min_size}x{min_size}")


def hr_folder(root, *, recursive: bool = False, channels: int | None = None, min_size: int | None = None,
              extensions=IMAGE_EXTENSIONS, validate: bool = True) -> HRImages:
    """The images of ``root`` for super-resolution training or evaluation.

    Args:
        root: folder of images (any size; JPEG, PNG, TIFF; 8- or 16-bit).
        recursive: also take images in sub-folders.
        channels: 1 or 3 to force; ``None`` detects from the first file (grey -> 1).
        min_size: when given, files smaller than this on either side fail.
        validate: decode every file now with the training decoder
            (:func:`data_loaders.validate.validate_images`: bit depth, channels, truncated or
            mislabelled files, multi-page TIFF), so bad input fails here, naming the file, and not
            inside training. Imports TensorFlow.

    Returns:
        :class:`HRImages` sorted by path.
    """
    root = require_dir(root, "HR image folder")
    paths = [str(p) for p in _listed(root, recursive, extensions)]
    # dataset.json may sit up to two levels up (<root>/<split>/thermal_16_bit/ in the synthetic set)
    spec, origin = detect_spec(paths, root if find_spec_file(root) else root.parent)
    if channels is not None:
        if channels not in (1, 3):
            raise ValueError(f"channels must be 1, 3 or None, got {channels!r}")
        spec = ImageSpec(channels, spec.bit_depth, spec.value_range, spec.counts_per_kelvin)
    source = f"hr_folder:{root}"
    if validate:
        from data_loaders.validate import validate_images

        validate_images(paths, spec, min_size=min_size, source=source)
    elif min_size:
        check_min_size(paths, min_size)
    return HRImages(tuple(paths), spec, source=source, extras={"value_range_from": origin})
