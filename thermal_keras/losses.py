"""Adversarial losses for the discriminator and the generator side.

Discriminator outputs are raw logits of any shape (e.g. ``(batch, 30, 30, 1)`` PatchGAN maps);
every loss is the mean over all of them, computed in float32 whatever the input dtype, and returned
as a float32 scalar tensor.

Modes:

- "lsgan" (LSGAN, the pix2pix/CycleGAN default): D: ``mean((real - 1)^2)`` and ``mean(fake^2)``;
  G: ``mean((fake - 1)^2)``.
- "vanilla" (the original GAN, binary cross-entropy on logits): D: ``BCE(1, real)`` and
  ``BCE(0, fake)``; G: ``BCE(1, fake)`` (the non-saturating form).
- "hinge": D: ``mean(relu(1 - real))`` and ``mean(relu(1 + fake))``; G: ``-mean(fake)``.

The discriminator loss is the *average* of its real and fake terms: pix2pix and CycleGAN halve D's
objective to slow D down relative to G, and that halving is kept here for every mode.
"""

from typing import Callable, NamedTuple

from keras import ops

GAN_MODES = ("lsgan", "vanilla", "hinge")


def check_gan_mode(mode):
    """Return ``mode`` if it is one of :data:`GAN_MODES`, else raise ``ValueError``."""
    if mode not in GAN_MODES:
        raise ValueError(f"gan_mode must be one of {GAN_MODES}, got {mode!r}")
    return mode


def _f32(logits):
    return ops.cast(logits, "float32")


def _real_term(real_logits, mode):
    if mode == "lsgan":
        return ops.mean(ops.square(real_logits - 1.0))
    if mode == "vanilla":
        return ops.mean(ops.softplus(-real_logits))  # BCE(1, sigmoid(x)) = softplus(-x), stable
    return ops.mean(ops.relu(1.0 - real_logits))


def _fake_term(fake_logits, mode):
    if mode == "lsgan":
        return ops.mean(ops.square(fake_logits))
    if mode == "vanilla":
        return ops.mean(ops.softplus(fake_logits))  # BCE(0, sigmoid(x)) = softplus(x)
    return ops.mean(ops.relu(1.0 + fake_logits))


def discriminator_loss(real_logits, fake_logits, mode="lsgan"):
    """D's loss: the mean of its real term (on real pairs) and its fake term (on generated pairs).

    Args:
        real_logits, fake_logits: D outputs of any (possibly different) shapes, any float dtype.
        mode: "lsgan", "vanilla" or "hinge".

    Returns:
        float32 scalar tensor (>= 0 for every mode).
    """
    mode = check_gan_mode(mode)
    real_term = _real_term(_f32(real_logits), mode)
    fake_term = _fake_term(_f32(fake_logits), mode)
    return 0.5 * (real_term + fake_term)


def generator_gan_loss(fake_logits, mode="lsgan"):
    """G's adversarial loss: how far D is from calling the generated pairs real.

    Returns a float32 scalar tensor (negative values are possible in "hinge" mode).
    """
    mode = check_gan_mode(mode)
    fake_logits = _f32(fake_logits)
    if mode == "hinge":
        return -ops.mean(fake_logits)
    return _real_term(fake_logits, mode)


class GANLoss(NamedTuple):
    """A GAN mode's two loss functions: ``discriminator(real, fake)`` and ``generator(fake)``."""

    mode: str
    discriminator: Callable
    generator: Callable


def gan_loss(mode="lsgan"):
    """The :class:`GANLoss` pair for ``mode`` ("lsgan", "vanilla" or "hinge")."""
    mode = check_gan_mode(mode)
    return GANLoss(
        mode=mode,
        discriminator=lambda real_logits, fake_logits: discriminator_loss(real_logits, fake_logits, mode),
        generator=lambda fake_logits: generator_gan_loss(fake_logits, mode),
    )


def l1_loss(target, prediction):
    """Mean absolute error over all elements, float32 scalar (pix2pix's reconstruction term)."""
    return ops.mean(ops.abs(_f32(target) - _f32(prediction)))
