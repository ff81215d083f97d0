"""Random augmentations of the tf.data pipeline, driven by stateless seeds so runs resume exactly.

``augment_pair`` crops and flips the two images of a registered pair alike; ``exposure_jitter``
changes the exposure of the RGB side only (real night photographs are far darker than daylight).
"""

from __future__ import annotations

import math

import tensorflow as tf


def augment_pair(a, b, element_seed, image_size: int, jitter: bool, flip: bool):
    """The same random crop and the same horizontal flip on both images of a pair.

    ``a`` and ``b`` share their height and width; one offset and one coin serve both, so the pair's
    pixels stay registered.
    """
    crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(element_seed, 2))
    if jitter:
        room = tf.shape(a)[:2] - image_size + 1
        offset = tf.random.stateless_uniform([2], crop_seed, maxval=tf.int32.max, dtype=tf.int32) % room
        a = tf.slice(a, [offset[0], offset[1], 0], [image_size, image_size, a.shape[-1]])
        b = tf.slice(b, [offset[0], offset[1], 0], [image_size, image_size, b.shape[-1]])
    if flip:
        mirror = tf.random.stateless_uniform([], flip_seed) < 0.5
        a, b = tf.cond(mirror, lambda: (tf.reverse(a, [1]), tf.reverse(b, [1])), lambda: (a, b))
    return a, b


def exposure_jitter(image, seed, strength: float):
    """``image`` in ``[-1, 1]`` under a random exposure: ``clip(x**gamma * gain)`` on the ``[0, 1]``
    scale, gain and gamma log-uniform in ``[1/(1+strength), 1+strength]``, from the stateless ``seed``."""
    gain_seed, gamma_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    spread = math.log1p(strength)
    gain = tf.exp(tf.random.stateless_uniform([], gain_seed, -spread, spread))
    gamma = tf.exp(tf.random.stateless_uniform([], gamma_seed, -spread, spread))
    unit = tf.clip_by_value((image + 1.0) / 2.0, 0.0, 1.0)
    return tf.clip_by_value(tf.pow(unit, gamma) * gain, 0.0, 1.0) * 2.0 - 1.0


def random_zoom_pair(a, b, seed, min_fraction: float):
    """The same random square zoom of two aligned images ``(H, W, C_a)``, ``(H, W, C_b)`` (any range):
    a crop of side ``fraction * min(H, W)``, ``fraction`` uniform in ``[min_fraction, 1]``, at a
    uniform position, resized back to ``(H, W)`` (bilinear); from the stateless ``seed``, shape ``[2]``.
    Scale augmentation for small paired sets: objects appear up to ``1 / min_fraction`` times larger."""
    if not 0.0 < min_fraction <= 1.0:
        raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction}")
    fraction_seed, crop_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    shape = tf.shape(a)
    fraction = tf.random.stateless_uniform([], fraction_seed, min_fraction, 1.0)
    side = tf.cast(tf.round(fraction * tf.cast(tf.minimum(shape[0], shape[1]), tf.float32)), tf.int32)
    stacked = tf.concat([tf.cast(a, tf.float32), tf.cast(b, tf.float32)], axis=-1)
    crop = tf.image.stateless_random_crop(stacked, tf.stack([side, side, tf.shape(stacked)[-1]]), crop_seed)
    zoomed = tf.image.resize(crop, shape[:2], method="bilinear")
    channels = tf.shape(a)[-1]
    return zoomed[..., :channels], zoomed[..., channels:]
