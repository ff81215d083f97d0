"""Writing files safely, and the image file names the project reads: the floor every other module
stands on (it imports nothing of this project).

Every file the project writes goes through :func:`atomic_path` (or :func:`atomic_write_text`,
:func:`atomic_write_bytes`, :func:`atomic_dir`): it is written under a temporary name in the
destination's folder and renamed over the destination only when complete, so a crash never leaves a
half-written file. Temporary names start with ``.tmp-``; files are created with the ordinary
permissions the umask gives. ``thermal_keras.io`` re-exports these names.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")
TEMP_PREFIX = ".tmp-"


def image_entries(folder, suffixes=IMAGE_SUFFIXES) -> list[Path]:
    """The entries directly inside the existing ``folder`` whose suffix is one of ``suffixes`` (any
    case), sorted by name: files, and anything else named like an image, for the caller to judge."""
    wanted = tuple(suffix.lower() for suffix in suffixes)
    return sorted(p for p in Path(folder).iterdir() if p.suffix.lower() in wanted)


def temporary_sibling(path) -> Path:
    """A fresh temporary name beside ``path``: ``.tmp-<pid>-<random>-<name>``."""
    # The writer's process id is part of the name, so leftovers of a killed writer can be told from
    # the work in progress of a live one (:func:`remove_stale_temporaries`).
    path = Path(path)
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
def synced_file(path, mode: str = "xb"):
    """Open ``path`` for writing (by default a new binary file); when the block ends without an
    exception the data is flushed and fsync'd, so a rename that follows publishes complete data."""
    with open(path, mode) as file:
        yield file
        file.flush()
        os.fsync(file.fileno())


def fsync_directory(path) -> None:
    """Make the entries of folder ``path`` (a rename into it) durable; nothing on Windows, where
    folders cannot be opened for fsync."""
    if os.name == "posix":
        descriptor = os.open(path, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary file path beside ``path``; on success it is renamed to ``path``, on an
    exception removed. Parent folders are created."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(path)
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
    """Write ``data`` to ``path`` atomically, fsync'd before the rename; returns ``path``."""
    with atomic_path(path) as tmp, synced_file(tmp, "wb") as file:
        file.write(data)
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
    tmp = temporary_sibling(path)
    tmp.mkdir(mode=0o777 & ~_umask())
    try:
        yield tmp
        if path.exists():
            old = temporary_sibling(path)
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
