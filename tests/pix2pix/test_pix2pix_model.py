"""Pix2Pix: training, evaluation, the update order, mixed precision and saving (tiny 32 px models)."""

import csv

import keras
import numpy as np
import pytest
import tensorflow as tf

from thermal_keras.layers import trainable_param_count
from thermal_keras.losses import GAN_MODES
from thermal_keras.models import Pix2Pix, build_discriminator, build_generator

SIZE = 32


def _pairs(count, seed=0):
    """RGB in [-1, 1] and a thermal target that is a fixed smooth function of it."""
    rgb = np.random.default_rng(seed).uniform(-1, 1, (count, SIZE, SIZE, 3)).astype("float32")
    thermal = np.tanh(2.0 * (0.6 * rgb[..., :1] - 0.3 * rgb[..., 1:2] + 0.2 * rgb[..., 2:]))
    return rgb, thermal.astype("float32")


def _tiny_pix2pix(norm="batch"):
    generator = build_generator("unet", in_channels=3, out_channels=1, ngf=8, num_downs=5, norm=norm)
    discriminator = build_discriminator("basic", in_channels=4, ndf=8, norm=norm)
    return Pix2Pix(generator, discriminator)


@pytest.fixture
def float32_policy_after():
    yield
    keras.config.set_dtype_policy("float32")


def test_fit_lowers_l1_advances_both_optimizers_and_feeds_callbacks(tmp_path):
    model = _tiny_pix2pix()
    model.compile(g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5))
    rgb, thermal = _pairs(16)
    l1_before = model.evaluate(rgb, thermal, verbose=0, return_dict=True)["l1"]
    dataset = tf.data.Dataset.from_tensor_slices((rgb, thermal)).batch(2, drop_remainder=True)
    log_path = tmp_path / "log.csv"
    history = model.fit(
        dataset, epochs=3, validation_data=dataset, verbose=0, shuffle=False,
        callbacks=[keras.callbacks.CSVLogger(str(log_path))],
    )
    g_l1 = history.history["g_l1"]
    assert g_l1[-1] < 0.95 * g_l1[0]
    assert history.history["val_l1"][-1] < l1_before
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 3 * 8
    assert model.optimizer is model.g_optimizer
    with open(log_path) as log_file:
        columns = next(csv.reader(log_file))
    assert {"g_loss", "g_gan", "g_l1", "d_loss", "val_l1", "val_psnr", "val_ssim"} <= set(columns)


@pytest.mark.parametrize("gan_mode", GAN_MODES)
def test_every_gan_mode_trains_one_step_per_batch(gan_mode):
    model = _tiny_pix2pix()
    model.compile(gan_mode=gan_mode, lambda_l1=10.0, run_eagerly=True)  # graph mode: tests above
    rgb, thermal = _pairs(4)
    generator_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    logs = model.train_on_batch(rgb[:2], thermal[:2], return_dict=True)
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1
    assert all(np.isfinite(value) for value in logs.values())
    assert logs["g_loss"] == pytest.approx(logs["g_gan"] + 10.0 * logs["g_l1"], rel=1e-5)
    assert logs["d_loss"] >= 0
    model.fit(rgb, thermal, batch_size=2, epochs=1, verbose=0)
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 3
    changed = [not np.array_equal(a, b.numpy()) for a, b in zip(generator_before, model.generator.trainable_weights)]
    assert all(changed)


def test_train_step_updates_d_first_then_g_against_the_updated_d():
    """One step with SGD equals the reference algorithm written out by hand."""
    learning_rate, lambda_l1 = 0.1, 100.0
    model = _tiny_pix2pix()
    generator = keras.models.clone_model(model.generator)
    discriminator = keras.models.clone_model(model.discriminator)
    generator.set_weights(model.generator.get_weights())
    discriminator.set_weights(model.discriminator.get_weights())
    model.compile(keras.optimizers.SGD(learning_rate), keras.optimizers.SGD(learning_rate), "lsgan", lambda_l1)
    rgb, thermal = _pairs(2)
    model.train_on_batch(rgb, thermal)

    fake = generator(rgb, training=True)
    with tf.GradientTape() as tape:
        fake_logits = discriminator(tf.concat([rgb, fake], -1), training=True)
        real_logits = discriminator(tf.concat([rgb, thermal], -1), training=True)
        d_loss = 0.5 * (tf.reduce_mean((real_logits - 1) ** 2) + tf.reduce_mean(fake_logits**2))
    for weight, grad in zip(discriminator.trainable_weights, tape.gradient(d_loss, discriminator.trainable_weights)):
        weight.assign_sub(learning_rate * grad)
    with tf.GradientTape() as tape:
        fake = generator(rgb, training=True)
        fake_logits = discriminator(tf.concat([rgb, fake], -1), training=True)
        g_loss = tf.reduce_mean((fake_logits - 1) ** 2) + lambda_l1 * tf.reduce_mean(tf.abs(thermal - fake))
    for weight, grad in zip(generator.trainable_weights, tape.gradient(g_loss, generator.trainable_weights)):
        weight.assign_sub(learning_rate * grad)

    for network, reference in ((model.discriminator, discriminator), (model.generator, generator)):
        for trained, expected in zip(network.trainable_weights, reference.trainable_weights):
            np.testing.assert_allclose(trained.numpy(), expected.numpy(), atol=2e-5, err_msg=trained.path)


