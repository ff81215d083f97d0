"""Ship a trained generator: a SavedModel with pre- and post-processing inside, or a ``.keras`` file.

The SavedModel's ``serve`` signature takes uint8 RGB ``[N, H, W, 3]`` of any height and width, pads
it (symmetric reflection) to the multiple the U-Net needs, runs the generator in inference mode,
crops back and returns:

* ``thermal``: float32 ``[N, H, W, 1]`` in ``[-1, 1]`` (the network's own output);
* ``thermal_u8``: uint8 ``[N, H, W, 1]``, ``round((thermal + 1) * 127.5)``;
* for generators trained on 16-bit radiometric data, ``thermal_u16`` (counts in the training range),
  ``thermal_agc`` (uint8, a camera-style automatic gain control: each image's 1st–99th percentile
  stretched over 0..255, as :func:`data_loaders.physics.agc_8bit` does with nearest-rank
  percentiles) and, where the counts are T-linear, ``celsius`` float32.

It loads with ``tf.saved_model.load`` (TF Serving, TFLite converter) without this package.

Loading is checked for every command (:mod:`thermal_keras.model_files`, re-exported here): :func:`load_keras_model` reads ``.keras`` files with
``safe_mode=True`` (a Lambda layer's Python code is refused) and reports a truncated or corrupt file
as "cannot load model FILE: ..."; :func:`check_finite_weights` and :func:`check_finite_saved_model`
refuse weights holding NaN or inf. A SavedModel is a program: loading it runs its graph, so only load
SavedModels you trust (``safe_mode`` does not apply to them).
"""

from __future__ import annotations

from pathlib import Path

import keras
import tensorflow as tf

from data_loaders.common import ImageSpec
from thermal_keras.data.pipeline import to_celsius, to_file_values
from thermal_keras.deploy.savedmodel import METADATA_FILE, OLDER_METADATA_FILES, read_metadata, write_saved_model
from thermal_keras.families import family, with_contract
from thermal_keras.model_files import (  # noqa: F401  (re-exported: their home is thermal_keras.model_files)
    PRESET_FILE, RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, check_finite_saved_model, check_finite_weights,
    load_keras_model, one_line, read_target_spec_file, save_keras)
from thermal_keras.networks.unet import generator_size_multiple
from thermal_keras.outputs import is_saved_model

SR_METADATA_FILE = OLDER_METADATA_FILES["sr"]  # older SR exports' metadata (now METADATA_FILE, family "sr")


def agc_u8(y, min_range: float):
    """Per-image 1st–99th percentile stretch of ``y`` ``[N, H, W, 1]`` to uint8 (nearest-rank
    percentiles); ``min_range`` (in ``y``'s units) keeps a flat image from amplifying its noise."""
    flat = tf.sort(tf.reshape(y, [tf.shape(y)[0], -1]), axis=-1)
    last = tf.cast(tf.shape(flat)[1] - 1, tf.float32)
    lo = tf.gather(flat, tf.cast(tf.round(0.01 * last), tf.int32), axis=1)[:, None, None, None]
    hi = tf.gather(flat, tf.cast(tf.round(0.99 * last), tf.int32), axis=1)[:, None, None, None]
    scaled = (y - lo) / tf.maximum(hi - lo, min_range) * 255.0
    return tf.cast(tf.round(tf.clip_by_value(scaled, 0.0, 255.0)), tf.uint8)


