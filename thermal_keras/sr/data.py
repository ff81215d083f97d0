"""Super-resolution data: random HR crops with their bicubic-downscaled LR partners, made on the fly.

Images here are float32 in ``[0, 1]`` (the SR models' range), channels-last. 8-bit files map as
``x / 255``; 16-bit thermal files through their spec's explicit ``(low, high)`` count range (never
``/ 255``). LR images are made by ``tf.image.resize(method="bicubic", antialias=True)``: bicubic with
its kernel widened by the scale factor when shrinking, as MATLAB's ``imresize`` does, so the LR
image carries no aliasing that a model could learn to undo.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from data_loaders.common import DatasetError, ImageSpec
from data_loaders.validate import validate_images
from thermal_keras.data.pipeline import decode_file_values, decode_values_now, to_unit_range

AUTOTUNE = tf.data.AUTOTUNE
# scikit-image's bundled photographs (no download): the offline evaluation set.
SKIMAGE_EVAL_NAMES = ("astronaut", "camera", "chelsea", "coffee", "rocket", "motorcycle", "hubble_deep_field")


def to_unit(values, spec: ImageSpec):
    """File values (0..255 or counts) -> float32 in ``[0, 1]`` through ``spec``'s range, clipped."""
    return (to_unit_range(values, spec) + 1.0) / 2.0


def downscale_bicubic(hr, scale: int):
    """``(N, H, W, C)`` or ``(H, W, C)`` float in ``[0, 1]`` -> ``H/scale × W/scale``, bicubic with
    antialiasing, clipped to ``[0, 1]``, float32. H and W must be multiples of ``scale``."""
    hr = tf.convert_to_tensor(hr, tf.float32)
    size = tf.shape(hr)[-3:-1] // scale
    return tf.clip_by_value(tf.image.resize(hr, size, method="bicubic", antialias=True), 0.0, 1.0)


def upscale_bicubic(lr, scale: int):
    """The bicubic baseline: ``(…, h, w, C)`` float in ``[0, 1]`` -> ``h*scale × w*scale``, clipped, float32."""
    lr = tf.convert_to_tensor(lr, tf.float32)
    size = tf.shape(lr)[-3:-1] * scale
    return tf.clip_by_value(tf.image.resize(lr, size, method="bicubic"), 0.0, 1.0)


def crop_to_multiple(image: np.ndarray, scale: int) -> np.ndarray:
    """``(H, W, C)`` cut at the bottom/right to multiples of ``scale`` (so LR × scale == HR)."""
    h, w = image.shape[0] // scale * scale, image.shape[1] // scale * scale
    return image[:h, :w]


