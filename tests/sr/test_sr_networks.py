"""Swift-SRGAN / SRGAN networks (parameter counts, scales, channels) and the SRGAN training model."""

import keras
import numpy as np
import pytest

from thermal_keras.features import MissingWeightsError
from thermal_keras.layers import trainable_param_count
from thermal_keras.models import (
    SRGAN,
    build_discriminator,
    build_generator,
    generator_scale,
    receptive_radius_lr,
    total_variation,
)

UNUSED_PRELU = 17 * 64  # the reference's ConvBlocks without activation still hold a PReLU


def tiny_generator(scale=4, channels=3, **kwargs):
    return build_generator("swift_srgan", scale=scale, channels=channels, num_channels=8, num_blocks=2, **kwargs)


def tiny_discriminator(channels=3, name="swift_srgan"):
    return build_discriminator(name, channels=channels, features=(8, 8, 16, 16), dense_units=16)


@pytest.mark.parametrize("name, scale, expected", [
    ("swift_srgan", 4, 201_209), ("swift_srgan", 2, 183_865), ("srgan", 4, 1_549_635)])
def test_generator_trainable_parameters_equal_the_reference(name, scale, expected):
    assert trainable_param_count(build_generator(name, scale=scale, channels=3)) == expected


def test_without_the_reference_layout_the_unused_prelus_are_gone():
    lean = build_generator("swift_srgan", scale=4, channels=3, reference_layout=False)
    assert trainable_param_count(lean) == 201_209 - UNUSED_PRELU


def test_swift_discriminator_trainable_parameters_equal_the_reference():
    assert trainable_param_count(build_discriminator("swift_srgan", channels=3)) == 19_413_279


@pytest.mark.parametrize("scale", [2, 4, 8])
@pytest.mark.parametrize("channels", [1, 3])
def test_each_scale_builds_exactly_that_scale(scale, channels):
    generator = tiny_generator(scale, channels)
    lr = np.random.default_rng(0).random((2, 6, 9, channels)).astype("float32")
    sr = np.asarray(generator(lr))
    assert sr.shape == (2, 6 * scale, 9 * scale, channels) and sr.dtype == np.float32
    assert generator_scale(generator) == scale
    assert 0.0 <= sr.min() and sr.max() <= 1.0  # (tanh + 1) / 2


def test_bad_names_scales_and_channels_are_rejected():
    with pytest.raises(ValueError, match="scale"):
        build_generator("swift_srgan", scale=16)
    with pytest.raises(ValueError, match="channels"):
        build_generator("srgan", scale=4, channels=4)
    with pytest.raises(ValueError, match="valid names"):
        build_generator("esrgan")


def test_receptive_radius_adds_kernel_radii_per_resolution():
    # 9x9 (4) + 2 per residual block + 1 + upsample convs 1 and 1/2 + final 9x9 at 4x (4/4)
    assert receptive_radius_lr(build_generator("srgan", scale=4)) == 4 + 2 * 16 + 1 + 1 + 0.5 + 1
    assert receptive_radius_lr(tiny_generator(2)) == 4 + 2 * 2 + 1 + 1 + 4 / 2


@pytest.mark.parametrize("name", ["swift_srgan", "srgan"])
def test_discriminator_gives_one_logit_per_image_at_any_size(name):
    discriminator = tiny_discriminator(1, name)
    for size in (32, 48):
        assert discriminator(np.zeros((3, size, size, 1), "float32")).shape == (3, 1)


def test_generator_round_trips_through_a_keras_file(tmp_path):
    generator = tiny_generator(2, 1)
    generator.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    lr = np.random.default_rng(1).random((1, 7, 5, 1)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(lr)), np.asarray(generator(lr)), atol=1e-6)
    assert trainable_param_count(loaded) == trainable_param_count(generator)


def test_total_variation_matches_numpy():
    x = np.random.default_rng(2).random((2, 5, 6, 3)).astype("float32")
    expected = 2 * (np.mean(np.diff(x, axis=1) ** 2) + np.mean(np.diff(x, axis=2) ** 2))
    np.testing.assert_allclose(float(total_variation(x)), expected, rtol=1e-5)


