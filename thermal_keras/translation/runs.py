"""Reading a finished translator run folder (pix2pix or CycleGAN): ``config.json``, ``target_spec.json``
and ``generator.keras``, checked before any model loads."""

from __future__ import annotations

import json
from pathlib import Path

from thermal_keras.translation.config import TranslationConfig

RUN_CONFIG_FILE = "config.json"


def check_run(run_dir):
    """``(config, target spec or None)`` of a finished translator run folder, without loading its model.

    ``config`` is a :class:`~thermal_keras.translation.config.TranslationConfig` of the options every
    translator run shares (data, sizes, generator); a family's own options in the file are not read.

    Missing files, a ``config.json`` that is no JSON object of known options and a damaged
    ``target_spec.json`` raise one-line errors naming the file.
    """
    import dataclasses

    from thermal_keras.model_files import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, read_target_spec_file

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise FileNotFoundError(f"{run_dir}: no such run folder" if not run_dir.exists() else
                                f"{run_dir}: not a run folder (a file)")
    for name in (RUN_CONFIG_FILE, RUN_GENERATOR_FILE):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir / name}: not found; is {run_dir} a finished `train` run?")
    config_file = run_dir / RUN_CONFIG_FILE
    try:
        values = json.loads(config_file.read_text())
    except ValueError as error:  # also UnicodeDecodeError: binary garbage
        raise ValueError(f"{config_file}: not valid JSON ({error})") from None
    if not isinstance(values, dict):
        raise ValueError(f"{config_file}: expected a JSON object of options, got {type(values).__name__}")
    # Any translator run shares the data and size options evaluation needs; others are not used here.
    known = {f.name for f in dataclasses.fields(TranslationConfig)} - {"output_dir"}
    config = TranslationConfig.from_dict({k: v for k, v in values.items() if k in known}, str(config_file))
    spec_file = run_dir / RUN_TARGET_SPEC_FILE
    spec = read_target_spec_file(spec_file) if spec_file.exists() else None
    return config, spec


def load_run(run_dir):
    """``(config, generator)`` of a finished translator run folder (pix2pix or CycleGAN).

    The generator loads with ``safe_mode=True``; weights holding NaN or inf are refused.
    """
    from thermal_keras.model_files import RUN_GENERATOR_FILE, load_keras_model

    config, _ = check_run(run_dir)
    return config, load_keras_model(Path(run_dir) / RUN_GENERATOR_FILE)
