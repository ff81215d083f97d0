"""Data for training: the ``tf.data`` pipeline (:mod:`~thermal_keras.data.pipeline`) and the
dataset sources (:mod:`~thermal_keras.data.sources`: a config's ``data``/``layout`` to the file
lists of :mod:`data_loaders`, writing the built-in synthetic set on first use)."""
