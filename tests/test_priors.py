"""MeanFramePrior: a generator's output as a correction to the mean training frame."""

import keras
import numpy as np
import pytest

from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.pix2pix.train import build_pix2pix
from thermal_keras.priors import MeanFramePrior
from thermal_keras.training.run import init_generator

FRAME = np.linspace(-0.8, 0.6, 16 * 16, dtype=np.float32).reshape(16, 16, 1)  # dark top, bright bottom


def test_zero_correction_gives_the_mean_frame_at_any_size():
    prior = MeanFramePrior(FRAME)
    np.testing.assert_allclose(prior(np.zeros((2, 16, 16, 1), np.float32)), np.stack([FRAME] * 2), atol=1e-6)
    wide = np.asarray(prior(np.zeros((1, 16, 32, 1), np.float32)))
    assert wide.shape == (1, 16, 32, 1)
    assert wide[0, 0].mean() < wide[0, -1].mean()  # resized, still dark at the top
    assert float(np.asarray(prior(np.ones((1, 16, 16, 1), np.float32))).max()) == 1.0  # clipped to [-1, 1]
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        MeanFramePrior(FRAME * 3)


def test_a_generator_with_the_prior_saves_loads_and_fine_tunes_from_one_without(tmp_path):
    config = Pix2PixConfig(generator="unet", num_downs=5, ngf=4, ndf=4, image_size=32, mean_prior=True)
    generator = build_pix2pix(config, 3, 1, FRAME).generator
    assert generator.layers[-1].name == "mean_frame_prior"
    rgb = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype(np.float32)
    generator.save(tmp_path / "g.keras")
    loaded = keras.models.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(loaded(rgb), generator(rgb), atol=1e-6)
    plain = build_pix2pix(Pix2PixConfig(generator="unet", num_downs=5, ngf=4, ndf=4, image_size=32), 3, 1).generator
    plain.save(tmp_path / "plain.keras")
    init_generator(generator, str(tmp_path / "plain.keras"))  # the U-Net's weights, the run's own mean frame
    prior = np.asarray(generator.layers[-1](np.zeros((1, 32, 32, 1), np.float32)))  # the frame at 32 x 32
    np.testing.assert_allclose(generator(rgb), np.clip(plain(rgb) + prior, -1, 1), atol=1e-5)
    with pytest.raises(ValueError, match="mean_prior"):
        build_pix2pix(config, 3, 1)
