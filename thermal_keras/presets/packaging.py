"""Turn a finished training run into a preset folder: the family's held-out scores, then
:func:`thermal_keras.presets.write_preset`, then the quick checks on the float16 weights as shipped.

The scores a preset carries (``preset.json`` and its model card):

* the run's own held-out report (``metrics.json``, written by the training job);
* ``quick_check``: :func:`thermal_keras.presets.checks.quick_check` re-measured on the written preset,
  the numbers the tests pin;
* ``real_check``: for single-channel SR and fusion presets, scores on the real TNO sample when its
  folder is there at build time (``THERMAL_KERAS_TNO`` or ``../shared/data/tno_sample``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from thermal_keras.families import family
from thermal_keras.model_files import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, load_keras_model, read_target_spec_file

TRANSLATION_BASELINES = ("model", "grey_baseline", "mean_baseline")
FUSION_METHODS = ("fusiongan", "average", "pyramid")  # a FusionGAN preset's rows (STDFusionNet's: "stdfusionnet")
TNO_LABEL = "TNO Image Fusion Dataset sample (real; research use, Toet 2014)"


def tno_folder():
    """The TNO sample folder if present (``THERMAL_KERAS_TNO``, else ``../shared/data/tno_sample``)."""
    candidates = [os.environ.get("THERMAL_KERAS_TNO", ""),
                  Path(__file__).resolve().parents[3] / "shared" / "data" / "tno_sample"]
    return next((Path(c) for c in candidates if c and (Path(c) / "ir").is_dir()), None)


def run_steps(run_dir, config: dict) -> int:
    """Optimizer steps of a finished run, from its log files (one line an epoch)."""
    run_dir = Path(run_dir)
    logs = sorted(run_dir.glob("log*.csv"))
    epochs = sum(max(0, len(p.read_text().strip().splitlines()) - 1) for p in logs)
    if config.get("pretrain_steps") is not None:  # SR: fixed steps per epoch in both phases
        return epochs * config["steps_per_epoch"]
    per_epoch = config.get("steps_per_epoch") or max(1, config["synthetic_train"] // config["batch_size"])
    return epochs * per_epoch


def translation_metrics(report: dict) -> tuple[dict, str]:
    m, mean = report["model"], report["mean_baseline"]
    headline = f"{m['psnr']:.1f} dB PSNR (mean image {mean['psnr']:.1f} dB)"
    if "temperature_mae_k" in m:
        headline += f", |ΔT| {m['temperature_mae_k']:.1f} K"
    name = f"held-out synthetic pairs ({report['n_images']} at {report['image_size']}²)"
    return {name: {k: report[k] for k in TRANSLATION_BASELINES}}, headline


def _sr_rows(report: dict) -> dict:
    mean = report["mean"]
    return {"model": {"psnr_y": mean["psnr_y"], "ssim_y": mean["ssim_y"]},
            "bicubic": {"psnr_y": mean["bicubic_psnr_y"], "ssim_y": mean["bicubic_ssim_y"]}}


def sr_metrics(report: dict) -> tuple[dict, str]:
    name = f"held-out synthetic frames and scikit-image photographs ({len(report['images'])} images)"
    metrics = {name: _sr_rows(report)}
    if report.get("after_pretraining"):
        metrics["the same, after pixel-MSE pre-training only"] = _sr_rows(report["after_pretraining"])
    return metrics, f"+{report['mean']['psnr_y_gain']:.2f} dB Y-PSNR over bicubic (held-out)"


def fusion_metrics(report: dict) -> tuple[dict, str]:
    from thermal_keras.presets.checks import fusion_method, fusion_wins

    wins = fusion_wins(report)
    name = f"held-out synthetic pairs ({report['n_images']})"
    headline = f"beats averaging on {wins['average']}/9 metrics, the pyramid on {wins['pyramid']}/9"
    return {name: {k: report[k] for k in (fusion_method(report), "average", "pyramid")}}, headline


def package(name: str, recipe: dict, run_dir, config: dict, training: dict, out) -> Path:
    from thermal_keras.presets.library import write_preset

    run_dir = Path(run_dir)
    generator = load_keras_model(run_dir / RUN_GENERATOR_FILE)
    spec_file = run_dir / RUN_TARGET_SPEC_FILE
    spec = read_target_spec_file(spec_file) if spec_file.exists() else None
    report = json.loads((run_dir / "metrics.json").read_text())
    entry = family(recipe["family"])
    metrics, headline = entry.load("package_metrics")(report)
    extra = {"limitations": recipe.get("limitations", ""), "run_config": config,
             **{key: int(generator.input_shape[-1]) if key == "channels" else config[key]  # channels: the model's
                for key in entry.preset_fields}}
    out = write_preset(generator, out, name=name, family=entry.name, task=recipe["task"],
                       description=recipe["description"], target_spec=spec, training=training,
                       metrics=metrics, headline=headline, extra=extra, overwrite=True)
    return record_checks(out)


def check_rows(family_name: str, report: dict) -> dict:
    """The rows of a check report that a preset records: the family's :attr:`report_rows`."""
    return {k: report[k] for k in family(family_name).report_rows}


def record_checks(out: Path) -> Path:
    """Load the written preset (float16 weights, as shipped), run its quick check (and its real-data
    check where the TNO sample is present) and add the scores to ``preset.json`` and the model card."""
    from data_loaders.files import atomic_write_text
    from thermal_keras.presets.library import CARD_FILE, PRESET_FILE, load_preset
    from thermal_keras.presets.card import model_card
    from thermal_keras.presets.checks import quick_check, real_check

    preset = load_preset(out)
    info = dict(preset.info)
    report = quick_check(preset)
    info["quick_check"] = report
    size = f" at {report['image_size']}²" if "image_size" in report else ""
    key = f"quick check, float16 weights as shipped ({report['n_images']} held-out images{size})"
    metrics = {**info["metrics"], key: check_rows(preset.family, report)}
    tno = tno_folder()
    real = real_check(preset, tno) if tno is not None else None
    if real is not None:
        info["real_check"] = {"data": TNO_LABEL, **real}
        metrics[f"{TNO_LABEL}, {real['n_images']} images"] = check_rows(preset.family, real)
    info["metrics"] = metrics
    atomic_write_text(out / PRESET_FILE, json.dumps(info, indent=1) + "\n")
    atomic_write_text(out / CARD_FILE, model_card(info))
    return out
