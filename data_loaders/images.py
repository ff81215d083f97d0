"""Image files as the loaders meet them: the format told from the first bytes, header probes
(size, channels, bit depth, pages), full decodes for checks and evaluation (:func:`read_image`;
:func:`read_image_values` for any 8- or 16-bit file), and the grey test.

Training decodes with :func:`data_loaders.decode.decode_file_values`; the checks here say in one
line what is wrong with a file before that decoder would fail on it. Nothing here imports
TensorFlow at import time (only :func:`read_image_values` does, for a 16-bit colour PNG).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data_loaders.common import TIFF_EXTENSIONS, DatasetError, one_line


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
# name (TIFF, see data_loaders.decode), so a file's content is told from its first bytes.
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"II*\x00", "TIFF"), (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"), (b"MM\x00+", "TIFF"), (b"BM", "BMP"), (b"GIF87a", "GIF"), (b"GIF89a", "GIF"),
)


def is_tiff(path) -> bool:
    """Whether ``path`` is read as TIFF (by its name: ``.tif``/``.tiff``, any case), as training reads it."""
    return Path(path).suffix.lower() in TIFF_EXTENSIONS


def file_format(head: bytes) -> str | None:
    """The image format that ``head`` (a file's first bytes) starts, e.g. ``"PNG"``; ``None`` if none."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def describe_content(head: bytes) -> str:
    """The kind of bytes that are no image format, in a few words: a Git LFS pointer, an HTML page,
    text or binary data. Never the bytes themselves: a frame may be a link to any file (a message
    names a file and its kind, never its content)."""
    sample = head[:40]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:  # a multi-byte character cut at the end still counts as text
        text = sample[:-3].decode("utf-8", errors="replace") if len(sample) > 3 else None
    if text is not None and text.startswith("version https://git-lfs"):
        return "a Git LFS pointer, not the image (run git lfs pull)"
    if text is not None and text.lstrip().lower().startswith(("<!doctype html", "<html")):
        return "an HTML page, not image data (a failed download?)"
    if text is not None and "\ufffd" not in text and all(c.isprintable() or c in "\r\n\t" for c in text):
        return "text, not image data"
    return "binary data in no image format this reads (PNG, JPEG, TIFF, BMP, GIF, WebP)"


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

    Training (:mod:`data_loaders.decode`) reads ``.tif``/``.tiff`` files with tifffile and all
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


def read_image_values(path) -> np.ndarray:
    """An image file's stored values: ``(H, W, C)`` uint8 or uint16, never rescaled.

    Like :func:`read_image`, and 16-bit colour (and grey + alpha) PNGs too: Pillow reduces them to 8
    bits, so they are decoded through TensorFlow, imported only then. Anything that is not 8- or
    16-bit integer samples (float or 32-bit TIFFs, ...) raises a ``ValueError`` naming the file, so
    no caller meets values it would have to clip.
    """
    path = Path(path)
    info = probe_image(path)  # DatasetError (a ValueError) naming the file when it is no image
    if info.bit_depth not in (8, 16):
        raise ValueError(f"{path}: {info.sample_type} samples are not supported (only 8- or 16-bit integer "
                         f"images); convert it to an 8- or 16-bit PNG or TIFF")
    if info.bit_depth == 16 and info.channels > 1 and info.sample_type.startswith("PNG"):
        import tensorflow as tf

        try:
            array = tf.io.decode_png(path.read_bytes(), dtype=tf.uint16).numpy()
        except Exception as error:  # TensorFlow raises InvalidArgumentError for corrupt data
            raise ValueError(f"{path}: cannot be decoded ({type(error).__name__}: {one_line(error)})") from None
    else:
        array = read_image(path)
    if array.dtype not in (np.uint8, np.uint16):  # e.g. Pillow's 32-bit "I" mode for a 16-bit file
        top = 255 if info.bit_depth == 8 else 65535
        if not np.issubdtype(array.dtype, np.integer) or array.min() < 0 or array.max() > top:
            raise ValueError(f"{path}: {array.dtype} values outside the {info.bit_depth}-bit range")
        array = array.astype(np.uint8 if info.bit_depth == 8 else np.uint16)
    return array


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
    (a regular subsample), so the estimate costs about one decode a file. When the two percentiles
    meet (nearly every value the same), the sampled minimum and maximum are the range; when every
    sampled value is the same, no range can be told from the data and a :class:`DatasetError` names
    the folder and asks for the range in ``dataset.json`` (a range is never invented).
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
    values = np.concatenate(samples)
    low, high = (float(v) for v in np.percentile(values, percentiles))
    if not np.ceil(high) > np.floor(low):
        low, high = float(values.min()), float(values.max())
    if not high > low:
        folder = Path(paths[0]).parent
        raise DatasetError(f"{folder}: every 16-bit value in the {len(picks)} file(s) sampled is {low:g}, so no "
                           "count range can be told from the data; give it in the dataset's dataset.json "
                           '(e.g. {"b": {"channels": 1, "bit_depth": 16, "value_range": [LOW, HIGH]}})')
    return float(np.floor(low)), float(np.ceil(high))


# --- The dataset spec file (dataset.json) ------------------------------------------------------

