"""Files: atomic writes, score reports as strict JSON, the image suffixes we read, reading and
writing images, BT.601 luma.

Every file the package writes goes through :func:`atomic_path` (or :func:`atomic_write_text`,
:func:`atomic_dir`): it is written under a temporary name in the destination's folder and renamed
over the destination only when complete, so a crash never leaves a half-written file. Temporary
names start with ``.tmp-``; files are created with the ordinary permissions the umask gives.

Nothing here imports TensorFlow at import time (only :func:`read_image_values` does, for a
16-bit colour PNG, which Pillow cannot decode). The output rules every writing command follows
(:func:`check_output_files`, :func:`check_output_folder`) are here too: docs/cli.md describes them.
"""

from __future__ import annotations

import contextlib
import json
import math
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


def save_to_folder(paths, destination) -> list[Path]:
    """Copy files and folders (e.g. a notebook's exported model and figures) into ``destination``.

    Each item lands as ``destination/<its name>``, written under a temporary name and renamed. An
    item already there is never replaced: a ``FileExistsError`` names it before anything is copied.
    Returns the paths written, in the order given.
    """
    destination = Path(destination)
    sources = [Path(p) for p in paths]
    missing = [str(p) for p in sources if not p.exists()]
    if missing:
        raise FileNotFoundError(f"nothing to copy at {', '.join(missing)}")
    taken = [str(destination / p.name) for p in sources if (destination / p.name).exists()]
    if taken:
        raise FileExistsError(f"{', '.join(taken)} already exists; choose another destination folder")
    written = []
    for source in sources:
        target = destination / source.name
        if source.is_dir():
            with atomic_dir(target) as tmp:
                shutil.copytree(source, tmp, dirs_exist_ok=True)
        else:
            with atomic_path(target) as tmp:
                shutil.copy2(source, tmp)
        written.append(target)
    return written


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


# --- Score files: strict JSON ---------------------------------------------------------------------

NON_FINITE_KEY = "non_finite"
_NON_FINITE_NAMES = {math.inf: "inf", -math.inf: "-inf"}


def _finite_or_null(value, where: str, found: dict):
    """``value`` with every non-finite float (Python or NumPy) replaced by ``None``, recursively
    through dicts, lists and tuples; each replaced one is recorded in ``found[where] = "inf"`` etc."""
    if isinstance(value, dict):
        return {key: _finite_or_null(item, f"{where}.{key}" if where else str(key), found)
                for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_null(item, f"{where}[{i}]", found) for i, item in enumerate(value)]
    if isinstance(value, (float, np.floating)):
        if math.isfinite(value):
            return float(value)
        found[where] = _NON_FINITE_NAMES.get(float(value), "nan")
        return None
    return value


def report_json(report: dict) -> str:
    """A score report (``metrics.json``, ``evaluate --json``) as strict JSON text (RFC 8259) + newline.

    JSON has no infinity or NaN (Python would write the bare tokens ``Infinity`` / ``NaN``, which
    strict parsers refuse), and scores can be non-finite: PSNR of a perfect prediction, e.g. the mean
    image of constant targets, is +inf. Such a number is written as ``null`` and named under the
    top-level key ``"non_finite"``, e.g. ``{"mean_baseline.psnr": "inf"}`` (dotted keys, ``[i]`` for
    list items; values ``"inf"``, ``"-inf"`` or ``"nan"``); the key is absent when every number is
    finite. NumPy floats are written as plain numbers.
    """
    if not isinstance(report, dict) or NON_FINITE_KEY in report:
        raise ValueError(f"report_json needs a dict without a {NON_FINITE_KEY!r} key")
    found: dict = {}
    clean = _finite_or_null(report, "", found)
    if found:
        clean[NON_FINITE_KEY] = found
    return json.dumps(clean, indent=2, allow_nan=False) + "\n"


def write_report_json(path, report: dict) -> Path:
    """Write ``report`` atomically as strict JSON (:func:`report_json`); returns ``path``."""
    return atomic_write_text(path, report_json(report))


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


