"""Uploaded files: the size limits, reading an upload and the checked image decoder.

Gradio stores each upload in its cache folder and passes the demo the file's path;
:func:`read_upload` reads it (at most :data:`MAX_UPLOAD_BYTES`) and :func:`decode_image` checks and
decodes the bytes in memory. Both raise :class:`InputError` with a one-line message naming the file
and what is wrong; the demo shows that message (``gr.Error``). Accepted images are 8-bit (PNG, JPEG,
BMP, TIFF, WebP, GIF: first frame), colour or grey, with or without alpha; what is converted on the
way (alpha dropped, grey repeated, EXIF rotation applied) is said in ``notes``. 16-bit and float images are refused: the
demo's models take 8-bit input and a silent rescale would hide what they saw.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from data_loaders.common import one_line
from data_loaders.images import describe_content, file_format

MAX_UPLOAD_BYTES = 16 * 1024 * 1024  # one uploaded file (Gradio's max_file_size, and read_upload's cap)
MIN_SIDE = 16  # pixels, every tab (the fusion tab needs 48: its VIF metric works on 4 scales)


class InputError(ValueError):
    """An upload or form field the demo cannot use; the message says which and why, in one line."""


@dataclass(frozen=True)
class Limits:
    """Image size limits of one tab, in pixels (both sides within ``[min_side, max_side]``)."""

    min_side: int
    max_side: int

    def describe(self) -> str:
        return f"{self.min_side}×{self.min_side} to {self.max_side}×{self.max_side} pixels"


@dataclass
class Decoded:
    """A decoded upload: ``rgb`` uint8 ``(H, W, 3)`` in 0..255 (grey images repeated over the three
    channels), ``grey`` whether the image has no colour, ``notes`` what was converted."""

    rgb: np.ndarray
    grey: bool
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


def read_upload(path, what: str) -> bytes | None:
    """The bytes of the uploaded file at ``path`` (``None`` for no file); an :class:`InputError` for a
    file over :data:`MAX_UPLOAD_BYTES` or one that cannot be read. ``what`` names it ("the photo")."""
    if path is None:
        return None
    try:
        size = os.path.getsize(path)
        if size > MAX_UPLOAD_BYTES:
            raise InputError(f"{what}: the file is {size / 2**20:.1f} MiB; the demo takes at most "
                             f"{MAX_UPLOAD_BYTES // 2**20} MiB per file")
        with open(path, "rb") as file:
            return file.read(MAX_UPLOAD_BYTES + 1)
    except OSError as error:
        raise InputError(f"{what}: the upload cannot be read ({error.strerror or error}); upload it again") from None


def _png_bit_depth(data: bytes) -> int | None:
    """Bits per sample of a PNG from its IHDR chunk (Pillow reduces 16-bit colour PNGs to 8 bits)."""
    return data[24] if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 24 and data[12:16] == b"IHDR" else None


def _tiff_bits(image) -> tuple[int, ...]:
    """A TIFF's bits per sample (tag 258); empty for other formats."""
    tags = getattr(image, "tag_v2", None)
    value = tags.get(258) if tags is not None else None
    if value is None:
        return ()
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),)


def _tiff_samples(data: bytes) -> str | None:
    """The sample type (NumPy dtype name) of a TIFF that Pillow cannot open, from tifffile; ``None`` if unreadable."""
    try:
        import tifffile

        with tifffile.TiffFile(io.BytesIO(data)) as tif:
            return str(tif.pages[0].dtype)
    except Exception:  # not a readable TIFF at all: the caller says it is damaged
        return None


def decode_image(data: bytes, what: str, limits: Limits) -> Decoded:
    """An uploaded file's bytes as a checked 8-bit image; ``what`` names it in messages ("the photo").

    Refused, with an :class:`InputError` naming the file: no file or an empty one, bytes that are no
    image, a damaged image, 16-bit or float samples, sides outside ``limits`` (checked from the
    header before the pixels are decoded, so a huge image costs no memory). Accepted with a note:
    alpha (dropped: transparent areas show their stored colour), grey, EXIF rotation.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    if data is None:
        raise InputError(f"{what}: no file chosen; choose an image file or an example")
    if len(data) == 0:
        raise InputError(f"{what}: the file is empty (0 bytes); choose an image file")
    fmt = file_format(data[:16])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DecompressionBombWarning: the size check below answers it
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise InputError(f"{what}: the image is far larger than this tab's limit ({limits.describe()}); "
                             f"resize it first") from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            if fmt is None:
                raise InputError(f"{what}: not an image file: {describe_content(data[:40])}; give a PNG, "
                                 f"JPEG, BMP, TIFF, WebP or GIF image") from None
            samples = _tiff_samples(data) if fmt == "TIFF" else None
            if samples not in (None, "uint8"):
                raise InputError(f"{what}: a TIFF of {samples} samples; the demo reads 8-bit images ("
                                 f"convert it to an 8-bit PNG or TIFF)") from None
            raise InputError(f"{what}: a damaged {fmt} file that cannot be opened") from None
        width, height = image.size
        if min(width, height) < limits.min_side or max(width, height) > limits.max_side:
            raise InputError(f"{what}: the image is {width}×{height} pixels; this tab takes "
                             f"{limits.describe()} (resize it first)")
        mode = image.mode
        # 16-bit colour PNGs and TIFFs open as 8-bit RGB in Pillow: their headers tell
        bits = 16 if _png_bit_depth(data) == 16 else max(_tiff_bits(image), default=8)
        if mode.startswith(("I", "F")) or bits > 8:
            kind = ("32-bit float" if mode == "F" else f"{bits}-bit" if bits > 8 else
                    "16-bit" if "16" in mode else "32-bit integer")
            raise InputError(f"{what}: a {kind} image ({fmt or image.format}); the demo "
                             f"reads 8-bit images. Convert it to 8 bits, or use the command line, which reads "
                             f"16-bit files (`thermal-keras translate --input-range`, `thermal-keras upscale`)")
        try:
            image.seek(0)
            image.load()
            rotated = image.getexif().get(0x0112, 1) not in (None, 1)  # EXIF orientation tag
            image = ImageOps.exif_transpose(image)
        except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError... for damaged data
            message = one_line(error, 120)
            raise InputError(f"{what}: the {fmt or image.format} file is damaged or truncated and cannot be "
                             f"decoded ({message})") from None
    notes = [f"{what}: rotated as its EXIF orientation tag says"] if rotated else []
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        notes.append(f"{what}: its alpha channel (transparency) was dropped; transparent areas show the "
                     f"colours stored under them")
    grey = image.mode in ("1", "L", "LA", "La")
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    if not grey:
        grey = bool(np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]))
    return Decoded(rgb=np.ascontiguousarray(rgb), grey=grey, notes=notes)
