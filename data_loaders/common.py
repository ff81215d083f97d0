"""What every loader returns (paired file lists plus how each side is stored), and the helpers the
loaders share: folder checks, listing and pairing by name, reading image headers and pixels, and the
``dataset.json`` spec file."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from thermal_keras.io import atomic_write_text


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

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
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
    wanted = tuple(e.lower() for e in extensions)
    found = sorted(p for p in directory.iterdir()
                   if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in wanted)
    if not found:
        raise DatasetError(f"{directory}: {what} holds no images ({', '.join(wanted)})")
    return found


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


# --- Reading image files (headers and full decodes) -------------------------------------------

@dataclass(frozen=True)
class ImageInfo:
    """What an image file's header says: size, channels and bits per sample (``None``: unsupported)."""

    path: str
    width: int
    height: int
    channels: int
    bit_depth: int | None
    sample_type: str


_PIL_MODES = {  # mode -> (channels, bits per sample)
    "1": (1, 8), "L": (1, 8), "P": (3, 8), "LA": (2, 8), "RGB": (3, 8), "YCbCr": (3, 8),
    "RGBA": (4, 8), "I;16": (1, 16), "I;16L": (1, 16), "I;16B": (1, 16), "I;16N": (1, 16),
}
_PNG_COLOUR_CHANNELS = {0: 1, 2: 3, 3: 3, 4: 2, 6: 4}
# Leading bytes of the formats the loaders meet; the decoders choose by content (TensorFlow) or by
# name (TIFF, see thermal_keras.data.pipeline), so a file's content is told from its first bytes.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"), (b"MM\x00+", "TIFF"), (b"BM", "BMP"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
)


def one_line(text, limit: int = 300) -> str:
    """``text`` with its whitespace runs (newlines included) made single spaces, cut at ``limit``
    characters: error messages quote library errors, and a message is one line."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def is_tiff(path) -> bool:
    """Whether ``path`` is read as TIFF (by its name: ``.tif``/``.tiff``, any case), as training reads it."""
    return Path(path).suffix.lower() in TIFF_EXTENSIONS


def file_format(head: bytes) -> str | None:
    """The image format that ``head`` (a file's first bytes) starts, e.g. ``"PNG"``; ``None`` if none."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def describe_content(head: bytes) -> str:
    """A few words on bytes that are no image format: text (quoted) or other data."""
    sample = head[:40]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.startswith("version https://git-lfs"):
        return "a Git LFS pointer, not the image (run git lfs pull)"
    if text is not None and all(c.isprintable() or c in "\r\n\t" for c in text):
        return f"text, not image data (it starts {one_line(text, 40)!r})"
    return f"no image format starts with bytes {sample[:8].hex(' ')}"


def read_head(path, size: int = 16) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)


