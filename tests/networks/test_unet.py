"""U-Net generator: reference parameter counts, topology, shapes, dtypes and saving."""

import keras
import numpy as np
import pytest

from thermal_keras.layers import instance_norm, norm_layer, trainable_param_count
from thermal_keras.models import (
    build_generator,
    check_generator_input_size,
    generator_size_multiple,
    unet_generator,
)


@pytest.fixture
def float32_policy_after():
    yield
    keras.config.set_dtype_policy("float32")


def _random_images(shape, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype("float32")


@pytest.mark.parametrize(
    "name, in_channels, out_channels, expected",
    [
        ("unet_256", 3, 3, 54_413_955),
        ("unet_256", 3, 1, 54_409_857),
        ("unet_128", 3, 3, 41_828_995),
    ],
)
def test_trainable_params_match_the_pytorch_reference(name, in_channels, out_channels, expected):
    model = build_generator(name, in_channels=in_channels, out_channels=out_channels)
    assert trainable_param_count(model) == expected
    assert generator_size_multiple(model) == {"unet_256": 256, "unet_128": 128}[name]


def test_only_the_output_conv_has_a_bias_with_batch_norm_and_all_with_instance_norm():
    batch = unet_generator(6, ngf=4, norm="batch")
    biased = [layer.name for layer in batch.layers if getattr(layer, "use_bias", False)]
    assert biased == ["up0_convT"]
    instance = unet_generator(6, ngf=4, norm="instance")
    convs = [layer for layer in instance.layers if "conv" in layer.name and "concat" not in layer.name]
    assert len(convs) == 12 and all(layer.use_bias for layer in convs)


@pytest.mark.parametrize(
    "num_downs, height, width", [(5, 32, 32), (5, 64, 96), (6, 64, 64), (6, 128, 64)]
)
def test_output_shape_follows_input_for_multiples_of_the_size_multiple(num_downs, height, width):
    model = build_generator("unet", in_channels=3, out_channels=1, ngf=4, num_downs=num_downs)
    assert generator_size_multiple(model) == 2**num_downs
    output = model(_random_images((2, height, width, 3)))
    assert tuple(output.shape) == (2, height, width, 1)


def test_image_size_picks_the_deepest_unet():
    assert generator_size_multiple(build_generator("unet", ngf=4, image_size=64)) == 64
    assert generator_size_multiple(build_generator("unet", ngf=4, image_size=(96, 64))) == 32


def test_skips_carry_the_leaky_relu_activated_encoder_features():
    model = unet_generator(5, ngf=4)
    probe = keras.Model(
        model.input, [model.get_layer("skip0_concat").output, model.get_layer("down0_lrelu").output]
    )
    concat, activated = probe(_random_images((1, 32, 32, 3)))
    np.testing.assert_allclose(concat[..., :4], activated, atol=0)
    assert float(np.min(activated)) < 0  # LeakyReLU keeps (scaled) negatives


def test_no_norm_on_outermost_and_innermost_down_convs_so_batch_one_bottleneck_survives():
    num_downs = 5
    model = unet_generator(num_downs, ngf=4)
    names = {layer.name for layer in model.layers}
    assert "down0_norm" not in names and f"down{num_downs - 1}_norm" not in names
    assert {f"down{level}_norm" for level in range(1, num_downs - 1)} <= names
    bottleneck = keras.Model(model.input, model.get_layer(f"down{num_downs - 1}_conv").output)
    features = np.asarray(bottleneck(_random_images((1, 32, 32, 3)), training=True))
    assert features.shape == (1, 1, 1, 4 * 8)
    assert np.std(features) > 1e-4
    # The hazard this guards against: a batch norm on that 1x1 map zeroes it at batch 1.
    zeroed = keras.layers.BatchNormalization()(features, training=True)
    assert np.abs(np.asarray(zeroed)).max() < 1e-3


@pytest.mark.parametrize("num_downs, expected_levels", [(5, []), (6, [4]), (8, [4, 5, 6])])
def test_dropout_sits_after_the_inner_ngf8_up_norms(num_downs, expected_levels):
    model = unet_generator(num_downs, ngf=2)
    dropouts = [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]
    assert [layer.name for layer in dropouts] == [f"up{level}_dropout" for level in reversed(expected_levels)]
    assert all(layer.rate == 0.5 for layer in dropouts)
    for level in expected_levels:
        assert model.get_layer(f"up{level}_norm").output.shape[-1] == 2 * 8
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in unet_generator(8, ngf=2, dropout=0).layers)


def test_dropout_is_active_in_training_only():
    model = unet_generator(6, ngf=4)
    images = _random_images((2, 64, 64, 3))
    np.testing.assert_array_equal(model(images), model(images))
    assert not np.array_equal(model(images, training=True), model(images, training=True))


