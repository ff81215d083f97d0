"""Super-resolution PSNR/SSIM on BT.601 Y with the border cropped, cross-checked against scikit-image."""

import numpy as np
import pytest
import skimage.color
import skimage.data
import skimage.metrics

from thermal_keras import metrics


@pytest.fixture(scope="module")
def pair_u8():
    """A real photograph and a degraded copy (blur + noise), uint8 ``(H, W, 3)``."""
    import skimage.filters

    hr = skimage.data.astronaut()[100:228, 150:278]
    rng = np.random.default_rng(0)
    blurred = skimage.filters.gaussian(hr, sigma=1.2, channel_axis=-1) * 255
    sr = np.clip(blurred + rng.normal(0, 4, hr.shape), 0, 255).round().astype(np.uint8)
    return sr, hr


def skimage_y(image_u8, border):
    y = skimage.color.rgb2ycbcr(image_u8)[..., 0]  # BT.601 studio swing, 16..235
    return y[border:-border, border:-border] if border else y


@pytest.mark.parametrize("border", [0, 4])
def test_psnr_y_matches_scikit_image_on_y_with_border_crop(pair_u8, border):
    sr, hr = pair_u8
    expected = skimage.metrics.peak_signal_noise_ratio(skimage_y(hr, border), skimage_y(sr, border), data_range=255)
    assert float(metrics.psnr_y(sr, hr, crop_border=border)) == pytest.approx(expected, abs=1e-4)
    # the same images as [0, 1] floats give the same number (peak 1.0)
    unit = float(metrics.psnr_y(sr / 255.0, hr / 255.0, crop_border=border))
    assert unit == pytest.approx(expected, abs=1e-4)


def test_border_crop_changes_the_score(pair_u8):
    sr, hr = pair_u8
    sr = sr.copy()
    sr[:4] = 0  # damage confined to the border
    assert float(metrics.psnr_y(sr, hr, crop_border=4)) > float(metrics.psnr_y(sr, hr, crop_border=0)) + 3


@pytest.mark.parametrize("border", [0, 4])
def test_ssim_y_matches_scikit_image_gaussian_ssim(pair_u8, border):
    sr, hr = pair_u8
    expected = skimage.metrics.structural_similarity(
        skimage_y(hr, border), skimage_y(sr, border), data_range=255, gaussian_weights=True, sigma=1.5,
        use_sample_covariance=False)
    assert float(metrics.ssim_y(sr, hr, crop_border=border)) == pytest.approx(expected, abs=1e-4)


def test_rgb_to_y_is_bt601_studio_swing():
    rgb = np.random.default_rng(1).random((4, 5, 3))
    expected = skimage.color.rgb2ycbcr(rgb)[..., 0] / 255.0
    np.testing.assert_allclose(np.asarray(metrics.rgb_to_y(rgb))[..., 0], expected, atol=1e-10)


def test_peak_is_the_data_range_not_the_image_maximum():
    rng = np.random.default_rng(2)
    hr = rng.random((1, 24, 24, 1)) * 0.3  # a dark image: its maximum is ~0.3
    sr = hr + rng.normal(0, 0.01, hr.shape)
    mse = np.mean((sr[:, 2:-2, 2:-2] - hr[:, 2:-2, 2:-2]) ** 2)
    value = float(metrics.psnr_y(sr.astype("float32"), hr.astype("float32"), crop_border=2))
    assert value == pytest.approx(10 * np.log10(1.0 / mse), abs=1e-3)
    assert abs(value - 10 * np.log10(hr.max() ** 2 / mse)) > 5


def test_grey_images_are_their_own_y_and_uint16_peaks_at_65535():
    rng = np.random.default_rng(3)
    hr = rng.integers(0, 65536, (20, 20, 1)).astype(np.uint16)
    sr = np.clip(hr.astype(np.int64) + rng.integers(-300, 300, hr.shape), 0, 65535).astype(np.uint16)
    mse = np.mean((sr[1:-1, 1:-1].astype(float) - hr[1:-1, 1:-1]) ** 2)
    assert float(metrics.psnr_y(sr, hr, crop_border=1)) == pytest.approx(10 * np.log10(65535**2 / mse), abs=1e-3)


def test_batches_average_per_image_values(pair_u8):
    sr, hr = pair_u8
    both = float(metrics.psnr_y(np.stack([sr, hr // 2]), np.stack([hr, hr]), crop_border=4))
    one, two = float(metrics.psnr_y(sr, hr, crop_border=4)), float(metrics.psnr_y(hr // 2, hr, crop_border=4))
    assert both == pytest.approx((one + two) / 2, abs=1e-4)


def test_bad_arguments_are_named():
    x = np.zeros((16, 16, 3), np.float32)
    with pytest.raises(ValueError, match="crop_border"):
        metrics.psnr_y(x, x, crop_border=8)
    with pytest.raises(ValueError, match="crop_border"):
        metrics.psnr_y(x, x, crop_border=-1)
    with pytest.raises(ValueError, match="same shape|one shape"):
        metrics.ssim_y(x, x[:8], crop_border=0)
    with pytest.raises(ValueError, match="1 or 3 channels"):
        metrics.psnr_y(np.zeros((16, 16, 2)), np.zeros((16, 16, 2)), crop_border=0)
    with pytest.raises(ValueError, match="data_range"):
        metrics.psnr_y(x, x, crop_border=0, data_range=0)