def batch(scale=4, channels=3, seed=0):
    """Smooth stripes (learnable, unlike noise): ``(lr, hr)`` float32 in [0, 1]."""
    phase = np.random.default_rng(seed).random((2, 1, 1, channels)) * 6
    y, x = np.mgrid[:32, :32][..., None]
    hr = (0.5 + 0.4 * np.sin(x / 3 + y / 5 + phase)).astype("float32")
    return hr[:, ::scale, ::scale], hr


def weights_of(model):
    return [np.array(w) for w in model.trainable_weights]


def test_pretraining_updates_only_the_generator_and_lowers_the_pixel_loss():
    model = SRGAN(tiny_generator(), tiny_discriminator())
    model.compile(keras.optimizers.Adam(2e-3), pretrain=True)
    d_before = weights_of(model.discriminator)
    lr, hr = batch()
    history = model.fit(lr, hr, epochs=30, batch_size=2, verbose=0).history
    assert history["pixel"][-1] < 0.8 * history["pixel"][0]
    assert history["d_loss"][-1] == 0.0 and history["adversarial"][-1] == 0.0
    for before, after in zip(d_before, weights_of(model.discriminator)):
        np.testing.assert_array_equal(before, after)


def test_gan_step_trains_both_networks_and_leaves_the_unused_slopes_alone():
    generator, discriminator = tiny_generator(), tiny_discriminator()
    model = SRGAN(generator, discriminator)
    model.compile(perceptual=None)
    unused = np.array(generator.get_layer("trunk_end").act.alpha)
    used = np.array(generator.get_layer("initial").act.alpha)
    d_before = weights_of(discriminator)
    logs = model.fit(*batch(), epochs=2, batch_size=2, verbose=0).history
    assert logs["d_loss"][-1] > 0 and logs["adversarial"][-1] > 0
    expected = logs["pixel"][-1] + 1e-3 * logs["adversarial"][-1] + 2e-8 * logs["tv"][-1]
    np.testing.assert_allclose(logs["g_loss"][-1], expected, rtol=1e-4)
    np.testing.assert_array_equal(np.array(generator.get_layer("trunk_end").act.alpha), unused)
    assert not np.array_equal(np.array(generator.get_layer("initial").act.alpha), used)
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, weights_of(discriminator)))


def test_perceptual_loss_uses_the_feature_network():
    inputs = keras.Input((None, None, 3))
    features = keras.Model(inputs, keras.layers.Conv2D(4, 3, padding="same")(inputs))
    model = SRGAN(tiny_generator(), tiny_discriminator())
    model.compile(perceptual=features, perceptual_weight=1.0)
    logs = model.fit(*batch(), epochs=1, batch_size=2, verbose=0).history
    assert logs["perceptual"][-1] > 0


def test_a_custom_perceptual_network_is_not_saved_and_saving_says_so(tmp_path):
    inputs = keras.Input((None, None, 3))
    features = keras.Model(inputs, keras.layers.Conv2D(4, 3, padding="same")(inputs))
    model = SRGAN(tiny_generator(), tiny_discriminator())
    model.compile(perceptual=features, perceptual_weight=1.0, tv_weight=0.0)
    with pytest.warns(UserWarning, match="perceptual network given to compile.. as a keras.Model is not saved"):
        model.save(tmp_path / "srgan.keras")
    loaded = keras.models.load_model(tmp_path / "srgan.keras")
    assert loaded.perceptual is None and loaded.loss_weights == model.loss_weights


