"""Dataset layouts turned into file lists.

One module per public layout (``paired``, ``llvip``, ``flir_v1``, ``flir_v2``, ``kaist``, ``tno``,
``nih_chestxray``, ``synthetic``). Each
returns a :class:`~data_loaders.common.PairedFiles`; :mod:`thermal_keras.data` turns that into
``tf.data``. Nothing here imports TensorFlow when imported but the training decoder
(:mod:`data_loaders.decode`); the pre-training check (:mod:`data_loaders.validate`) decodes with it
and loads it on first use. This package imports nothing from :mod:`thermal_keras`: the atomic writes
every module uses live here (:mod:`data_loaders.files`).
"""

from data_loaders.common import DatasetError, ImageSpec, PairedFiles

__all__ = ["DatasetError", "ImageSpec", "PairedFiles"]
