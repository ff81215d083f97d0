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

from thermal_keras.presets.library import load_preset


def evaluate_preset(name: str, data=None, layout: str = "paired", split: str = "test") -> dict:
    """The report of :func:`thermal_keras.presets.checks.quick_check` (``data=None``) or of the family's
    scoring on ``data`` (its :attr:`~thermal_keras.families.Family.evaluate_on`); ``report["family"]``
    says which table it is."""
    from thermal_keras.families import family
    from thermal_keras.presets import checks

    preset = load_preset(name)
    if data is None:
        report = checks.quick_check(preset)
    else:
        report = family(preset.family).load("evaluate_on")(preset, Path(data), layout, split)
    return {"preset": preset.name, "family": preset.family, **report}


def translation_on(preset, root: Path, layout: str, split: str) -> dict:
    """A translation preset scored on the ``split`` of a paired dataset folder (see the module docstring)."""
    from data_loaders import DatasetError
    from thermal_keras.data.sources import load_split
    from thermal_keras.translation.evaluate import evaluate_translation

    thermal = preset.info["run_config"]["thermal"]
    held_out = load_split(root, layout, split, thermal)
    try:
        train = load_split(root, layout, "train", thermal) if split != "train" else held_out
    except DatasetError:
        train = held_out
    return evaluate_translation(preset.generator, held_out, train, preset.info["image_size"])


def sr_on(preset, root: Path, layout: str = "", split: str = "") -> dict:
    """An SR preset scored on every image of ``root``, whole (``layout`` and ``split`` do not apply)."""
    from thermal_keras.presets.checks import sr_real_check

    return sr_real_check(preset, root, side=None)


def fusion_on(preset, root: Path, layout: str = "", split: str = "") -> dict:
    """A fusion preset scored on a TNO-style folder (``layout`` and ``split`` do not apply)."""
    from thermal_keras.presets.checks import fusion_real_check

    return fusion_real_check(preset, root)


def format_preset_report(report: dict) -> str:
    """The table of an :func:`evaluate_preset` report, as the family's own command prints it."""
    from thermal_keras.families import family

    return family(report["family"]).load("format_report")(report)


def format_sr_report(report: dict) -> str:
    """An SR preset's scores beside bicubic's."""
    model, bicubic = report["model"], report["bicubic"]
    return (f"{report['n_images']} images   Y-PSNR  Y-SSIM\n"
            f"{'model':10}{model['psnr_y']:>9.2f}{model['ssim_y']:>8.4f}\n"
            f"{'bicubic':10}{bicubic['psnr_y']:>9.2f}{bicubic['ssim_y']:>8.4f}\n"
            f"Y-PSNR gain over bicubic: {report['psnr_y_gain']:+.2f} dB")


def format_fusion_report(report: dict) -> str:
    """A fusion preset's nine metrics beside averaging and the pyramid, and how often it wins."""
    from thermal_keras.families import family
    from thermal_keras.fusion.evaluate import format_fusion_table

    entry = family(report["family"])
    wins = report["wins"]
    table = {m: report[m] for m in entry.report_rows}
    return (format_fusion_table(table) + f"\n{entry.label} beats averaging on {wins['average']}/9 metrics and "
            f"the Laplacian pyramid on {wins['pyramid']}/9 ({report['n_images']} pairs)")
