"""Data for training: the ``tf.data`` pipeline (:mod:`~thermal_keras.data.pipeline`) and the
dataset sources (:mod:`~thermal_keras.data.sources`: a config's ``data``/``layout`` to the file
lists of :mod:`data_loaders`, writing the built-in synthetic set on first use).

``from thermal_keras.data import emsn_normalize`` (the name the CycleGAN issue gave users) keeps
working: the EMSN functions are re-exported from :mod:`~thermal_keras.data.emsn` on first use, so
importing this package does not import TensorFlow.
"""

from thermal_keras.lazy import lazy_exports

__all__ = ["EMSN_BANDS", "emsn_denormalize", "emsn_normalize"]
__getattr__, _lazy_names = lazy_exports(__name__, {
    "EMSN_BANDS": "emsn", "emsn_denormalize": "emsn", "emsn_normalize": "emsn"})


def __dir__():
    # The lazy names plus what is already here (the submodules imported so far: pipeline, sources).
    return sorted(set(globals()) | set(_lazy_names()))
