"""Fusing whole images with FusionGAN, STDFusionNet or a classical baseline, and the table of fusion metrics.

``fuse_pair`` fuses full-size images with a generator or a baseline (average, Laplacian pyramid);
``fusion_table`` scores fusion methods on pairs with every :mod:`thermal_keras.metrics.fusion`
metric. All images on 0..255.
"""

from __future__ import annotations

import numpy as np

from thermal_keras.fusion.baselines import BASELINES, colour_from_visible, rgb_to_ycbcr


def generator_fuser(generator):
    """``fuse(ir, visible_y) -> fused`` (all ``(H, W)`` on 0..255) running ``generator`` on the whole
    image (fully convolutional, any size)."""
    def fuse(ir, visible_y):
        pair = np.stack([ir, visible_y], axis=-1)[None].astype(np.float32) / 127.5 - 1.0
        fused = np.asarray(generator(pair, training=False), np.float64)[0, ..., 0]
        return np.clip((fused + 1.0) * 127.5, 0.0, 255.0)
    return fuse


def fusers(generator=None, name: str = "fusiongan") -> dict:
    """The baselines (``average``, ``pyramid``) and, with a generator, ``name`` (``fusiongan``, or
    ``stdfusionnet`` for an STDFusionNet generator: the same contract); 0..255 in and out."""
    table = dict(BASELINES)
    if generator is not None:
        table[name] = generator_fuser(generator)
    return table


def fuse_pair(fuse, ir, visible_rgb, colour: bool = True):
    """Fuse grey ``ir`` with ``visible_rgb`` (0..255); uint8 RGB with the visible chroma, or grey."""
    visible_y = rgb_to_ycbcr(visible_rgb)[..., 0]
    fused = np.clip(fuse(ir, visible_y), 0.0, 255.0)
    return colour_from_visible(fused, visible_rgb) if colour else np.rint(fused).astype(np.uint8)


def fusion_table(files, methods: dict, max_side: int | None = 320) -> dict:
    """Mean of every fusion metric per method over the pairs of ``files`` (A visible, B infrared).

    Metrics on 0..255 grey, against the infrared image and the visible luma, fused outputs rounded to
    8 bits as a saved file would be. Returns ``{"n_images": N, "size": (H, W) of the last pair,
    method: {"EN": ..., ...}}``.
    """
    from thermal_keras.fusion.data import read_pair

    pairs = (read_pair(visible_path, ir_path, max_side) for visible_path, ir_path in zip(files.a_paths, files.b_paths))
    return fusion_table_of_pairs(pairs, methods, n=len(files))


def fusion_table_of_pairs(pairs, methods: dict, n: int) -> dict:
    """:func:`fusion_table` of ``n`` pairs given as arrays: an iterable of ``(ir (H, W), visible_rgb
    (H, W, 3))`` on 0..255."""
    from thermal_keras.metrics import fusion

    sums = {name: {} for name in methods}
    for ir, visible_rgb in pairs:
        visible_y = rgb_to_ycbcr(visible_rgb)[..., 0]
        for name, fuse in methods.items():
            fused = np.rint(np.clip(fuse(ir, visible_y), 0.0, 255.0))
            for metric, value in fusion.all_metrics(fused, ir, visible_y).items():
                sums[name][metric] = sums[name].get(metric, 0.0) + value
    table = {name: {m: v / n for m, v in values.items()} for name, values in sums.items()}
    return {"n_images": n, "size": list(ir.shape), **table}


def format_fusion_table(table: dict) -> str:
    """Fixed-width text of a :func:`fusion_table` result, one row per method."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    methods = [k for k in table if k not in ("n_images", "size")]
    width = max([11, *(len(name) + 1 for name in methods)])
    lines = [f"{'':{width}}" + "".join(f"{m:>8}" for m in METRIC_NAMES)]
    lines += [f"{name:{width}}" + "".join(f"{table[name][m]:8.3f}" for m in METRIC_NAMES) for name in methods]
    return "\n".join(lines)
