"""Loading, checking and saving model files: the leaf that export, presets, training and every family share.

:func:`load_keras_model` reads ``.keras`` files with ``safe_mode=True`` (a Lambda layer's Python code
is refused) and reports a truncated or corrupt file as "cannot load model FILE: ..."
(``FileNotFoundError`` for a missing one); :func:`check_finite_weights` and
:func:`check_finite_saved_model` refuse weights holding NaN or inf; :func:`read_target_spec_file`
reads a run's ``target_spec.json``; :func:`save_keras` writes a ``.keras`` file under a temporary name
and renames it. The run-folder file names are here too. This module imports nothing from
``thermal_keras`` (only ``data_loaders``), so any module may use it.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import keras
import numpy as np

from data_loaders.common import DatasetError, ImageSpec
from data_loaders.common import one_line as common_one_line
from data_loaders.files import atomic_path

RUN_GENERATOR_FILE = "generator.keras"  # RUN/generator.keras, as every `train` command saves it
RUN_TARGET_SPEC_FILE = "target_spec.json"
PRESET_FILE = "preset.json"  # a preset folder (thermal_keras.presets)


def one_line(error) -> str:
    """An exception's message on one line (Keras and TensorFlow messages span several)."""
    return common_one_line(str(error) or type(error).__name__, limit=400)


def check_finite_weights(weights, source) -> None:
    """Raise a ``ValueError`` naming ``source`` when a floating-point weight holds NaN or inf."""
    bad = []
    for weight in weights:
        values = np.asarray(keras.ops.convert_to_numpy(weight))
        if np.issubdtype(values.dtype, np.floating) and not np.isfinite(values).all():
            bad.append(getattr(weight, "path", None) or getattr(weight, "name", "?"))
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        raise ValueError(f"{source}: the model's weights contain NaN or inf ({bad[0]}{more}); "
                         f"refusing to use a broken model (did its training diverge?)")


def check_finite_saved_model(path) -> None:
    """:func:`check_finite_weights` for a SavedModel folder, read from its variables without loading it."""
    path = Path(path)
    prefix = path / "variables" / "variables"
    if not prefix.with_suffix(".index").is_file():
        return  # a SavedModel without variables
    try:
        import tensorflow as tf

        reader = tf.train.load_checkpoint(str(prefix))
        dtypes = reader.get_variable_to_dtype_map()
        bad = [name for name, dtype in sorted(dtypes.items())
               if dtype.is_floating and not np.isfinite(reader.get_tensor(name)).all()]
    except Exception as error:  # a damaged variables file: TensorFlow raises several types
        raise ValueError(f"cannot load model {path}: its variables cannot be read ({one_line(error)})") from None
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        raise ValueError(f"{path}: the model's weights contain NaN or inf ({bad[0]}{more}); "
                         f"refusing to use a broken model (did its training diverge?)")


def load_keras_model(path) -> keras.Model:
    """A ``.keras`` file loaded for inference (``compile=False``) with ``safe_mode=True``.

    Every failure is a one-line ``ValueError`` (``FileNotFoundError`` for a missing file) naming the
    file: not a ``.keras`` file, truncated or corrupt ("cannot load model FILE: ..."), code that safe
    mode refuses to run, weights holding NaN or inf.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file" if not path.exists() else f"{path}: not a file")
    if path.suffix != ".keras":
        raise ValueError(f"{path}: not a .keras model file (give a .keras file, an exported SavedModel "
                         f"folder or a run folder)")
    if not zipfile.is_zipfile(path):
        raise ValueError(f"cannot load model {path}: not a complete .keras archive (truncated or corrupt)")
    from thermal_keras.networks import register_saved_layers

    register_saved_layers()
    try:
        model = keras.models.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for damaged or unsafe archives
        raise ValueError(f"cannot load model {path}: {one_line(error)}") from None
    check_finite_weights(model.weights, path)
    return model


def read_target_spec_file(path) -> ImageSpec:
    """A run's ``target_spec.json`` (written by :func:`thermal_keras.training.run.write_target_spec`),
    checked: a ``ValueError`` naming the file for anything else."""
    path = Path(path)
    try:
        values = json.loads(path.read_text())
        if values.get("value_range") is not None:
            values["value_range"] = tuple(values["value_range"])
        spec = ImageSpec(**values)
    except Exception as error:  # unreadable, not JSON, not an object, a one-element value_range, ...
        raise DatasetError(f"{path}: not a target spec written by thermal-keras ({one_line(error)})") from None

    def number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)

    problems = []
    if spec.value_range is not None and (len(spec.value_range) != 2 or not all(map(number, spec.value_range))):
        problems.append(f"value_range {list(spec.value_range)} is not two finite numbers")
    if spec.counts_per_kelvin is not None and not (number(spec.counts_per_kelvin) and spec.counts_per_kelvin > 0):
        problems.append(f"counts_per_kelvin {spec.counts_per_kelvin!r} is not a positive number")
    if problems:
        raise ValueError(f"{path}: not a target spec written by thermal-keras ({'; '.join(problems)})")
    return spec


def save_keras(generator: keras.Model, path) -> Path:
    """Save the generator as a single ``.keras`` file (written to a temporary name, then renamed)."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: a Keras model file must end in .keras")
    with atomic_path(path) as tmp:  # the temporary name keeps the .keras suffix Keras needs
        generator.save(tmp)
    return path
