"""The training decoder: an image file to its stored values (0..255 or counts) with TensorFlow.

:func:`decode_file_values` is the function the ``tf.data`` pipeline (:mod:`thermal_keras.data.pipeline`)
maps over the files; :func:`decode_values_now` runs it on one file, and the pre-training check
(:mod:`data_loaders.validate`) decodes with it, so every file validation accepts, training decodes.
This is the one module of :mod:`data_loaders` that imports TensorFlow when imported; the validation
imports it on first use.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import tensorflow as tf

from data_loaders.common import DatasetError, ImageSpec, one_line
from data_loaders.images import file_format, is_tiff, read_head, read_image, truncation_hint


def _tiff_values(path, channels: int) -> np.ndarray:
    """A TIFF's stored values as float32 ``(H, W, channels)`` (grey: first channel; tiled to RGB)."""
    path = path.item() if isinstance(path, np.ndarray) else path  # a 0-d array when run eagerly
    array = read_image(path.decode() if isinstance(path, bytes) else str(path))
    if channels == 1:
        array = array[..., :1]
    elif array.shape[-1] == 1:
        array = np.repeat(array, 3, axis=-1)
    return array[..., :3].astype(np.float32)


def _decode_tf(data, spec: ImageSpec) -> tf.Tensor:
    """Encoded bytes of a non-TIFF file (the format is told by content) -> float32 ``(H, W, C)``.

    16-bit: ``decode_png(dtype=uint16)``, exact. 8-bit: ``decode_image``; TensorFlow's BMP, GIF and
    WebP decoders refuse ``channels=1``, so those are decoded as RGB and reduced to their luma
    (rounded; grey stays exact), the way the JPEG and PNG decoders reduce colour to one channel.
    """
    channels = spec.channels
    if spec.bit_depth == 16:
        return tf.cast(tf.io.decode_png(data, channels=channels, dtype=tf.uint16), tf.float32)

    def decode(wanted):
        return tf.io.decode_image(data, channels=wanted, dtype=tf.uint8, expand_animations=False)

    if channels == 1:
        rgb_only = tf.reduce_any([tf.equal(tf.strings.substr(data, 0, 2), "BM"),
                                  tf.equal(tf.strings.substr(data, 0, 3), "GIF"),
                                  tf.equal(tf.strings.substr(data, 0, 4), "RIFF")])  # WebP
        image = tf.cond(rgb_only,
                        lambda: tf.round(tf.image.rgb_to_grayscale(tf.cast(decode(3), tf.float32))),
                        lambda: tf.cast(decode(1), tf.float32))
    else:
        image = tf.cast(decode(channels), tf.float32)
    return tf.ensure_shape(image, [None, None, channels])


def decode_file_values(path, spec: ImageSpec) -> tf.Tensor:
    """A file's stored values (0..255 or counts) as float32 ``(H, W, spec.channels)``; graph-safe.

    JPEG/PNG (BMP, GIF) decode with TensorFlow, which tells the format from the content (16-bit PNG
    via ``decode_png(dtype=uint16)``, exact); files named ``.tif``/``.tiff`` with tifffile inside
    ``tf.numpy_function`` (TensorFlow has no TIFF decoder), so a TIFF under another name fails here.
    A 3-channel grey file asked for as 1 channel is reduced to one (JPEG: its luma).
    :func:`decode_values_now` runs this same function on one file for the pre-training check.
    """
    path = tf.convert_to_tensor(path, dtype=tf.string)
    channels = spec.channels

    def from_tiff():
        values = tf.numpy_function(lambda p: _tiff_values(p, channels), [path], tf.float32, stateful=False)
        return tf.ensure_shape(values, [None, None, channels])

    is_tiff = tf.strings.regex_full_match(tf.strings.lower(path), r".*\.tiff?")
    return tf.cond(is_tiff, from_tiff, lambda: _decode_tf(tf.io.read_file(path), spec))


def _tf_reason(error: tf.errors.OpError) -> str:
    """TensorFlow's error message without its op and device decoration."""
    text = re.sub(r"\{\{[^}]*\}\}", "", error.message or str(error))
    text = re.sub(r"\s*\[Op:[^\]]*\](\s*name:\s*\S*)?", "", text)
    return one_line(text, 160).rstrip(". ")


def decode_values_now(path, spec: ImageSpec) -> np.ndarray:
    """Decode one file right now with :func:`decode_file_values`, the function training maps over
    the files, and return float32 ``(H, W, spec.channels)``: a file this accepts, training decodes.

    Raises:
        DatasetError: naming the file and what the decoder said (a truncated JPEG or PNG is called
            truncated).
    """
    path = str(path)
    try:
        return decode_file_values(path, spec).numpy()
    except tf.errors.OpError as error:
        if is_tiff(path):
            read_image(path)  # the tifffile error the numpy_function met, raised with its own message
        fmt = file_format(read_head(path)) if Path(path).is_file() else None
        raise DatasetError(f"{path}: TensorFlow cannot decode this {fmt or 'file'} as training does "
                           f"({_tf_reason(error)}){truncation_hint(path, fmt)}") from None
