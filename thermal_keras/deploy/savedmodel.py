"""The one SavedModel writer every family's export goes through, and the reader of its metadata.

:func:`write_saved_model` traces a generator's endpoints (``serve`` and any others) into a SavedModel
folder, written under a temporary name beside ``path`` and renamed when complete, with one metadata
file, :data:`METADATA_FILE` (``thermal_keras.json``), whose ``family`` names the contract
(``translator``, ``sr`` or ``fusion``; :mod:`thermal_keras.families`). Exports written before that
kept SR and FusionGAN metadata under their own names (:data:`OLDER_METADATA_FILES`);
:func:`metadata_file` and :func:`read_metadata` find those too.
"""

from __future__ import annotations

import json
from pathlib import Path

METADATA_FILE = "thermal_keras.json"
# Older exports: SR (export-sr) and FusionGAN SavedModels had their own metadata file; a
# thermal_keras.json without "family" is a translator's (the only family that wrote that name).
OLDER_METADATA_FILES = {"sr": "thermal_keras_sr.json", "fusion": "thermal_keras_fusion.json"}


def saved_model_archive(generator, endpoints):
    """A ``keras.export.ExportArchive`` tracking ``generator`` with ``endpoints``: ``(name, fn,
    input_signature)`` triples, ``input_signature`` a list of ``tf.TensorSpec``."""
    import keras

    archive = keras.export.ExportArchive()
    archive.track(generator)
    for name, fn, signature in endpoints:
        archive.add_endpoint(name=name, fn=fn, input_signature=list(signature))
    return archive


def write_saved_model(generator, path, endpoints, family: str, metadata: dict) -> Path:
    """Write ``generator``'s ``endpoints`` (see :func:`saved_model_archive`) as the SavedModel folder
    ``path`` with ``{"family": family, **metadata}`` in :data:`METADATA_FILE`; returns ``path``.
    An existing folder at ``path`` is replaced: callers check first
    (:func:`thermal_keras.outputs.check_output_folder`)."""
    from data_loaders.files import atomic_dir

    path = Path(path)
    archive = saved_model_archive(generator, endpoints)
    with atomic_dir(path) as tmp:
        archive.write_out(str(tmp), verbose=False)
        (tmp / METADATA_FILE).write_text(json.dumps({"family": family, **metadata}, indent=2) + "\n")
    return path


def metadata_file(folder, family: str | None = None) -> Path:
    """Where ``folder``'s metadata is: :data:`METADATA_FILE` when present, else the older file of
    ``family`` (or of any family) when present, else :data:`METADATA_FILE` (absent)."""
    folder = Path(folder)
    older = [OLDER_METADATA_FILES[family]] if family in OLDER_METADATA_FILES else list(OLDER_METADATA_FILES.values())
    for name in (METADATA_FILE, *older):
        if (folder / name).is_file():
            return folder / name
    return folder / METADATA_FILE


def read_metadata(folder) -> tuple[str | None, dict]:
    """``(family, metadata)`` of an exported SavedModel folder: ``(None, {})`` without a metadata file;
    a ``ValueError`` naming the file when it is not a JSON object."""
    from thermal_keras.model_files import one_line

    file = metadata_file(folder)
    if not file.is_file():
        return None, {}
    try:
        meta = json.loads(file.read_text())
    except ValueError as error:  # also UnicodeDecodeError
        raise ValueError(f"{file}: not valid JSON ({one_line(error)})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{file}: not valid JSON metadata (expected an object, got {type(meta).__name__})")
    older = {name: family for family, name in OLDER_METADATA_FILES.items()}
    return meta.get("family", older.get(file.name, "translator")), meta
