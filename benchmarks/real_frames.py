"""Real RoadScene frames for the real-data benchmark: decoded once, shared by every contender.

Protocol (``real_rgb2thermal.py``): every frame is resized so its shorter side is 256 (bicubic,
antialiased), held-out frames are scored on their centre 256² crop, and training draws random 256²
crops with random horizontal flips from the resized training frames. The crop sequence is drawn once
from a seed and saved as uint8 arrays, so our models and the PyTorch reference train on exactly the
same crops in the same order. Scores are on 8-bit levels: a prediction is rounded to 0..255 first,
as a saved image would be. Not part of the package.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SIDE = 256


def load_frames(files, side: int = SIDE) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each pair decoded (as training decodes it) and resized to shorter side ``side``: lists of uint8
    ``(H, W, 3)`` RGB and ``(H, W, 1)`` infrared with ``min(H, W) == side``."""
    import tensorflow as tf

    from thermal_keras.data.pipeline import decode_values_now

    rgbs, irs = [], []
    for a_path, b_path in zip(files.a_paths, files.b_paths):
        rgb, ir = decode_values_now(a_path, files.a_spec), decode_values_now(b_path, files.b_spec)
        if rgb.shape[:2] != ir.shape[:2]:
            raise SystemExit(f"{a_path} and {b_path}: the pair's sizes differ ({rgb.shape[:2]} vs {ir.shape[:2]})")
        h, w = rgb.shape[:2]
        scale = side / min(h, w)
        size = [max(side, round(h * scale)), max(side, round(w * scale))]
        for image, out in ((rgb, rgbs), (ir, irs)):
            resized = tf.image.resize(image, size, method="bicubic", antialias=True).numpy()
            out.append(np.clip(np.round(resized), 0, 255).astype(np.uint8))
    return rgbs, irs


def centre_crops(images: list[np.ndarray], side: int = SIDE) -> np.ndarray:
    """The centre ``side``² crop of each image, stacked: uint8 ``(N, side, side, C)``."""
    out = []
    for image in images:
        h, w = image.shape[:2]
        top, left = (h - side) // 2, (w - side) // 2
        out.append(image[top:top + side, left:left + side])
    return np.stack(out)


def crop_stream(rgbs, irs, steps: int, seed: int, side: int = SIDE) -> tuple[np.ndarray, np.ndarray]:
    """``steps`` random training crops (batch 1): uint8 ``(steps, side, side, 3)`` and ``(steps, side,
    side, 1)``. Frames in a fresh random order each epoch (one pass over the frames), a random
    offset and a random horizontal flip per crop, all from ``seed``."""
    rng = np.random.default_rng(seed)
    n = len(rgbs)
    rgb_out = np.empty((steps, side, side, 3), np.uint8)
    ir_out = np.empty((steps, side, side, 1), np.uint8)
    order = []
    for step in range(steps):
        if not order:
            order = list(rng.permutation(n))
        i = order.pop()
        h, w = rgbs[i].shape[:2]
        top, left = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
        rgb, ir = rgbs[i][top:top + side, left:left + side], irs[i][top:top + side, left:left + side]
        if rng.random() < 0.5:
            rgb, ir = rgb[:, ::-1], ir[:, ::-1]
        rgb_out[step], ir_out[step] = rgb, ir
    return rgb_out, ir_out


def to_levels(prediction: np.ndarray) -> np.ndarray:
    """``[-1, 1]`` float predictions -> uint8 levels, as a saved 8-bit image holds them."""
    return np.clip(np.round((np.asarray(prediction, np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def score(target_u8: np.ndarray, prediction_u8: np.ndarray) -> dict:
    """PSNR (dB), SSIM, UQI on ``[0, 1]`` and the mean absolute error in 8-bit levels, over the batch."""
    from thermal_keras.pix2pix.evaluate import image_metrics

    target = target_u8.astype(np.float32) / 255.0
    prediction = prediction_u8.astype(np.float32) / 255.0
    scores = {k: v for k, v in image_metrics(target, prediction).items() if k in ("psnr", "ssim", "uqi")}
    scores["mae_levels"] = float(np.mean(np.abs(target_u8.astype(np.float32) - prediction_u8.astype(np.float32))))
    return scores


def baselines(eval_rgb: np.ndarray, train_irs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Predictions that need no training, uint8 like the targets: the grey (BT.601 luma) of the RGB
    frame, its inverse (bright = cold), the mean training frame (centre crops) and constant 128."""
    from thermal_keras.io import LUMA_BT601

    grey = np.clip(np.round(eval_rgb.astype(np.float32) @ np.asarray(LUMA_BT601, np.float32)), 0, 255)
    grey = grey.astype(np.uint8)[..., None]
    mean_frame = centre_crops(train_irs).astype(np.float32).mean(axis=0)
    return {
        "grey of RGB": grey,
        "inverted grey": 255 - grey,
        "mean training frame": np.broadcast_to(np.round(mean_frame).astype(np.uint8), grey.shape),
        "constant 128": np.full_like(grey, 128),
    }


def save_arrays(folder: Path, **arrays) -> dict[str, str]:
    """Each array as ``folder/NAME.npy``; returns ``{name: path}`` for another process to read."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, array in arrays.items():
        paths[name] = str(folder / f"{name}.npy")
        np.save(paths[name], np.ascontiguousarray(array))
    return paths
