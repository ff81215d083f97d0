"""TrainingCheckpoint: full-state round trip, crash safety, pruning, clear mismatch errors."""

import json
import os
import random

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from thermal_keras.training import CheckpointMismatchError, TrainingCheckpoint
from thermal_keras.training import checkpoint as checkpoint_module


def _generator(filters=4):
    rgb = keras.Input((16, 16, 3))
    x = layers.Conv2D(filters, 3, padding="same")(rgb)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.5)(x)
    return keras.Model(rgb, layers.Conv2D(1, 3, padding="same", activation="tanh")(x))


def _discriminator():
    pair = keras.Input((16, 16, 4))
    x = layers.Conv2D(4, 4, strides=2, padding="same")(pair)
    return keras.Model(pair, layers.Conv2D(1, 4, padding="same")(x))


class TinyPix2Pix(keras.Model):
    """Stands in for Pix2Pix: two sub-models and two optimizers built eagerly."""

    def __init__(self, generator_filters=4, **kwargs):
        super().__init__(**kwargs)
        self.generator = _generator(generator_filters)
        self.discriminator = _discriminator()
        self.g_optimizer = keras.optimizers.Adam(1e-2)
        self.d_optimizer = keras.optimizers.Adam(1e-2)
        self.g_optimizer.build(self.generator.trainable_variables)
        self.d_optimizer.build(self.discriminator.trainable_variables)

    def call(self, rgb, training=False):
        return self.generator(rgb, training=training)

    def objects(self):
        return {"generator": self.generator, "discriminator": self.discriminator,
                "g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}


def _train_steps(model, count):
    """Updates weights, BN statistics, dropout seeds and both optimizers' slots and iterations."""
    rgb = tf.random.uniform((2, 16, 16, 3), -1, 1)
    thermal = tf.random.uniform((2, 16, 16, 1), -1, 1)
    for _ in range(count):
        with tf.GradientTape(persistent=True) as tape:
            fake = model.generator(rgb, training=True)
            g_loss = tf.reduce_mean(tf.abs(fake - thermal))
            d_loss = tf.reduce_mean(tf.square(model.discriminator(tf.concat([rgb, fake], -1), training=True)))
        g_vars, d_vars = model.generator.trainable_variables, model.discriminator.trainable_variables
        model.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
        model.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))


def _snapshot(objects):
    return {f"{name}/{i}/{v.path}": np.array(v.numpy()) for name, obj in objects.items()
            for i, v in enumerate(obj.variables)}


def _assert_same_values(expected, objects):
    actual = list(_snapshot(objects).values())
    assert len(actual) == len(expected)
    for (key, want), got in zip(expected.items(), actual):
        np.testing.assert_array_equal(got, want, err_msg=key)


def test_save_perturb_restore_gives_identical_state(tmp_path):
    model = TinyPix2Pix()
    _train_steps(model, 2)
    checkpoint = TrainingCheckpoint(tmp_path, model.objects())
    saved = _snapshot(model.objects())
    # What the brief asks us to verify: .variables holds all the state a resume needs.
    assert any(key.endswith("seed_generator_state") for key in saved)
    assert any(key.endswith("moving_variance") for key in saved)
    iterations_key = f"g_optimizer/0/{model.g_optimizer.iterations.path}"
    assert iterations_key.endswith("/iteration") and saved[iterations_key] == 2
    assert sum("_momentum" in key for key in saved) == len(model.generator.trainable_variables) + len(
        model.discriminator.trainable_variables)
    keras.random.uniform((1,))  # creates Keras' global SeedGenerator, whose state is saved too
    path = checkpoint.save(epoch=1, extra={"note": "after two steps", "loss": np.float32(0.5)})
    python_next, numpy_next = random.random(), np.random.random()
    keras_next = keras.random.uniform((3,)).numpy()

    _train_steps(model, 3)
    changed = [k for k, v in _snapshot(model.objects()).items() if not np.array_equal(v, saved[k])]
    assert any("seed_generator_state" in k for k in changed) and any("velocity" in k for k in changed)
    assert iterations_key in changed

    state = checkpoint.restore()
    assert state["path"] == path and state["epoch"] == 1 and state["step"] == 2
    assert state["extra"] == {"note": "after two steps", "loss": 0.5}
    _assert_same_values(saved, model.objects())
    assert (random.random(), np.random.random()) == (python_next, numpy_next)
    np.testing.assert_array_equal(keras.random.uniform((3,)).numpy(), keras_next)


def test_restore_into_a_model_rebuilt_in_the_same_process(tmp_path):
    model = TinyPix2Pix()
    _train_steps(model, 1)
    saved = _snapshot(model.objects())
    TrainingCheckpoint(tmp_path, model.objects()).save(epoch=3)
    rebuilt = TinyPix2Pix()  # same architecture; Keras gives its layers "_N" suffixed names
    assert model.generator.variables[0].path != rebuilt.generator.variables[0].path
    state = TrainingCheckpoint(tmp_path, rebuilt.objects()).restore()
    assert state["epoch"] == 3
    _assert_same_values(saved, rebuilt.objects())
    np.testing.assert_array_equal(rebuilt(tf.ones((1, 16, 16, 3))), model(tf.ones((1, 16, 16, 3))))


