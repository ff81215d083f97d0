"""Perceptual cycle and self-similarity losses: the math, checked against NumPy, on a random VGG16."""

import numpy as np
import pytest
import tensorflow as tf

from thermal_keras import features
from thermal_keras.cyclegan.losses import (
    PerceptualCycleLoss,
    SelfSimilarityLoss,
    cosine_similarity_maps,
    patch_similarities,
)

LAYERS = ("block1_conv2", "block2_conv2")


@pytest.fixture(scope="module")
def perceptual():
    return PerceptualCycleLoss(LAYERS, weights=None)


@pytest.fixture(scope="module")
def self_similarity():
    return SelfSimilarityLoss(LAYERS, patch_size=3, num_patches=None, weights=None)


def _images(seed, channels=3, size=16):
    return np.random.default_rng(seed).uniform(-1, 1, (2, size, size, channels)).astype("float32")


def _vgg_input(images):
    """ImageNet 'caffe' preprocessing written out in NumPy: grey -> 3 channels, RGB -> BGR, 0..255, minus mean."""
    unit = (images + 1) / 2
    if unit.shape[-1] == 1:
        unit = np.repeat(unit, 3, axis=-1)
    return unit[..., ::-1] * 255.0 - np.array([103.939, 116.779, 123.68], np.float32)


def test_perceptual_loss_is_the_mean_l1_of_vgg_features(perceptual):
    x, y = _images(0), _images(1)
    maps_x = perceptual.extractor(_vgg_input(x))
    maps_y = perceptual.extractor(_vgg_input(y))
    expected = np.mean([np.mean(np.abs(np.asarray(a) - np.asarray(b))) for a, b in zip(maps_x, maps_y)])
    assert float(perceptual(x, y)) == pytest.approx(expected, rel=1e-4)
    assert expected > 0
    assert float(perceptual(x, x)) == 0.0


def test_perceptual_loss_replicates_thermal_for_the_extractor_only(perceptual):
    t, u = _images(2, channels=1), _images(3, channels=1)
    value = float(perceptual(t, u))
    assert value > 0
    assert value == pytest.approx(float(perceptual(np.repeat(t, 3, -1), np.repeat(u, 3, -1))), rel=1e-5)


def test_perceptual_loss_is_differentiable(perceptual):
    x = _images(4)
    y = tf.Variable(_images(5))
    with tf.GradientTape() as tape:
        loss = perceptual(x, y)
    gradient = tape.gradient(loss, y).numpy()
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).sum() > 0


def _similarity_reference(feature_map, p):
    """Brute force: for each corner, the p*p patch flattened to keys, its top-left feature as query."""
    n, h, w, _ = feature_map.shape
    out = np.zeros((n, h - p + 1, w - p + 1, p * p))
    for b in range(n):
        for y in range(h - p + 1):
            for x in range(w - p + 1):
                keys = feature_map[b, y:y + p, x:x + p].reshape(p * p, -1)
                query = feature_map[b, y, x]
                norms = np.maximum(np.linalg.norm(keys, axis=1) * np.linalg.norm(query), 1e-12)
                out[b, y, x] = keys @ query / norms
    return out


def test_cosine_similarity_maps_match_brute_force():
    f = np.random.default_rng(6).normal(size=(2, 6, 7, 5)).astype("float32")
    maps = np.asarray(cosine_similarity_maps(f, 3))
    assert maps.shape == (2, 4, 5, 9)
    np.testing.assert_allclose(maps, _similarity_reference(f.astype(np.float64), 3), atol=1e-5)
    np.testing.assert_allclose(maps[..., 0], 1.0, atol=1e-5)  # the query against itself
    np.testing.assert_allclose(np.asarray(cosine_similarity_maps(3.0 * f, 3)), maps, atol=1e-5)


def test_sampled_corners_pick_the_same_maps():
    f = np.random.default_rng(11).normal(size=(2, 6, 7, 5)).astype("float32")
    reference = _similarity_reference(f.astype(np.float64), 3)  # (2, 4, 5, 9)
    corners = np.array([0, 7, 19, 7])  # flat y * 5 + x over the 4 x 5 corner grid
    picked = np.asarray(patch_similarities(f, 3, corners))
    assert picked.shape == (2, 4, 9)
    np.testing.assert_allclose(picked, reference.reshape(2, 20, 9)[:, corners], atol=1e-5)
    np.testing.assert_allclose(picked[:, 2], reference[:, 3, 4], atol=1e-5)  # corner 19 = (3, 4)


def test_self_similarity_loss_matches_the_documented_definition(self_similarity):
    x, y = _images(7), _images(8, channels=1)
    maps_x = self_similarity.extractor(_vgg_input(x))
    maps_y = self_similarity.extractor(_vgg_input(y))
    expected = np.mean([np.mean(np.abs(_similarity_reference(np.asarray(a, np.float64), 3)
                                       - _similarity_reference(np.asarray(b, np.float64), 3)))
                        for a, b in zip(maps_x, maps_y)])
    assert expected > 0
    assert float(self_similarity(x, y)) == pytest.approx(expected, rel=1e-4)
    assert float(self_similarity(x, x)) == 0.0


def test_sampled_self_similarity_is_seeded_zero_on_identical_and_differentiable():
    sampled = SelfSimilarityLoss(LAYERS, patch_size=3, num_patches=16, weights=None, seed=3)
    again = SelfSimilarityLoss(LAYERS, patch_size=3, num_patches=16, weights=None, seed=3)
    again.extractor = sampled.extractor
    x, y = _images(9), tf.Variable(_images(10))
    with tf.GradientTape() as tape:
        loss = sampled(x, y)
    assert float(loss) > 0 and float(loss) == pytest.approx(float(again(x, y)), rel=1e-6)  # same corners
    assert float(sampled(x, y)) != pytest.approx(float(loss), rel=1e-6)  # fresh corners each call
    assert float(sampled(x, x)) == 0.0
    gradient = tape.gradient(loss, y).numpy()
    assert np.all(np.isfinite(gradient)) and np.abs(gradient).sum() > 0


def test_bad_settings_and_missing_weights_are_reported(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="patch_size"):
        SelfSimilarityLoss(LAYERS, patch_size=1, weights=None)
    with pytest.raises(ValueError, match="num_patches"):
        SelfSimilarityLoss(LAYERS, num_patches=0, weights=None)
    with pytest.raises(ValueError, match="smaller than patch_size"):
        SelfSimilarityLoss(("block3_conv3",), patch_size=5, weights=None)(_images(0, size=8), _images(1, size=8))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(features.MissingWeightsError, match="vgg16_weights_tf_dim_ordering"):
        PerceptualCycleLoss(LAYERS)
