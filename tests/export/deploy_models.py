"""Tiny generators of every family with weights spread out enough that outputs use their range.

Freshly initialised generators (``normal(0, 0.02)`` kernels, identity batch norm) give outputs within
a few thousandths of zero, where any parity check passes; these draw kernels at ``1/sqrt(fan_in)``,
batch-norm statistics and PReLU slopes at random, seeded, so an export that gets a layer wrong shows.
"""

from __future__ import annotations

import math

import numpy as np

# name -> (build_generator arguments, input shape of the fixed test input, range of that input)
TINY = {
    "pix2pix_unet": (("unet",), {"in_channels": 3, "out_channels": 1, "ngf": 8, "num_downs": 5}, (2, 32, 32, 3)),
    "cyclegan_resnet": (("resnet",), {"in_channels": 3, "out_channels": 1, "ngf": 8, "n_blocks": 2}, (2, 32, 32, 3)),
    "swift_srgan_4x": (("swift_srgan",), {"scale": 4, "channels": 1, "num_channels": 8, "num_blocks": 2,
                                          "bicubic_residual": True}, (2, 12, 12, 1)),
    "srgan_2x": (("srgan",), {"scale": 2, "channels": 3, "num_channels": 8, "num_blocks": 1}, (2, 12, 12, 3)),
    "fusiongan": (("fusiongan",), {"filters": (16, 16, 8, 8)}, (2, 24, 24, 2)),
}


def spread_weights(model, seed: int = 0):
    """Redraw every weight of ``model`` in place (seeded); returns the model."""
    rng = np.random.default_rng(seed)
    for weight in model.weights:
        path, shape = weight.path, tuple(weight.shape)
        if "moving_variance" in path:
            value = rng.uniform(0.5, 1.5, shape)
        elif "moving_mean" in path or "beta" in path or "bias" in path:
            value = rng.normal(0.0, 0.1, shape)
        elif "gamma" in path:
            value = rng.uniform(0.8, 1.2, shape)
        elif "alpha" in path:
            value = rng.uniform(0.1, 0.3, shape)
        else:  # kernels: (kh, kw, in, out), depthwise (kh, kw, in, 1)
            fan_in = math.prod(shape[:2]) if "depthwise" in path else math.prod(shape[:-1])
            value = rng.normal(0.0, 1.0 / math.sqrt(fan_in), shape)
        weight.assign(value.astype(np.float32))
    return model


def tiny_generator(name: str, seed: int = 0):
    """``(model, input)``: the tiny ``name`` generator with spread weights and its fixed float32 input
    (``[-1, 1]`` for translators and fusion, ``[0, 1]`` for super-resolution)."""
    from thermal_keras.models import build_generator

    args, kwargs, shape = TINY[name]
    model = spread_weights(build_generator(*args, **kwargs), seed)
    rng = np.random.default_rng(seed + 1)
    low = 0.0 if "srgan" in name else -1.0
    return model, rng.uniform(low, 1.0, shape).astype(np.float32)
