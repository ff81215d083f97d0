"""The metrics refuse what they cannot score (issue 31): a ``data_range`` that does not fit the dtype
or the values, a non-finite or non-positive one, and ``psnr_y``/``ssim_y`` inputs of two kinds each
raise one ValueError line before anything is computed; valid calls keep their numbers."""

import numpy as np
import pytest
import tensorflow as tf
from skimage import metrics as skm

from thermal_keras import metrics


def _images(seed=0, size=16, channels=1):
    """A uint8 image and a noisy copy ``(size, size, channels)``."""
    rng = np.random.default_rng(seed)
    clean = rng.integers(0, 256, (size, size, channels))
    noisy = np.clip(clean + rng.integers(-20, 21, clean.shape), 0, 255)
    return clean.astype(np.uint8), noisy.astype(np.uint8)


U8, U8_NOISY = _images()
RGB, RGB_NOISY = _images(1, channels=3)


def _range_cases():
    f255, f255_noisy = U8.astype(np.float32), U8_NOISY.astype(np.float32)
    signed, signed_noisy = f255 / 127.5 - 1, f255_noisy / 127.5 - 1  # [-1, 1]
    u16, u16_noisy = U8.astype(np.uint16) * 257, U8_NOISY.astype(np.uint16) * 257
    return [
        ("psnr uint8, range 1", lambda: metrics.psnr(U8, U8_NOISY, data_range=1), "below 255"),
        ("ssim uint8, range 100", lambda: metrics.ssim(U8, U8_NOISY, data_range=100), "below 255"),
        ("psnr floats 0..255, range 1", lambda: metrics.psnr(f255, f255_noisy, data_range=1), "span 255"),
        ("ssim floats 0..255, range 1", lambda: metrics.ssim(f255, f255_noisy, data_range=1.0), "span 255"),
        ("psnr [-1, 1], range 1", lambda: metrics.psnr(signed, signed_noisy, data_range=1.0), "span 2"),
        ("psnr uint16, range 255", lambda: metrics.psnr(u16, u16_noisy, data_range=255), "span 6.55"),
        ("psnr range inf", lambda: metrics.psnr(U8, U8_NOISY, data_range=float("inf")), "finite positive"),
        ("ssim range inf", lambda: metrics.ssim(U8, U8_NOISY, data_range=np.inf), "finite positive"),
        ("psnr range nan", lambda: metrics.psnr(U8, U8_NOISY, data_range=float("nan")), "finite positive"),
        ("psnr range 0", lambda: metrics.psnr(U8, U8_NOISY, data_range=0), "finite positive"),
        ("ssim range -255", lambda: metrics.ssim(U8, U8_NOISY, data_range=-255), "finite positive"),
        ("psnr range True", lambda: metrics.psnr(U8, U8_NOISY, data_range=True), "finite positive"),
        ("psnr_y uint16 vs float", lambda: metrics.psnr_y(u16, f255 / 255, crop_border=0),
         "sr is uint16 and hr is float32"),
        ("ssim_y uint8 vs uint16", lambda: metrics.ssim_y(U8, u16, crop_border=0), "sr is uint8 and hr is uint16"),
        ("psnr_y float vs uint8", lambda: metrics.psnr_y(f255, U8, crop_border=0), "sr is float32 and hr is uint8"),
        ("psnr_y floats 0..255, default range", lambda: metrics.psnr_y(f255, f255_noisy, crop_border=0), "span 255"),
        ("psnr_y uint8, range 1", lambda: metrics.psnr_y(RGB, RGB_NOISY, crop_border=0, data_range=1), "below 255"),
        ("ssim_y range inf", lambda: metrics.ssim_y(RGB, RGB_NOISY, crop_border=0, data_range=np.inf),
         "finite positive"),
        ("psnr_y range 0", lambda: metrics.psnr_y(RGB, RGB_NOISY, crop_border=0, data_range=0), "finite positive"),
        ("rgb_to_y uint8, default range", lambda: metrics.rgb_to_y(RGB), "below 255"),
        ("rgb_to_y range nan", lambda: metrics.rgb_to_y(RGB, data_range=float("nan")), "finite positive"),
    ]