def serving_fn(generator: keras.Model, multiple: int, target_spec: ImageSpec | None):
    """The translator's uint8 serving function: ``serve(rgb)`` takes ``(N, H, W, 3)`` uint8 of any size,
    pads it to a multiple of ``multiple``, runs ``generator`` and returns the outputs named by the
    translator contract (``thermal`` in [-1, 1], ``thermal_u8``; with a 16-bit ``target_spec`` also
    ``thermal_u16``, ``thermal_agc`` and, given counts per kelvin, ``celsius``), cropped back to H×W.
    :mod:`thermal_keras.deploy.contracts` builds every translator export on it."""
    radiometric = target_spec is not None and target_spec.bit_depth == 16

    def serve(rgb):
        x = tf.cast(rgb, tf.float32) / 127.5 - 1.0
        h, w = tf.shape(x)[1], tf.shape(x)[2]
        # (m - h % m) % m, not (-h) % m: ONNX's Mod of a negative int is not Python's.
        pad = [[0, 0], [0, (multiple - h % multiple) % multiple], [0, (multiple - w % multiple) % multiple], [0, 0]]
        # Reflection keeps edges natural; an image smaller than its padding falls back to mid-grey.
        # Both are computed and one kept (no tf.cond, which TFLite's converter cannot see through);
        # the mirrored one is clamped to a valid size when it is not the one kept.
        fits = tf.logical_and(pad[1][1] <= h, pad[2][1] <= w)
        safe = [[0, 0], [0, tf.minimum(pad[1][1], h)], [0, tf.minimum(pad[2][1], w)], [0, 0]]
        mirrored = tf.pad(tf.pad(x, safe, mode="SYMMETRIC"), tf.stack(pad) - tf.stack(safe))
        x = tf.where(fits, mirrored, tf.pad(x, pad))
        # A reshape to itself with a literal 3 tells TFLite's converter the channel count (a dynamic
        # pad hides it, and its Conv2D needs it).
        x = tf.reshape(x, tf.stack([tf.shape(x)[0], h + pad[1][1], w + pad[2][1], 3]))
        y = generator(x, training=False)
        y = tf.clip_by_value(tf.cast(y[:, :h, :w, :], tf.float32), -1.0, 1.0)
        out = {"thermal": y, "thermal_u8": tf.cast(tf.round((y + 1.0) * 127.5), tf.uint8)}
        if radiometric:
            counts = to_file_values(y, target_spec)
            out["thermal_u16"] = tf.cast(tf.round(tf.clip_by_value(counts, 0.0, 65535.0)), tf.uint16)
            low, high = target_spec.range
            out["thermal_agc"] = agc_u8(y, 2.0 / max(high - low, 1.0))  # at least 1 count of range
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
        The SavedModel folder. Metadata (``family`` ``translator``, the spec and multiple) is in
        ``thermal_keras.json`` inside it (:func:`thermal_keras.deploy.savedmodel.write_saved_model`).
    """
    multiple = multiple or generator_size_multiple(generator)
    serve = ("serve", serving_fn(generator, multiple, target_spec),
             [tf.TensorSpec([None, None, None, 3], tf.uint8, name="rgb")])
    meta = {"size_multiple": multiple, "in_channels": 3,
            "out_channels": int(generator.output_shape[-1]),
            "target_spec": None if target_spec is None else {
                "channels": target_spec.channels, "bit_depth": target_spec.bit_depth,
                "value_range": list(target_spec.range), "counts_per_kelvin": target_spec.counts_per_kelvin}}
    return write_saved_model(generator, path, [serve], "translator", meta)


class ThermalTranslator:
    """Loads an exported generator and translates uint8 RGB.

    ``path``: an exported SavedModel folder, a ``.keras`` file (loaded in safe mode), a run folder
    (its ``generator.keras``, with ``target_spec.json`` when present so counts and °C come out as from
    an export), or a preset folder (``thermal_keras.presets.preset_path(name)``). Broken or unsafe models, and weights holding NaN or inf, raise a ``ValueError``
    naming the file.

    ``translator(rgb_u8)`` with ``rgb_u8`` of shape ``(H, W, 3)`` or ``(N, H, W, 3)`` returns a dict of
    NumPy arrays as the ``serve`` signature does (same leading shape as the input).
    """

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no exported model here (run `thermal-keras export`)")
        if self.path.is_file():
            self._from_keras(load_keras_model(self.path), None, self.path)
            self.metadata = {}
        elif (self.path / PRESET_FILE).is_file():
            from thermal_keras.presets.library import load_preset

            preset = load_preset(self.path)
            if not family(preset.family).translator:
                raise ValueError(f"{self.path}: preset {preset.name} is a {preset.family} model; translate "
                                 f"needs an RGB -> thermal preset ({' or '.join(with_contract('translator'))})")
            self._from_keras(preset.generator, preset.target_spec, self.path)
            self.metadata = {"preset": preset.name}
        elif is_saved_model(self.path):
            kind, self.metadata = read_metadata(self.path)
            if kind not in (None, "translator"):
                what = {"sr": "a super-resolution", "fusion": "a fusion"}.get(kind, f"a {kind}")
                raise ValueError(f"{self.path}: {what} export; translate needs an RGB -> thermal "
                                 f"export (`thermal-keras export`)")
            check_finite_saved_model(self.path)
            try:
                loaded = tf.saved_model.load(str(self.path))
            except Exception as error:  # a damaged saved_model.pb: TensorFlow raises several types
                raise ValueError(f"cannot load model {self.path}: {one_line(error)}") from None
            if not hasattr(loaded, "serve"):
                raise ValueError(f"{self.path}: the SavedModel has no `serve` signature; "
                                 f"is it written by `thermal-keras export`?")
            self._loaded = loaded  # keep the trackable alive
            self._serve = loaded.serve
        elif (self.path / RUN_GENERATOR_FILE).is_file():
            # A run folder: its generator, with the run's target spec (counts and °C outputs).
            spec_file = self.path / RUN_TARGET_SPEC_FILE
            spec = read_target_spec_file(spec_file) if spec_file.exists() else None
            generator_file = self.path / RUN_GENERATOR_FILE
            self._from_keras(load_keras_model(generator_file), spec, generator_file)
            self.metadata = {}
        else:
            raise ValueError(f"{self.path}: neither an exported SavedModel (no saved_model.pb) nor a run "
                             f"folder (no {RUN_GENERATOR_FILE})")

    def _from_keras(self, model, spec, source):
        channels = model.input_shape[-1]
        if channels != 3:
            raise ValueError(f"{source}: the model takes {channels}-channel input; translate needs an "
                             f"RGB -> thermal generator")
        self._serve = tf.function(serving_fn(model, generator_size_multiple(model), spec))

    def __call__(self, rgb_u8):
        rgb = tf.convert_to_tensor(rgb_u8)
        if rgb.dtype != tf.uint8 or rgb.shape[-1] != 3 or rgb.shape.rank not in (3, 4):
            raise ValueError(f"expected uint8 RGB of shape (H, W, 3) or (N, H, W, 3), got {rgb.dtype} {rgb.shape}")
        single = rgb.shape.rank == 3
        out = self._serve(rgb[None] if single else rgb)
        return {k: (v.numpy()[0] if single else v.numpy()) for k, v in out.items()}