def test_restore_a_subset_for_inference(tmp_path):
    model = TinyPix2Pix()
    _train_steps(model, 1)
    TrainingCheckpoint(tmp_path, model.objects()).save(epoch=1)
    generator = _generator()
    TrainingCheckpoint(tmp_path, {"generator": generator}).restore(restore_rng=False)
    np.testing.assert_array_equal(generator(tf.ones((1, 16, 16, 3))), model(tf.ones((1, 16, 16, 3))))


def test_no_checkpoint_gives_none(tmp_path):
    checkpoint = TrainingCheckpoint(tmp_path / "empty", TinyPix2Pix().objects())
    assert checkpoint.latest_path() is None and checkpoint.restore() is None


def test_crash_before_rename_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    model = TinyPix2Pix()
    checkpoint = TrainingCheckpoint(tmp_path, model.objects())
    first = checkpoint.save(epoch=1)
    saved = _snapshot(model.objects())
    _train_steps(model, 2)
    real_replace = os.replace

    def crash_on_publish(source, destination):
        if os.path.basename(source).startswith(".tmp-ckpt-"):
            raise OSError("simulated power cut")
        real_replace(source, destination)

    monkeypatch.setattr(checkpoint_module.os, "replace", crash_on_publish)
    with pytest.raises(OSError, match="power cut"):
        checkpoint.save(epoch=2)
    monkeypatch.undo()
    leftovers = [e for e in os.listdir(tmp_path) if e.startswith(".tmp-")]
    assert leftovers and os.path.isfile(tmp_path / leftovers[0] / "variables.npz")
    assert checkpoint.latest_path() == first and checkpoint.checkpoints() == [first]
    assert checkpoint.restore()["epoch"] == 1
    _assert_same_values(saved, model.objects())
    checkpoint.save(epoch=2)
    assert not [e for e in os.listdir(tmp_path) if e.startswith(".tmp-")]


def test_half_written_folder_and_broken_pointer_are_ignored(tmp_path):
    model = TinyPix2Pix()
    checkpoint = TrainingCheckpoint(tmp_path, model.objects())
    second = checkpoint.save(epoch=2)
    os.makedirs(tmp_path / "ckpt-000009")
    (tmp_path / "ckpt-000009" / "variables.npz").write_bytes(b"truncated")  # no state.json
    assert checkpoint.latest_path() == second
    (tmp_path / "latest").write_text(json.dumps({"checkpoint": "ckpt-000009"}))
    assert checkpoint.latest_path() == second
    (tmp_path / "latest").write_text("{not json")
    assert checkpoint.restore()["epoch"] == 2


def test_max_to_keep_and_saving_an_epoch_twice(tmp_path):
    model = TinyPix2Pix()
    checkpoint = TrainingCheckpoint(tmp_path, model.objects(), max_to_keep=2)
    for epoch in range(1, 5):
        _train_steps(model, 1)
        checkpoint.save(epoch=epoch)
    assert sorted(e for e in os.listdir(tmp_path)) == ["ckpt-000003", "ckpt-000004", "latest"]
    assert json.loads((tmp_path / "latest").read_text()) == {"checkpoint": "ckpt-000004"}
    _train_steps(model, 1)
    checkpoint.save(epoch=4)
    assert checkpoint.restore()["step"] == 5
    assert sorted(os.listdir(tmp_path)) == ["ckpt-000003", "ckpt-000004", "latest"]


def test_shape_mismatch_names_the_file_and_variable(tmp_path):
    TrainingCheckpoint(tmp_path, TinyPix2Pix(generator_filters=4).objects()).save(epoch=1)
    wider = TinyPix2Pix(generator_filters=8)
    before = _snapshot(wider.objects())
    with pytest.raises(CheckpointMismatchError, match=r"variables\.npz.*generator/0000/conv2d(_\d+)?/kernel"):
        TrainingCheckpoint(tmp_path, wider.objects()).restore()
    _assert_same_values(before, wider.objects())  # checked before anything was assigned


def test_path_mismatch_names_the_variable(tmp_path):
    def named_model(layer_name):
        inputs = keras.Input((4,))
        return keras.Model(inputs, layers.Dense(2, name=layer_name)(inputs))

    TrainingCheckpoint(tmp_path, {"net": named_model("encoder")}).save(epoch=1)
    with pytest.raises(CheckpointMismatchError, match="'encoder/kernel'.*'decoder/kernel'"):
        TrainingCheckpoint(tmp_path, {"net": named_model("decoder")}).restore()


def test_unbuilt_optimizer_gets_a_hint(tmp_path):
    model = TinyPix2Pix()
    TrainingCheckpoint(tmp_path, model.objects()).save(epoch=1)
    objects = {**model.objects(), "g_optimizer": keras.optimizers.Adam(1e-2)}
    with pytest.raises(CheckpointMismatchError, match="g_optimizer.*optimizer.build"):
        TrainingCheckpoint(tmp_path, objects).restore()


def test_bad_arguments_raise(tmp_path):
    with pytest.raises(ValueError, match="objects"):
        TrainingCheckpoint(tmp_path, {})
    with pytest.raises(ValueError, match="no .variables"):
        TrainingCheckpoint(tmp_path, {"generator": object()})
    checkpoint = TrainingCheckpoint(tmp_path, {"generator": _generator()})
    with pytest.raises(ValueError, match="JSON"):
        checkpoint.save(epoch=1, extra={"callback": object()})
    with pytest.raises(ValueError, match="epoch"):
        checkpoint.save(epoch=-1)
    assert checkpoint.latest_path() is None
