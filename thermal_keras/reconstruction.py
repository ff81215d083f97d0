"""Reconstruction losses of a generated image against its target, beside the adversarial term.

pix2pix trains with ``lambda_l1 * L1`` only; on real camera frames other terms matter
(docs/real_data.md measures them):

- ``l2``: the mean squared error, the loss whose minimum is the best PSNR (the conditional mean;
  L1's is the median).
- :func:`ssim_loss`: ``1 - SSIM`` (Wang et al. 2004, ``tf.image.ssim``, 11x11 Gaussian window) on
  images shifted to ``[0, 1]``: structure and contrast, as InfraGAN adds.
- :func:`gradient_loss`: L1 between the Sobel gradients (``tf.image.sobel_edges``) of the two
  images: sharp edges instead of the blur an L1-trained generator falls back to.
- :func:`level_free_l1`: L1 between the two images after each is standardised by its own mean and
  standard deviation. An 8-bit thermal camera frame is stretched per frame by automatic gain control
  (AGC), so a frame's level and gain follow its content, not the scene's temperature; this term
  ignores them (a prediction ``a * target + b`` with ``a > 0`` scores 0) and
  :func:`level_loss` adds back a term for the mean and the spread alone.

Inputs are ``(N, H, W, C)`` float tensors in ``[-1, 1]``; every loss is a float32 scalar, zero for a
perfect prediction and growing with the error.
"""

from __future__ import annotations

from dataclasses import dataclass

import tensorflow as tf
from keras import ops

# Below this per-frame standard deviation ([-1, 1] units; about a quarter of an 8-bit level) a frame
# counts as flat: standardising would blow its noise up.
_FLAT_STD = 2e-3


def _f32(x):
    return ops.cast(x, "float32")


def ssim_loss(target, prediction):
    """``1 - SSIM`` averaged over the batch, images mapped to ``[0, 1]`` (``max_val=1``)."""
    target, prediction = (_f32(target) + 1.0) * 0.5, (_f32(prediction) + 1.0) * 0.5
    return 1.0 - ops.mean(tf.image.ssim(target, prediction, max_val=1.0))


def gradient_loss(target, prediction):
    """Mean absolute difference of the Sobel x and y gradients (``[-1, 1]`` units per pixel)."""
    edges = tf.image.sobel_edges(_f32(target)) - tf.image.sobel_edges(_f32(prediction))
    return ops.mean(ops.abs(edges))


def _moments(x):
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    std = ops.sqrt(ops.mean(ops.square(x - mean), axis=(1, 2, 3), keepdims=True) + 1e-8)
    return mean, std


def level_free_l1(target, prediction):
    """L1 between per-frame standardised images: ``|(p - mean_p)/std_p - (t - mean_t)/std_t|``.

    Invariant to a per-frame gain ``a > 0`` and offset ``b`` of either image. A flat frame
    (standard deviation below ``_FLAT_STD``) is only centred, not divided.
    """
    target, prediction = _f32(target), _f32(prediction)
    t_mean, t_std = _moments(target)
    p_mean, p_std = _moments(prediction)
    t_norm = (target - t_mean) / ops.maximum(t_std, _FLAT_STD)
    p_norm = (prediction - p_mean) / ops.maximum(p_std, _FLAT_STD)
    return ops.mean(ops.abs(t_norm - p_norm))


def level_loss(target, prediction):
    """Per-frame ``|mean_p - mean_t| + |std_p - std_t|``, averaged over the batch."""
    t_mean, t_std = _moments(_f32(target))
    p_mean, p_std = _moments(_f32(prediction))
    return ops.mean(ops.abs(t_mean - p_mean) + ops.abs(t_std - p_std))


@dataclass(frozen=True)
class ReconstructionWeights:
    """Weights of the reconstruction terms (each ``>= 0``; 0 leaves a term out).

    ``l1``: plain L1, or with ``level_free`` the level-free L1 (:func:`level_free_l1`) plus
    ``level`` times :func:`level_loss`; ``l2`` weights the mean squared error; ``ssim`` and
    ``gradient`` weight :func:`ssim_loss` and :func:`gradient_loss`.
    """

    l1: float = 100.0
    l2: float = 0.0
    ssim: float = 0.0
    gradient: float = 0.0
    level_free: bool = False
    level: float = 0.0

    def terms(self, target, prediction) -> dict:
        """The named weighted terms in use (``l1`` always present), each a float32 scalar."""
        if self.level_free:
            terms = {"l1": self.l1 * level_free_l1(target, prediction)}
            if self.level:
                terms["level"] = self.level * level_loss(target, prediction)
        else:
            terms = {"l1": self.l1 * ops.mean(ops.abs(_f32(target) - _f32(prediction)))}
        if self.l2:
            terms["l2"] = self.l2 * ops.mean(ops.square(_f32(target) - _f32(prediction)))
        if self.ssim:
            terms["ssim"] = self.ssim * ssim_loss(target, prediction)
        if self.gradient:
            terms["gradient"] = self.gradient * gradient_loss(target, prediction)
        return terms

    def total(self, target, prediction):
        """The sum of :meth:`terms`: a float32 scalar."""
        return sum(self.terms(target, prediction).values())
