"""The ``thermal-keras`` command line: demo, train, evaluate, export, translate, synthetic.

Examples::

    thermal-keras demo
    thermal-keras train pix2pix --data /data/FLIR_ADAS_1_3 --layout flir_v1 --thermal 8bit
    thermal-keras evaluate --run results/pix2pix
    thermal-keras export --run results/pix2pix --out exported/rgb2thermal
    thermal-keras translate --model exported/rgb2thermal photos/ thermal_out/
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")

# Command families in modules of their own. Each has ``register(commands, train_models)`` that adds
# its sub-parsers (to the top level, or to ``thermal-keras train``) and returns
# ``{"command": handler}`` or ``{"train:model": handler}``; a handler takes the parsed args and
# returns the exit code. Modules are imported when the parser is built.
EXTENSION_MODULES: tuple[str, ...] = ()


def build_parser() -> argparse.ArgumentParser:
    from thermal_keras import config as config_module

    parser = argparse.ArgumentParser(prog="thermal-keras", description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="train, evaluate and export pix2pix on the synthetic set")
    demo.add_argument("--results", default="results", help="output folder (default: results)")
    demo.add_argument("--fresh", action="store_true", help="discard a previous demo run and train again")

    train = commands.add_parser("train", help="train a model")
    models = train.add_subparsers(dest="model", required=True, metavar="MODEL")
    config_module.add_arguments(models.add_parser("pix2pix", help="pix2pix RGB -> thermal"))

    evaluate = commands.add_parser("evaluate", help="score a trained run against the baselines")
    evaluate.add_argument("--run", required=True, help="run folder written by `train` (has config.json)")
    evaluate.add_argument("--split", default=None, help="split to score (default: the run's eval split)")

    export = commands.add_parser("export", help="write a SavedModel (uint8 RGB in, thermal out) and .keras")
    export.add_argument("--run", required=True, help="run folder written by `train`")
    export.add_argument("--out", default=None, help="SavedModel folder (default: RUN/saved_model)")

    translate = commands.add_parser("translate", help="RGB image file or folder -> thermal PNGs")
    translate.add_argument("--model", required=True, help="exported SavedModel folder or .keras file")
    translate.add_argument("input", help="an image file or a folder of images")
    translate.add_argument("output", help="output file (for one image) or folder")
    translate.add_argument("--colormap", default=None, help="also write a colourised PNG (e.g. inferno)")
    translate.add_argument("--counts", action="store_true",
                           help="write 16-bit count PNGs where the model was trained on radiometric data")

    synth = commands.add_parser("synthetic", help="write the built-in synthetic set as a dataset folder")
    synth.add_argument("out", help="folder to create")
    synth.add_argument("--layout", default="flir_v1", choices=("flir_v1", "paired", "llvip"))
    synth.add_argument("--size", type=int, default=64)
    synth.add_argument("--train", type=int, default=200)
    synth.add_argument("--test", type=int, default=40)
    synth.add_argument("--seed", type=int, default=0)

    handlers = {}
    for module in EXTENSION_MODULES:
        handlers.update(importlib.import_module(module).register(commands, models))
    parser.set_defaults(extension_handlers=handlers)
    return parser


def main(argv=None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = build_parser().parse_args(argv)
    handlers = {"demo": _demo, "train:pix2pix": _train, "evaluate": _evaluate, "export": _export,
                "translate": _translate, "synthetic": _synthetic, **args.extension_handlers}
    key = f"train:{args.model}" if args.command == "train" else args.command
    try:
        return handlers[key](args)
    except (ValueError, FileNotFoundError) as error:  # DatasetError is a ValueError
        print(f"thermal-keras {args.command}: error: {error}", file=sys.stderr)
        return 2


def _demo(args) -> int:
    from thermal_keras.demo import run_demo

    report = run_demo(args.results, fresh=args.fresh)
    return 0 if report else 1


def _train(args) -> int:
    from thermal_keras import config as config_module
    from thermal_keras.export import save_keras
    from thermal_keras.runs import train_pix2pix

    config = config_module.from_args(args)
    run = train_pix2pix(config)
    path = save_keras(run.model.generator, run.output_dir / "generator.keras")
    print(f"trained to epoch {config.total_epochs}; generator saved to {path}")
    return 0


def _load_run(run_dir):
    import keras

    from thermal_keras.config import Pix2PixConfig

    run_dir = Path(run_dir)
    for name in ("config.json", "generator.keras"):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir / name}: not found; is {run_dir} a finished `train` run?")
    config = Pix2PixConfig.from_json(run_dir / "config.json")
    return config, keras.models.load_model(run_dir / "generator.keras", compile=False)


def _evaluate(args) -> int:
    import dataclasses
    import json

    from thermal_keras import evaluation
    from thermal_keras.datasets import train_and_eval_pairs

    config, generator = _load_run(args.run)
    if args.split:
        config = dataclasses.replace(config, eval_split=args.split)
    train_files, eval_files = train_and_eval_pairs(config)
    if eval_files is None:
        raise ValueError("the run has no eval split; pass --split")
    report = evaluation.evaluate_translation(generator, eval_files, train_files, config.image_size)
    print(evaluation.format_report(report))
    (Path(args.run) / "metrics.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


def _export(args) -> int:
    from thermal_keras.export import export_saved_model
    from thermal_keras.runs import read_spec

    _, generator = _load_run(args.run)
    spec_file = Path(args.run) / "target_spec.json"
    spec = read_spec(spec_file) if spec_file.exists() else None
    out = export_saved_model(generator, args.out or Path(args.run) / "saved_model", target_spec=spec)
    print(f"wrote SavedModel {out}")
    return 0


def _translate(args) -> int:
    import numpy as np
    from PIL import Image

    from thermal_keras import visualize
    from thermal_keras.export import ThermalTranslator

    src, dst = Path(args.input), Path(args.output)
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise FileNotFoundError(f"{src}: no images ({', '.join(IMAGE_SUFFIXES)})")
        targets = [dst / f"{p.stem}.png" for p in files]
    elif src.is_file():
        files, targets = [src], [dst if dst.suffix.lower() == ".png" else dst / f"{src.stem}.png"]
    else:
        raise FileNotFoundError(f"{src}: no such file or folder")
    images = []
    for path in files:  # read everything first: a bad file stops the run before anything is written
        try:
            with Image.open(path) as image:
                images.append(np.asarray(image.convert("RGB")))
        except OSError as error:
            raise ValueError(f"{path}: cannot read image ({error})") from error
    translator = ThermalTranslator(args.model)
    for rgb, target in zip(images, targets):
        out = translator(rgb)  # full resolution: padded to the U-Net's multiple and cropped back
        key = "thermal_u16" if args.counts and "thermal_u16" in out else "thermal_u8"
        visualize.save_png(out[key][..., 0], target)
        if args.colormap:
            colour = visualize.colorize_thermal(out["thermal"][..., 0], cmap=args.colormap)
            visualize.save_png(colour, target.with_name(f"{target.stem}_{args.colormap}.png"))
        print(f"{target}")
    return 0


def _synthetic(args) -> int:
    from data_loaders import synthetic

    root = synthetic.write_dataset(args.out, splits={"train": args.train, "test": args.test},
                                   size=args.size, seed=args.seed, layout=args.layout)
    print(f"wrote {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
