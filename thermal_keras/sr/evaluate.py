"""Super-resolution scores: Y-PSNR/SSIM of a generator beside bicubic upscaling.

The convention of the field: PSNR and SSIM on the Y channel (ITU-R BT.601) of ``[0, 1]`` images,
``scale`` pixels cropped from each border. Evaluation images are scikit-image's bundled photographs
(``eval_data="skimage"``) or an HR folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thermal_keras.metrics.super_resolution import psnr_y, ssim_y
from thermal_keras.sr.data import downscale_bicubic, skimage_eval_images, upscale_bicubic
from thermal_keras.sr.inference import default_overlap, upscale_array


def evaluate_against_bicubic(generator, images: dict, scale: int, tile: int = 128) -> dict:
    """Y-PSNR (dB) and Y-SSIM of ``generator`` and of bicubic upscaling, border ``scale`` cropped.

    Args:
        images: ``{name: (H, W, C) float32 [0, 1]}``, sides multiples of ``scale``; LR inputs are
            made with :func:`~thermal_keras.sr.data.downscale_bicubic`.

    Returns:
        ``{"images": {name: {psnr_y, ssim_y, bicubic_psnr_y, bicubic_ssim_y}}, "mean": {...}}``.
    """
    rows = {}
    for name, hr in images.items():
        lr = downscale_bicubic(hr, scale).numpy()
        sr = upscale_array(generator, lr, scale, tile=tile, overlap=min(default_overlap(generator), tile // 2 - 1))
        bicubic = upscale_bicubic(lr, scale).numpy()
        rows[name] = {"psnr_y": float(psnr_y(sr, hr, scale, 1.0)), "ssim_y": float(ssim_y(sr, hr, scale, 1.0)),
                      "bicubic_psnr_y": float(psnr_y(bicubic, hr, scale, 1.0)),
                      "bicubic_ssim_y": float(ssim_y(bicubic, hr, scale, 1.0))}
    keys = ("psnr_y", "ssim_y", "bicubic_psnr_y", "bicubic_ssim_y")
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in keys}
    mean["psnr_y_gain"] = mean["psnr_y"] - mean["bicubic_psnr_y"]
    return {"images": rows, "mean": mean}


def format_sr_report(report: dict) -> str:
    """A plain-text table: one row per image, model beside bicubic."""
    lines = [f"{'image':<20}{'Y-PSNR':>9}{'bicubic':>9}{'Y-SSIM':>9}{'bicubic':>9}"]
    for name, row in {**report["images"], "mean": report["mean"]}.items():
        lines.append(f"{name:<20}{row['psnr_y']:>9.2f}{row['bicubic_psnr_y']:>9.2f}"
                     f"{row['ssim_y']:>9.4f}{row['bicubic_ssim_y']:>9.4f}")
    return "\n".join(lines)


def eval_images(config, channels: int) -> dict | None:
    if not config.eval_data:
        return None
    if config.eval_data == "skimage":
        return skimage_eval_images(channels=channels, scale=config.scale)
    from data_loaders.hr_folder import hr_folder
    from data_loaders.images import read_image
    from thermal_keras.sr.data import crop_to_multiple

    folder = hr_folder(config.eval_data, channels=channels)
    top = 65535.0 if folder.spec.bit_depth == 16 else 255.0
    return {Path(p).stem: crop_to_multiple(read_image(p)[..., :channels].astype(np.float32) / top, config.scale)
            for p in folder.paths}
