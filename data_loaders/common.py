"""What every loader returns (paired file lists plus how each side is stored), and the helpers the
loaders share: folder checks, listing and pairing by name, and the ``dataset.json`` spec file.
Reading image files is :mod:`data_loaders.images`."""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from data_loaders.files import IMAGE_SUFFIXES, atomic_write_text, image_entries


class DatasetError(ValueError):
    """A dataset folder or file that cannot be used; the message names the path and the problem."""


@dataclass(frozen=True)
class ImageSpec:
    """How the files of one side of a pair are stored and mapped to the model's ``[-1, 1]``.

    Attributes:
        channels: channels inside the model: 3 for visible RGB, 1 for thermal. Files with another
            channel count are converted on load (3-channel grey infrared -> 1 channel).
        bit_depth: bits per sample in the files, 8 or 16. 16-bit files are never divided by 255.
        value_range: ``(low, high)`` file values mapped to ``(-1, 1)``; values outside are clipped.
            ``None`` means ``(0, 255)`` and is only allowed for 8-bit files.
        counts_per_kelvin: for radiometric 16-bit thermal (T-linear), counts per kelvin, so that
            ``celsius = counts / counts_per_kelvin - 273.15``; ``None`` when the mapping is unknown.
    """

    channels: int
    bit_depth: int = 8
    value_range: tuple[float, float] | None = None
    counts_per_kelvin: float | None = None

    def __post_init__(self):
        if self.channels not in (1, 3):
            raise ValueError(f"channels must be 1 or 3, got {self.channels}")
        if self.bit_depth not in (8, 16):
            raise ValueError(f"bit_depth must be 8 or 16, got {self.bit_depth}")
        if self.bit_depth == 16 and self.value_range is None:
            raise ValueError("16-bit images need an explicit value_range (low, high) in counts")
        if self.value_range is not None and not self.value_range[1] > self.value_range[0]:
            raise ValueError(f"value_range must be (low, high) with high > low, got {self.value_range}")

    @property
    def range(self) -> tuple[float, float]:
        """The ``(low, high)`` file values that map to ``(-1, 1)``."""
        return tuple(self.value_range) if self.value_range is not None else (0.0, 255.0)


RGB_SPEC = ImageSpec(channels=3, bit_depth=8)
THERMAL_8BIT_SPEC = ImageSpec(channels=1, bit_depth=8)


@dataclass(frozen=True)
class PairedFiles:
    """Pixel-registered (or at least matched) pairs: ``a_paths[i]`` goes with ``b_paths[i]``.

    ``a`` is the input side (visible RGB), ``b`` the target side (thermal).
    """

    a_paths: tuple[str, ...]
    b_paths: tuple[str, ...]
    a_spec: ImageSpec = RGB_SPEC
    b_spec: ImageSpec = THERMAL_8BIT_SPEC
    source: str = ""
    aligned: bool = True  # False where the layout pairs frames that are not pixel-registered
    extras: dict = field(default_factory=dict, compare=False)

    def __post_init__(self):
        if len(self.a_paths) != len(self.b_paths):
            raise DatasetError(
                f"{self.source or 'pairs'}: {len(self.a_paths)} A files but {len(self.b_paths)} B files"
            )
        if not self.a_paths:
            raise DatasetError(f"{self.source or 'pairs'}: no image pairs found")

    def __len__(self) -> int:
        return len(self.a_paths)

    def subset(self, indices) -> "PairedFiles":
        """The pairs at ``indices``, same specs (for train/validation splits)."""
        idx = list(indices)
        return PairedFiles(
            a_paths=tuple(self.a_paths[i] for i in idx),
            b_paths=tuple(self.b_paths[i] for i in idx),
            a_spec=self.a_spec,
            b_spec=self.b_spec,
            source=self.source,
            aligned=self.aligned,
            extras=dict(self.extras),
        )


# --- Folders, listing and pairing -------------------------------------------------------------

# What dataset folders are read for: every suffix the package reads but BMP (TNO's loader adds it).
IMAGE_EXTENSIONS = tuple(suffix for suffix in IMAGE_SUFFIXES if suffix != ".bmp")
TIFF_EXTENSIONS = (".tif", ".tiff")
DATASET_SPEC_FILE = "dataset.json"