def truncation_hint(path, fmt: str | None) -> str:
    """``"; it looks truncated (...)"`` when a JPEG or PNG file lacks its end marker or a TIFF file
    is shorter than the image data its header describes, else ``""``."""
    if fmt == "TIFF":
        return _tiff_truncation_hint(path)
    if fmt not in ("JPEG", "PNG"):
        return ""
    with open(path, "rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 64))
        tail = f.read().rstrip(b"\x00")
    if fmt == "JPEG" and not tail.endswith(b"\xff\xd9"):
        return "; it looks truncated (the JPEG end marker is missing)"
    if fmt == "PNG" and b"IEND" not in tail:
        return "; it looks truncated (the PNG end chunk is missing)"
    return ""


def _tiff_truncation_hint(path) -> str:
    import tifffile

    try:
        with tifffile.TiffFile(path) as tif:
            page = tif.pages[0]
            end = max((o + n for o, n in zip(page.dataoffsets, page.databytecounts)), default=0)
            size = tif.filehandle.size
    except Exception:  # a header too broken to say; the caller reports the decoder's error
        return ""
    return f"; it looks truncated ({size} bytes, the image data runs to {end})" if end > size else ""


def _tiff_layout(tif, path: Path):
    """``(series, axes)`` of a single-page TIFF; :class:`DatasetError` for several pages (a stack)."""
    pages = len(tif.pages)
    if pages > 1:
        raise DatasetError(f"{path}: multi-page TIFF ({pages} pages): save one page per file")
    series = tif.series[0]
    axes, shape = series.axes, tuple(series.shape)
    extra = {a: n for a, n in zip(axes, shape) if a not in "YXS" and n > 1}
    if extra or "Y" not in axes or "X" not in axes:
        raise DatasetError(f"{path}: TIFF of shape {shape} (axes {axes}); expected one (H, W) or "
                           "(H, W, C) image a file")
    return series, axes


def _tiff_info(path: Path) -> ImageInfo:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        series, axes = _tiff_layout(tif, path)
        sizes, dtype = dict(zip(axes, series.shape)), np.dtype(series.dtype)
    bits = {np.dtype(np.uint8): 8, np.dtype(np.uint16): 16}.get(dtype)
    return ImageInfo(str(path), sizes["X"], sizes["Y"], sizes.get("S", 1), bits, dtype.name)


def _pil_info(path: Path) -> ImageInfo:
    from PIL import Image

    with Image.open(path) as image:
        mode, (width, height), kind = image.mode, image.size, image.format
    channels, bits = _PIL_MODES.get(mode, (len(mode), None))
    if kind == "PNG":  # Pillow reads 16-bit colour PNGs as 8-bit: trust the header instead
        with open(path, "rb") as f:
            header = f.read(26)
        bits = 16 if header[24] == 16 else 8
        channels = _PNG_COLOUR_CHANNELS.get(header[25], channels)
    return ImageInfo(str(path), width, height, channels, bits, f"{kind} {mode}")


def decoder_mismatch(path, fmt: str | None) -> str | None:
    """Why the decoder that ``path``'s name selects cannot read content of format ``fmt``, or ``None``.

    Training (``thermal_keras.data.pipeline``) reads ``.tif``/``.tiff`` files with tifffile and all
    others with TensorFlow, which tells PNG/JPEG/BMP/GIF apart by their content but has no TIFF
    decoder; a PNG named ``.jpg`` is fine, a TIFF named ``.jpg`` is not.
    """
    suffix = Path(path).suffix or "(no extension)"
    if is_tiff(path) and fmt not in (None, "TIFF"):
        return (f"{path}: {fmt} data in a file named {suffix}: {suffix} files are read as TIFF "
                f"(tifffile); rename it to .{fmt.lower().replace('jpeg', 'jpg')}")
    if not is_tiff(path) and fmt == "TIFF":
        return (f"{path}: TIFF data in a file named {suffix}: training decodes {suffix} files with "
                "TensorFlow, which has no TIFF decoder; rename it to .tif")
    return None


def _readable_file(path: Path) -> bytes:
    """The file's first bytes; :class:`DatasetError` when it is missing, empty or no image format."""
    if not path.is_file():
        raise DatasetError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    if path.stat().st_size == 0:
        raise DatasetError(f"{path}: empty file (0 bytes)")
    head = read_head(path, 64)
    fmt = file_format(head)
    if fmt is None:
        raise DatasetError(f"{path}: not a readable image: {describe_content(head)}")
    if is_tiff(path) and fmt != "TIFF":  # (TIFF data under another name is found by validation)
        raise DatasetError(decoder_mismatch(path, fmt))
    return head


def probe_image(path) -> ImageInfo:
    """Size, channels and bit depth from the file's header (no full decode).

    Raises :class:`DatasetError` naming the file when it is missing, empty, not image data, a
    multi-page TIFF or otherwise not a readable image.
    """
    path = Path(path)
    fmt = file_format(_readable_file(path))
    try:
        return _tiff_info(path) if is_tiff(path) else _pil_info(path)
    except DatasetError:
        raise
    except Exception as err:  # PIL/tifffile raise many types for corrupt headers
        raise DatasetError(f"{path}: not a readable image ({type(err).__name__}: {one_line(err)})"
                           f"{truncation_hint(path, fmt)}") from err


def _read_tiff(path: Path) -> np.ndarray:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        series, axes = _tiff_layout(tif, path)
        array = series.asarray()
    kept = [a for a in axes if a in "YXS"]  # any other axis has size 1 (checked)
    array = array.reshape([n for a, n in zip(axes, array.shape) if a in "YXS"])
    return np.transpose(array, [kept.index(a) for a in "YXS" if a in kept])  # (H, W[, C])


def read_image(path) -> np.ndarray:
    """Decode a whole image file to its stored values: ``(H, W, C)`` uint8 or uint16 as in the file.

    TIFF (by name, as training reads it) through tifffile: one page, samples last (planar files are
    transposed); multi-page files are refused. Other files through Pillow. Missing, empty, truncated
    or corrupt files raise :class:`DatasetError` naming the file. 16-bit colour PNGs are not
    supported here (Pillow would reduce them to 8 bits).
    """
    path = Path(path)
    fmt = file_format(_readable_file(path))
    try:
        if is_tiff(path):
            array = _read_tiff(path)
        else:
            from PIL import Image

            with Image.open(path) as image:
                image.load()  # decodes everything: a truncated file fails here
                if image.mode in ("1", "P"):
                    image = image.convert("RGBA" if "transparency" in image.info else
                                          ("L" if image.mode == "1" else "RGB"))
                array = np.asarray(image)
    except DatasetError:
        raise
    except Exception as err:
        raise DatasetError(f"{path}: cannot be decoded ({type(err).__name__}: {one_line(err)})"
                           f"{truncation_hint(path, fmt)}") from err
    return array[..., None] if array.ndim == 2 else array


def is_grey(array: np.ndarray, tolerance_levels: float = 2.0) -> bool:
    """Whether a ``(H, W, C)`` image is grey: one channel, or colour channels that agree on average
    within ``tolerance_levels`` of 255 (JPEG chroma noise on grey content stays well below that)."""
    if array.shape[-1] < 3:
        return True
    rgb = array[..., :3].astype(np.float32) * (255.0 / (65535.0 if array.dtype == np.uint16 else 255.0))
    spread = np.abs(rgb[..., 0] - rgb[..., 1]).mean() + np.abs(rgb[..., 1] - rgb[..., 2]).mean()
    return bool(spread <= tolerance_levels)


def estimate_value_range(paths, percentiles=(0.5, 99.5), max_files: int = 64) -> tuple[float, float]:
    """``(low, high)`` file values at ``percentiles`` over up to ``max_files`` evenly spaced files.

    For 16-bit thermal counts without a known range ("auto"). Each file adds at most ~65k pixels
    (a regular subsample), so the estimate costs about one decode a file.
    """
    paths = list(paths)
    if not paths:
        raise DatasetError("no files to estimate a value range from")
    picks = sorted(set(np.linspace(0, len(paths) - 1, min(len(paths), max_files)).round().astype(int)))
    samples = []
    for i in picks:
        values = read_image(paths[i])[..., 0]
        stride = max(1, int(np.sqrt(values.size / 65536)))
        samples.append(values[::stride, ::stride].ravel())
    low, high = np.percentile(np.concatenate(samples), percentiles)
    low, high = float(np.floor(low)), float(np.ceil(high))
    return (low, high if high > low else low + 1.0)


# --- The dataset spec file (dataset.json) ------------------------------------------------------

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
        raise DatasetError(f"{where}: not an image spec ({one_line(err, 120)}): {one_line(repr(values), 120)}") \
            from err


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
