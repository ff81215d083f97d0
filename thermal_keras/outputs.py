"""Where a command may write, checked before any work (docs/cli.md describes the rules), and
:func:`save_to_folder`, which copies results into a folder without replacing anything.

A command that writes files calls :func:`check_output_files`; one that writes a SavedModel folder
:func:`check_output_folder`. Both raise a one-line ``ValueError`` naming the path, so nothing is
computed for an output that cannot be written. The writes themselves are atomic
(:mod:`data_loaders.files`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from data_loaders.files import atomic_dir, atomic_path, temporary_sibling

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
    probe = temporary_sibling(folder / "write-check")
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
    # the temporary sibling's name is longer than the final one (see temporary_sibling)
    reserve = len(temporary_sibling(Path("x")).name) - 1
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
