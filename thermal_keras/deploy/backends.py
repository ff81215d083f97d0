"""A saved ``.keras`` generator on any Keras backend (TensorFlow, JAX, PyTorch), without TensorFlow.

Set ``KERAS_BACKEND`` before Keras is imported, then::

    from thermal_keras.deploy.backends import load_generator
    generator = load_generator("runs/pix2pix/generator.keras")
    thermal = generator(rgb_in_minus1_1, training=False)     # a backend tensor

Importing this module imports only Keras, NumPy and the modules that register the package's layers
(:mod:`thermal_keras.layers`, :mod:`thermal_keras.sr.networks`); no TensorFlow. On JAX and PyTorch the
layers take their backend-neutral paths (:mod:`thermal_keras.portable`). Training stays on TensorFlow.

Run as ``python -m thermal_keras.deploy.backends MODEL.keras IN.npy OUT.npy``: the generator applied
to a float32 array in the model's own range (see docs/export.md, ``.keras`` contract).
"""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import numpy as np

import thermal_keras.layers  # noqa: F401  (registers PixelShuffle, ReflectionPadding2D, ...)
import thermal_keras.sr.networks  # noqa: F401  (registers SRConvBlock, BicubicUpsample)
from data_loaders.common import one_line


ZEROS = {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": None}


def _zero_initializers(config):
    """``config`` with every Keras initialiser replaced by ``Zeros``: the saved weights overwrite
    them anyway, and on JAX each random draw compiles for its shape (about 1 s per weight)."""
    if isinstance(config, dict):
        if config.get("module") == "keras.initializers":
            return ZEROS
        return {key: _zero_initializers(value) for key, value in config.items()}
    if isinstance(config, list):
        return [_zero_initializers(value) for value in config]
    return config


def _without_initializers(path: Path, folder: Path) -> Path:
    """A copy of the ``.keras`` archive ``path`` in ``folder`` whose config draws no random weights."""
    import json
    import zipfile

    copy = folder / path.name
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "config.json":
                data = json.dumps(_zero_initializers(json.loads(data))).encode()
            target.writestr(item, data)
    return copy


def load_generator(path) -> keras.Model:
    """``path`` (a ``.keras`` file) loaded for inference with ``safe_mode=True`` on the current backend;
    a ``ValueError`` naming the file when it is missing, not a ``.keras`` archive or cannot be loaded.

    On JAX and PyTorch the model is built from a copy of the archive whose initialisers are ``Zeros``
    (:func:`_zero_initializers`), so the loaded model's config names ``Zeros`` where the file named
    random initialisers; its weights are the file's."""
    path = Path(path)
    if not path.is_file() or path.suffix != ".keras":
        raise ValueError(f"{path}: not a .keras model file")
    try:
        if keras.backend.backend() == "tensorflow":
            return keras.models.load_model(path, compile=False, safe_mode=True)
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return keras.models.load_model(_without_initializers(path, Path(folder)), compile=False, safe_mode=True)
    except Exception as error:  # Keras raises many types for damaged or unsafe archives
        raise ValueError(f"cannot load model {path}: {one_line(error, 400)}") from None


def run_generator(generator: keras.Model, x: np.ndarray) -> np.ndarray:
    """``generator(x, training=False)`` as a float32 NumPy array, through ``predict`` (one compiled
    step on JAX, where calling the model eagerly compiles op by op), in one batch."""
    x = np.asarray(x, np.float32)
    return np.asarray(generator.predict(x, batch_size=len(x), verbose=0), np.float32)


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        print("usage: python -m thermal_keras.deploy.backends MODEL.keras IN.npy OUT.npy", file=sys.stderr)
        return 2
    from data_loaders.files import atomic_path

    generator = load_generator(args[0])
    out = run_generator(generator, np.load(args[1]))
    with atomic_path(args[2]) as tmp:
        with open(tmp, "wb") as file:
            np.save(file, out)
    print(f"{keras.backend.backend()}: {args[2]} {out.shape}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
