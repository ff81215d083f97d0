"""Scores of one image folder against another: paired metrics where files pair by name, FID/KID always.

``thermal-keras evaluate --real DIR --fake DIR`` prints :func:`format_folder_scores` of
:func:`score_folders`.

Files are read as training reads them: the decoder the ``tf.data`` pipeline maps
(:func:`thermal_keras.data.pipeline.decode_values_now`), 8-bit files as 0..255 and 16-bit PNG/TIFF
as 0..65535 counts (never reduced to 8 bits). Each pair is scored on its own full range, 255 for
8-bit and 65535 for 16-bit: both images are divided by it and compared with ``data_range=1``, which
gives PSNR and SSIM on that range exactly (scaling both images and the range changes neither) and
MSE/RMSE in ``[0, 1]`` units. Every header is read first: a file of another bit depth and a pair
that mixes 8 and 16 bits (which has no one range) are refused in one line naming the files, before
any scoring.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from thermal_keras.image_io import list_images

PAIRED_KEYS = ("mse", "rmse", "psnr", "ssim", "uqi")
FULL_RANGE = {8: 255.0, 16: 65535.0}  # bit depth -> the range a pair of that depth is scored on


def file_bit_depths(files) -> dict[Path, int]:
    """``{file: 8 or 16}`` from each file's header (no decode); one-line ``ValueError`` naming the
    file when it is unreadable or holds other samples (float, 32-bit)."""
    from data_loaders.images import probe_image

    depths = {}
    for path in files:
        info = probe_image(path)  # DatasetError (a ValueError) naming the file
        if info.bit_depth not in FULL_RANGE:
            raise ValueError(f"{path}: {info.sample_type} samples cannot be scored (8- or 16-bit images only)")
        depths[path] = info.bit_depth
    return depths


def read_scored_image(path, bit_depth: int) -> np.ndarray:
    """A file through the training decoder, divided by its full range: float32 ``(H, W, C)`` in
    ``[0, 1]``. Grey files (one channel, or three equal ones) get 1 channel, colour files 3."""
    from data_loaders.common import ImageSpec
    from thermal_keras.data.pipeline import decode_values_now

    spec = ImageSpec(channels=3, bit_depth=bit_depth,
                     value_range=None if bit_depth == 8 else (0.0, FULL_RANGE[16]))
    values = decode_values_now(path, spec) / np.float32(FULL_RANGE[bit_depth])
    grey = np.array_equal(values[..., 0], values[..., 1]) and np.array_equal(values[..., 1], values[..., 2])
    return values[..., :1] if grey else values


def matched_pairs(real_files, fake_files) -> list[tuple[Path, Path]] | None:
    """``[(real, fake)]`` by file stem when every fake file has a real namesake, else ``None``."""
    real_by_stem = {p.stem: p for p in real_files}
    if not all(p.stem in real_by_stem for p in fake_files):
        return None
    return [(real_by_stem[p.stem], p) for p in fake_files]


def check_pair_depths(pairs, depths: dict) -> None:
    """One-line ``ValueError`` naming both files of the first pair whose bit depths differ."""
    for real, fake in pairs:
        if depths[real] != depths[fake]:
            raise ValueError(f"{real} is {depths[real]}-bit and {fake} is {depths[fake]}-bit: a pair is "
                             f"scored on one range (255 or 65535); save both at one bit depth")


def _pair_images(real_path, fake_path, bit_depth):
    """Both images of a pair in ``[0, 1]`` with one channel count (grey is repeated beside colour)."""
    real, fake = read_scored_image(real_path, bit_depth), read_scored_image(fake_path, bit_depth)
    channels = max(real.shape[-1], fake.shape[-1])
    real, fake = (np.repeat(x, channels // x.shape[-1], axis=-1) for x in (real, fake))
    if real.shape != fake.shape:
        raise ValueError(f"{real_path} {real.shape[:2]} and {fake_path} {fake.shape[:2]} differ in size")
    return real, fake


def paired_folder_metrics(pairs, depths: dict) -> dict:
    """Mean per-pair MSE/RMSE/PSNR/SSIM/UQI, each pair on its own range (module docstring).

    Args:
        pairs: ``[(real, fake)]`` files, checked by :func:`check_pair_depths`.
        depths: ``{file: 8 or 16}`` from :func:`file_bit_depths`.

    Returns:
        ``{"mse", "rmse", "psnr", "ssim", "uqi": float, "n_pairs": int, "bit_depths": [8 and/or 16]}``.
    """
    from thermal_keras.translation.evaluate import image_metrics

    totals = {}
    for real_path, fake_path in pairs:
        real, fake = _pair_images(real_path, fake_path, depths[real_path])
        for key, value in image_metrics(real[None], fake[None]).items():
            totals[key] = totals.get(key, 0.0) + value
    return {key: value / len(pairs) for key, value in totals.items()} | {
        "n_pairs": len(pairs), "bit_depths": sorted({depths[real] for real, _ in pairs})}


def inception_batches(files, depths: dict, batch_size: int = 16):
    """Files -> batches (N, 299, 299, 3) in [-1, 1] (each file over its full range), resized one by
    one (sizes may differ)."""
    from thermal_keras.metrics.distribution import inception_input

    for start in range(0, len(files), batch_size):
        yield np.concatenate([np.asarray(inception_input(read_scored_image(p, depths[p])[None] * 2.0 - 1.0))
                              for p in files[start:start + batch_size]])


def score_folders(real, fake, weights="imagenet", kid_subsets: int = 100, kid_subset_size: int = 1000) -> dict:
    """Scores of folder ``fake`` against folder ``real`` (at least 2 images each).

    ``weights``: InceptionV3 weights for FID/KID (``"imagenet"``: the local Keras cache, a file,
    ``"random"``: meaningless numbers for tests, ``"none"``: skip FID/KID). A missing weights file,
    an unreadable file, a file that is not 8- or 16-bit and a pair that mixes bit depths fail before
    any work.
    """
    from thermal_keras import features
    from thermal_keras.metrics import distribution

    real_files, fake_files = list_images(real, minimum=2), list_images(fake, minimum=2)
    resolved = {"random": None, "none": "skip"}.get(weights, weights)
    if resolved != "skip":
        features.resolve_weights("inception_v3", resolved)
    depths = file_bit_depths(real_files + fake_files)
    pairs = matched_pairs(real_files, fake_files)
    if pairs:
        check_pair_depths(pairs, depths)
    report = {"real": str(real), "fake": str(fake), "n_real": len(real_files), "n_fake": len(fake_files),
              "paired": paired_folder_metrics(pairs, depths) if pairs else None}
    if resolved != "skip":
        scores = distribution.distribution_scores(
            inception_batches(real_files, depths), inception_batches(fake_files, depths),
            extractor=distribution.inception_extractor(resolved),
            num_subsets=kid_subsets, subset_size=kid_subset_size)
        report["distribution"] = {**scores, "weights": weights}
    return report


def format_folder_scores(report: dict) -> str:
    """The table ``evaluate --real --fake`` prints."""
    lines = [f"{'real':8}{report['real']} ({report['n_real']} images)",
             f"{'fake':8}{report['fake']} ({report['n_fake']} images)"]
    if report["paired"]:
        ranges = " and ".join(f"{FULL_RANGE[b]:.0f} ({b}-bit)" for b in report["paired"]["bit_depths"])
        lines.append("".join(f"{k.upper():>9}" for k in PAIRED_KEYS) + f"  (paired; range {ranges}, "
                     "MSE/RMSE in [0, 1] units)")
        lines.append("".join(f"{report['paired'][k]:9.4f}" for k in PAIRED_KEYS))
    else:
        lines.append("paired metrics: skipped (file names of --fake do not all appear in --real)")
    if "distribution" in report:
        d = report["distribution"]
        lines.append(f"FID {d['fid']:.3f}   KID {d['kid_mean']:.5f} ± {d['kid_std']:.5f} "
                     f"(subsets of {d['kid_subset_size']}; InceptionV3 {d['weights']})")
    return "\n".join(lines)
