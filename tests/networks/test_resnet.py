"""ResNet generator: the reference's parameter counts, shapes, reflection padding, save/load."""

import keras
import numpy as np
import pytest

from thermal_keras.layers import trainable_param_count
from thermal_keras.models import ReflectionPadding2D, build_generator


@pytest.mark.parametrize("name, expected", [("resnet_9blocks", 11_378_179), ("resnet_6blocks", 7_837_699)])
def test_parameter_counts_match_the_reference(name, expected):
    model = build_generator(name, in_channels=3, out_channels=3, norm="instance")
    assert trainable_param_count(model) == expected
    assert model.count_params() == expected  # affine-free instance norm has no statistics either


def test_channel_counts_change_only_the_outer_convolutions():
    rgb_to_thermal = build_generator("resnet_9blocks", in_channels=3, out_channels=1)
    thermal_to_rgb = build_generator("resnet_9blocks", in_channels=1, out_channels=3)
    # 7x7 head: 2 fewer outputs x (49 x 64 weights + 1 bias); 7x7 stem: 2 fewer inputs x 49 x 64
    assert trainable_param_count(rgb_to_thermal) == 11_378_179 - 2 * (49 * 64 + 1)
    assert trainable_param_count(thermal_to_rgb) == 11_378_179 - 2 * 49 * 64


def test_output_shape_range_and_dtype():
    model = build_generator("resnet", in_channels=3, out_channels=1, ngf=8, n_blocks=2)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 48, 3)).astype("float32")
    y = np.asarray(model(x))
    assert y.shape == (2, 32, 48, 1) and y.dtype == np.float32
    assert np.abs(y).max() <= 1.0 and y.std() > 0


def test_upsampling_inverts_the_downsampling_grid_like_torch():
    # With torch's padding=1, output_padding=1 the transposed conv of a single impulse at (i, j)
    # lands its 3x3 kernel centred on (2i, 2j); a plain "same" Keras transposed conv shifts it.
    model = build_generator("resnet", in_channels=1, out_channels=1, ngf=1, n_blocks=0, norm="none")
    convt = model.get_layer("up0_convt")
    crop = model.get_layer("up0_crop")
    kernel = np.zeros((3, 3, 1, 2), "float32")
    kernel[:, :, 0, :] = np.arange(9, dtype="float32").reshape(3, 3, 1) + 1
    convt.kernel.assign(kernel)
    impulse = np.zeros((1, 4, 4, 2), "float32")
    impulse[0, 1, 2, 0] = 1.0
    out = np.asarray(crop(convt(impulse)))[0, :, :, 0] - np.asarray(convt.bias)[0]
    assert out.shape == (8, 8)
    np.testing.assert_allclose(out[1:4, 3:6], np.arange(1, 10).reshape(3, 3))  # centred on (2, 4)
    assert np.count_nonzero(out) == 9


def test_reflection_padding_matches_numpy_reflect():
    x = np.arange(2 * 4 * 5 * 3, dtype="float32").reshape(2, 4, 5, 3)
    out = np.asarray(ReflectionPadding2D(2)(x))
    np.testing.assert_array_equal(out, np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode="reflect"))
    with pytest.raises(ValueError, match="padding"):
        ReflectionPadding2D(-1)


def test_unknown_names_and_conflicting_blocks_are_refused():
    with pytest.raises(ValueError, match="resnet_9blocks"):
        build_generator("resnet_7blocks")
    with pytest.raises(ValueError, match="n_blocks"):
        build_generator("resnet_9blocks", n_blocks=6)
    with pytest.raises(ValueError, match="n_blocks"):
        build_generator("resnet")


def test_saves_and_loads_by_name(tmp_path):
    model = build_generator("resnet", in_channels=3, out_channels=1, ngf=4, n_blocks=1, affine=True)
    path = tmp_path / "resnet.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    x = np.random.default_rng(1).uniform(-1, 1, (1, 16, 16, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
    assert any(isinstance(layer, ReflectionPadding2D) for layer in loaded.layers)


def test_unet_generators_are_selectable_for_cyclegan():
    model = build_generator("unet", in_channels=1, out_channels=3, ngf=4, num_downs=5, norm="instance")
    assert model(np.zeros((1, 32, 32, 1), "float32")).shape == (1, 32, 32, 3)
