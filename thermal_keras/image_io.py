"""Image files for the commands and notebooks: a folder's images, 8-bit files read as RGB or
``[0, 1]``, and PNGs written atomically at their own bit depth (8-bit, 16-bit grey and colour).

Nothing here imports TensorFlow. The stored values of any 8- or 16-bit file (a 16-bit colour PNG
included) are :func:`data_loaders.images.read_image_values`; BT.601 luma is :mod:`thermal_keras.luma`.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np

from data_loaders.files import IMAGE_SUFFIXES, atomic_path, atomic_write_bytes, image_entries, synced_file


def list_images(folder, minimum: int = 1) -> list[Path]:
    """The image files (:data:`IMAGE_SUFFIXES`) directly inside ``folder``, sorted by name.

    Raises ``FileNotFoundError`` for a missing folder and ``ValueError`` with fewer than ``minimum``.
    (Dataset folders are listed by :func:`data_loaders.common.list_images`, which refuses entries
    named like images that are no files.)
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = [p for p in image_entries(folder) if p.is_file()]
    if len(files) < minimum:
        raise ValueError(f"{folder}: needs at least {minimum} image(s) ({', '.join(IMAGE_SUFFIXES)}), "
                         f"found {len(files)}")
    return files


def read_rgb_u8(path) -> np.ndarray:
    """An image file as uint8 RGB ``(H, W, 3)``; a ``ValueError`` naming the file if it cannot be read."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"))
    except OSError as error:
        raise ValueError(f"{path}: cannot read image ({error})") from error


def read_unit_image(path, channels: int | None = None) -> np.ndarray:
    """An 8-bit image file as float32 ``(H, W, C)`` in ``[0, 1]``; grey files (also 3 equal
    channels) get 1 channel unless ``channels=3`` is asked for."""
    rgb = read_rgb_u8(path).astype(np.float32) / 255.0
    grey = np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    return rgb if channels == 3 or (channels is None and not grey) else rgb[..., :1]


def save_png(array, path):
    """Write ``array`` as a PNG atomically; returns ``path``.

    ``array``: uint8 ``(H, W)``, ``(H, W, 1)``, ``(H, W, 3)`` or ``(H, W, 4)``, or uint16 ``(H, W)``
    / ``(H, W, 1)``. Missing parent folders are created.
    """
    from PIL import Image

    image = np.asarray(array)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    grey_16_bit = image.dtype == np.uint16 and image.ndim == 2
    if not grey_16_bit and (image.dtype != np.uint8 or image.ndim not in (2, 3) or
                            (image.ndim == 3 and image.shape[-1] not in (3, 4))):
        raise ValueError(f"save_png({os.fspath(path)!r}) needs uint8 (H, W[, 1|3|4]) or uint16 (H, W), "
                         f"got {image.dtype} {np.shape(array)}")
    with atomic_path(path) as tmp, synced_file(tmp) as file:
        Image.fromarray(image).save(file, format="PNG")
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png_16(array) -> bytes:
    """A 16-bit PNG of uint16 ``(H, W)`` or ``(H, W, 1|2|3|4)`` (grey, grey+alpha, RGB, RGBA).

    Pillow writes 16-bit grey only; this writes every 16-bit colour type (filter 0, zlib level 6).
    """
    image = np.asarray(array)
    if image.ndim == 2:
        image = image[..., None]
    if image.dtype != np.uint16 or image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"encode_png_16 needs uint16 (H, W[, 1|2|3|4]), got {image.dtype} {np.shape(array)}")
    h, w, c = image.shape
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = np.ascontiguousarray(image.astype(">u2")).view(np.uint8).reshape(h, w * c * 2)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()  # filter byte 0 per row
    header = struct.pack(">IIBBBBB", w, h, 16, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", zlib.compress(raw, 6))
            + _png_chunk(b"IEND", b""))


def save_png_exact(array, path):
    """Write ``array`` as a PNG atomically at its own bit depth; returns ``path``.

    As :func:`save_png`, and uint16 colour ``(H, W, 2|3|4)`` as well (16-bit RGB stays 16-bit).
    """
    image = np.asarray(array)
    if image.dtype == np.uint16 and image.ndim == 3 and image.shape[-1] > 1:
        atomic_write_bytes(path, encode_png_16(image))
        return path
    return save_png(image, path)