def test_evaluate_reports_l1_psnr_ssim_of_the_translation():
    model = _tiny_pix2pix()
    model.compile()
    rgb, thermal = _pairs(4)
    scores = model.evaluate(rgb, thermal, batch_size=3, verbose=0, return_dict=True)
    assert set(scores) == {"l1", "psnr", "ssim"}
    fake = model.predict(rgb, verbose=0)
    assert fake.shape == thermal.shape and fake.dtype == np.float32
    assert scores["l1"] == pytest.approx(np.abs(fake - thermal).mean(), rel=1e-5)
    mse_01 = (((fake - thermal) / 2.0) ** 2).mean(axis=(1, 2, 3))  # data range 2, i.e. [0, 1] after shift
    assert scores["psnr"] == pytest.approx(np.mean(-10 * np.log10(mse_01)), rel=1e-4)
    ssim = tf.image.ssim((fake + 1) / 2, (thermal + 1) / 2, max_val=1.0).numpy().mean()
    assert scores["ssim"] == pytest.approx(ssim, rel=1e-4, abs=1e-6)
    perfect = model.evaluate(rgb, fake, verbose=0, return_dict=True)
    assert perfect["l1"] == pytest.approx(0.0, abs=1e-6) and perfect["ssim"] == pytest.approx(1.0, abs=1e-4)


def test_save_and_load_round_trip_keeps_predictions_optimizers_and_compile_settings(tmp_path):
    model = _tiny_pix2pix()
    model.compile(gan_mode="vanilla", lambda_l1=50.0, run_eagerly=True)
    rgb, thermal = _pairs(4)
    model.fit(rgb, thermal, batch_size=2, epochs=1, verbose=0)
    path = tmp_path / "pix2pix.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, Pix2Pix)
    np.testing.assert_array_equal(loaded(rgb), model(rgb))
    assert (loaded.gan_mode, loaded.lambda_l1, loaded.run_eagerly) == ("vanilla", 50.0, True)
    for original, restored in ((model.g_optimizer, loaded.g_optimizer), (model.d_optimizer, loaded.d_optimizer)):
        assert len(original.variables) == len(restored.variables)
        for a, b in zip(original.variables, restored.variables):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
    assert int(loaded.g_optimizer.iterations) == 2
    loaded.fit(rgb, thermal, batch_size=2, epochs=1, verbose=0)
    assert int(loaded.g_optimizer.iterations) == int(loaded.d_optimizer.iterations) == 4


def test_config_round_trip_rebuilds_the_same_networks():
    model = _tiny_pix2pix(norm="instance")
    clone = Pix2Pix.from_config(model.get_config())
    for original, rebuilt in ((model.generator, clone.generator), (model.discriminator, clone.discriminator)):
        assert [layer.name for layer in rebuilt.layers] == [layer.name for layer in original.layers]
        assert trainable_param_count(rebuilt) == trainable_param_count(original)


def test_mixed_float16_wraps_optimizers_and_keeps_float32_outputs(float32_policy_after):
    keras.config.set_dtype_policy("mixed_float16")
    model = _tiny_pix2pix()
    model.compile()
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    rgb, thermal = _pairs(2)
    logs = model.train_on_batch(rgb, thermal, return_dict=True)
    assert all(np.isfinite(value) for value in logs.values())
    assert model(rgb).dtype == "float32"
    assert model.generator.get_layer("down1_conv").compute_dtype == "float16"


def test_bad_set_ups_raise_clear_errors():
    generator = build_generator("unet", ngf=4, num_downs=5)
    with pytest.raises(ValueError, match="in_channels=4"):
        Pix2Pix(generator, build_discriminator("basic", in_channels=6, ndf=4))
    model = Pix2Pix(generator, build_discriminator("basic", in_channels=4, ndf=4))
    rgb, thermal = _pairs(2)
    with pytest.raises(RuntimeError, match="compiled"):
        model.train_step((rgb, thermal))
    with pytest.raises(ValueError, match="does not take \\['loss'\\]"):
        model.compile(loss="mae")
    with pytest.raises(ValueError, match="gan_mode must be one of"):
        model.compile(gan_mode="wgan")
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        model.compile(optimizer, optimizer)
    model.compile()
    with pytest.raises(ValueError, match="paired batches"):
        model.train_step(rgb)
    with pytest.raises(ValueError, match="height 40 is not a multiple of 32"):
        model.train_step((np.zeros((1, 40, 32, 3), "float32"), np.zeros((1, 40, 32, 1), "float32")))