def test_output_is_float32_tanh_in_range():
    model = unet_generator(5, ngf=4, out_channels=2)
    output_layer = model.get_layer("output_tanh")
    assert output_layer.get_config()["activation"] == "tanh"
    output = np.asarray(model(100.0 * _random_images((2, 32, 32, 3))))
    assert output.dtype == np.float32 and output.shape == (2, 32, 32, 2)
    assert np.abs(output).max() <= 1.0 and np.abs(output).max() > 0


def test_mixed_float16_keeps_float32_output(float32_policy_after):
    keras.config.set_dtype_policy("mixed_float16")
    model = unet_generator(5, ngf=4)
    assert model.get_layer("down1_conv").compute_dtype == "float16"
    assert model(_random_images((1, 32, 32, 3))).dtype == "float32"


def _torch_conv_stride2_pad1(image, kernel):
    """torch Conv2d(k=4, s=2, padding=1), written out: (H, W, Cin), (4, 4, Cin, Cout)."""
    padded = np.pad(image, ((1, 1), (1, 1), (0, 0)))
    out_h, out_w = image.shape[0] // 2, image.shape[1] // 2
    out = np.zeros((out_h, out_w, kernel.shape[-1]))
    for i in range(out_h):
        for j in range(out_w):
            patch = padded[2 * i : 2 * i + 4, 2 * j : 2 * j + 4]
            out[i, j] = np.tensordot(patch, kernel, axes=3)
    return out


def _torch_conv_transpose_stride2_pad1(image, kernel):
    """torch ConvTranspose2d(k=4, s=2, padding=1): input pixel i lands on outputs 2i - 1 + k."""
    height, width = image.shape[:2]
    full = np.zeros((2 * height + 2, 2 * width + 2, kernel.shape[2]))
    for i in range(height):
        for j in range(width):
            # Keras stores transposed kernels as (kh, kw, Cout, Cin)
            full[2 * i : 2 * i + 4, 2 * j : 2 * j + 4] += np.einsum("c,hwoc->hwo", image[i, j], kernel)
    return full[1:-1, 1:-1]


def test_same_padding_matches_torch_padding_one_for_down_and_up_convs():
    model = unet_generator(5, ngf=4, in_channels=2)
    image = _random_images((8, 8, 2))
    down = model.get_layer("down0_conv")
    np.testing.assert_allclose(
        down(image[None])[0], _torch_conv_stride2_pad1(image, down.kernel.numpy()), atol=1e-5
    )
    up = model.get_layer("up0_convT")  # 8 -> 1 channels
    features = _random_images((4, 4, 8), seed=1)
    expected = _torch_conv_transpose_stride2_pad1(features, up.kernel.numpy()) + up.bias.numpy()
    np.testing.assert_allclose(up(features[None])[0], expected, atol=1e-5)


def test_generator_alone_saves_and_loads_with_identical_outputs(tmp_path):
    model = unet_generator(5, ngf=4)
    images = _random_images((2, 32, 32, 3))
    path = tmp_path / "generator.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded(images), model(images))
    assert generator_size_multiple(loaded) == 32
    assert loaded.get_layer("down1_lrelu").get_config()["negative_slope"] == pytest.approx(0.2)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown generator 'not_a_net'; valid names: unet_256, unet_128, unet"):
        build_generator("not_a_net")
    with pytest.raises(ValueError, match="num_downs must be >= 5"):
        build_generator("unet", num_downs=4)
    with pytest.raises(ValueError, match="needs num_downs or image_size"):
        build_generator("unet")
    with pytest.raises(ValueError, match="not a multiple of 2\\*\\*num_downs = 256"):
        build_generator("unet_256", image_size=128)
    with pytest.raises(ValueError, match="norm must be one of"):
        build_generator("unet", num_downs=5, norm="layer")
    with pytest.raises(ValueError, match="width 48 is not a multiple of 32"):
        check_generator_input_size(unet_generator(5, ngf=2), 32, 48)


def test_norm_layers_use_torch_defaults_and_reference_init():
    batch = norm_layer("batch", name="bn")
    assert (batch.momentum, batch.epsilon) == (0.9, 1e-5)
    batch.build((None, 4, 4, 4096))
    assert abs(batch.gamma.numpy().mean() - 1.0) < 0.002 and abs(batch.gamma.numpy().std() - 0.02) < 0.002
    assert isinstance(norm_layer("none"), keras.layers.Identity)
    conv = unet_generator(5, ngf=64).get_layer("down1_conv").kernel.numpy()
    assert abs(conv.mean()) < 0.001 and abs(conv.std() - 0.02) < 0.001


@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm_normalises_each_image_and_channel_like_torch(affine):
    images = np.random.default_rng(3).normal(2.0, 3.0, (2, 8, 6, 3)).astype("float32")
    layer = instance_norm(affine=affine)
    mean = images.mean(axis=(1, 2), keepdims=True)
    variance = images.var(axis=(1, 2), keepdims=True)  # biased, as torch InstanceNorm2d
    expected = (images - mean) / np.sqrt(variance + 1e-5)
    np.testing.assert_allclose(layer(images), expected, atol=1e-5)
    assert len(layer.trainable_weights) == (2 if affine else 0)
