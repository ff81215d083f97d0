"""GANModel: the base every family's model shares (checks, compile guard, checkpoint objects, config)."""

import keras
import numpy as np
import pytest

from thermal_keras.gan import GANModel, check_weight
from thermal_keras.models import SRGAN, CycleGAN, FusionGAN, Pix2Pix, build_discriminator, build_generator


def _pix2pix():
    generator = build_generator("unet", in_channels=3, out_channels=1, ngf=4, num_downs=5)
    discriminator = build_discriminator("n_layers", in_channels=4, ndf=4, n_layers=1)
    return Pix2Pix(generator, discriminator)


def test_every_family_is_a_gan_model():
    for cls in (Pix2Pix, CycleGAN, SRGAN, FusionGAN):
        assert issubclass(cls, GANModel)


def test_networks_must_be_keras_models():
    with pytest.raises(TypeError, match="discriminator must be a keras.Model"):
        Pix2Pix(build_generator("unet", ngf=4, num_downs=5), "patchgan")


def test_compile_guard_and_distinct_optimizers():
    model = _pix2pix()
    with pytest.raises(ValueError, match="does not take"):
        model.compile(loss="mse")
    optimizer = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        model.compile(g_optimizer=optimizer, d_optimizer=optimizer)
    with pytest.raises(RuntimeError, match="compiled"):
        model.train_step((np.zeros((1, 32, 32, 3), "float32"), np.zeros((1, 32, 32, 1), "float32")))
    model.compile()
    assert set(model.checkpoint_objects()) == {"generator", "discriminator", "g_optimizer", "d_optimizer"}
    assert model.g_optimizer.built and model.d_optimizer.built


def test_weights_are_checked():
    assert check_weight(3, "w") == 3.0
    for bad in (-1, float("nan"), True, "1"):
        with pytest.raises(ValueError, match="w must be a number"):
            check_weight(bad, "w")


def test_config_round_trip_rebuilds_the_networks():
    model = _pix2pix()
    clone = Pix2Pix.from_config(model.get_config())
    x = np.random.default_rng(0).uniform(-1, 1, (1, 32, 32, 3)).astype("float32")
    clone.generator.set_weights(model.generator.get_weights())
    assert np.allclose(clone(x), model(x), atol=1e-6)
