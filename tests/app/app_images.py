"""Image bytes for the web demo's tests: valid inputs, the bad inputs the demo must refuse, and checks on results."""

from __future__ import annotations

import functools
import io
import struct
import zlib

import numpy as np
from PIL import Image

from thermal_keras.app import examples
from thermal_keras.io import encode_png_16


def png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array)).save(buffer, format="PNG")
    return buffer.getvalue()


def example_array(example_id: str, picture: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(examples.example_png(example_id, picture))))


def crop_png(example_id: str, picture: str, height: int, width: int) -> bytes:
    """A non-square crop of an example, so output sizes show which side is which."""
    return png(example_array(example_id, picture)[:height, :width])


def _tiff(array) -> bytes:
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, photometric="rgb" if np.ndim(array) == 3 else "minisblack")
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@functools.lru_cache(maxsize=None)
def decompression_bomb(side: int = 14000) -> bytes:
    """A real grey PNG of ``side``² zero pixels (196 M at 14000, over Pillow's bomb limit of 179 M:
    196 MB decoded) in under 1 MB (fast zlib level 1: half a second)."""
    compressor = zlib.compressobj(1)
    rows = bytes((side + 1) * 500)  # 500 rows: each a filter byte 0 and the row's pixels
    data = b"".join(compressor.compress(rows) for _ in range(side // 500)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def padded_png(array, total_bytes: int, seed: int = 0) -> bytes:
    """A valid PNG of ``array`` grown to ``total_bytes`` with a private ancillary chunk of random bytes
    (decoders skip it): a large upload that is still a small image."""
    image = png(array)
    filler = total_bytes - len(image) - 12
    data = np.random.default_rng(seed).integers(0, 256, filler, dtype=np.uint8).tobytes()
    return image[:33] + _chunk(b"tkPd", data) + image[33:]  # after the 8-byte signature and the IHDR chunk


def bad_inputs() -> dict[str, tuple[bytes | None, str]]:
    """``{case: (bytes, a phrase the message must contain)}`` for the translate tab (16..1024 px)."""
    good = examples.example_png("day", "rgb")
    float_tiff = io.BytesIO()
    Image.fromarray(np.linspace(0, 1, 64 * 64, dtype=np.float32).reshape(64, 64)).save(float_tiff, "TIFF")
    grey16 = io.BytesIO()
    Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)).save(grey16, "PNG")
    return {
        "no file": (None, "no file chosen"),
        "empty file": (b"", "empty"),
        "text file": (b"name,value\n1,2\n", "not an image file"),
        "random bytes": (bytes(range(7, 250)) * 4, "not an image file"),
        "truncated png": (good[: len(good) // 2], "damaged"),
        "16-bit grey png": (grey16.getvalue(), "16-bit"),
        "16-bit rgb png": (encode_png_16(np.full((32, 32, 3), 40000, np.uint16)), "16-bit"),
        "float tiff": (float_tiff.getvalue(), "32-bit float"),
        "16-bit rgb tiff": (_tiff(np.full((32, 32, 3), 40000, np.uint16)), "16-bit image (TIFF)"),
        "float rgb tiff": (_tiff(np.full((32, 32, 3), 0.5, np.float32)), "TIFF of float32 samples"),
        "1x1 image": (png(np.zeros((1, 1, 3), np.uint8)), "1×1 pixels"),
        "very large image": (png(np.zeros((1100, 2000), np.uint8)), "2000×1100 pixels"),
        "decompression bomb": (decompression_bomb(), "far larger than this tab's limit"),
    }


def not_blank(array: np.ndarray) -> bool:
    """Has the picture content: its values spread (a flat grey, black or white image does not)."""
    return float(np.asarray(array, np.float64).std()) > 3.0


def read_picture(path) -> np.ndarray:
    """The pixels of an image file (uint8, or uint16 for 16-bit PNGs)."""
    with Image.open(path) as image:
        return np.asarray(image)
