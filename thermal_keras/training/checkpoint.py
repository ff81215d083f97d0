"""Full-state training checkpoints: every variable of every network and optimizer, plus RNG state.

The pix2pix reference saves generator weights only, so a stopped run cannot resume. A
``TrainingCheckpoint`` saves everything a resumed run needs:

- each object's ``.variables``: for Keras models that is weights, BatchNorm moving statistics and
  the ``SeedGenerator`` states of dropout layers; for optimizers ``iterations`` and every slot
  (Adam's momenta and velocities);
- epoch, step, the Python/NumPy global RNG states, Keras' global seed, and a caller's ``extra`` dict.

Layout of ``directory``::

    ckpt-000007/variables.npz   keys "<object>/<index:04d>/<variable.path>", one array each
    ckpt-000007/state.json      epoch, step, RNG states, extra, format version
    latest                      JSON pointer to the newest complete checkpoint

Each checkpoint is written under a ``.tmp-`` name in the same directory, fsync'd, then renamed;
the pointer is replaced the same way, and checkpoints beyond ``max_to_keep`` are deleted last. A
crash at any point leaves the previous checkpoint readable; ``.tmp-`` leftovers are ignored and
cleared by the next save.

Restoring assigns into existing variables, so optimizers must already be built
(``optimizer.build(model.trainable_variables)``; ``Pix2Pix.compile`` does it).

Not saved: a ``tf.data`` iterator's position and TensorFlow's op-level (stateful) random state. A
resumed run needs neither: the training job checkpoints at the end of an epoch, and its pipeline
(:mod:`thermal_keras.data.pipeline`) draws each epoch's order, crops and flips from stateless ops
keyed by ``(seed, epoch, position in the epoch)``, so the job (:mod:`thermal_keras.training.run`)
rebuilds it at the restored epoch and the resumed run sees exactly the batches an uninterrupted one
would have. The models' own random draws (dropout, CycleGAN's history pools) use Keras
``SeedGenerator`` states, which are variables and so are saved.

A damaged checkpoint skipped on restore is reported through :mod:`logging` (logger
``thermal_keras.training.checkpoint``, level WARNING).
"""

import json
import logging
import os
import random
import re
import shutil
import time
import uuid
import zipfile

import numpy as np

from data_loaders.files import TEMP_PREFIX, fsync_directory, synced_file

__all__ = ["TrainingCheckpoint", "CheckpointMismatchError", "DamagedCheckpointError", "FORMAT_VERSION"]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
VARIABLES_FILE = "variables.npz"
STATE_FILE = "state.json"
POINTER_FILE = "latest"
TEMPORARY_PREFIX = TEMP_PREFIX  # as every atomic write of the package
STATE_KEYS = ("format_version", "epoch", "step", "rng")
CHECKPOINT_NAME = re.compile(r"^ckpt-(\d{6,})$")
# Keras makes names unique per process ("conv2d_3", "adam_1"): a model built twice in one
# session differs only in these suffixes, which restore therefore ignores.
_UNIQUIFYING_SUFFIX = re.compile(r"_\d+(?=/|_|$)")


class CheckpointMismatchError(ValueError):
    """The checkpoint's variables do not fit the objects being restored."""


class DamagedCheckpointError(ValueError):
    """A checkpoint folder whose files are incomplete or unreadable."""


def _write_json_file(path, payload: str):
    with synced_file(path) as file:
        file.write(payload.encode("utf-8"))


