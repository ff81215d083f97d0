"""``thermal-keras evaluate --preset NAME [--data DIR]``: score a shipped preset against its baselines.

Without ``--data`` the preset's quick check runs (held-out synthetic data, seconds; the numbers its
model card records). With ``--data``:

* translation presets (pix2pix, CycleGAN): a paired dataset folder in ``layout`` (``paired``, ``llvip``,
  ``flir_v1``, ``flir_v2``); the ``split`` is scored, and the mean-image baseline is the mean of the
  ``train`` split when there is one (else of the scored targets themselves, an optimistic baseline);
* super-resolution presets: a folder of HR images (each is shrunk, then upscaled back);
* fusion presets: a TNO-style folder of visible/infrared pairs (``vi/`` and ``ir/`` with the same names).
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.presets import load_preset


def evaluate_preset(name: str, data=None, layout: str = "paired", split: str = "test") -> dict:
    """The report of :func:`thermal_keras.presets.checks.quick_check` (``data=None``) or of the family's
    scoring on ``data``; ``report["family"]`` says which table it is."""
    from thermal_keras.presets import checks

    preset = load_preset(name)
    if data is None:
        report = checks.quick_check(preset)
    elif preset.family in ("pix2pix", "cyclegan"):
        report = _translation_on(preset, Path(data), layout, split)
    elif preset.family == "srgan":
        report = checks.sr_real_check(preset, data, side=None)  # your images, whole
    else:
        report = checks.fusion_real_check(preset, data)
    return {"preset": preset.name, "family": preset.family, **report}


def _translation_on(preset, root: Path, layout: str, split: str) -> dict:
    from data_loaders import DatasetError
    from thermal_keras.data.sources import load_split
    from thermal_keras.pix2pix.evaluate import evaluate_translation

    thermal = preset.info["run_config"]["thermal"]
    held_out = load_split(root, layout, split, thermal)
    try:
        train = load_split(root, layout, "train", thermal) if split != "train" else held_out
    except DatasetError:
        train = held_out
    return evaluate_translation(preset.generator, held_out, train, preset.info["image_size"])


def format_preset_report(report: dict) -> str:
    """The table of an :func:`evaluate_preset` report, as the family's own command prints it."""
    family = report["family"]
    if family in ("pix2pix", "cyclegan"):
        from thermal_keras.pix2pix.evaluate import format_report

        return format_report(report)
    if family == "srgan":
        model, bicubic = report["model"], report["bicubic"]
        return (f"{report['n_images']} images   Y-PSNR  Y-SSIM\n"
                f"{'model':10}{model['psnr_y']:>9.2f}{model['ssim_y']:>8.4f}\n"
                f"{'bicubic':10}{bicubic['psnr_y']:>9.2f}{bicubic['ssim_y']:>8.4f}\n"
                f"Y-PSNR gain over bicubic: {report['psnr_y_gain']:+.2f} dB")
    from thermal_keras.fusion.evaluate import format_fusion_table

    wins, method = report["wins"], report["family"]
    table = {m: report[m] for m in (method, "average", "pyramid")}
    label = {"fusiongan": "FusionGAN", "stdfusionnet": "STDFusionNet"}[method]
    return (format_fusion_table(table) + f"\n{label} beats averaging on {wins['average']}/9 metrics and "
            f"the Laplacian pyramid on {wins['pyramid']}/9 ({report['n_images']} pairs)")
