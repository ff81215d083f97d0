"""GAN losses against values computed by hand in NumPy."""

import numpy as np
import pytest

from thermal_keras.losses import (
    GAN_MODES,
    discriminator_loss,
    gan_loss,
    generator_gan_loss,
    l1_loss,
)

REAL = np.array([[[[2.0], [0.5]], [[-1.0], [1.0]]]], dtype="float32")  # (1, 2, 2, 1) logits
FAKE = np.array([[[[-3.0], [0.0]], [[0.25], [4.0]]]], dtype="float32")


def _bce_with_logits(target, logits):
    probability = 1.0 / (1.0 + np.exp(-logits.astype("float64")))
    return -(target * np.log(probability) + (1 - target) * np.log(1 - probability)).mean()


EXPECTED_D = {
    "lsgan": 0.5 * (((REAL - 1.0) ** 2).mean() + (FAKE**2).mean()),
    "vanilla": 0.5 * (_bce_with_logits(1, REAL) + _bce_with_logits(0, FAKE)),
    "hinge": 0.5 * (np.maximum(0, 1 - REAL).mean() + np.maximum(0, 1 + FAKE).mean()),
}
EXPECTED_G = {
    "lsgan": ((FAKE - 1.0) ** 2).mean(),
    "vanilla": _bce_with_logits(1, FAKE),
    "hinge": -FAKE.mean(),
}


@pytest.mark.parametrize("mode", GAN_MODES)
def test_losses_match_hand_computed_values(mode):
    d_loss = discriminator_loss(REAL, FAKE, mode)
    g_loss = generator_gan_loss(FAKE, mode)
    assert d_loss.dtype == "float32" and g_loss.dtype == "float32"
    assert tuple(d_loss.shape) == () and tuple(g_loss.shape) == ()
    assert float(d_loss) == pytest.approx(EXPECTED_D[mode], rel=1e-5)
    assert float(g_loss) == pytest.approx(EXPECTED_G[mode], rel=1e-5)


@pytest.mark.parametrize("mode", GAN_MODES)
def test_gan_loss_pair_matches_the_functions(mode):
    pair = gan_loss(mode)
    assert pair.mode == mode
    assert float(pair.discriminator(REAL, FAKE)) == pytest.approx(float(discriminator_loss(REAL, FAKE, mode)))
    assert float(pair.generator(FAKE)) == pytest.approx(float(generator_gan_loss(FAKE, mode)))


def test_float16_logits_are_scored_in_float32():
    real16, fake16 = REAL.astype("float16") * 200, FAKE.astype("float16") * 200
    loss = discriminator_loss(real16, fake16, "lsgan")
    assert loss.dtype == "float32"
    # (200 * 4 - 1)^2 overflows float16 (max 65504); float32 keeps it
    expected = 0.5 * (((REAL * 200 - 1.0) ** 2).mean() + ((FAKE * 200) ** 2).mean())
    assert np.isfinite(float(loss)) and float(loss) == pytest.approx(expected, rel=1e-4)


def test_vanilla_is_stable_for_confident_logits():
    confident = np.array([100.0, -100.0], dtype="float32")
    d_loss = float(discriminator_loss(confident, -confident, "vanilla"))
    g_loss = float(generator_gan_loss(-confident, "vanilla"))
    assert np.isfinite(d_loss) and np.isfinite(g_loss)
    assert d_loss == pytest.approx(0.5 * (50.0 + 50.0), rel=1e-5)  # one wrong logit in two per side
    assert g_loss == pytest.approx(50.0, rel=1e-5)


def test_real_and_fake_maps_may_differ_in_shape():
    loss = discriminator_loss(REAL, FAKE[:, :1], "lsgan")
    expected = 0.5 * (((REAL - 1.0) ** 2).mean() + (FAKE[:, :1] ** 2).mean())
    assert float(loss) == pytest.approx(expected, rel=1e-6)


def test_l1_loss_is_the_mean_absolute_difference():
    target = np.linspace(-1, 1, 12, dtype="float32").reshape(1, 2, 2, 3)
    prediction = np.flip(target) * 0.5
    assert float(l1_loss(target, prediction)) == pytest.approx(np.abs(target - prediction).mean(), rel=1e-6)


def test_unknown_mode_is_rejected():
    for call in (lambda: gan_loss("wgan"), lambda: discriminator_loss(REAL, FAKE, "wgan")):
        with pytest.raises(ValueError, match="gan_mode must be one of"):
            call()