def _to_json_value(value):
    """json.dumps fallback for NumPy scalars/arrays and eager tensors (e.g. a Keras ``logs`` dict)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _rng_state():
    python_version, python_internal, python_gauss = random.getstate()
    name, keys, position, has_gauss, cached_gaussian = np.random.get_state(legacy=True)
    return {
        "python": [python_version, list(python_internal), python_gauss],
        "numpy": [name, keys.tolist(), int(position), int(has_gauss), float(cached_gaussian)],
        **_keras_seed_state(),
    }


def _keras_global_state():
    """Keras keeps its global seed and ``SeedGenerator`` in private module state; None if moved."""
    try:
        from keras.src.backend.common import global_state
        from keras.src.random import seed_generator
        from keras.src.utils import rng_utils
    except ImportError:
        return None
    return global_state, seed_generator, rng_utils


def _keras_seed_state():
    modules = _keras_global_state()
    if modules is None:
        return {"keras_seed": None, "keras_seed_generator": None}
    global_state, seed_generator, rng_utils = modules
    generator = global_state.get_global_attribute(seed_generator.GLOBAL_SEED_GENERATOR)
    return {
        "keras_seed": rng_utils.get_random_seed(),
        "keras_seed_generator": None if generator is None else np.asarray(generator.state.numpy()).tolist(),
    }


def _set_rng_state(state):
    python_version, python_internal, python_gauss = state["python"]
    random.setstate((python_version, tuple(python_internal), python_gauss))
    name, keys, position, has_gauss, cached_gaussian = state["numpy"]
    np.random.set_state((name, np.asarray(keys, dtype=np.uint32), position, has_gauss, cached_gaussian))
    modules = _keras_global_state()
    if modules is None:
        return
    global_state, seed_generator, rng_utils = modules
    global_state.set_global_attribute(rng_utils.GLOBAL_RANDOM_SEED, state.get("keras_seed"))
    if state.get("keras_seed_generator") is not None:
        seed_generator.global_seed_generator().state.assign(np.asarray(state["keras_seed_generator"]))


def _stored_array_headers(npz_path):
    """``{key: (shape, dtype)}`` of every array in an .npz, read from headers without loading data."""
    headers = {}
    with zipfile.ZipFile(npz_path) as archive:
        for member_name in archive.namelist():
            with archive.open(member_name) as member:
                version = np.lib.format.read_magic(member)
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(member)
            headers[member_name.removesuffix(".npy")] = (tuple(shape), dtype)
    return headers


class TrainingCheckpoint:
    """Saves and restores the variables of named Keras objects plus the training state.

    Args:
        directory: folder for the checkpoints (created if missing).
        objects: ``{name: object}`` with objects exposing ``.variables`` (models, layers,
            optimizers), e.g. ``{"generator": m.generator, "discriminator": m.discriminator,
            "g_optimizer": m.g_optimizer, "d_optimizer": m.d_optimizer}``. Restoring may use a
            subset of the saved names (e.g. only the generator, for inference).
        max_to_keep: how many complete checkpoints stay on disk (>= 1).
    """

    def __init__(self, directory, objects, max_to_keep=2):
        if not isinstance(objects, dict) or not objects:
            raise ValueError(f"objects must be a non-empty dict of name -> Keras object, got {objects!r}")
        for name, obj in objects.items():
            if not isinstance(name, str) or not name or "/" in name:
                raise ValueError(f"object names must be non-empty strings without '/', got {name!r}")
            if not hasattr(obj, "variables"):
                raise ValueError(f"objects[{name!r}] ({type(obj).__name__}) has no .variables")
        if isinstance(max_to_keep, bool) or not isinstance(max_to_keep, int) or max_to_keep < 1:
            raise ValueError(f"max_to_keep must be an integer >= 1, got {max_to_keep!r}")
        self.directory = os.fspath(directory)
        self.objects = dict(objects)
        self.max_to_keep = max_to_keep

    def _default_step(self):
        """The ``iterations`` of the first optimizer among the objects (the generator's in pix2pix)."""
        for obj in self.objects.values():
            if hasattr(obj, "iterations"):
                return int(obj.iterations.numpy())
        return 0

    def save(self, epoch, extra=None, step=None):
        """Writes ``ckpt-<epoch:06d>`` atomically, points ``latest`` at it, prunes old ones.

        Args:
            epoch: number of finished epochs (int >= 0); ``fit(initial_epoch=epoch)`` resumes.
            extra: JSON-serialisable dict stored alongside (e.g. the epoch's logs, the config).
            step: global step; defaults to the first optimizer's ``iterations``.
        Returns the checkpoint folder's path.
        """
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"epoch must be an integer >= 0, got {epoch!r}")
        if extra is not None and not isinstance(extra, dict):
            raise ValueError(f"extra must be a dict or None, got {type(extra).__name__}")
        state = {
            "format_version": FORMAT_VERSION,
            "epoch": int(epoch),
            "step": int(self._default_step() if step is None else step),
            "saved_at": time.time(),
            "objects": {name: len(obj.variables) for name, obj in self.objects.items()},
            "rng": _rng_state(),
            "extra": extra or {},
        }
        try:
            state_text = json.dumps(state, default=_to_json_value, allow_nan=True)
        except (TypeError, ValueError) as error:
            raise ValueError(f"extra must be JSON-serialisable: {error}") from None
        os.makedirs(self.directory, exist_ok=True)
        self._remove_leftovers()
        name = f"ckpt-{int(epoch):06d}"
        staging = os.path.join(self.directory, f"{TEMPORARY_PREFIX}{name}-{uuid.uuid4().hex}")
        os.mkdir(staging)
        self._write_variables(os.path.join(staging, VARIABLES_FILE))
        _write_json_file(os.path.join(staging, STATE_FILE), state_text)
        fsync_directory(staging)
        final_path = self._publish(staging, name)
        self._write_pointer(name)
        self._prune(keep=name)
        return final_path

    def _write_variables(self, npz_path):
        # One array at a time, so a large model is never held twice in host memory.
        with synced_file(npz_path) as file:
            with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, obj in self.objects.items():
                    for index, variable in enumerate(obj.variables):
                        key = f"{name}/{index:04d}/{variable.path}.npy"
                        with archive.open(key, "w", force_zip64=True) as member:
                            np.lib.format.write_array(member, np.asarray(variable.numpy()), allow_pickle=False)

    def _publish(self, staging, name):
        final_path = os.path.join(self.directory, name)
        replaced = None
        if os.path.exists(final_path):  # saving the same epoch again: a folder cannot replace a full one
            replaced = os.path.join(self.directory, f"{TEMPORARY_PREFIX}old-{name}-{uuid.uuid4().hex}")
            os.replace(final_path, replaced)
        os.replace(staging, final_path)
        fsync_directory(self.directory)
        if replaced:
            shutil.rmtree(replaced)
        return final_path

    def _write_pointer(self, name):
        staging = os.path.join(self.directory, f"{TEMPORARY_PREFIX}{POINTER_FILE}-{uuid.uuid4().hex}")
        _write_json_file(staging, json.dumps({"checkpoint": name}))
        os.replace(staging, os.path.join(self.directory, POINTER_FILE))
        fsync_directory(self.directory)

    def _remove_leftovers(self):
        for entry in os.listdir(self.directory):
            if entry.startswith(TEMPORARY_PREFIX):
                path = os.path.join(self.directory, entry)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)

    def _read_state(self, path):
        """The checkpoint's state dict, or None when the folder is incomplete or unreadable."""
        if not os.path.isfile(os.path.join(path, VARIABLES_FILE)):
            return None
        try:
            with open(os.path.join(path, STATE_FILE), encoding="utf-8") as file:
                state = json.load(file)
        except (OSError, ValueError):
            return None
        return state if isinstance(state, dict) and "format_version" in state else None

    def checkpoints(self):
        """Paths of the complete checkpoints, oldest save first."""
        if not os.path.isdir(self.directory):
            return []
        found = []
        for entry in os.listdir(self.directory):
            match = CHECKPOINT_NAME.match(entry)
            state = match and self._read_state(os.path.join(self.directory, entry))
            if state:
                found.append((state.get("saved_at", 0.0), int(match.group(1)), os.path.join(self.directory, entry)))
        return [path for _, _, path in sorted(found)]

    def _prune(self, keep):
        older = [path for path in self.checkpoints() if os.path.basename(path) != keep]
        for path in older[: max(0, len(older) - (self.max_to_keep - 1))]:
            shutil.rmtree(path)

    def latest_path(self):
        """The checkpoint ``latest`` points to, else the newest complete one, else None."""
        try:
            with open(os.path.join(self.directory, POINTER_FILE), encoding="utf-8") as file:
                name = json.load(file)["checkpoint"]
            if CHECKPOINT_NAME.match(name) and self._read_state(os.path.join(self.directory, name)):
                return os.path.join(self.directory, name)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        complete = self.checkpoints()
        return complete[-1] if complete else None

    def restore(self, path=None, restore_rng=True):
        """Assigns every saved variable to the objects; returns the saved state, or None.

        Without ``path`` the newest checkpoint that loads completely is used: the one ``latest``
        points to, else the newest complete folder; a damaged one (a truncated ``variables.npz``, a
        ``state.json`` missing a key) is skipped with a warning naming it and why, and the next
        older one is tried. None is returned when there is no usable checkpoint. A given ``path``
        must load. All names, counts, paths (ignoring Keras' ``_N`` uniquifying suffixes), shapes
        and dtypes are checked, and every array is read, before anything is assigned; a mismatch
        raises ``CheckpointMismatchError`` naming the checkpoint file and the variable (that is a
        different model, not damage, so it is never skipped). With ``restore_rng`` the Python,
        NumPy and Keras global RNG states are restored too. The returned dict holds ``epoch``,
        ``step``, ``extra``, ``rng``, ``format_version`` and ``path``.
        """
        if path is not None:
            return self._restore_from(os.fspath(path), restore_rng)
        candidates = []
        for candidate in [self._pointer_target(), *self._checkpoint_folders_newest_first()]:
            if candidate is not None and candidate not in candidates:
                candidates.append(candidate)
        for candidate in candidates:
            try:
                return self._restore_from(candidate, restore_rng)
            except DamagedCheckpointError as error:
                logger.warning("warning: skipped damaged checkpoint %s: %s", candidate, error)
        return None

    def _pointer_target(self):
        """The folder ``latest`` names (complete or not), or None."""
        try:
            with open(os.path.join(self.directory, POINTER_FILE), encoding="utf-8") as file:
                name = json.load(file)["checkpoint"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        path = os.path.join(self.directory, name) if isinstance(name, str) and CHECKPOINT_NAME.match(name) else None
        return path if path and os.path.isdir(path) else None

    def _checkpoint_folders_newest_first(self):
        """Every ``ckpt-N`` folder, complete or not, highest N first."""
        if not os.path.isdir(self.directory):
            return []
        numbered = [(int(m.group(1)), entry) for entry in os.listdir(self.directory)
                    if (m := CHECKPOINT_NAME.match(entry))]
        return [os.path.join(self.directory, entry) for _, entry in sorted(numbered, reverse=True)]

    def _restore_from(self, path, restore_rng):
        state = self._read_state(path)
        if state is None:
            raise DamagedCheckpointError(f"{path} is not a complete checkpoint (needs {VARIABLES_FILE} and {STATE_FILE})")
        missing = [key for key in STATE_KEYS if key not in state]
        if missing:
            raise DamagedCheckpointError(f"{os.path.join(path, STATE_FILE)} lacks {missing}")
        if state["format_version"] != FORMAT_VERSION:
            raise CheckpointMismatchError(
                f"{path}: format version {state['format_version']}, this code reads {FORMAT_VERSION}"
            )
        npz_path = os.path.join(path, VARIABLES_FILE)
        try:
            if not _stored_array_headers(npz_path):
                raise DamagedCheckpointError(f"{npz_path} holds no arrays")
            with zipfile.ZipFile(npz_path) as archive:  # CRC of every member: catches flipped bytes
                bad_member = archive.testzip()
            if bad_member is not None:
                raise DamagedCheckpointError(f"{npz_path}: {bad_member} fails its CRC check")
            assignments = self._match_variables(npz_path)
            with np.load(npz_path, allow_pickle=False) as stored:
                values = [(variable, stored[key]) for key, variable in assignments]  # reads (and CRC-checks) all
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError) as error:
            if isinstance(error, (CheckpointMismatchError, DamagedCheckpointError)):
                raise
            raise DamagedCheckpointError(f"{npz_path} cannot be read ({type(error).__name__}: {error})") from None
        for variable, value in values:
            variable.assign(value)
        if restore_rng:
            _set_rng_state(state["rng"])
        return {**state, "path": path}

    def _match_variables(self, npz_path):
        """``[(stored key, variable)]`` for every variable, after checking the checkpoint fits."""
        stored_by_object = {}
        for key, header in _stored_array_headers(npz_path).items():
            object_name, index, variable_path = key.split("/", 2)
            stored_by_object.setdefault(object_name, []).append((int(index), key, variable_path, header))
        assignments = []
        for name, obj in self.objects.items():
            if name not in stored_by_object:
                raise CheckpointMismatchError(
                    f"{npz_path} has no object {name!r}; it holds {sorted(stored_by_object)}"
                )
            stored = sorted(stored_by_object[name])
            variables = list(obj.variables)
            if len(stored) != len(variables):
                hint = (" (build the optimizer before restoring: optimizer.build(model.trainable_variables))"
                        if hasattr(obj, "iterations") and not getattr(obj, "built", True) else "")
                raise CheckpointMismatchError(
                    f"{npz_path}: {name!r} has {len(stored)} variables in the checkpoint but "
                    f"{len(variables)} in the object{hint}"
                )
            for (_, key, stored_path, (shape, dtype)), variable in zip(stored, variables):
                self._check_variable(npz_path, name, key, stored_path, shape, dtype, variable)
                assignments.append((key, variable))
        return assignments

    @staticmethod
    def _check_variable(npz_path, name, key, stored_path, shape, dtype, variable):
        expected = f"'{variable.path}' {tuple(variable.shape)} {variable.dtype}"
        found = f"'{stored_path}' {shape} {dtype}"
        same_path = _UNIQUIFYING_SUFFIX.sub("", stored_path) == _UNIQUIFYING_SUFFIX.sub("", variable.path)
        if not same_path or shape != tuple(variable.shape) or np.dtype(dtype) != np.dtype(variable.dtype):
            raise CheckpointMismatchError(
                f"{npz_path}: variable {key!r} of {name!r} does not fit: checkpoint has {found}, object has {expected}"
            )
