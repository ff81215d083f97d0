"""LinearDecay: values, relation to the pix2pix reference, serialization, use by Adam."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from thermal_keras.training import LinearDecay


def test_values_at_key_steps():
    schedule = LinearDecay(2e-4, constant_steps=100, decay_steps=50)
    expected = {0: 2e-4, 99: 2e-4, 100: 2e-4, 125: 1e-4, 140: 0.4e-4, 150: 0.0, 10_000: 0.0}
    for step, value in expected.items():
        assert float(schedule(step)) == pytest.approx(value, abs=1e-10), step


def test_graph_mode_with_tensor_steps():
    schedule = LinearDecay(1.0, constant_steps=4, decay_steps=8)
    in_graph = tf.function(lambda steps: tf.map_fn(schedule, steps, fn_output_signature=tf.float32))
    values = in_graph(tf.range(16, dtype=tf.int64)).numpy()
    expected = np.clip(1.0 - np.maximum(np.arange(16) - 4, 0) / 8, 0, 1)
    np.testing.assert_allclose(values, expected, atol=1e-7)


def _reference_lambda(epoch, n_epochs, n_epochs_decay):
    """pix2pix's per-epoch factor (epoch_count = 1), from its documented formula."""
    return 1.0 - max(0, epoch + 1 - n_epochs) / float(n_epochs_decay + 1)


def test_matches_the_pix2pix_reference_at_epoch_ends():
    n_epochs, n_epochs_decay, steps_per_epoch = 5, 4, 3
    schedule = LinearDecay(1.0, n_epochs * steps_per_epoch, (n_epochs_decay + 1) * steps_per_epoch)
    for epoch in range(n_epochs + n_epochs_decay):
        ours = float(schedule((epoch + 1) * steps_per_epoch))
        assert ours == pytest.approx(_reference_lambda(epoch, n_epochs, n_epochs_decay), abs=1e-6), epoch


def test_serialization_round_trip():
    schedule = LinearDecay(3e-4, constant_steps=10, decay_steps=20)
    config = keras.saving.serialize_keras_object(schedule)
    assert config["registered_name"] == "thermal_keras>LinearDecay"
    restored = keras.saving.deserialize_keras_object(config)
    assert isinstance(restored, LinearDecay) and restored.get_config() == schedule.get_config()
    optimizer = keras.optimizers.Adam(learning_rate=schedule)
    rebuilt = keras.optimizers.Adam.from_config(optimizer.get_config())
    assert float(rebuilt.learning_rate) == pytest.approx(3e-4)
    assert float(rebuilt._learning_rate(25)) == pytest.approx(float(schedule(25)))


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="decay_steps"):
        LinearDecay(1e-3, 10, 0)
    with pytest.raises(ValueError, match="constant_steps"):
        LinearDecay(1e-3, -1, 10)
    with pytest.raises(ValueError, match="initial_learning_rate"):
        LinearDecay(0.0, 10, 10)


def test_adam_steps_follow_the_schedule():
    # With a constant gradient Adam's bias-corrected step is lr * g / |g| = lr, so each
    # update's size reads the schedule back.
    schedule = LinearDecay(0.1, constant_steps=2, decay_steps=4)
    weight = keras.Variable(np.zeros(1, np.float32))
    optimizer = keras.optimizers.Adam(learning_rate=schedule, epsilon=1e-12)
    optimizer.build([weight])
    step_sizes = []
    for _ in range(8):
        before = float(weight.numpy()[0])
        optimizer.apply_gradients([(tf.ones(1), weight)])
        step_sizes.append(before - float(weight.numpy()[0]))
    np.testing.assert_allclose(step_sizes, [0.1, 0.1, 0.1, 0.075, 0.05, 0.025, 0.0, 0.0], atol=1e-5)
    assert int(optimizer.iterations) == 8