def _check(paths, spec, hr_size, scale, batch_size, crops_per_image, gain, validate):
    if not isinstance(spec, ImageSpec):
        raise TypeError(f"spec must be a data_loaders.ImageSpec, got {type(spec).__name__}")
    if not paths:
        raise DatasetError("sr_dataset: no HR image files given")
    for name, value in (("hr_size", hr_size), ("scale", scale), ("batch_size", batch_size),
                        ("crops_per_image", crops_per_image)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if len(gain) != 2 or not 0 < gain[0] <= gain[1]:
        raise ValueError(f"gain must be (low, high) with 0 < low <= high, got {gain!r}")
    if hr_size % scale:
        raise ValueError(f"hr_size ({hr_size}) must be a multiple of scale ({scale})")
    if validate:  # with the decoder used below; files checked before (hr_folder) are not decoded again
        validate_images(paths, spec, min_size=hr_size, source="sr_dataset", decode=decode_values_now)


def sr_dataset(paths, spec: ImageSpec, *, hr_size: int = 96, scale: int = 4, batch_size: int = 16,
               seed: int = 0, crops_per_image: int = 1, num_epochs: int | None = None, flip: bool = True,
               gain: tuple[float, float] = (1.0, 1.0), cache: bool = True,
               validate: bool = True) -> tf.data.Dataset:
    """Batches ``(lr, hr)`` of random crops: float32 ``(B, hr_size/scale, …, C)`` and ``(B, hr_size, …, C)``
    in ``[0, 1]``, ``C = spec.channels``.

    Every file (any size at least ``hr_size``) is decoded once (``cache``: kept in memory at its file
    dtype; turn off for sets that do not fit), and each epoch draws ``crops_per_image`` crops per
    file in a seeded random order. Crop offsets and flips come from stateless ops keyed by
    ``(seed, element number)``, so a given seed always yields the same batches.

    Args:
        paths: HR image files (see :mod:`data_loaders.hr_folder`). spec: how they are stored.
        gain: each HR crop is multiplied by a random factor in this range and clipped to ``[0, 1]``
            before the LR is made (brightness augmentation: night photographs such as LLVIP's are
            dark; ``(1, 3)`` spreads them over the range daylight images use).
        num_epochs: ``None`` repeats forever. ``validate``: check every file first with the decoder
            used here (:func:`data_loaders.validate.validate_images`: decodes, bit depth, channels,
            at least ``hr_size``), naming the file on failure.
    """
    paths = [str(p) for p in paths]
    gain = tuple(float(g) for g in gain)
    _check(paths, spec, hr_size, scale, batch_size, crops_per_image, gain, validate)
    dtype = tf.uint16 if spec.bit_depth == 16 else tf.uint8
    top = 65535.0 if spec.bit_depth == 16 else 255.0

    def decode(path):
        values = decode_file_values(path, spec)
        return tf.cast(tf.clip_by_value(tf.round(values), 0.0, top), dtype)

    images = tf.data.Dataset.from_tensor_slices(paths).map(decode, num_parallel_calls=AUTOTUNE)
    source = images.cache() if cache else images
    n = len(paths)
    order = tf.data.Dataset.range(n).repeat(crops_per_image)
    order = order.shuffle(n * crops_per_image, seed=seed, reshuffle_each_iteration=True)
    order = order.repeat(num_epochs) if num_epochs is not None else order.repeat()

    def crop(number, index):
        image = tf.data.experimental.at(source, index)
        crop_seed, flip_seed, gain_seed = tf.unstack(tf.random.experimental.stateless_split(
            tf.stack([tf.constant(seed, tf.int64), number]), 3))
        room = tf.shape(image)[:2] - hr_size + 1
        offset = tf.random.stateless_uniform([2], crop_seed, maxval=tf.int32.max, dtype=tf.int32) % room
        hr = tf.slice(image, [offset[0], offset[1], 0], [hr_size, hr_size, spec.channels])
        if flip:
            hr = tf.cond(tf.random.stateless_uniform([], flip_seed) < 0.5, lambda: tf.reverse(hr, [1]), lambda: hr)
        hr = to_unit(hr, spec)
        if gain != (1.0, 1.0):
            factor = tf.random.stateless_uniform([], gain_seed, minval=gain[0], maxval=gain[1])
            hr = tf.clip_by_value(hr * factor, 0.0, 1.0)
        return downscale_bicubic(hr, scale), hr

    batches = order.enumerate().map(crop, num_parallel_calls=AUTOTUNE, deterministic=True)
    return batches.batch(batch_size, drop_remainder=True).prefetch(AUTOTUNE)


def skimage_eval_images(names=SKIMAGE_EVAL_NAMES, channels: int = 3, scale: int = 4) -> dict[str, np.ndarray]:
    """scikit-image's bundled photographs as float32 ``(H, W, channels)`` in ``[0, 1]``, cut to multiples
    of ``scale``. Grey images are repeated to RGB for ``channels=3``; colour images become BT.601 luma
    for ``channels=1``. "motorcycle" is the left view of ``stereo_motorcycle``."""
    import skimage.color
    import skimage.data

    if channels not in (1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels!r}")
    out = {}
    for name in names:
        image = skimage.data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skimage.data, name)()
        image = image.astype(np.float32) / 255.0
        if image.ndim == 2:
            image = image[..., None]
        image = image[..., :3]
        if channels == 3 and image.shape[-1] == 1:
            image = np.repeat(image, 3, axis=-1)
        elif channels == 1 and image.shape[-1] == 3:
            image = skimage.color.rgb2gray(image)[..., None].astype(np.float32)
        out[name] = crop_to_multiple(image, scale)
    return out
