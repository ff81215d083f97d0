"""Reconstruction losses: zero for a perfect prediction, growing with the error; the level-free L1
ignores a per-frame gain and offset; the Pix2Pix step adds the weighted terms."""

import keras
import numpy as np
import pytest

from thermal_keras.models import Pix2Pix, build_discriminator, build_generator
from thermal_keras.reconstruction import (
    ReconstructionWeights,
    gradient_loss,
    level_free_l1,
    level_loss,
    ssim_loss,
)

LOSSES = (ssim_loss, gradient_loss, level_free_l1)


def _frames(seed=0, n=2, size=32):
    """Smooth thermal-like frames in [-1, 1] with edges: (n, size, size, 1) float32."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size] / size
    frames = [np.tanh(rng.uniform(1, 3) * np.sin(6 * x + rng.uniform(0, 3)) * np.cos(4 * y)) * 0.8
              + 0.2 * (x > rng.uniform(0.3, 0.7)) for _ in range(n)]
    return np.clip(np.stack(frames)[..., None], -1, 1).astype("float32")


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
def test_zero_for_a_perfect_prediction_and_growing_with_the_error(loss):
    target = _frames()
    noise = np.random.default_rng(1).normal(size=target.shape).astype("float32")
    values = [float(loss(target, np.clip(target + scale * noise, -1, 1))) for scale in (0.0, 0.05, 0.2, 0.5)]
    assert values[0] == pytest.approx(0.0, abs=1e-5)
    assert values[0] < values[1] < values[2] < values[3]


def test_level_free_l1_ignores_a_global_gain_and_offset_and_level_loss_sees_them():
    target = _frames()
    shifted = 0.5 * target - 0.3  # gain 0.5, offset -0.3: the same frame under another AGC stretch
    assert float(level_free_l1(target, shifted)) == pytest.approx(0.0, abs=1e-5)
    assert float(level_free_l1(target, -target)) > 1.0  # an inverted frame is not the same structure
    mean_diff = np.abs(target.mean(axis=(1, 2, 3)) - shifted.mean(axis=(1, 2, 3)))
    std_diff = np.abs(target.std(axis=(1, 2, 3)) - shifted.std(axis=(1, 2, 3)))
    assert float(level_loss(target, shifted)) == pytest.approx(float(np.mean(mean_diff + std_diff)), rel=1e-4)


def test_level_free_l1_of_flat_frames_stays_finite():
    flat = np.zeros((1, 16, 16, 1), "float32")
    assert np.isfinite(float(level_free_l1(flat, flat + 0.001)))
    assert float(level_free_l1(flat, flat)) == 0.0


def test_weights_sum_the_terms_they_name():
    target, prediction = _frames(0), _frames(1)
    weights = ReconstructionWeights(l1=2.0, ssim=3.0, gradient=4.0)
    terms = weights.terms(target, prediction)
    assert set(terms) == {"l1", "ssim", "gradient"}
    assert float(terms["ssim"]) == pytest.approx(3.0 * float(ssim_loss(target, prediction)), rel=1e-5)
    assert float(terms["l1"]) == pytest.approx(2.0 * np.abs(target - prediction).mean(), rel=1e-5)
    assert float(weights.total(target, prediction)) == pytest.approx(sum(float(v) for v in terms.values()), rel=1e-5)
    level = ReconstructionWeights(l1=1.0, level_free=True, level=5.0).terms(target, prediction)
    assert set(level) == {"l1", "level"}


def test_pix2pix_step_adds_the_weighted_terms_and_they_survive_a_reload(tmp_path):
    generator = build_generator("unet", in_channels=3, out_channels=1, ngf=4, num_downs=5)
    model = Pix2Pix(generator, build_discriminator("basic", in_channels=4, ndf=4))
    model.compile(lambda_l1=10.0, lambda_gan=0.5, lambda_ssim=7.0, lambda_grad=3.0, run_eagerly=True)
    rgb = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    logs = model.train_on_batch(rgb, _frames(), return_dict=True)
    assert logs["g_loss"] == pytest.approx(0.5 * logs["g_gan"] + logs["g_rec"], rel=1e-5)
    assert logs["g_rec"] > 10.0 * logs["g_l1"]  # the SSIM and gradient terms are in it
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.compile_settings == model.compile_settings
    assert loaded.reconstruction == model.reconstruction and loaded.lambda_gan == 0.5
    with pytest.raises(ValueError, match="lambda_ssim"):
        model.compile(lambda_ssim=-1.0)
