"""The pix2pix command: ``thermal-keras train pix2pix``::

    thermal-keras train pix2pix --data /data/FLIR_ADAS_1_3 --layout flir_v1 --thermal 8bit

The commands that serve every family (``demo``, ``evaluate``, ``export``, ``translate``) are in
:mod:`thermal_keras.commands`; their names stay importable from here.
"""

from __future__ import annotations

from thermal_keras.commands.demo import demo_command  # noqa: F401  (re-exported: the commands' old home)
from thermal_keras.commands.evaluate import evaluate_command  # noqa: F401
from thermal_keras.commands.export import export_command  # noqa: F401
from thermal_keras.commands.translate import read_photo, translate_command  # noqa: F401
from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.translation.runs import RUN_CONFIG_FILE, check_run, load_run  # noqa: F401


def register(commands, train_models) -> dict:
    Pix2PixConfig.add_arguments(train_models.add_parser("pix2pix", help="pix2pix RGB -> thermal"))
    return {"train:pix2pix": train_command}


def train_command(args) -> int:
    from thermal_keras.pix2pix.evaluate import format_report
    from thermal_keras.pix2pix.train import train_pix2pix
    from thermal_keras.training.run import format_trained

    run = train_pix2pix(Pix2PixConfig.from_args(args), verbose=args.keras_verbose)
    print(format_trained(run, run.report and format_report(run.report)))
    return 0
