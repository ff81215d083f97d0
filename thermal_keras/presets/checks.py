"""Quick held-out checks of a preset (seconds on a CPU): what ``make presets`` records in the preset
and what the tests re-measure on the shipped weights.

* Translation presets (pix2pix, CycleGAN) are scored on the first ``n`` held-out synthetic scenes of
  their recipe's seed (the ``test`` split the training run never saw) against the grey-of-RGB and
  mean-image baselines; the mean image comes from the first ``n_mean`` training scenes.
* Super-resolution presets are scored against bicubic upscaling (Y-PSNR/SSIM, border cropped) on
  held-out synthetic frames and the held-out scikit-image photographs.
* Fusion presets are scored beside averaging and the Laplacian pyramid on held-out synthetic pairs,
  with all nine fusion metrics.

``real_check`` scores SR and fusion presets on real images given by the caller (the TNO sample:
long-wave infrared frames, and visible/infrared pairs); nothing here downloads anything.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from thermal_keras.families import family, with_contract

SR_CHECK_SYNTHETIC = 6  # held-out synthetic frames in an SR quick check (plus the photographs)
SR_CHECK_SIDE = 256  # SR checks score the central 256² (HR) of each image: seconds, not minutes, on a CPU
FUSION_CHECK_PAIRS = 8
FUSION_MAX_SIDE = 320  # fusion metrics on real pairs at this longer side (as benchmarks/ do)


def translation_check(preset, n: int = 16, n_mean: int = 64) -> dict:
    """:func:`thermal_keras.translation.evaluate.evaluate_translation` of a translation preset on ``n``
    held-out synthetic pairs rendered as its recipe rendered them (size, seed, layout)."""
    from data_loaders import synthetic
    from thermal_keras.data.sources import load_split
    from thermal_keras.translation.evaluate import evaluate_translation

    run = preset.info["run_config"]
    size = run["synthetic_size"] or run["load_size"] or run["image_size"]
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic.write_dataset(Path(tmp) / "set", splits={run["train_split"]: n_mean, run["eval_split"]: n},
                                       size=size, seed=run["seed"], layout=run["layout"],
                                       view=run.get("synthetic_view", "mixed"))
        train = load_split(root, run["layout"], run["train_split"], run["thermal"])
        held_out = load_split(root, run["layout"], run["eval_split"], run["thermal"])
        return evaluate_translation(preset.generator, held_out, train, run["image_size"])


def _sr_table(report: dict) -> dict:
    mean = report["mean"]
    return {"n_images": len(report["images"]), "psnr_y_gain": mean["psnr_y_gain"],
            "model": {"psnr_y": mean["psnr_y"], "ssim_y": mean["ssim_y"]},
            "bicubic": {"psnr_y": mean["bicubic_psnr_y"], "ssim_y": mean["bicubic_ssim_y"]}}


def central(image: np.ndarray, side: int, scale: int) -> np.ndarray:
    """The central ``side``² of ``(H, W, C)`` (less where the image is smaller), cut to multiples of ``scale``."""
    h, w = (min(n, side) // scale * scale for n in image.shape[:2])
    top, left = (image.shape[0] - h) // 2, (image.shape[1] - w) // 2
    return image[top:top + h, left:left + w]


def sr_check(preset, n: int = SR_CHECK_SYNTHETIC) -> dict:
    """Y-PSNR/SSIM of an SR preset and of bicubic on ``n`` held-out synthetic frames (256²) and the
    central 256² of the held-out scikit-image photographs, converted to the preset's channels."""
    from thermal_keras.presets.training_data import (HELD_OUT_SEED, SKIMAGE_HELD_OUT, skimage_photo,
                                                     synthetic_frames)
    from thermal_keras.sr.evaluate import evaluate_against_bicubic

    channels, scale = int(preset.info["channels"]), int(preset.info["scale"])
    frames = {f"synthetic_{i:04d}": f for i, f in enumerate(synthetic_frames(n, 256, HELD_OUT_SEED, channels))}
    frames.update({f"skimage_{name}": skimage_photo(name, channels) for name in SKIMAGE_HELD_OUT})
    images = {k: central(v.astype(np.float32) / 255.0, SR_CHECK_SIDE, scale) for k, v in frames.items()}
    return _sr_table(evaluate_against_bicubic(preset.generator, images, scale))