# --- Reading an image with its own bit depth -----------------------------------------------------

def read_image_values(path) -> np.ndarray:
    """An image file's stored values: ``(H, W, C)`` uint8 or uint16, never rescaled.

    Like :func:`data_loaders.images.read_image`, and 16-bit colour (and grey + alpha) PNGs too: Pillow
    reduces them to 8 bits, so they are decoded through TensorFlow, imported only then. Anything that is not 8- or
    16-bit integer samples (float or 32-bit TIFFs, ...) raises a ``ValueError`` naming the file, so
    no caller meets values it would have to clip.
    """
    from data_loaders.images import probe_image, read_image

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
            message = " ".join(str(error).split())
            raise ValueError(f"{path}: cannot be decoded ({type(error).__name__}: {message})") from None
    else:
        array = read_image(path)
    if array.dtype not in (np.uint8, np.uint16):  # e.g. Pillow's 32-bit "I" mode for a 16-bit file
        top = 255 if info.bit_depth == 8 else 65535
        if not np.issubdtype(array.dtype, np.integer) or array.min() < 0 or array.max() > top:
            raise ValueError(f"{path}: {array.dtype} values outside the {info.bit_depth}-bit range")
        array = array.astype(np.uint8 if info.bit_depth == 8 else np.uint16)
    return array


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png_16(array) -> bytes:
    """A 16-bit PNG of uint16 ``(H, W)`` or ``(H, W, 1|2|3|4)`` (grey, grey+alpha, RGB, RGBA).

    Pillow writes 16-bit grey only; this writes every 16-bit colour type (filter 0, zlib level 6).
    """
    import struct
    import zlib

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


# --- Where a command may write: checked before any work -------------------------------------------

OVERWRITE_HINT = "pass --overwrite to replace it"


def _real(path) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def same_path(a, b) -> bool:
    """Whether two paths name the same file or folder (symbolic and hard links resolved)."""
    if _real(a) == _real(b):
        return True
    try:
        return os.path.samefile(a, b)  # hard links
    except OSError:
        return False


