"""Ship a trained generator: a SavedModel with pre- and post-processing inside, or a ``.keras`` file.

The SavedModel's ``serve`` signature takes uint8 RGB ``[N, H, W, 3]`` of any height and width, pads
it (symmetric reflection) to the multiple the U-Net needs, runs the generator in inference mode,
crops back and returns:

* ``thermal``: float32 ``[N, H, W, 1]`` in ``[-1, 1]`` (the network's own output);
* ``thermal_u8``: uint8 ``[N, H, W, 1]``, ``round((thermal + 1) * 127.5)``;
* for generators trained on 16-bit radiometric data, ``thermal_u16`` (counts in the training range)
  and, where the counts are T-linear, ``celsius`` float32.

It loads with ``tf.saved_model.load`` (TF Serving, TFLite converter) without this package.
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import tensorflow as tf

from data_loaders.common import ImageSpec
from thermal_keras.data.pipeline import to_celsius, to_file_values
from thermal_keras.io import atomic_dir, atomic_path
from thermal_keras.models import generator_size_multiple

METADATA_FILE = "thermal_keras.json"


def _serving_fn(generator: keras.Model, multiple: int, target_spec: ImageSpec | None):
    radiometric = target_spec is not None and target_spec.bit_depth == 16

    def serve(rgb):
        x = tf.cast(rgb, tf.float32) / 127.5 - 1.0
        h, w = tf.shape(x)[1], tf.shape(x)[2]
        pad = [[0, 0], [0, (-h) % multiple], [0, (-w) % multiple], [0, 0]]
        # Reflection keeps edges natural; an image smaller than its padding falls back to mid-grey.
        fits = tf.logical_and(pad[1][1] <= h, pad[2][1] <= w)
        x = tf.cond(fits, lambda: tf.pad(x, pad, mode="SYMMETRIC"), lambda: tf.pad(x, pad))
        y = generator(x, training=False)
        y = tf.clip_by_value(tf.cast(y[:, :h, :w, :], tf.float32), -1.0, 1.0)
        out = {"thermal": y, "thermal_u8": tf.cast(tf.round((y + 1.0) * 127.5), tf.uint8)}
        if radiometric:
            counts = to_file_values(y, target_spec)
            out["thermal_u16"] = tf.cast(tf.round(tf.clip_by_value(counts, 0.0, 65535.0)), tf.uint16)
            if target_spec.counts_per_kelvin:
                out["celsius"] = to_celsius(y, target_spec)
        return out

    return serve


def export_saved_model(generator: keras.Model, path, target_spec: ImageSpec | None = None,
                       multiple: int | None = None) -> Path:
    """Write ``generator`` as a SavedModel with a uint8-in, thermal-out ``serve`` signature.

    Args:
        generator: RGB -> thermal model taking float32 ``[N, H, W, 3]`` in ``[-1, 1]``.
        path: output folder; written under a temporary name beside it, then renamed.
        target_spec: how the training targets were stored; a 16-bit spec adds ``thermal_u16`` (and
            ``celsius`` when ``counts_per_kelvin`` is set) outputs.
        multiple: input side multiple; found from the generator's stride-2 convolutions if omitted.

    Returns:
        The SavedModel folder. Metadata (the spec and multiple) is in ``thermal_keras.json`` inside it.
    """
    path = Path(path)
    multiple = multiple or generator_size_multiple(generator)
    archive = keras.export.ExportArchive()
    archive.track(generator)
    archive.add_endpoint(
        name="serve",
        fn=_serving_fn(generator, multiple, target_spec),
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="rgb")],
    )
    meta = {"size_multiple": multiple, "in_channels": 3,
            "out_channels": int(generator.output_shape[-1]),
            "target_spec": None if target_spec is None else {
                "channels": target_spec.channels, "bit_depth": target_spec.bit_depth,
                "value_range": list(target_spec.range), "counts_per_kelvin": target_spec.counts_per_kelvin}}
    with atomic_dir(path) as tmp:
        archive.write_out(str(tmp), verbose=False)
        (tmp / METADATA_FILE).write_text(json.dumps(meta, indent=2) + "\n")
    return path


def save_keras(generator: keras.Model, path) -> Path:
    """Save the generator as a single ``.keras`` file (written to a temporary name, then renamed)."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"{path}: a Keras model file must end in .keras")
    with atomic_path(path) as tmp:  # the temporary name keeps the .keras suffix Keras needs
        generator.save(tmp)
    return path


class ThermalTranslator:
    """Loads an exported generator (SavedModel folder or ``.keras`` file) and translates uint8 RGB.

    ``translator(rgb_u8)`` with ``rgb_u8`` of shape ``(H, W, 3)`` or ``(N, H, W, 3)`` returns a dict of
    NumPy arrays as the ``serve`` signature does (same leading shape as the input).
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no exported model here (run `thermal-keras export`)")
        if self.path.suffix == ".keras":
            model = keras.models.load_model(self.path, compile=False)
            self._serve = tf.function(_serving_fn(model, generator_size_multiple(model), None))
            self.metadata = {}
        else:
            loaded = tf.saved_model.load(str(self.path))
            self._loaded = loaded  # keep the trackable alive
            self._serve = loaded.serve
            meta_file = self.path / METADATA_FILE
            self.metadata = json.loads(meta_file.read_text()) if meta_file.exists() else {}

    def __call__(self, rgb_u8):
        rgb = tf.convert_to_tensor(rgb_u8)
        if rgb.dtype != tf.uint8 or rgb.shape[-1] != 3 or rgb.shape.rank not in (3, 4):
            raise ValueError(f"expected uint8 RGB of shape (H, W, 3) or (N, H, W, 3), got {rgb.dtype} {rgb.shape}")
        single = rgb.shape.rank == 3
        out = self._serve(rgb[None] if single else rgb)
        return {k: (v.numpy()[0] if single else v.numpy()) for k, v in out.items()}
