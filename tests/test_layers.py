"""Super-resolution layers: pixel shuffle, depthwise-separable convolution, per-channel PReLU."""

import keras
import numpy as np
import pytest
from scipy.signal import correlate2d

from thermal_keras.layers import (PRELU_ALPHA, DepthwiseSeparableConv2D, MeanLevel, PixelShuffle, prelu,
                                  trainable_param_count)


def depth_to_space_reference(x, r):
    """out[n, h*r+i, w*r+j, c] = x[n, h, w, (i*r + j)*C + c], written with loops."""
    n, h, w, cr2 = x.shape
    c = cr2 // (r * r)
    out = np.zeros((n, h * r, w * r, c), x.dtype)
    for i in range(r):
        for j in range(r):
            out[:, i::r, j::r, :] = x[:, :, :, (i * r + j) * c:(i * r + j + 1) * c]
    return out


@pytest.mark.parametrize("r", [2, 3])
def test_pixel_shuffle_moves_channels_to_subpixels(r):
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 2 * r * r)).astype("float32")
    out = np.asarray(PixelShuffle(r)(x))
    assert out.shape == (2, 3 * r, 5 * r, 2)
    np.testing.assert_array_equal(out, depth_to_space_reference(x, r))


def test_pixel_shuffle_rejects_bad_factor_and_channels():
    with pytest.raises(ValueError, match="upscale_factor"):
        PixelShuffle(1)
    with pytest.raises(ValueError, match="divisible by 4"):
        PixelShuffle(2).compute_output_shape((None, 4, 4, 6))


def test_separable_conv_matches_two_step_reference_and_counts():
    layer = DepthwiseSeparableConv2D(5, kernel_size=3, use_bias=True)
    x = np.random.default_rng(1).normal(size=(1, 6, 7, 4)).astype("float32")
    out = np.asarray(layer(x))
    rng = np.random.default_rng(2)  # non-zero biases, so a dropped bias would show
    layer.depthwise.bias.assign(rng.normal(size=4).astype("float32"))
    layer.pointwise.bias.assign(rng.normal(size=5).astype("float32"))
    out = np.asarray(layer(x))
    dw_kernel = np.asarray(layer.depthwise.kernel)[:, :, :, 0]  # (3, 3, Cin)
    depth = np.stack([correlate2d(x[0, :, :, c], dw_kernel[:, :, c], mode="same") for c in range(4)], -1)
    depth += np.asarray(layer.depthwise.bias)
    expected = depth @ np.asarray(layer.pointwise.kernel)[0, 0] + np.asarray(layer.pointwise.bias)
    np.testing.assert_allclose(out[0], expected, atol=1e-5)
    assert trainable_param_count(layer) == 3 * 3 * 4 + 4 + 4 * 5 + 5
    no_bias = DepthwiseSeparableConv2D(5, use_bias=False)
    no_bias.build((None, 6, 7, 4))
    assert trainable_param_count(no_bias) == 3 * 3 * 4 + 4 * 5


def test_separable_conv_strides_halve_the_size():
    assert DepthwiseSeparableConv2D(8, strides=2)(np.zeros((1, 10, 12, 3), "float32")).shape == (1, 5, 6, 8)


def test_prelu_has_one_slope_per_channel_starting_at_a_quarter():
    layer = prelu()
    x = -np.arange(1, 2 * 4 * 5 * 3 + 1, dtype="float32").reshape(2, 4, 5, 3)
    out = np.asarray(layer(x))
    assert layer.alpha.shape == (1, 1, 3)
    np.testing.assert_allclose(out, PRELU_ALPHA * x)
    np.testing.assert_allclose(np.asarray(layer(-x)), -x)


def test_mean_level_gives_every_image_the_level_and_keeps_its_structure():
    rng = np.random.default_rng(0)
    x = rng.uniform(-0.4, 0.4, (3, 8, 6, 2)).astype("float32") + np.float32([-0.5, 0.0, 0.5]).reshape(3, 1, 1, 1)
    y = np.asarray(MeanLevel(0.1)(x))
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), 0.1, atol=1e-6)
    np.testing.assert_allclose(y - 0.1, x - x.mean(axis=(1, 2, 3), keepdims=True), atol=1e-6)
    spread = np.float32([[-1.0, 1.0], [0.5, 0.5]]).reshape(1, 2, 2, 1)  # mean 0.25: +0.65 pushes 1.0 past 1
    np.testing.assert_allclose(np.asarray(MeanLevel(0.9)(spread)).ravel(), [-0.35, 1.0, 1.0, 1.0], atol=1e-6)
    with pytest.raises(ValueError, match=r"level in \[-1, 1\]"):
        MeanLevel(1.5)


def test_layers_round_trip_through_a_keras_file(tmp_path):
    inputs = keras.Input((None, None, 2))
    x = DepthwiseSeparableConv2D(8, name="sep")(inputs)
    x = PixelShuffle(2, name="shuffle")(x)
    x = MeanLevel(0.25, name="level")(prelu(name="act")(x))
    model = keras.Model(inputs, x)
    model.get_layer("act").alpha.assign(np.linspace(0.1, 0.9, 2).reshape(1, 1, 2).astype("float32"))
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x = np.random.default_rng(3).normal(size=(1, 5, 6, 2)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert loaded.get_layer("shuffle").get_config()["upscale_factor"] == 2
    assert loaded.get_layer("level").level == 0.25
