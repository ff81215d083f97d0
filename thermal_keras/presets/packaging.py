"""Turn a finished training run into a preset folder: the family's held-out scores, then
:func:`thermal_keras.presets.write_preset`."""

from __future__ import annotations

import json
from pathlib import Path

from thermal_keras.export import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, load_keras_model, read_target_spec_file


def _translation_metrics(run_dir: Path) -> tuple[dict, str]:
    """The run's own held-out report (``metrics.json``: model, grey and mean baselines)."""
    report = json.loads((run_dir / "metrics.json").read_text())
    held_out = {k: report[k] for k in ("model", "grey_baseline", "mean_baseline")}
    m, mean = report["model"], report["mean_baseline"]
    headline = f"{m['psnr']:.1f} dB PSNR (mean image {mean['psnr']:.1f} dB)"
    if "temperature_mae_k" in m:
        headline += f", |ΔT| {m['temperature_mae_k']:.1f} K"
    name = f"held-out synthetic pairs ({report['n_images']} at {report['image_size']}²)"
    return {name: held_out}, headline


def package(name: str, recipe: dict, run_dir, config: dict, training: dict, out) -> Path:
    from thermal_keras.presets import write_preset

    run_dir = Path(run_dir)
    generator = load_keras_model(run_dir / RUN_GENERATOR_FILE)
    spec_file = run_dir / RUN_TARGET_SPEC_FILE
    spec = read_target_spec_file(spec_file) if spec_file.exists() else None
    if recipe["family"] in ("pix2pix", "cyclegan"):
        metrics, headline = _translation_metrics(run_dir)
        extra = {"image_size": config["image_size"]}
    else:
        raise ValueError(f"no packaging for family {recipe['family']!r} yet (only translators ship presets)")
    extra.update(limitations=recipe.get("limitations", ""), run_config=config)
    out = write_preset(generator, out, name=name, family=recipe["family"], task=recipe["task"],
                       description=recipe["description"], target_spec=spec, training=training,
                       metrics=metrics, headline=headline, extra=extra, overwrite=True)
    return record_quick_check(out)


def record_quick_check(out: Path) -> Path:
    """Load the written preset (float16 weights, as shipped), run its quick check and add the scores
    to ``preset.json`` and the model card: the numbers the tests re-measure."""
    from thermal_keras.io import atomic_write_text
    from thermal_keras.presets import CARD_FILE, PRESET_FILE, load_preset
    from thermal_keras.presets.card import model_card
    from thermal_keras.presets.checks import translation_check

    preset = load_preset(out)
    if preset.family not in ("pix2pix", "cyclegan"):
        return out
    report = translation_check(preset)
    info = dict(preset.info)
    info["quick_check"] = report
    key = f"quick check, float16 weights as shipped ({report['n_images']} held-out pairs at {report['image_size']}²)"
    info["metrics"] = {**info["metrics"], key: {k: report[k] for k in ("model", "grey_baseline", "mean_baseline")}}
    atomic_write_text(out / PRESET_FILE, json.dumps(info, indent=1) + "\n")
    atomic_write_text(out / CARD_FILE, model_card(info))
    return out