def _file_id(path):
    """``(device, inode)`` of an existing path, else ``None``."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def is_within(path, folder) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (symbolic links resolved)."""
    path, folder = _real(path), _real(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _takes_new_files(folder: Path) -> str | None:
    """``None`` when a file can be created in ``folder`` (tried: a temporary file, removed at once),
    else why not. Permission bits do not tell (root may write anywhere, yet not in ``/proc`` or on a
    read-only mount)."""
    probe = _temporary_sibling(folder / "write-check")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return error.strerror or type(error).__name__
    os.close(fd)
    os.unlink(probe)
    return None


def check_writable_location(path) -> None:
    """Raise a ``ValueError`` naming ``path`` when it could not be created: a folder on its way is a
    regular file, the nearest existing folder is not writable (or takes no new files), or a name is
    too long."""
    path = Path(path)
    ancestor = path.parent
    for ancestor in (path.parent, *path.parent.parents):
        if ancestor.exists():
            break
        if ancestor.is_symlink():
            raise ValueError(f"cannot write {path}: {ancestor} is a broken symbolic link")
    if not ancestor.is_dir():
        raise ValueError(f"cannot write {path}: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {path}: the folder {ancestor} is not writable (permission denied)")
    refused = _takes_new_files(ancestor)
    if refused is not None:
        raise ValueError(f"cannot write {path}: the folder {ancestor} takes no new files ({refused})")
    try:
        name_max = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    # the temporary sibling's name is longer than the final one (see _temporary_sibling)
    reserve = len(_temporary_sibling(Path("x")).name) - 1
    for part in path.relative_to(ancestor).parts:
        if len(os.fsencode(part)) + reserve > name_max:
            raise ValueError(f"cannot write {path}: the name {part[:24]}... is too long "
                             f"(at most {name_max - reserve} bytes here)")


def check_output_files(targets, sources=None, *, inputs=(), input_folders=(), overwrite=False) -> None:
    """The rules for a command that writes files; raises a one-line ``ValueError`` before any work.

    Args:
        targets: the files the command will write.
        sources: for each target, what it is made from (named when two targets collide).
        inputs: files the command reads (images, the model): never written.
        input_folders: folders the command reads images from: nothing is written directly into them.
        overwrite: whether existing files may be replaced (``--overwrite``); folders never are.
    """
    targets = [Path(t) for t in targets]
    sources = list(sources) if sources is not None else [str(t) for t in targets]
    seen = {}
    for target, source in zip(targets, sources):
        key = _real(target)
        if key in seen:
            raise ValueError(f"{seen[key]} and {source} would both be written to {target}; rename one of them")
        seen[key] = source
    # Inputs by resolved name and by (device, inode), so hard links count too; one pass over the targets.
    input_names, input_ids = {_real(p) for p in inputs}, {_file_id(p) for p in inputs} - {None}
    folder_names, folder_ids = {_real(p): p for p in input_folders}, {_file_id(p): p for p in input_folders}
    folder_ids.pop(None, None)
    for target in targets:
        parent_id = _file_id(target.parent)
        folder = folder_names.get(_real(target.parent)) or (folder_ids.get(parent_id) if parent_id else None)
        if folder is not None:
            same = os.fspath(target.parent) == os.fspath(folder)
            raise ValueError(f"{target.parent} is the input folder{'' if same else f' {folder}'}; "
                             f"write the outputs to another folder")
        target_id = _file_id(target)
        if _real(target) in input_names or (target_id is not None and target_id in input_ids):
            raise ValueError(f"{target} is one of the inputs; choose another output")
    checked = set()
    existing = []
    for target in targets:
        if target.parent not in checked or len(os.fsencode(target.name)) > 200:
            check_writable_location(target)  # first: a too long name makes even stat() fail
            checked.add(target.parent)
        if target.is_dir():
            raise ValueError(f"{target} is a folder; cannot replace a folder with a file (choose another output)")
        if target.exists() or target.is_symlink():
            existing.append(target)
    if existing and not overwrite:
        more = f" ({len(existing) - 1} more of the outputs exist)" if len(existing) > 1 else ""
        raise ValueError(f"{existing[0]} exists; {OVERWRITE_HINT}{more}")


def is_saved_model(path) -> bool:
    """Whether ``path`` is a SavedModel folder (holds ``saved_model.pb``)."""
    path = Path(path)
    return path.is_dir() and not path.is_symlink() and (path / "saved_model.pb").is_file()


def check_output_folder(path, *, overwrite=False, reads=(), run=None, option="--out") -> None:
    """The rules for a command that writes a SavedModel folder; a one-line ``ValueError`` before any work.

    ``path`` must not be, nor hold, anything in ``reads`` (the model file, the run folder). Inside a
    ``run`` folder it may only be a direct entry (``RUN/NAME``), never inside the run's own
    sub-folders. An existing ``path`` needs ``overwrite``, and even then only an earlier export (a
    SavedModel folder) is replaced: a regular file or any other folder is left alone.
    """
    path = Path(path)
    for item in (*reads, *([run] if run is not None else [])):
        if is_within(item, path):
            relation = "is" if _real(item) == _real(path) else "holds"
            raise ValueError(f"{option} {path} {relation} {item}, which this command reads; choose another folder")
    if run is not None and is_within(path, run) and _real(path.parent) != _real(run):
        raise ValueError(f"{option} {path} is inside one of the run folder {run}'s own folders; "
                         f"write the export outside the run or directly in it (RUN/NAME)")
    if path.exists() or path.is_symlink():
        if not is_saved_model(path):
            kind = "a symbolic link" if path.is_symlink() else ("a folder" if path.is_dir() else "a file")
            raise ValueError(f"{option} {path} exists and is {kind}, not an earlier export (no saved_model.pb); "
                             f"not replacing it, even with --overwrite: choose another folder")
        if not overwrite:
            raise ValueError(f"{option} {path} exists; {OVERWRITE_HINT}")
    check_writable_location(path)
