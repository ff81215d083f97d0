"""``thermal-keras train cyclegan``: CycleGAN RGB <-> thermal, unpaired or paired, optional EMSN and
the feature losses (perceptual cycle and self-similarity, :mod:`thermal_keras.cyclegan.losses`)::

    thermal-keras train cyclegan --paired --emsn --perceptual-cycle 1 --self-similarity 1

Every field of :class:`~thermal_keras.cyclegan.config.CycleGANConfig` is a flag (``--help`` lists
them). The RGB -> thermal generator is saved as ``RUN/generator.keras`` and, with a held-out split,
scored against the grey and mean baselines (``metrics.json``).
"""

from __future__ import annotations

from thermal_keras.cyclegan.config import CycleGANConfig


def register(commands, train_models) -> dict:
    """Add ``train cyclegan`` to the ``thermal-keras train`` sub-commands; return its handler."""
    parser = train_models.add_parser(
        "cyclegan", help="CycleGAN RGB <-> thermal (unpaired, or --paired; --emsn; feature losses)")
    CycleGANConfig.add_arguments(parser)
    return {"train:cyclegan": train_command}


def train_command(args) -> int:
    from thermal_keras.cyclegan.train import train_cyclegan
    from thermal_keras.translation.evaluate import format_report
    from thermal_keras.training.run import format_trained

    run = train_cyclegan(CycleGANConfig.from_args(args), verbose=args.keras_verbose)
    print(format_trained(run, run.report and format_report(run.report)))
    return 0