def test_a_reloaded_pretraining_model_stays_in_pretraining_with_its_weights(tmp_path):
    model = SRGAN(tiny_generator())  # no discriminator: GAN mode (the default) would refuse to compile
    model.compile(keras.optimizers.Adam(2e-3), pretrain=True, pixel_weight=2.0, tv_weight=1e-3)
    lr, hr = batch()
    model.fit(lr, hr, epochs=1, batch_size=2, verbose=0)
    model.save(tmp_path / "srgan.keras")
    loaded = keras.models.load_model(tmp_path / "srgan.keras")
    assert loaded.compile_settings == model.compile_settings
    assert loaded.pretrain and loaded.loss_weights == {"pixel": 2.0, "adversarial": 1e-3, "perceptual": 6e-3,
                                                       "tv": 1e-3}
    assert int(loaded.g_optimizer.iterations) == 1 and float(loaded.g_optimizer.learning_rate) == pytest.approx(2e-3)
    logs = loaded.fit(lr, hr, epochs=1, batch_size=2, verbose=0).history
    assert logs["g_loss"][-1] == pytest.approx(2.0 * logs["pixel"][-1], rel=1e-5)  # pixel term only, weighted


def test_a_reloaded_gan_model_rebuilds_its_perceptual_network_from_the_recorded_weights(tmp_path):
    weights_file = tmp_path / "mobilenet_v2.weights.h5"
    keras.applications.MobileNetV2(include_top=False, weights=None).save_weights(weights_file)
    model = SRGAN(tiny_generator(), tiny_discriminator())
    model.compile(adversarial_weight=2e-3, perceptual_weight=0.5, perceptual_weights=weights_file)
    path = tmp_path / "srgan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.compile_settings == model.compile_settings
    assert loaded.compile_settings["perceptual_weights"] == str(weights_file)
    assert not loaded.pretrain and loaded.perceptual_name == "mobilenet_v2"
    assert loaded.loss_weights == {"pixel": 1.0, "adversarial": 2e-3, "perceptual": 0.5, "tv": 2e-8}
    for original, restored in zip(model.perceptual.weights, loaded.perceptual.weights):
        np.testing.assert_array_equal(np.asarray(restored), np.asarray(original), err_msg=original.path)
    weights_file.unlink()
    with pytest.raises(MissingWeightsError, match="compile=False"):
        keras.models.load_model(path)
    assert not keras.models.load_model(path, compile=False).compiled


def test_missing_perceptual_weights_fail_at_compile(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    model = SRGAN(tiny_generator(), tiny_discriminator())
    with pytest.raises(MissingWeightsError, match="mobilenet_v2"):
        model.compile()


def test_gan_training_needs_a_discriminator_and_sane_weights():
    with pytest.raises(ValueError, match="discriminator"):
        SRGAN(tiny_generator()).compile(perceptual=None)
    with pytest.raises(ValueError, match="tv_weight"):
        SRGAN(tiny_generator()).compile(pretrain=True, tv_weight=-1)


def test_evaluate_reports_y_psnr_with_the_border_cropped():
    model = SRGAN(tiny_generator())
    model.compile(pretrain=True)
    lr, hr = batch()
    result = model.evaluate(lr, hr, batch_size=2, verbose=0, return_dict=True)
    sr = np.clip(np.asarray(model.generator(lr)), 0, 1)[:, 4:-4, 4:-4]
    weights = np.array([65.481, 128.553, 24.966]) / 255
    y = lambda x: x @ weights + 16 / 255  # noqa: E731
    mse = np.mean((y(sr) - y(hr[:, 4:-4, 4:-4])) ** 2, axis=(1, 2))
    np.testing.assert_allclose(result["psnr_y"], np.mean(10 * np.log10(1 / mse)), rtol=1e-4)


def test_bicubic_residual_generator_adds_to_bicubic_and_keeps_the_count():
    from thermal_keras.sr.data import upscale_bicubic

    generator = tiny_generator(4, 3, bicubic_residual=True)
    assert trainable_param_count(generator) == trainable_param_count(tiny_generator(4, 3))
    final = generator.get_layer("final_conv")
    for weight in final.weights:  # silence the learned path: what is left is bicubic
        weight.assign(np.zeros(weight.shape, "float32"))
    lr = np.random.default_rng(3).random((1, 9, 7, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(generator(lr)), upscale_bicubic(lr, 4).numpy(), atol=1e-6)
