"""Scores of one image folder against another: paired metrics where files pair by name, FID/KID always.

``thermal-keras evaluate --real DIR --fake DIR`` prints :func:`format_folder_scores` of
:func:`score_folders`.
"""

from __future__ import annotations

import numpy as np

from thermal_keras.io import list_images, read_unit_image

PAIRED_KEYS = ("mse", "rmse", "psnr", "ssim", "uqi")


def paired_folder_metrics(real_files, fake_files) -> dict | None:
    """Mean per-image MSE/RMSE/PSNR/SSIM/UQI ([0, 1] scale) where every fake file has a real namesake."""
    from thermal_keras.pix2pix.evaluate import image_metrics

    real_by_stem = {p.stem: p for p in real_files}
    if not all(p.stem in real_by_stem for p in fake_files):
        return None
    totals = {}
    for fake_path in fake_files:
        real_path = real_by_stem[fake_path.stem]
        real, fake = read_unit_image(real_path), read_unit_image(fake_path)
        channels = max(real.shape[-1], fake.shape[-1])
        real, fake = read_unit_image(real_path, channels), read_unit_image(fake_path, channels)
        if real.shape != fake.shape:
            raise ValueError(f"{real_path} {real.shape[:2]} and {fake_path} {fake.shape[:2]} differ in size")
        for key, value in image_metrics(real[None], fake[None]).items():
            totals[key] = totals.get(key, 0.0) + value
    return {key: value / len(fake_files) for key, value in totals.items()} | {"n_pairs": len(fake_files)}


def inception_batches(files, batch_size: int = 16):
    """Files -> batches (N, 299, 299, 3) in [-1, 1], resized one by one (sizes may differ)."""
    from thermal_keras.metrics.distribution import inception_input

    for start in range(0, len(files), batch_size):
        yield np.concatenate([np.asarray(inception_input(read_unit_image(p)[None] * 2.0 - 1.0))
                              for p in files[start:start + batch_size]])


def score_folders(real, fake, weights="imagenet", kid_subsets: int = 100, kid_subset_size: int = 1000) -> dict:
    """Scores of folder ``fake`` against folder ``real`` (at least 2 images each).

    ``weights``: InceptionV3 weights for FID/KID (``"imagenet"``: the local Keras cache, a file,
    ``"random"``: meaningless numbers for tests, ``"none"``: skip FID/KID). A missing weights file
    fails before any work.
    """
    from thermal_keras import features
    from thermal_keras.metrics import distribution

    real_files, fake_files = list_images(real, minimum=2), list_images(fake, minimum=2)
    resolved = {"random": None, "none": "skip"}.get(weights, weights)
    if resolved != "skip":
        features.resolve_weights("inception_v3", resolved)
    report = {"real": str(real), "fake": str(fake), "n_real": len(real_files), "n_fake": len(fake_files),
              "paired": paired_folder_metrics(real_files, fake_files)}
    if resolved != "skip":
        scores = distribution.distribution_scores(
            inception_batches(real_files), inception_batches(fake_files),
            extractor=distribution.inception_extractor(resolved),
            num_subsets=kid_subsets, subset_size=kid_subset_size)
        report["distribution"] = {**scores, "weights": weights}
    return report


def format_folder_scores(report: dict) -> str:
    lines = [f"{'real':8}{report['real']} ({report['n_real']} images)",
             f"{'fake':8}{report['fake']} ({report['n_fake']} images)"]
    if report["paired"]:
        lines.append("".join(f"{k.upper():>9}" for k in PAIRED_KEYS) + "  (paired, [0, 1])")
        lines.append("".join(f"{report['paired'][k]:9.4f}" for k in PAIRED_KEYS))
    else:
        lines.append("paired metrics: skipped (file names of --fake do not all appear in --real)")
    if "distribution" in report:
        d = report["distribution"]
        lines.append(f"FID {d['fid']:.3f}   KID {d['kid_mean']:.5f} ± {d['kid_std']:.5f} "
                     f"(subsets of {d['kid_subset_size']}; InceptionV3 {d['weights']})")
    return "\n".join(lines)