def sr_real_check(preset, folder, side: int | None = SR_CHECK_SIDE) -> dict:
    """The same scores on every 8-bit image of ``folder`` (e.g. TNO's long-wave infrared frames): its
    central ``side``² (``None``: the whole image)."""
    from thermal_keras.image_io import list_images, read_unit_image
    from thermal_keras.sr.evaluate import evaluate_against_bicubic

    channels, scale = int(preset.info["channels"]), int(preset.info["scale"])
    images = {p.stem: central(read_unit_image(p, channels), side or 10**9, scale) for p in list_images(folder)}
    return _sr_table(evaluate_against_bicubic(preset.generator, images, scale))


FUSION_FAMILIES = with_contract("fusion")  # fusion preset families; each one's row in a fusion table


def fusion_method(table: dict) -> str:
    """The learned method's row of a fusion table: ``fusiongan`` or ``stdfusionnet``."""
    return next(name for name in FUSION_FAMILIES if name in table)


def fusion_wins(table: dict, method: str | None = None) -> dict:
    """``{baseline: number of the nine metrics on which method scores higher}`` (higher is better for all);
    ``method`` defaults to the table's learned method (:func:`fusion_method`)."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    method = method or fusion_method(table)
    return {other: sum(table[method][m] > table[other][m] for m in METRIC_NAMES)
            for other in ("average", "pyramid") if other in table}


def fusion_check(preset, n: int = FUSION_CHECK_PAIRS) -> dict:
    """Fusion metrics of the preset, averaging and the pyramid on ``n`` held-out synthetic pairs
    rendered as the recipe rendered them."""
    from data_loaders import synthetic
    from thermal_keras.fusion.data import load_fusion_split
    from thermal_keras.fusion.evaluate import fusers, fusion_table

    run = preset.info["run_config"]
    size = run["synthetic_size"] or run["load_size"] or run["image_size"]
    with tempfile.TemporaryDirectory() as tmp:
        root = synthetic.write_dataset(Path(tmp) / "set", splits={run["train_split"]: 1, run["eval_split"]: n},
                                       size=size, seed=run["seed"], layout=run["layout"],
                                       view=run.get("synthetic_view", "mixed"))
        files = load_fusion_split(root, run["layout"], run["eval_split"])
        table = fusion_table(files, fusers(preset.generator))
    return {**table, "wins": fusion_wins(table)}


def stdfusionnet_check(preset, n: int = FUSION_CHECK_PAIRS) -> dict:
    """Fusion metrics of an STDFusionNet preset, averaging and the pyramid on the first ``n`` of its
    recipe's held-out synthetic scenes (rendered exactly, as it was scored after training)."""
    from thermal_keras.fusion.salient import salient_scenes
    from thermal_keras.fusion.train import held_out_table

    run = preset.info["run_config"]
    scenes = salient_scenes(n, run["synthetic_size"], run["seed"], split=1, keep_rgb=True, cache_root=None)
    table = held_out_table(preset.generator, scenes)
    return {**table, "wins": fusion_wins(table)}


def fusion_real_check(preset, root) -> dict:
    """Fusion metrics on the visible/infrared pairs of a TNO-style folder (``vi/``, ``ir/``), at most
    :data:`FUSION_MAX_SIDE` pixels on the longer side."""
    from data_loaders import tno
    from thermal_keras.fusion.evaluate import fusers, fusion_table

    table = fusion_table(tno.tno(root), fusers(preset.generator, name=preset.family), max_side=FUSION_MAX_SIDE)
    return {**table, "wins": fusion_wins(table)}


def quick_check(preset) -> dict:
    """The family's quick check (see the module docstring)."""
    return family(preset.family).load("quick_check")(preset)


def sr_tno_check(preset, root):
    """:func:`sr_real_check` on ``root/ir`` (TNO's long-wave infrared frames) for a 1-channel SR preset;
    ``None`` for a colour one (TNO has no colour frames)."""
    return sr_real_check(preset, Path(root) / "ir") if int(preset.info["channels"]) == 1 else None


def real_check(preset, root):
    """SR presets of 1 channel: ``root/ir`` frames; fusion presets: the ``root`` pairs; else ``None``
    (the family's :attr:`~thermal_keras.families.Family.real_check`)."""
    check = family(preset.family).load("real_check")
    return None if check is None else check(preset, Path(root))
