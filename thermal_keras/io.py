"""Files: atomic writes, the image suffixes we read, reading and writing images, BT.601 luma.

Every file the package writes goes through :func:`atomic_path` (or :func:`atomic_write_text`,
:func:`atomic_dir`): it is written under a temporary name in the destination's folder and renamed
over the destination only when complete, so a crash never leaves a half-written file. Temporary
names start with ``.tmp-``; files are created with the ordinary permissions the umask gives.

Nothing here imports TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
LUMA_BT601 = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma weights of R, G, B (they sum to 1)
TEMP_PREFIX = ".tmp-"


def _temporary_sibling(path: Path) -> Path:
    # The writer's process id is part of the name, so leftovers of a killed writer can be told from
    # the work in progress of a live one (:func:`remove_stale_temporaries`).
    return path.with_name(f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-{path.name}")


def _writer_alive(name: str) -> bool:
    """Whether the process that made temporary ``name`` still runs (unknown names count as dead)."""
    pid = name[len(TEMP_PREFIX):].split("-", 1)[0]
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary file path beside ``path``; on success it is renamed to ``path``, on an
    exception removed. Parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def atomic_write_text(path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
    return Path(path)


def atomic_write_bytes(path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_dir(path):
    """Yield an empty temporary folder beside ``path``; on success it replaces ``path`` (an existing
    folder there is moved aside first and removed after), on an exception it is removed. The
    folder gets the umask's ordinary mode (not ``mkdtemp``'s 0700)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_sibling(path)
    tmp.mkdir(mode=0o777 & ~_umask())
    try:
        yield tmp
        if path.exists():
            old = _temporary_sibling(path)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def remove_stale_temporaries(folder) -> list[Path]:
    """Remove the ``.tmp-*`` leftovers of interrupted writes directly inside ``folder`` (those whose
    writing process is gone); returns them."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    stale = sorted(p for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX) and not _writer_alive(p.name))
    for path in stale:
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    return stale


def list_images(folder, minimum: int = 1) -> list[Path]:
    """The image files (:data:`IMAGE_SUFFIXES`) directly inside ``folder``, sorted by name.

    Raises ``FileNotFoundError`` for a missing folder and ``ValueError`` with fewer than ``minimum``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
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


def luma(rgb) -> np.ndarray:
    """BT.601 luma of RGB ``(..., 3)`` (any value range, same range out): ``(..., 1)`` float32."""
    rgb = np.asarray(rgb, np.float32)
    return (rgb @ np.asarray(LUMA_BT601, np.float32))[..., None]


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
    with atomic_path(path) as tmp:
        with open(tmp, "xb") as file:
            Image.fromarray(image).save(file, format="PNG")
            file.flush()
            os.fsync(file.fileno())
    return path
