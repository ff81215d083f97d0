"""``thermal-keras train cyclegan``: CycleGAN RGB <-> thermal, unpaired or paired, optional EMSN and
the feature losses of seed paper 001::

    thermal-keras train cyclegan --paired --emsn --perceptual-cycle 1 --self-similarity 1

Every field of :class:`thermal_keras.runs_cyclegan.CycleGANConfig` is a flag (``--help`` lists them).
After training the RGB -> thermal generator is saved as ``generator.keras`` in the run folder and,
when there is a held-out split, scored against the grey and mean baselines (``metrics.json``).
"""

from __future__ import annotations


def register(commands, train_models) -> dict:
    """Add ``train cyclegan`` to the ``thermal-keras train`` sub-commands; return its handler."""
    from thermal_keras import config as config_module
    from thermal_keras.runs_cyclegan import CycleGANConfig

    parser = train_models.add_parser(
        "cyclegan", help="CycleGAN RGB <-> thermal (unpaired, or --paired; --emsn; feature losses)")
    config_module.add_arguments(parser, CycleGANConfig)
    return {"train:cyclegan": train_cyclegan_command}


def config_from_args(args):
    """The :class:`CycleGANConfig` that parsed flags (and ``--config FILE``) describe."""
    from thermal_keras import config as config_module
    from thermal_keras.runs_cyclegan import CycleGANConfig

    return config_module.from_args(args, CycleGANConfig)


def train_cyclegan_command(args) -> int:
    import json
    import os

    from thermal_keras import evaluation
    from thermal_keras.export import save_keras
    from thermal_keras.runs_cyclegan import train_cyclegan

    config = config_from_args(args)  # option errors (e.g. --lambda-supervised without --paired) stop here
    run = train_cyclegan(config)
    if not run.is_chief:  # another worker of a multi-worker run: the chief writes the files
        print(f"trained to epoch {config.total_epochs} (non-chief worker: nothing written)")
        return 0
    path = save_keras(run.model.generator_ab, run.output_dir / "generator.keras")
    print(f"trained to epoch {config.total_epochs}; RGB -> thermal generator saved to {path}")
    if run.eval_files is not None:
        report = evaluation.evaluate_translation(run.model.generator_ab, run.eval_files, run.train_files,
                                                 config.image_size)
        print(evaluation.format_report(report))
        target = run.output_dir / "metrics.json"
        tmp = target.with_name(f".metrics.json.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        os.replace(tmp, target)
    return 0
