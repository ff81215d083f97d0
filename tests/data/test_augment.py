"""The pair augmentations of thermal_keras.data.augment: exposure jitter and the random zoom."""

import numpy as np
import pytest
import tensorflow as tf

from thermal_keras.data.augment import exposure_jitter, random_zoom_pair


def _pair(size=64):
    rng = np.random.default_rng(0)
    rgb = rng.uniform(-1, 1, (size, size, 3)).astype(np.float32)
    return tf.constant(rgb), tf.constant(rgb.mean(-1, keepdims=True))


def test_random_zoom_keeps_the_pair_aligned_and_the_size():
    rgb, ir = _pair()
    for step in range(5):
        zoomed_rgb, zoomed_ir = random_zoom_pair(rgb, ir, tf.constant([0, step], tf.int64), 0.5)
        assert zoomed_rgb.shape == (64, 64, 3) and zoomed_ir.shape == (64, 64, 1)
        # the infrared here is the mean of the RGB channels; bilinear resizing is linear, so it stays so
        np.testing.assert_allclose(np.mean(zoomed_rgb, -1, keepdims=True), zoomed_ir, atol=1e-5)


def test_random_zoom_is_seeded_and_varies_with_the_seed():
    rgb, ir = _pair()
    first = random_zoom_pair(rgb, ir, tf.constant([3, 7], tf.int64), 0.5)[0]
    again = random_zoom_pair(rgb, ir, tf.constant([3, 7], tf.int64), 0.5)[0]
    other = random_zoom_pair(rgb, ir, tf.constant([3, 8], tf.int64), 0.5)[0]
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_random_zoom_enlarges_what_it_keeps():
    """A single bright pixel grows into a blob of about (1 / fraction)² pixels."""
    image = np.zeros((64, 64, 1), np.float32)
    image[32, 32] = 1.0
    image = tf.constant(image)
    for step in range(4):
        zoomed, _ = random_zoom_pair(image, image, tf.constant([1, step], tf.int64), 0.5)
        lit = int(np.sum(np.asarray(zoomed) > 0.05))
        assert lit == 0 or lit > 1  # either cropped away or spread over several pixels


def test_a_zoom_of_one_changes_nothing_and_bad_fractions_are_refused():
    rgb, ir = _pair()
    same_rgb, same_ir = random_zoom_pair(rgb, ir, tf.constant([0, 0], tf.int64), 1.0)
    np.testing.assert_allclose(same_rgb, rgb, atol=1e-6)
    np.testing.assert_allclose(same_ir, ir, atol=1e-6)
    for bad in (0.0, 1.5, -0.2):
        with pytest.raises(ValueError, match="min_fraction"):
            random_zoom_pair(rgb, ir, tf.constant([0, 0], tf.int64), bad)


def test_exposure_jitter_stays_in_range_and_is_seeded():
    rgb, _ = _pair()
    out = exposure_jitter(rgb, tf.constant([0, 1], tf.int64), 0.5)
    assert float(tf.reduce_min(out)) >= -1.0 and float(tf.reduce_max(out)) <= 1.0
    np.testing.assert_array_equal(out, exposure_jitter(rgb, tf.constant([0, 1], tf.int64), 0.5))
    assert not np.allclose(out, rgb)
