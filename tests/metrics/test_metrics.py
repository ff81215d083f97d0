"""Metrics against scikit-image (MSE, PSNR, SSIM) and a direct NumPy UQI written from the paper."""

import numpy as np
import pytest
import tensorflow as tf
from numpy.lib.stride_tricks import sliding_window_view
from skimage import metrics as skm

from thermal_keras import metrics
from thermal_keras.metrics import image as image_metrics

RANGES = {"uint8": (0, 255, 255.0), "minus1_1": (-1.0, 1.0, 2.0), "unit": (0.0, 1.0, 1.0)}


def _structured_batch(rng, n, size, channels):
    """Smooth gradients, a bright disc, a flat block and mild noise, in [0, 1]."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    images = []
    for i in range(n):
        image = 0.5 * xx + 0.3 * yy * (i + 1) / n
        image += 0.4 * (((yy - 0.4) ** 2 + (xx - 0.6) ** 2) < 0.05)
        image[: size // 4, : size // 4] = 0.2
        image = image[..., None] + 0.03 * rng.standard_normal((size, size, channels))
        images.append(np.clip(image, 0, 1))
    return np.stack(images)


def _pair(kind, range_name, n=3, size=32, channels=1, seed=0):
    """A reference batch and a degraded copy, both in the named value range and dtype."""
    rng = np.random.default_rng(seed)
    if kind == "random":
        clean = rng.random((n, size, size, channels))
    else:
        clean = _structured_batch(rng, n, size, channels)
    noisy = np.clip(clean + 0.1 * rng.standard_normal(clean.shape), 0, 1)
    low, high, data_range = RANGES[range_name]
    clean, noisy = low + (high - low) * clean, low + (high - low) * noisy
    if range_name == "uint8":
        clean, noisy = np.round(clean).astype(np.uint8), np.round(noisy).astype(np.uint8)
    else:
        clean, noisy = clean.astype(np.float32), noisy.astype(np.float32)
    return clean, noisy, data_range


def _skimage_ssim(true, pred, data_range):
    return np.mean([
        skm.structural_similarity(
            t, p, data_range=data_range, channel_axis=-1,
            gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
        )
        for t, p in zip(true, pred)
    ])


CASES = [(kind, r, c) for kind in ("random", "structured") for r in RANGES for c in (1, 3)]


@pytest.mark.parametrize("kind,range_name,channels", CASES)
def test_mse_psnr_ssim_agree_with_scikit_image(kind, range_name, channels):
    true, pred, data_range = _pair(kind, range_name, channels=channels)
    t64, p64 = true.astype(np.float64), pred.astype(np.float64)
    expected_mse = np.mean([skm.mean_squared_error(t, p) for t, p in zip(t64, p64)])
    expected_rmse = np.mean([np.sqrt(skm.mean_squared_error(t, p)) for t, p in zip(t64, p64)])
    expected_psnr = np.mean([
        skm.peak_signal_noise_ratio(t, p, data_range=data_range) for t, p in zip(t64, p64)
    ])
    np.testing.assert_allclose(float(metrics.mse(true, pred)), expected_mse, rtol=1e-5)
    np.testing.assert_allclose(float(metrics.rmse(true, pred)), expected_rmse, rtol=1e-5)
    assert abs(float(metrics.psnr(true, pred, data_range=data_range)) - expected_psnr) < 1e-4
    expected_ssim = _skimage_ssim(t64, p64, data_range)
    assert abs(float(metrics.ssim(true, pred, data_range=data_range)) - expected_ssim) < 1e-4


def test_single_images_with_and_without_channel_axis_match_the_batch_form():
    true, pred, _ = _pair("structured", "unit", n=1)
    batch_value = float(metrics.ssim(true, pred, data_range=1.0))
    assert float(metrics.ssim(true[0], pred[0], data_range=1.0)) == pytest.approx(batch_value, abs=1e-6)
    assert float(metrics.ssim(true[0, ..., 0], pred[0, ..., 0], data_range=1.0)) == pytest.approx(batch_value, abs=1e-6)
    expected = skm.peak_signal_noise_ratio(true[0, ..., 0], pred[0, ..., 0], data_range=1.0)
    assert float(metrics.psnr(true[0, ..., 0], pred[0, ..., 0], data_range=1.0)) == pytest.approx(expected, abs=1e-4)


def test_psnr_is_the_mean_of_per_image_values_not_of_the_pooled_mse():
    true, pred, _ = _pair("random", "unit", n=2)
    pred[1] = true[1] + 0.001  # a near-perfect second image makes the two conventions differ
    per_image = [skm.peak_signal_noise_ratio(t, p, data_range=1.0) for t, p in zip(true, pred)]
    pooled = skm.peak_signal_noise_ratio(true, pred, data_range=1.0)
    value = float(metrics.psnr(true, pred, data_range=1.0))
    assert value == pytest.approx(np.mean(per_image), abs=1e-3)
    assert abs(value - pooled) > 1.0


def test_identical_images():
    true, _, _ = _pair("structured", "uint8", channels=3)
    assert float(metrics.psnr(true, true, data_range=255)) == np.inf
    assert float(metrics.ssim(true, true, data_range=255)) == pytest.approx(1.0, abs=1e-6)
    assert float(metrics.uqi(true, true)) == pytest.approx(1.0, abs=1e-6)
    assert float(metrics.mse(true, true)) == 0.0


def _uqi_reference(true, pred, window_size=8):
    """Q per window from the paper's definition, with img_qi.m's zero-denominator rules."""
    values = []
    for t_image, p_image in zip(true.astype(np.float64), pred.astype(np.float64)):
        for c in range(t_image.shape[-1]):
            wx = sliding_window_view(t_image[..., c], (window_size, window_size)).reshape(-1, window_size**2)
            wy = sliding_window_view(p_image[..., c], (window_size, window_size)).reshape(-1, window_size**2)
            mx, my = wx.mean(axis=1), wy.mean(axis=1)
            constant_x, constant_y = np.ptp(wx, axis=1) == 0, np.ptp(wy, axis=1) == 0
            mx, my = np.where(constant_x, wx[:, 0], mx), np.where(constant_y, wy[:, 0], my)
            vx = np.where(constant_x, 0.0, wx.var(axis=1))
            vy = np.where(constant_y, 0.0, wy.var(axis=1))
            cov = ((wx - mx[:, None]) * (wy - my[:, None])).mean(axis=1)
            q = np.ones_like(mx)
            for i in range(len(q)):
                variances, means = vx[i] + vy[i], mx[i] ** 2 + my[i] ** 2
                if variances != 0 and means != 0:
                    q[i] = 4 * cov[i] * mx[i] * my[i] / (variances * means)
                elif variances == 0 and means != 0:
                    q[i] = 2 * mx[i] * my[i] / means
            values.append(q.mean())
    return np.mean(np.reshape(values, (len(true), -1)).mean(axis=1))


@pytest.mark.parametrize("kind,range_name,channels", [
    ("random", "uint8", 1), ("structured", "unit", 3), ("structured", "uint8", 3), ("random", "minus1_1", 1),
])
def test_uqi_agrees_with_direct_numpy_formula(kind, range_name, channels):
    true, pred, _ = _pair(kind, range_name, n=2, size=24, channels=channels)
    assert float(metrics.uqi(true, pred)) == pytest.approx(_uqi_reference(true, pred), abs=1e-5)


@pytest.mark.parametrize("dtype,flat_levels", [(np.float32, (0.3, 0.6, 0.4)), (np.float64, (123.456, 0.1, 0.7))])
def test_uqi_zero_denominator_cases_follow_the_reference_code(dtype, flat_levels):
    # float64 levels such as 0.1 give box-filter variances of +-1e-17 instead of 0 for flat
    # windows: the zero-denominator rules must still apply there.
    level_x, level_y, level_one_sided = flat_levels
    rng = np.random.default_rng(3)
    true = rng.random((20, 20, 1)).astype(dtype)
    pred = true * 0.7 + 0.1
    true[:10, :10] = level_x  # flat in both images, different levels: the luminance term only
    pred[:10, :10] = level_y
    true[10:, 10:] = 0.0  # flat zero in both: Q = 1
    pred[10:, 10:] = 0.0
    true[:10, 10:] = level_one_sided  # flat in one image only: covariance 0, so Q = 0
    expected = _uqi_reference(true[None], pred[None])
    assert float(metrics.uqi(true, pred)) == pytest.approx(expected, abs=1e-6)
    flat_x, flat_y = np.full((1, 8, 8, 1), level_x, dtype), np.full((1, 8, 8, 1), level_y, dtype)
    luminance = 2 * level_x * level_y / (level_x**2 + level_y**2)
    assert float(metrics.uqi(flat_x, flat_y)) == pytest.approx(luminance, abs=1e-6)
    both_zero = image_metrics._uqi_map(tf.zeros((1, 8, 8, 1), tf.float64), tf.zeros((1, 8, 8, 1), tf.float64), 8)
    assert float(both_zero[0, 0, 0, 0]) == 1.0
    checkerboard = np.indices((8, 8)).sum(axis=0) % 2 * 2.0 - 1.0  # zero mean, variance 1
    zero_means = image_metrics._uqi_map(*(tf.constant(checkerboard[None, :, :, None]),) * 2, 8)
    assert float(zero_means[0, 0, 0, 0]) == 1.0  # img_qi.m leaves Q = 1 when only the means vanish


def test_mean_abs_temperature_error_in_kelvin():
    celsius_true = np.array([[[20.0, 30.0], [36.5, -5.0]], [[0.0, 0.0], [0.0, 0.0]]])[..., None]
    celsius_pred = celsius_true + np.array([1.0, -3.0])[:, None, None, None]
    assert float(metrics.mean_abs_temperature_error(celsius_true, celsius_pred)) == pytest.approx(2.0)
    kelvin_true, kelvin_pred = celsius_true + 273.15, celsius_pred + 273.15
    assert float(metrics.mean_abs_temperature_error(kelvin_true, kelvin_pred)) == pytest.approx(2.0, abs=1e-9)


def test_metrics_run_inside_tf_function():
    true, pred, data_range = _pair("structured", "minus1_1", n=2, channels=3)

    @tf.function
    def all_metrics(a, b):
        return (metrics.mse(a, b), metrics.psnr(a, b, data_range=2.0),
                metrics.ssim(a, b, data_range=2.0), metrics.uqi(a, b))

    graph_values = [float(v) for v in all_metrics(tf.constant(true), tf.constant(pred))]
    eager_values = [float(metrics.mse(true, pred)), float(metrics.psnr(true, pred, data_range=data_range)),
                    float(metrics.ssim(true, pred, data_range=data_range)), float(metrics.uqi(true, pred))]
    np.testing.assert_allclose(graph_values, eager_values, rtol=1e-6)


def test_bad_inputs_raise_clear_errors():
    a, b = np.zeros((2, 16, 16, 1)), np.zeros((2, 16, 16, 3))
    with pytest.raises(ValueError, match=r"\(2, 16, 16, 1\).*\(2, 16, 16, 3\)"):
        metrics.mse(a, b)
    with pytest.raises(TypeError):
        metrics.psnr(a, a)  # data_range is required
    with pytest.raises(ValueError, match="data_range"):
        metrics.ssim(a, a, data_range=0)
    with pytest.raises(ValueError, match="11x11"):
        metrics.ssim(np.zeros((8, 8)), np.zeros((8, 8)), data_range=1.0)
    with pytest.raises(ValueError, match="shape"):
        metrics.uqi(np.zeros((1, 2, 16, 16, 1)), np.zeros((1, 2, 16, 16, 1)))


def test_match_level_gives_each_image_its_targets_mean_and_spread():
    rng = np.random.default_rng(4)
    target = rng.uniform(0.3, 0.7, (3, 16, 16, 1))
    prediction = 0.1 * target[::-1] + 0.02  # another level and gain, and each image another target's
    matched = metrics.match_level(target, prediction)
    np.testing.assert_allclose(matched.mean(axis=(1, 2, 3)), target.mean(axis=(1, 2, 3)), atol=1e-12)
    np.testing.assert_allclose(matched.std(axis=(1, 2, 3)), target.std(axis=(1, 2, 3)), atol=1e-12)
    np.testing.assert_allclose(metrics.match_level(target, 5.0 * target - 1.0), target, atol=1e-12)  # gain undone
    flat = metrics.match_level(target, np.full_like(target, 0.9))
    np.testing.assert_allclose(flat, np.broadcast_to(target.mean(axis=(1, 2, 3), keepdims=True), target.shape))
    assert metrics.match_level(target, 50.0 * prediction).max() <= 1.0  # clipped to the value range


def test_match_level_refuses_batches_of_other_shapes():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\) batches of one shape"):
        metrics.match_level(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 8)))
