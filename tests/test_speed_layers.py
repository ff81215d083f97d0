"""The CPU speed replacements must compute exactly what they replace.

``FusedAdam`` (one ``ResourceApplyAdam`` per weight) against ``keras.optimizers.Adam``, and
``SingleFilterConv2D`` (depthwise + channel sum at batch 1) against ``keras.layers.Conv2D(1, ...)``.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from thermal_keras.layers import SingleFilterConv2D, conv2d
from thermal_keras.models import build_discriminator
from thermal_keras.training.checkpoint import TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam


def _train(optimizer, steps=8):
    """A few steps of a small conv net on a fixed regression target; returns the final weights."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, activation="tanh"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=(4, 8, 8, 2)), tf.float32)
    y = tf.constant(rng.normal(size=(4, 1)), tf.float32)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    for _ in range(steps):
        step()
    return [w.numpy() for w in model.trainable_weights], optimizer


@pytest.mark.parametrize("options", [
    {"learning_rate": 1e-2, "beta_1": 0.5},
    {"learning_rate": keras.optimizers.schedules.ExponentialDecay(1e-2, 3, 0.5), "weight_decay": 0.01,
     "epsilon": 1e-4, "clipnorm": 0.5},
])
def test_fused_adam_matches_keras_adam(options):
    reference, _ = _train(keras.optimizers.Adam(**options))
    fused, optimizer = _train(FusedAdam(**options))
    moved = max(float(np.abs(w - w0).max()) for w, w0 in zip(fused, _initial_weights()))
    assert moved > 1e-3  # the steps really changed the weights
    for a, b in zip(reference, fused):
        np.testing.assert_allclose(b, a, atol=2e-6)
    assert int(optimizer.iterations) == 8


def _initial_weights():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, activation="tanh"),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    return [w.numpy() for w in model.trainable_weights]


def test_fused_adam_checkpoint_restores_into_keras_adam(tmp_path):
    _, fused = _train(FusedAdam(1e-2))
    TrainingCheckpoint(tmp_path, {"optimizer": fused}).save(epoch=1)
    _, plain = _train(keras.optimizers.Adam(1e-2), steps=1)
    TrainingCheckpoint(tmp_path, {"optimizer": plain}).restore(restore_rng=False)
    assert int(plain.iterations) == 8
    for a, b in zip(fused.variables, plain.variables):
        np.testing.assert_array_equal(b.numpy(), a.numpy())
    rebuilt = keras.optimizers.deserialize(keras.optimizers.serialize(fused))
    assert isinstance(rebuilt, FusedAdam) and rebuilt.get_config() == fused.get_config()


def test_fused_adam_amsgrad_takes_keras_path():
    reference, _ = _train(keras.optimizers.Adam(1e-2, amsgrad=True))
    fused, _ = _train(FusedAdam(1e-2, amsgrad=True))
    for a, b in zip(reference, fused):
        np.testing.assert_allclose(b, a, atol=2e-6)


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("kernel, strides, padding", [(4, 1, "valid"), (3, 2, "same"), (7, 1, "valid")])
def test_single_filter_conv_equals_conv2d(batch, kernel, strides, padding):
    rng = np.random.default_rng(kernel)
    x = tf.constant(rng.normal(size=(batch, 13, 11, 5)), tf.float32)
    plain = keras.layers.Conv2D(1, kernel, strides=strides, padding=padding)
    single = SingleFilterConv2D(1, kernel, strides=strides, padding=padding)
    plain.build(x.shape), single.build(x.shape)
    weights = [rng.normal(size=w.shape).astype("float32") for w in plain.get_weights()]
    plain.set_weights(weights), single.set_weights(weights)
    np.testing.assert_allclose(single(x).numpy(), plain(x).numpy(), atol=1e-5)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        loss_plain, loss_single = tf.reduce_sum(plain(x) ** 2), tf.reduce_sum(single(x) ** 2)
    np.testing.assert_allclose(tape.gradient(loss_single, x).numpy(), tape.gradient(loss_plain, x).numpy(),
                               atol=1e-4)
    np.testing.assert_allclose(tape.gradient(loss_single, single.kernel).numpy(),
                               tape.gradient(loss_plain, plain.kernel).numpy(), rtol=1e-4, atol=1e-3)


def test_single_filter_conv_takes_the_depthwise_path_only_at_batch_1_on_a_cpu(monkeypatch):
    from thermal_keras import layers as thermal_layers

    if not thermal_layers._tensorflow_on_cpu_only():
        pytest.skip("a GPU is visible: the plain convolution everywhere")
    calls = []
    depthwise_conv = keras.ops.depthwise_conv
    monkeypatch.setattr(thermal_layers.ops, "depthwise_conv",
                        lambda *args, **kwargs: calls.append(1) or depthwise_conv(*args, **kwargs))
    layer = SingleFilterConv2D(1, 3)
    x = np.ones((1, 8, 8, 4), "float32")
    layer(x)
    assert len(calls) == 1  # TensorFlow on the CPU
    layer(np.ones((2, 8, 8, 4), "float32"))
    assert len(calls) == 1  # batch 2: the plain convolution
    monkeypatch.setattr(thermal_layers, "_tensorflow_on_cpu_only", lambda: False)  # as with a GPU
    layer(x)
    assert len(calls) == 1


def test_single_filter_conv_rejects_more_filters_and_round_trips(tmp_path):
    with pytest.raises(ValueError, match="one output channel"):
        SingleFilterConv2D(2, 3)
    assert isinstance(conv2d(1, 4), SingleFilterConv2D)
    assert type(conv2d(1, 1)) is keras.layers.Conv2D and type(conv2d(8, 4)) is keras.layers.Conv2D
    model = build_discriminator("basic", in_channels=4, ndf=8)
    assert isinstance(model.layers[-2], SingleFilterConv2D)  # the logit conv, before the float32 cast
    model.save(tmp_path / "d.keras")
    loaded = keras.models.load_model(tmp_path / "d.keras")
    x = np.random.default_rng(0).normal(size=(1, 32, 32, 4)).astype("float32")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), atol=1e-6)
