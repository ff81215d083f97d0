"""Upscaling images of any size with an SR generator, tile by tile, and exporting it as a SavedModel.

Tiling keeps memory bounded: the LR image is cut into fixed-size tiles that overlap by ``overlap``
LR pixels; each tile's output is kept only in its core (away from the tile edges), so when
``overlap`` is at least the generator's receptive radius (:func:`receptive_radius_lr`, 39.5 LR pixels
for 16 blocks at 4×) every kept pixel saw exactly what it sees in a whole-image pass: no seams, and the
result equals the untiled one up to float rounding. Tiles that touch the image border see the same
zero padding as the whole image does.

The SavedModel has three signatures, all on ``[N, h, w, C]`` of any size: ``serve`` (uint8 in and out,
the default), ``serve_u16`` (uint16 in and out, full 0..65535 range) and ``serve_float`` (float32
``[0, 1]`` in and out); it loads with ``tf.saved_model.load`` without this package.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from thermal_keras.deploy.savedmodel import METADATA_FILE, metadata_file, write_saved_model  # noqa: F401
from thermal_keras.sr.networks import generator_scale, receptive_radius_lr


def tile_starts(length: int, tile: int, overlap: int) -> list[tuple[int, int, int]]:
    """``(tile_start, core_start, core_end)`` along one axis of ``length`` LR pixels.

    Cores partition ``[0, length)``; each tile is ``tile`` long (or the whole axis when shorter) and
    reaches at least ``overlap`` beyond its core wherever it is not at the image edge.
    """
    if tile <= 2 * overlap:
        raise ValueError(f"tile ({tile}) must be larger than 2 * overlap ({overlap})")
    if length <= tile:
        return [(0, 0, length)]
    core = tile - 2 * overlap
    spans = []
    for core_start in range(0, length, core):
        core_end = min(core_start + core, length)
        start = min(max(core_start - overlap, 0), length - tile)
        spans.append((start, core_start, core_end))
    return spans


def upscale_array(run, lr: np.ndarray, scale: int, tile: int = 128, overlap: int = 40,
                  channels: int | None = None) -> np.ndarray:
    """Upscale one image with ``run`` (``(1, h, w, C)`` float32 ``[0, 1]`` -> ``(1, h*s, w*s, C)``), tiled.

    Args:
        run: a callable such as an SR generator or a SavedModel's ``serve_float``.
        lr: ``(h, w, C)`` float in ``[0, 1]``.
        tile, overlap: tile side and overlap in LR pixels (``tile > 2 * overlap``); use an overlap of
            at least the receptive radius for a seamless, tiling-independent result.

    Returns:
        ``(h*scale, w*scale, C)`` float32 in ``[0, 1]``.
    """
    lr = np.asarray(lr, np.float32)
    if lr.ndim != 3 or (channels is not None and lr.shape[-1] != channels):
        raise ValueError(f"expected one (h, w, {channels or 'C'}) image, got shape {lr.shape}")
    h, w, c = lr.shape
    out = np.empty((h * scale, w * scale, c), np.float32)
    rows, cols = tile_starts(h, tile, overlap), tile_starts(w, tile, overlap)
    for y0, cy0, cy1 in rows:
        th = min(tile, h)
        for x0, cx0, cx1 in cols:
            tw = min(tile, w)
            piece = np.asarray(run(lr[None, y0:y0 + th, x0:x0 + tw]), np.float32)[0]
            out[cy0 * scale:cy1 * scale, cx0 * scale:cx1 * scale] = piece[
                (cy0 - y0) * scale:(cy1 - y0) * scale, (cx0 - x0) * scale:(cx1 - x0) * scale]
    return np.clip(out, 0.0, 1.0)


def default_overlap(generator) -> int:
    """The receptive radius rounded up: the smallest overlap that makes tiling exact."""
    return int(math.ceil(receptive_radius_lr(generator)))


def _unit_fn(generator):
    def unit(x):
        return tf.clip_by_value(tf.cast(generator(x, training=False), tf.float32), 0.0, 1.0)
    return unit


def export_sr_saved_model(generator: keras.Model, path) -> Path:
    """Write ``generator`` as a SavedModel with uint8, uint16 and float signatures (see module doc).

    Written by :func:`thermal_keras.deploy.savedmodel.write_saved_model` (a temporary name beside ``path``,
    then renamed); ``thermal_keras.json`` inside (family ``sr``) records the scale, channels and the
    overlap that makes tiling exact (older exports: ``thermal_keras_sr.json``, still read).
    """
    path = Path(path)
    channels = int(generator.input_shape[-1])
    unit = _unit_fn(generator)

    def integer_endpoint(dtype, top):
        def serve(images):
            y = unit(tf.cast(images, tf.float32) / top)
            return tf.cast(tf.round(y * top), dtype)
        return serve

    endpoints = [(name, fn, [tf.TensorSpec([None, None, None, channels], dtype, name="lr")])
                 for name, fn, dtype in (("serve", integer_endpoint(tf.uint8, 255.0), tf.uint8),
                                         ("serve_u16", integer_endpoint(tf.uint16, 65535.0), tf.uint16),
                                         ("serve_float", unit, tf.float32))]
    meta = {"scale": generator_scale(generator), "channels": channels,
            "overlap": default_overlap(generator), "range": "[0, 1] float; uint8 /255; uint16 /65535"}
    return write_saved_model(generator, path, endpoints, "sr", meta)


class Upscaler:
    """An SR generator from a ``.keras`` file, a run folder, a preset folder or an exported SavedModel folder.

    ``upscaler(image)`` takes ``(h, w, C)`` uint8, uint16 or float ``[0, 1]`` and returns the upscaled
    image in the same dtype, computed tile by tile (``tile``, ``overlap`` in LR pixels). Float input
    outside ``[0, 1]`` (or not finite) and other dtypes are refused, never clipped. ``.keras`` files load
    with ``safe_mode=True``; models whose weights hold NaN or inf are refused.
    """

    def __init__(self, path, tile: int = 128, overlap: int | None = None):
        from thermal_keras.model_files import RUN_GENERATOR_FILE, check_finite_saved_model, load_keras_model, one_line
        from thermal_keras.outputs import is_saved_model

        self.path = Path(path)
        if not self.path.exists():
            raise FileNotFoundError(f"{self.path}: no SR model here (.keras file or exported SavedModel folder)")
        keras_file = self.path if self.path.is_file() else self.path / RUN_GENERATOR_FILE
        if self.path.is_dir() and (self.path / "preset.json").is_file():
            from thermal_keras.families import family
            from thermal_keras.presets.library import load_preset

            preset = load_preset(self.path)
            if family(preset.family).contract != "sr":
                raise ValueError(f"{self.path}: preset {preset.name} is a {preset.family} model, not super-resolution")
            self._from_model(preset.generator, self.path)
        elif self.path.is_file() or (not is_saved_model(self.path) and keras_file.is_file()):
            self._from_model(load_keras_model(keras_file), keras_file)
        elif is_saved_model(self.path):
            meta_file = metadata_file(self.path, "sr")  # older SR exports: thermal_keras_sr.json
            if not meta_file.is_file():
                raise FileNotFoundError(f"{meta_file}: not found; is {self.path} an SR export "
                                        f"(`thermal-keras export-sr`)?")
            try:
                meta = json.loads(meta_file.read_text())
                if meta.get("family", "sr") != "sr":
                    raise ValueError(f"a {meta['family']} export, not super-resolution")
                self.scale, self.channels, self.overlap_needed = (int(meta["scale"]), int(meta["channels"]),
                                                                  int(meta["overlap"]))
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise ValueError(f"{meta_file}: not written by `thermal-keras export-sr` ({one_line(error)})") from None
            check_finite_saved_model(self.path)
            try:
                self._loaded = tf.saved_model.load(str(self.path))
                self._run = self._loaded.serve_float
            except Exception as error:  # a damaged SavedModel: TensorFlow raises several types
                raise ValueError(f"cannot load model {self.path}: {one_line(error)}") from None
        else:
            raise ValueError(f"{self.path}: neither an SR export (no saved_model.pb) nor a run folder "
                             f"(no {RUN_GENERATOR_FILE})")
        self.tile = tile
        self.overlap = self.overlap_needed if overlap is None else overlap

    def _from_model(self, model, source):
        from thermal_keras.model_files import one_line

        try:
            self.scale = generator_scale(model)
        except Exception as error:
            raise ValueError(f"{source}: not a super-resolution generator ({one_line(error)})") from None
        self.channels = int(model.input_shape[-1])
        self.overlap_needed = default_overlap(model)
        self._run = tf.function(_unit_fn(model), reduce_retracing=True)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        image = np.asarray(image)
        top = {np.dtype(np.uint8): 255.0, np.dtype(np.uint16): 65535.0}.get(image.dtype)
        if top is None:
            if not np.issubdtype(image.dtype, np.floating):
                raise ValueError(f"expected uint8, uint16 or float [0, 1] samples, got {image.dtype}")
            if image.size and not np.isfinite(image).all():
                raise ValueError("float input must be finite and in [0, 1] (it is not clipped); got NaN or inf")
            if image.size and not (image.min() >= 0.0 and image.max() <= 1.0):
                raise ValueError("float input must be in [0, 1] (it is not clipped); "
                                 f"got values in [{image.min():g}, {image.max():g}]")
        if image.ndim == 2:
            image = image[..., None]
        if image.ndim != 3 or image.shape[-1] != self.channels:
            raise ValueError(f"expected an (h, w, {self.channels}) image for this model, got {image.shape}")
        unit = image.astype(np.float32) / top if top else image.astype(np.float32)
        out = upscale_array(lambda x: self._run(tf.constant(x)), unit, self.scale, self.tile, self.overlap)
        return out if top is None else np.round(out * top).astype(image.dtype)