@pytest.mark.parametrize("call,fragment", [c[1:] for c in _range_cases()], ids=[c[0] for c in _range_cases()])
def test_unscorable_input_is_one_value_error_line(call, fragment):
    with pytest.raises(ValueError) as refused:
        call()
    message = str(refused.value)
    assert "\n" not in message
    assert fragment in message, message


def test_the_refusals_the_issue_measured_are_no_longer_numbers():
    """Today's wrong scores: -21.85 dB-like PSNRs for uint8 at range 1, -91.6 dB for uint16 vs float."""
    with pytest.raises(ValueError, match="data_range=1 is below 255"):
        metrics.psnr(U8, U8_NOISY, data_range=1)
    with pytest.raises(ValueError, match="sr is uint16 and hr is float64"):
        metrics.psnr_y(U8.astype(np.uint16) * 257, U8 / 255.0, crop_border=0)


def test_valid_ranges_keep_their_numbers():
    t64, p64 = U8.astype(np.float64), U8_NOISY.astype(np.float64)
    expected = skm.peak_signal_noise_ratio(t64, p64, data_range=255)
    assert float(metrics.psnr(U8, U8_NOISY, data_range=255)) == pytest.approx(expected, abs=1e-4)
    assert float(metrics.psnr(t64 / 255, p64 / 255, data_range=1.0)) == pytest.approx(expected, abs=1e-4)
    assert float(metrics.psnr(t64 / 127.5 - 1, p64 / 127.5 - 1, data_range=2.0)) == pytest.approx(expected, abs=1e-4)
    twelve_bit = (U8.astype(np.uint16) * 16, U8_NOISY.astype(np.uint16) * 16)  # 12-bit counts kept in uint16
    assert float(metrics.psnr(*twelve_bit, data_range=4080)) == pytest.approx(expected, abs=1e-4)
    assert float(metrics.psnr(U8, U8_NOISY, data_range=np.float32(255))) == pytest.approx(expected, abs=1e-4)


def test_values_may_overshoot_the_range_by_rounding_not_by_a_scale():
    unit = U8.astype(np.float32) / 255
    inside = np.clip(unit * 1.005, 0, 1.005)  # a 0.5% overshoot (unclipped output, float rounding)
    assert np.isfinite(float(metrics.psnr(unit, inside, data_range=1.0)))
    assert np.isfinite(float(metrics.ssim(unit, inside, data_range=1.0)))
    with pytest.raises(ValueError, match="span 1.0"):
        metrics.psnr(unit, unit * 1.05, data_range=1.0)  # 5%: not rounding


def test_psnr_y_mixed_float_widths_and_one_integer_dtype_are_one_kind():
    hr, sr = U8.astype(np.float64) / 255, U8_NOISY.astype(np.float32) / 255
    same_kind = float(metrics.psnr_y(sr, hr, crop_border=1))
    assert same_kind == pytest.approx(float(metrics.psnr_y(U8_NOISY, U8, crop_border=1)), abs=1e-3)


def test_inside_tf_function_the_static_checks_still_apply():
    @tf.function
    def score(a, b):
        return metrics.psnr(a, b, data_range=2.0)

    a, b = tf.constant(U8 / 127.5 - 1), tf.constant(U8_NOISY / 127.5 - 1)
    assert float(score(a, b)) == pytest.approx(float(metrics.psnr(a, b, data_range=2.0)), abs=1e-4)

    @tf.function
    def score_u8_at_one(a, b):
        return metrics.psnr(a, b, data_range=1)

    with pytest.raises(ValueError, match="below 255"):
        score_u8_at_one(tf.constant(U8), tf.constant(U8_NOISY))
