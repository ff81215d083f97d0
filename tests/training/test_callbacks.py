"""CheckpointCallback and SampleGridCallback inside real (tiny) model.fit runs."""

import io
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers
from PIL import Image

from thermal_keras import visualize
from thermal_keras.training import CheckpointCallback, SampleGridCallback, TrainingCheckpoint

SIZE = 16


def _data(count=8, seed=0):
    rng = np.random.default_rng(seed)
    rgb = rng.uniform(-1, 1, (count, SIZE, SIZE, 3)).astype(np.float32)
    return rgb, np.tanh(rgb.mean(axis=-1, keepdims=True) * 2).astype(np.float32)


def _translator():
    rgb = keras.Input((SIZE, SIZE, 3))
    x = layers.Conv2D(4, 3, padding="same", activation="relu")(rgb)
    return keras.Model(rgb, layers.Conv2D(1, 3, padding="same", activation="tanh")(x))


class TinyPix2Pix(keras.Model):
    """A Pix2Pix stand-in: call() returns the generated thermal; steps counted by g_optimizer."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.generator = _translator()
        self.g_optimizer = keras.optimizers.Adam(1e-2)
        self.g_optimizer.build(self.generator.trainable_variables)

    def call(self, rgb, training=False):
        return self.generator(rgb, training=training)

    def train_step(self, data):
        rgb, thermal = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(self.generator(rgb, training=True) - thermal))
        variables = self.generator.trainable_variables
        self.g_optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return {"g_l1": loss}


def _compiled_translator():
    model = _translator()
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mae")
    return model


def test_grids_are_written_at_the_right_steps_with_the_right_size(tmp_path):
    rgb, thermal = _data()
    model = _compiled_translator()
    callback = SampleGridCallback(rgb[:2], thermal[:2], tmp_path / "grids", every_n_steps=3)
    model.fit(rgb, thermal, batch_size=2, epochs=2, verbose=0, callbacks=[callback])  # 8 steps
    assert sorted(os.listdir(tmp_path / "grids")) == ["step_000003.png", "step_000006.png", "step_000008.png"]
    last = np.asarray(Image.open(tmp_path / "grids" / "step_000008.png"))
    assert last.shape == (2 * SIZE, 3 * SIZE, 3)
    expected = visualize.sample_grid(rgb[:2], thermal[:2], model(rgb[:2], training=False).numpy())
    np.testing.assert_array_equal(last, expected)
    first = np.asarray(Image.open(tmp_path / "grids" / "step_000003.png"))
    assert not np.array_equal(first[:, 2 * SIZE:], last[:, 2 * SIZE:])  # the generated column moved on


def test_global_step_comes_from_g_optimizer_and_survives_a_resume(tmp_path):
    rgb, thermal = _data()
    model = TinyPix2Pix()
    model.compile()
    model.g_optimizer.iterations.assign(10)  # as after restoring a checkpoint taken at step 10
    callback = SampleGridCallback(rgb[:1], thermal[:1], tmp_path, every_n_steps=4, cmap="ironbow")
    model.fit(rgb, thermal, batch_size=2, epochs=1, verbose=0, callbacks=[callback])  # steps 11..14
    assert sorted(os.listdir(tmp_path)) == ["step_000012.png", "step_000014.png"]
    assert np.asarray(Image.open(tmp_path / "step_000014.png")).shape == (SIZE, 3 * SIZE, 3)


def _image_summaries(log_dir):
    found = []
    for name in os.listdir(log_dir):
        for event in tf.compat.v1.train.summary_iterator(os.path.join(log_dir, name)):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "images":
                    width, height, png = value.tensor.string_val[:3]
                    image = np.asarray(Image.open(io.BytesIO(png)))
                    found.append((value.tag, event.step, int(width), int(height), image))
    return found


def test_tensorboard_event_file_holds_the_grid(tmp_path):
    rgb, thermal = _data()
    model = _compiled_translator()
    callback = SampleGridCallback(rgb[:2], thermal[:2], tmp_path / "grids", every_n_steps=4,
                                  log_dir=tmp_path / "logs")
    model.fit(rgb, thermal, batch_size=2, epochs=1, verbose=0, callbacks=[callback])
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "logs"))
    summaries = _image_summaries(tmp_path / "logs")
    assert [(tag, step) for tag, step, *_ in summaries] == [("samples", 4)]
    _, _, width, height, image = summaries[0]
    assert (height, width) == (2 * SIZE, 3 * SIZE)
    np.testing.assert_array_equal(image, np.asarray(Image.open(tmp_path / "grids" / "step_000004.png")))


def test_sample_grid_callback_rejects_bad_batches(tmp_path):
    rgb, thermal = _data(2)
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        SampleGridCallback(rgb * 255, thermal, tmp_path)
    with pytest.raises(ValueError, match="thermal"):
        SampleGridCallback(rgb, np.repeat(thermal, 3, axis=-1), tmp_path)
    with pytest.raises(ValueError, match="share"):
        SampleGridCallback(rgb, thermal[:1], tmp_path)
    with pytest.raises(ValueError, match="not-a-map"):
        SampleGridCallback(rgb, thermal, tmp_path, cmap="not-a-map")


def test_checkpoint_callback_saves_and_a_run_resumes(tmp_path):
    rgb, thermal = _data()
    model = _compiled_translator()
    checkpoint = TrainingCheckpoint(tmp_path, {"model": model, "optimizer": model.optimizer}, max_to_keep=5)
    callback = CheckpointCallback(checkpoint, every_n_epochs=2)
    history = model.fit(rgb, thermal, batch_size=2, epochs=3, verbose=0, callbacks=[callback])
    assert sorted(e for e in os.listdir(tmp_path) if e.startswith("ckpt")) == ["ckpt-000002", "ckpt-000003"]

    resumed = _compiled_translator()
    resumed.optimizer.build(resumed.trainable_variables)
    state = TrainingCheckpoint(tmp_path, {"model": resumed, "optimizer": resumed.optimizer}).restore()
    assert state["epoch"] == 3 and state["step"] == 12
    assert state["extra"]["logs"]["loss"] == pytest.approx(history.history["loss"][-1])
    np.testing.assert_array_equal(resumed.predict(rgb, verbose=0), model.predict(rgb, verbose=0))

    resumed_checkpoint = TrainingCheckpoint(tmp_path, {"model": resumed, "optimizer": resumed.optimizer})
    resumed.fit(rgb, thermal, batch_size=2, initial_epoch=state["epoch"], epochs=4, verbose=0,
                callbacks=[CheckpointCallback(resumed_checkpoint, every_n_epochs=2)])
    final = resumed_checkpoint.restore()
    assert final["epoch"] == 4 and final["step"] == 16 and int(resumed.optimizer.iterations) == 16
