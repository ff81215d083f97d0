"""The translators' Adam (pix2pix's ``2e-4``, ``beta_1=0.5``) and their per-image L1, PSNR and SSIM
of ``[-1, 1]`` images, shared by pix2pix and CycleGAN."""

from __future__ import annotations

import tensorflow as tf
from keras import ops

from thermal_keras.training.optimizers import FusedAdam


def default_gan_optimizer(name):
    """The pix2pix optimizer: ``Adam(learning_rate=2e-4, beta_1=0.5)`` (as :class:`FusedAdam`)."""
    return FusedAdam(learning_rate=2e-4, beta_1=0.5, name=name)


def image_stats(fake_b, target_b):
    """Per-image L1, PSNR and SSIM of [-1, 1] images, each shape (N,), float32.

    PSNR and SSIM are computed after shifting to [0, 1] (max_val 1), i.e. as on the 8-bit images.
    PSNR is the same on the raw [-1, 1] values with max_val 2; SSIM is not: its luminance term is
    not shift-invariant, and zero-centred means make it unstable.
    """
    fake_b, target_b = ops.cast(fake_b, "float32"), ops.cast(target_b, "float32")
    l1 = ops.mean(ops.abs(fake_b - target_b), axis=(1, 2, 3))
    fake_01, target_01 = (fake_b + 1.0) * 0.5, (target_b + 1.0) * 0.5
    psnr = tf.image.psnr(fake_01, target_01, max_val=1.0)
    ssim = tf.image.ssim(fake_01, target_01, max_val=1.0)
    return l1, psnr, ssim
