"""The ``thermal-keras`` command line: the parser and the dispatch; each family registers its commands.

    thermal-keras demo                      pix2pix on the built-in synthetic set, start to finish
    thermal-keras train pix2pix|cyclegan|srgan|fusiongan|stdfusionnet [options]
    thermal-keras evaluate | export | translate | upscale | export-sr | fuse | synthetic
    thermal-keras app                       the web demo of the presets on http://127.0.0.1:7860/

Every module in :data:`COMMAND_MODULES` has ``register(commands, train_models)``: it adds its
sub-parsers (top-level commands, or models of ``thermal-keras train``) and returns
``{"command": handler}`` / ``{"train:model": handler}``; a handler takes the parsed arguments and
returns the exit code. Registering imports only the families' config modules, never TensorFlow, so
``--help`` and argument errors answer at once. TensorFlow's C++ log lines are hidden unless
``--verbose`` is given (or ``TF_CPP_MIN_LOG_LEVEL`` is set): see :func:`quiet_tensorflow`.
A user error (bad option, file or data) prints one line naming it and exits 2; Ctrl-C prints one
line ("stopped; resume with the same command" for ``train``) and exits 130; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

COMMAND_MODULES: tuple[str, ...] = (  # the order of `thermal-keras --help`'s commands
    "thermal_keras.commands.demo",
    "thermal_keras.pix2pix.cli",
    "thermal_keras.commands.evaluate",
    "thermal_keras.commands.export",
    "thermal_keras.commands.translate",
    "thermal_keras.cyclegan.cli",
    "thermal_keras.sr.cli",
    "thermal_keras.fusion.cli",
    "thermal_keras.data.cli",
    "thermal_keras.presets.cli",
    "thermal_keras.app.cli",
)


def build_parser() -> tuple[argparse.ArgumentParser, dict]:
    """The parser and ``{command key: handler}`` of every registered command."""
    parser = argparse.ArgumentParser(prog="thermal-keras", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's own log lines")
    parser.add_argument("--debug", action="store_true", help="show the traceback of an error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser("train", help="train a model (pix2pix, cyclegan, srgan, fusiongan, stdfusionnet)")
    train_models = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    handlers = {}
    for module in COMMAND_MODULES:
        handlers.update(importlib.import_module(module).register(commands, train_models))
    return parser, handlers


WITHOUT_TENSORFLOW = ("synthetic", "presets")  # commands that never load TensorFlow

# Printed by TensorFlow's C++ side while it loads, before its log level is read, so
# TF_CPP_MIN_LOG_LEVEL cannot hide them: absl's preamble and the oneDNN notice (once per library).
IMPORT_NOTICES = ("All log messages before absl::InitializeLog() is called", "oneDNN custom operations are on")


def quiet_tensorflow(verbose: bool = False):
    """Load TensorFlow with only what the user asked to see.

    oneDNN's CPU kernels are turned on (TensorFlow does that by itself only on some CPUs,
    benchmarks/README.md; ``TF_ENABLE_ONEDNN_OPTS=0`` turns them off). Unless ``verbose``, TensorFlow's
    C++ log lines are off (a ``TF_CPP_MIN_LOG_LEVEL`` already in the environment wins) and the two
    notices it prints while loading are dropped; anything else written during the import is passed on.
    """
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "3")
    if verbose or "tensorflow" in sys.modules:
        return
    import tempfile

    sys.stderr.flush()
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        lines = captured.read().decode(errors="replace").splitlines()
    kept = [line for line in lines if not any(notice in line for notice in IMPORT_NOTICES)]
    if kept:
        print("\n".join(kept), file=sys.stderr)


def main(argv=None) -> int:
    parser, handlers = build_parser()
    args = parser.parse_args(argv)
    if args.command not in WITHOUT_TENSORFLOW:
        quiet_tensorflow(args.verbose)
    # Keras: a progress bar on a terminal, one line per epoch in a log file or CI.
    args.keras_verbose = 1 if sys.stdout.isatty() else 2
    key = f"train:{args.model}" if args.command == "train" else args.command
    try:
        return handlers[key](args)
    except (ValueError, OSError) as error:  # DatasetError and ConfigError are ValueErrors
        if args.debug:
            raise
        print(f"thermal-keras {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as interrupt:  # Ctrl-C; training stops at a step (training.interrupt)
        if args.debug:
            raise
        step = getattr(interrupt, "step", None)
        print(f"\nthermal-keras {args.command}: stopped{f' at step {step}' if step is not None else ''}"
              f"{'; resume with the same command' if args.command == 'train' else ''}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
