"""keep_aspect: wide camera frames keep their proportions (shorter side resized, square crops)."""

import numpy as np
import pytest
import tensorflow as tf
from image_files import save

from data_loaders.common import RGB_SPEC, PairedFiles, THERMAL_8BIT_SPEC
from thermal_keras.data import pipeline


def _wide_pair(tmp_path, h=20, w=40):
    """A horizontal ramp 0..w-1 (x 6 levels) in both images of one pair, h x w."""
    ramp = np.tile((np.arange(w) * 6).astype(np.uint8), (h, 1))
    save(tmp_path / "a.png", np.repeat(ramp[..., None], 3, -1))
    save(tmp_path / "b.png", ramp)
    return PairedFiles(a_paths=(str(tmp_path / "a.png"),), b_paths=(str(tmp_path / "b.png"),),
                       a_spec=RGB_SPEC, b_spec=THERMAL_8BIT_SPEC)


def test_eval_keeps_the_aspect_and_takes_the_centre_square(tmp_path):
    files = _wide_pair(tmp_path)
    _, b = next(iter(pipeline.eval_dataset(files, image_size=10, keep_aspect=True)))
    assert b.shape == (1, 10, 10, 1)
    # 20 x 40 -> 10 x 20, centre columns 5..14 of the half-size ramp: what resizing then cropping gives.
    expected = tf.image.resize(np.tile((np.arange(40) * 6.0), (20, 1))[..., None], [10, 20], "bicubic",
                               antialias=True).numpy()[:, 5:15]
    np.testing.assert_allclose((b.numpy()[0] + 1) * 127.5, np.clip(np.round(expected), 0, 255), atol=1e-3)
    _, squashed = next(iter(pipeline.eval_dataset(files, image_size=10)))
    assert float(np.ptp(squashed)) > float(np.ptp(b))  # squashing keeps the whole ramp, cropping its middle


def test_training_crops_come_from_the_proportional_frame(tmp_path):
    files = _wide_pair(tmp_path)
    data = pipeline.paired_dataset(files, batch_size=1, image_size=8, load_size=10, keep_aspect=True,
                                   flip=False, num_epochs=6)
    left_columns = {round(float((b.numpy()[0, 0, 0, 0] + 1) * 127.5)) for _, b in data}
    assert all(a.shape == (1, 8, 8, 3) for a, _ in data)
    assert len(left_columns) > 1  # a 10 x 20 frame leaves room for crops at several offsets
    with pytest.raises(ValueError, match="keep_aspect"):
        pipeline.paired_dataset(files, image_size=8, load_size=10, keep_aspect=True, cache=str(tmp_path / "c"))