class UnpairedFilesWarning(UserWarning):
    """Files were left out because the other side has no file with the same name."""


def require_dir(path, what: str = "folder") -> Path:
    """``path`` as a :class:`~pathlib.Path`; :class:`DatasetError` naming it when it is not a folder."""
    path = Path(path)
    if not path.exists():
        near = sorted(p.name for p in path.parent.iterdir() if p.is_dir()) if path.parent.is_dir() else []
        beside = f" (beside it: {', '.join(near[:10])})" if near else ""
        raise DatasetError(f"{path}: {what} not found{beside}")
    if not path.is_dir():
        raise DatasetError(f"{path}: {what} is not a folder")
    return path


def list_images(directory, extensions=IMAGE_EXTENSIONS, what: str = "folder") -> list[Path]:
    """Image files directly in ``directory`` with one of ``extensions`` (any case), sorted by name.

    Raises :class:`DatasetError` when the folder is missing or holds no such file.
    """
    directory = require_dir(directory, what)
    found = [p for p in image_entries(directory, extensions) if not p.name.startswith(".")]
    for path in found:
        check_image_entry(path)
    if not found:
        raise DatasetError(f"{directory}: {what} holds no images ({', '.join(e.lower() for e in extensions)})")
    return found


def printable_path(path) -> str:
    """``path`` for a message: bytes that are not UTF-8 shown as ``\\xNN`` escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def check_image_entry(path) -> None:
    """:class:`DatasetError` naming an entry that is named like an image but cannot be read as one: a
    broken symbolic link, a folder or another non-file, or a path that is not UTF-8 (TensorFlow
    takes UTF-8 paths only). Such entries are refused, never skipped: a skipped file drops its pair."""
    path = Path(path)
    shown = printable_path(path)
    if shown != str(path):
        raise DatasetError(f"{shown}: the file name is not valid UTF-8 (training reads UTF-8 paths only); "
                           "rename it")
    if path.is_file():
        return
    if path.is_symlink() and not path.exists():
        raise DatasetError(f"{path}: a broken symbolic link (what it points to does not exist)")
    kind = "a folder" if path.is_dir() else "not a regular file"
    raise DatasetError(f"{path}: {kind}, though named like an image; move or rename it")


def _by_stem(paths: list[Path]) -> dict[str, Path]:
    stems: dict[str, Path] = {}
    for path in paths:
        if path.stem in stems:
            raise DatasetError(f"{path}: two files share the name {path.stem!r} "
                               f"({stems[path.stem].name} and {path.name}); keep one")
        stems[path.stem] = path
    return stems


def _unpaired_lines(missing: list[Path], other_dir: Path, limit: int = 5) -> list[str]:
    return [f"{p} has no partner named {p.stem}.* in {other_dir}" for p in missing[:limit]]


def pair_by_stem(a_dir, b_dir, *, a_extensions=IMAGE_EXTENSIONS, b_extensions=IMAGE_EXTENSIONS,
                 on_unpaired: str = "error", source: str = "") -> tuple[list[str], list[str]]:
    """Pair the images of two folders by file name without extension (``x.jpg`` with ``x.tiff``).

    Args:
        a_dir, b_dir: the two folders; both must exist and hold images.
        a_extensions, b_extensions: which files count as images on each side.
        on_unpaired: ``"error"`` raises :class:`DatasetError` naming the unpaired files of both
            sides; ``"skip"`` leaves them out with an :class:`UnpairedFilesWarning` saying how many
            and naming a few.
        source: a label for messages (the dataset's name).

    Returns:
        ``(a_paths, b_paths)``: lists of path strings sorted by name, ``a_paths[i]`` pairs ``b_paths[i]``.
    """
    if on_unpaired not in ("error", "skip"):
        raise ValueError(f"on_unpaired must be 'error' or 'skip', got {on_unpaired!r}")
    a_dir, b_dir = Path(a_dir), Path(b_dir)
    a_stems = _by_stem(list_images(a_dir, a_extensions, "A folder"))
    b_stems = _by_stem(list_images(b_dir, b_extensions, "B folder"))
    only_a = [a_stems[s] for s in sorted(a_stems.keys() - b_stems.keys())]
    only_b = [b_stems[s] for s in sorted(b_stems.keys() - a_stems.keys())]
    if only_a or only_b:
        lines = _unpaired_lines(only_a, b_dir) + _unpaired_lines(only_b, a_dir)
        summary = (f"{source + ': ' if source else ''}{len(only_a)} file(s) in {a_dir} and {len(only_b)} "
                   f"file(s) in {b_dir} have no partner with the same name")
        if on_unpaired == "error":
            raise DatasetError(summary + ": " + "; ".join(lines))
        warnings.warn(summary + "; skipped, e.g.: " + "; ".join(lines), UnpairedFilesWarning,
                      stacklevel=2)
    common = sorted(a_stems.keys() & b_stems.keys())
    if not common:
        raise DatasetError(f"{source + ': ' if source else ''}no file in {a_dir} has a partner in {b_dir}")
    return [str(a_stems[s]) for s in common], [str(b_stems[s]) for s in common]


def one_line(text, limit: int = 300) -> str:
    """``text`` with its whitespace runs (newlines included) made single spaces, cut at ``limit``
    characters: error messages quote library errors, and a message is one line."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def spec_to_dict(spec: ImageSpec) -> dict:
    return {"channels": spec.channels, "bit_depth": spec.bit_depth,
            "value_range": None if spec.value_range is None else list(spec.value_range),
            "counts_per_kelvin": spec.counts_per_kelvin}


def spec_from_dict(values: dict, where: str = "") -> ImageSpec:
    """An :class:`ImageSpec` from a dict of its fields; :class:`DatasetError` naming ``where`` if wrong."""
    try:
        fields = {k: values[k] for k in ("channels", "bit_depth", "value_range", "counts_per_kelvin")
                  if values.get(k) is not None}
        if "value_range" in fields:
            fields["value_range"] = tuple(float(v) for v in fields["value_range"])
        return ImageSpec(**{"channels": 1, **fields})
    except (TypeError, ValueError, KeyError) as err:
        raise DatasetError(f"{where}: not an image spec ({one_line(err, 120)})") from err


def find_spec_file(root) -> Path | None:
    """``dataset.json`` in ``root``, else in its parent (a split folder of a dataset), else ``None``."""
    root = Path(root)
    for folder in (root, root.parent):
        if (folder / DATASET_SPEC_FILE).is_file():
            return folder / DATASET_SPEC_FILE
    return None


def read_dataset_json(path) -> dict:
    """The content of a ``dataset.json`` file: a JSON object, else :class:`DatasetError` naming the file."""
    path = Path(path)
    try:
        content = json.loads(path.read_text())
    except (OSError, ValueError) as err:  # UnicodeDecodeError is a ValueError
        raise DatasetError(f"{path}: not readable JSON ({one_line(err, 120)}); fix or remove the "
                           "dataset spec file") from err
    if not isinstance(content, dict):
        raise DatasetError(f"{path}: expected a JSON object (the dataset spec), got {type(content).__name__}")
    return content


def load_target_spec(root) -> ImageSpec | None:
    """The B (thermal) spec recorded in ``dataset.json`` (see :func:`find_spec_file`), or ``None``.

    Accepted shapes: ``{"b": {<ImageSpec fields>}}`` (what :func:`save_dataset_spec` writes) or
    ``{"thermal_u16": {"value_range": [low, high], "counts_per_kelvin": k}}`` (the synthetic set's).
    """
    path = find_spec_file(root)
    if path is None:
        return None
    content = read_dataset_json(path)
    if isinstance(content.get("b"), dict):
        return spec_from_dict(content["b"], str(path))
    if isinstance(content.get("thermal_u16"), dict):
        return spec_from_dict({"channels": 1, "bit_depth": 16, **content["thermal_u16"]}, str(path))
    return None


def save_dataset_spec(root, b_spec: ImageSpec, a_spec: ImageSpec = RGB_SPEC, **extra) -> Path:
    """Write ``root/dataset.json`` with both sides' specs (atomically: temporary name, then rename)."""
    path = Path(root) / DATASET_SPEC_FILE
    content = {"a": spec_to_dict(a_spec), "b": spec_to_dict(b_spec), **extra}
    return atomic_write_text(path, json.dumps(content, indent=2) + "\n")
