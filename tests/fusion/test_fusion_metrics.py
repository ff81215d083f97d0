"""Fusion metrics on hand-computable images, and cross-checks against scikit-image where it has one."""

import math

import numpy as np
import pytest
from skimage.measure import shannon_entropy
from skimage.metrics import structural_similarity

from thermal_keras.metrics import fusion


def _scene(seed=0, size=48):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size]
    base = 128 + 60 * np.sin(x / 5.0) * np.cos(y / 7.0)
    return np.clip(base + rng.normal(0, 10, (size, size)), 0, 255)


def test_entropy_by_hand_and_against_scikit_image():
    half = np.zeros((8, 8))
    half[:, 4:] = 255
    assert fusion.entropy(half) == pytest.approx(1.0)  # two equally likely levels: one bit
    every_level = np.arange(256, dtype=float).reshape(16, 16)
    assert fusion.entropy(every_level) == pytest.approx(8.0)
    assert fusion.entropy(np.full((4, 4), 7.0)) == 0.0
    image = np.rint(_scene()).astype(np.uint8)
    assert fusion.entropy(image) == pytest.approx(shannon_entropy(image, base=2), abs=1e-12)


def test_standard_deviation_spatial_frequency_and_average_gradient_by_hand():
    assert fusion.std(np.array([[0.0, 2.0], [0.0, 2.0]])) == pytest.approx(1.0)
    stripes = np.tile([0.0, 10.0], (6, 3))  # columns alternate 0, 10: every horizontal step is 10
    assert fusion.spatial_frequency(stripes) == pytest.approx(10.0)  # RF 10, CF 0
    assert fusion.spatial_frequency(stripes.T) == pytest.approx(10.0)
    ramp = np.tile(np.arange(8.0) * 3.0, (5, 1))  # Δx = 3, Δy = 0
    assert fusion.average_gradient(ramp) == pytest.approx(3.0 / math.sqrt(2.0))
    diagonal = np.add.outer(np.arange(6.0), np.arange(6.0)) * 2.0  # Δx = Δy = 2
    assert fusion.average_gradient(diagonal) == pytest.approx(2.0)
    assert fusion.spatial_frequency(diagonal) == pytest.approx(math.sqrt(8.0))


def test_mutual_information_identities():
    a, b = _scene(1), _scene(2)
    flat = np.full_like(a, 100.0)
    # MI(X, X) = H(X); a constant image shares no information.
    assert fusion.mutual_information(a, a, flat) == pytest.approx(fusion.entropy(a), abs=1e-9)
    assert fusion.mutual_information(a, a, a) == pytest.approx(2 * fusion.entropy(a), abs=1e-9)
    mi = fusion.mutual_information(0.5 * (a + b), a, b)
    assert 0 < mi < fusion.entropy(a) + fusion.entropy(b)


def test_mutual_information_against_a_histogram2d_formula():
    a, f = np.rint(_scene(3)), np.rint(_scene(4) * 0.5 + _scene(3) * 0.5)
    joint, _, _ = np.histogram2d(a.ravel(), f.ravel(), bins=256, range=[[-0.5, 255.5], [-0.5, 255.5]])
    p = joint / joint.sum()
    pa, pf = p.sum(1, keepdims=True), p.sum(0, keepdims=True)
    nz = p > 0
    expected = np.sum(p[nz] * np.log2(p[nz] / (pa @ pf)[nz]))
    flat = np.full_like(a, 3.0)
    assert fusion.mutual_information(f, a, flat) == pytest.approx(expected, abs=1e-9)


def test_scd_by_hand():
    rng = np.random.default_rng(5)
    a, b = rng.normal(100, 20, (32, 32)), rng.normal(100, 20, (32, 32))
    assert fusion.scd(a + b, a, b) == pytest.approx(2.0)  # F - B = A and F - A = B exactly
    # F = A: corr(A - B, A) = 1/√2 for independent A, B of equal variance; F - A = 0 counts 0.
    assert fusion.scd(a, a, b) == pytest.approx(1 / math.sqrt(2), abs=0.05)
    assert fusion.scd(b, a, b) == pytest.approx(fusion._correlation(b - a, b), abs=1e-12)  # F - B = 0 counts 0


def test_vif_identity_constant_and_contrast():
    a = _scene(6, size=64)
    assert fusion.vif_single(a, a) == pytest.approx(1.0, abs=1e-9)
    assert fusion.vif_single(a, np.full_like(a, 90.0)) == pytest.approx(0.0, abs=1e-12)
    stretched = 128 + 1.5 * (a - 128)  # a pure gain > 1 with no noise adds "information"
    assert fusion.vif_single(a, stretched) > 1.0
    noisy = a + np.random.default_rng(7).normal(0, 25, a.shape)
    assert 0 < fusion.vif_single(a, noisy) < 1
    assert fusion.vif(a, a, a) == pytest.approx(2.0, abs=1e-9)
    with pytest.raises(ValueError, match="41"):
        fusion.vif_single(a[:20, :20], a[:20, :20])


def test_qabf_perfect_transfer_reaches_its_constant():
    q_max = 0.9994 / (1 + math.exp(-15 * 0.5)) * 0.9879 / (1 + math.exp(-22 * 0.2))
    a = _scene(8)
    assert fusion.qabf(a, a, a) == pytest.approx(q_max, abs=1e-12)
    flat = np.full_like(a, 50.0)
    # B has no edges, so only A's weights count: F = A transfers everything.
    assert fusion.qabf(a, a, flat) == pytest.approx(q_max, abs=1e-12)
    # F flat: every edge is lost (relative strength 0 -> sigmoid ~ 0).
    assert fusion.qabf(flat, a, a) < 1e-3
    assert fusion.qabf(flat, flat, flat) == 0.0
    assert fusion.qabf(0.5 * (a + _scene(9)), a, _scene(9)) < q_max


def test_qabf_orientation_treats_opposite_edges_as_the_same_line():
    step = np.zeros((16, 16))
    step[:, 8:] = 200.0
    # An inverted edge (contrast reversed) has the same orientation: only strength matters.
    assert fusion.qabf(200.0 - step, step, step) == pytest.approx(fusion.qabf(step, step, step), abs=1e-12)


def test_ssim_sum_against_scikit_image():
    a, b = _scene(10), _scene(11)
    f = 0.5 * (a + b)
    reference = sum(structural_similarity(f, s, data_range=255, gaussian_weights=True, sigma=1.5,
                                          use_sample_covariance=False) for s in (a, b))
    assert fusion.ssim_sum(f, a, b) == pytest.approx(reference, abs=1e-4)
    assert fusion.ssim_sum(a, a, a) == pytest.approx(2.0, abs=1e-6)


def test_colour_inputs_become_luma_and_bad_shapes_are_named():
    grey = _scene(12)
    colour = np.repeat(grey[..., None], 3, axis=-1)
    assert fusion.entropy(colour) == pytest.approx(fusion.entropy(grey))
    with pytest.raises(ValueError, match="fused, ir and visible"):
        fusion.scd(grey, grey[:10], grey)
    with pytest.raises(ValueError, match="visible must be"):
        fusion.qabf(grey, grey, np.zeros((4, 4, 2)))


def test_all_metrics_lists_every_name():
    a, b = _scene(13, 41), _scene(14, 41)
    table = fusion.all_metrics(0.5 * (a + b), a, b)
    assert tuple(table) == fusion.METRIC_NAMES
    assert all(np.isfinite(v) for v in table.values())
