"""Score a generator on held-out pairs against two baselines that need no training.

* ``grey``: the luma of the RGB input (ITU-R BT.601) used as the thermal image — what you get by
  assuming bright means hot;
* ``mean``: the mean training thermal image, the best constant prediction in the L2 sense.

Images are compared on the ``[0, 1]`` scale (``(x + 1) / 2``): MSE, RMSE, PSNR and SSIM with
``data_range=1`` and UQI. For radiometric 16-bit targets with a known counts-per-kelvin, the mean
absolute error of the apparent temperature is reported in kelvin too.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from data_loaders import PairedFiles
from thermal_keras import metrics
from thermal_keras.data import pipeline
from thermal_keras.luma import luma_tensor


def image_metrics(target, prediction) -> dict[str, float]:
    """MSE, RMSE, PSNR, SSIM, UQI of two ``[0, 1]`` batches ``(N, H, W, C)``."""
    return {
        "mse": float(metrics.mse(target, prediction)),
        "rmse": float(metrics.rmse(target, prediction)),
        "psnr": float(metrics.psnr(target, prediction, data_range=1.0)),
        "ssim": float(metrics.ssim(target, prediction, data_range=1.0)),
        "uqi": float(metrics.uqi(target, prediction)),
    }


grey_of_rgb = luma_tensor  # the grey baseline: [-1, 1] RGB (N, H, W, 3) -> [-1, 1] luma (N, H, W, 1)


def mean_target(files: PairedFiles, image_size: int, batch_size: int = 16, keep_aspect: bool = False) -> np.ndarray:
    """Mean of the target images of ``files`` resized to ``image_size`` (``keep_aspect``: shorter side,
    centre square; see :func:`~thermal_keras.data.pipeline.eval_dataset`): float32 (size, size, C) in [-1, 1]."""
    total, count = 0.0, 0
    for _, b in pipeline.eval_dataset(files, image_size=image_size, batch_size=batch_size, keep_aspect=keep_aspect):
        total = total + tf.reduce_sum(b, axis=0)
        count += int(b.shape[0])
    return (total / count).numpy()


def evaluate_translation(generator, eval_files: PairedFiles, train_files: PairedFiles, image_size: int,
                         batch_size: int = 16, keep_aspect: bool = False) -> dict:
    """Metrics of ``generator`` and of both baselines on ``eval_files`` at ``image_size`` (with
    ``keep_aspect``: each frame's shorter side resized to ``image_size``, scored on its centre square).

    Returns ``{"model": {...}, "grey_baseline": {...}, "mean_baseline": {...}, "n_images": N}``; each
    inner dict has mse, rmse, psnr, ssim, uqi and, for T-linear 16-bit targets, ``temperature_mae_k``.
    """
    mean_image = mean_target(train_files, image_size, keep_aspect=keep_aspect)
    targets, predictions = [], {"model": [], "grey_baseline": [], "mean_baseline": []}
    for a, b in pipeline.eval_dataset(eval_files, image_size=image_size, batch_size=batch_size,
                                      keep_aspect=keep_aspect):
        targets.append(b.numpy())
        predictions["model"].append(np.clip(np.asarray(generator(a, training=False), np.float32), -1, 1))
        predictions["grey_baseline"].append(grey_of_rgb(a).numpy())
        predictions["mean_baseline"].append(np.broadcast_to(mean_image, b.shape))
    target = np.concatenate(targets)
    spec = eval_files.b_spec
    report = {"n_images": int(target.shape[0]), "image_size": image_size}
    for name, chunks in predictions.items():
        pred = np.concatenate(chunks)
        scores = image_metrics((target + 1) / 2, (pred + 1) / 2)
        if spec.bit_depth == 16 and spec.counts_per_kelvin:
            scores["temperature_mae_k"] = float(metrics.mean_abs_temperature_error(
                pipeline.to_celsius(target, spec), pipeline.to_celsius(pred, spec)))
        report[name] = scores
    return report


def format_report(report: dict) -> str:
    """A small fixed-width table of a report from :func:`evaluate_translation`."""
    columns = ["psnr", "ssim", "uqi", "rmse"] + (["temperature_mae_k"] if "temperature_mae_k" in report["model"] else [])
    heads = {"temperature_mae_k": "|ΔT| K"}
    lines = [f"{'':16}" + "".join(f"{heads.get(c, c.upper()):>9}" for c in columns)]
    for name in ("model", "grey_baseline", "mean_baseline"):
        lines.append(f"{name:16}" + "".join(f"{report[name][c]:9.3f}" for c in columns))
    return "\n".join(lines)
