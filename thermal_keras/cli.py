"""The ``thermal-keras`` command line: demo, train, evaluate, export, translate, synthetic.

Examples::

    thermal-keras demo
    thermal-keras train pix2pix --data /data/FLIR_ADAS_1_3 --layout flir_v1 --thermal 8bit
    thermal-keras train pix2pix --strategy mirrored --batch-size 8    # every local GPU
    thermal-keras evaluate --run results/pix2pix
    thermal-keras evaluate --real thermal_test/ --fake generated/ --json scores.json
    thermal-keras export --run results/pix2pix --out exported/rgb2thermal
    thermal-keras translate --model exported/rgb2thermal photos/ thermal_out/
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

# TensorFlow turns its oneDNN CPU kernels on by itself only on some CPUs (seen: on with AVX-512 VNNI/BF16,
# off on an AVX2-only AMD EPYC, where they made the 256² pix2pix step 27% faster; benchmarks/README.md).
# This module loads before TensorFlow; TF_ENABLE_ONEDNN_OPTS=0 in the environment turns them off.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")

# Command families in modules of their own. Each has ``register(commands, train_models)`` that adds
# its sub-parsers (to the top level, or to ``thermal-keras train``) and returns
# ``{"command": handler}`` or ``{"train:model": handler}``; a handler takes the parsed args and
# returns the exit code. Modules are imported when the parser is built.
EXTENSION_MODULES: tuple[str, ...] = ("thermal_keras.cli_cyclegan", "thermal_keras.cli_fusion", "thermal_keras.cli_sr")


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

    evaluate = commands.add_parser(
        "evaluate", help="score a trained run against the baselines, or compare two image folders")
    evaluate.add_argument("--run", default=None, help="run folder written by `train` (has config.json)")
    evaluate.add_argument("--split", default=None, help="split to score (default: the run's eval split)")
    evaluate.add_argument("--real", default=None, help="folder of real images (with --fake)")
    evaluate.add_argument("--fake", default=None, help="folder of generated images; files named as in --real "
                          "also get MSE/RMSE/PSNR/SSIM/UQI")
    evaluate.add_argument("--weights", default="imagenet",
                          help="InceptionV3 weights for FID/KID: 'imagenet' (local Keras cache), a file, "
                               "'random' (tests only: numbers mean nothing), or 'none' to skip FID/KID")
    evaluate.add_argument("--kid-subsets", type=int, default=100, help="KID subsets (default: 100)")
    evaluate.add_argument("--kid-subset-size", type=int, default=1000, help="KID subset size (default: 1000)")
    evaluate.add_argument("--json", default=None, help="also write the --real/--fake scores to this JSON file")

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
    if not run.is_chief:  # another worker of a multi-worker run: the chief writes the files
        print(f"trained to epoch {config.total_epochs} (non-chief worker: nothing written)")
        return 0
    path = save_keras(run.model.generator, run.output_dir / "generator.keras")
    print(f"trained to epoch {config.total_epochs}; generator saved to {path}")
    return 0


def _load_run(run_dir):
    import dataclasses
    import json

    import keras

    from thermal_keras.config import Pix2PixConfig

    run_dir = Path(run_dir)
    for name in ("config.json", "generator.keras"):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir / name}: not found; is {run_dir} a finished `train` run?")
    # Any translator run (pix2pix, CycleGAN) shares the data and size options evaluation needs;
    # options of other families are not used here.
    values = json.loads((run_dir / "config.json").read_text())
    known = {f.name for f in dataclasses.fields(Pix2PixConfig)}
    config = Pix2PixConfig(**{k: v for k, v in values.items() if k in known})
    return config, keras.models.load_model(run_dir / "generator.keras", compile=False)


def _evaluate(args) -> int:
    import dataclasses
    import json

    from thermal_keras import evaluation
    from thermal_keras.datasets import train_and_eval_pairs

    if args.run is None:
        if not (args.real and args.fake):
            raise ValueError("give --run RUN, or --real DIR and --fake DIR")
        return _evaluate_folders(args)
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


def _folder_images(folder) -> list[Path]:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if len(files) < 2:
        raise ValueError(f"{folder}: needs at least 2 images ({', '.join(IMAGE_SUFFIXES)}), found {len(files)}")
    return files


def _read_unit(path, channels=None):
    """An 8-bit image file as float32 (H, W, C) in [0, 1]; grey files (also 3 equal channels) get
    1 channel unless ``channels=3`` is asked for."""
    import numpy as np
    from PIL import Image

    try:
        with Image.open(path) as image:
            rgb = np.asarray(image.convert("RGB"), np.float32) / 255.0
    except OSError as error:
        raise ValueError(f"{path}: cannot read image ({error})") from error
    grey = np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    return rgb if channels == 3 or (channels is None and not grey) else rgb[..., :1]


def _paired_folder_metrics(real_files, fake_files) -> dict | None:
    """Mean per-image MSE/RMSE/PSNR/SSIM/UQI ([0, 1] scale) where every fake file has a real namesake."""
    from thermal_keras import evaluation

    real_by_stem = {p.stem: p for p in real_files}
    if not all(p.stem in real_by_stem for p in fake_files):
        return None
    totals = {}
    for fake_path in fake_files:
        real_path = real_by_stem[fake_path.stem]
        real, fake = _read_unit(real_path), _read_unit(fake_path)
        channels = max(real.shape[-1], fake.shape[-1])
        real, fake = _read_unit(real_path, channels), _read_unit(fake_path, channels)
        if real.shape != fake.shape:
            raise ValueError(f"{real_path} {real.shape[:2]} and {fake_path} {fake.shape[:2]} differ in size")
        for key, value in evaluation.image_metrics(real[None], fake[None]).items():
            totals[key] = totals.get(key, 0.0) + value
    return {key: value / len(fake_files) for key, value in totals.items()} | {"n_pairs": len(fake_files)}


def _inception_batches(files, batch_size=16):
    """Files -> batches (N, 299, 299, 3) in [-1, 1], resized one by one (sizes may differ)."""
    import numpy as np

    from thermal_keras.metrics.distribution import inception_input

    for start in range(0, len(files), batch_size):
        yield np.concatenate([np.asarray(inception_input(_read_unit(p)[None] * 2.0 - 1.0))
                              for p in files[start:start + batch_size]])


def _evaluate_folders(args) -> int:
    import json

    from thermal_keras import features
    from thermal_keras.metrics import distribution

    real_files, fake_files = _folder_images(args.real), _folder_images(args.fake)
    weights = {"random": None, "none": "skip"}.get(args.weights, args.weights)
    if weights != "skip":
        features.resolve_weights("inception_v3", weights)  # a missing file stops us before any work
    report = {"real": str(args.real), "fake": str(args.fake), "n_real": len(real_files), "n_fake": len(fake_files),
              "paired": _paired_folder_metrics(real_files, fake_files)}
    if weights != "skip":
        extractor = distribution.inception_extractor(weights)
        scores = distribution.distribution_scores(
            _inception_batches(real_files), _inception_batches(fake_files), extractor=extractor,
            num_subsets=args.kid_subsets, subset_size=args.kid_subset_size)
        report["distribution"] = {**scores, "weights": args.weights}
    lines = [f"{'real':8}{args.real} ({len(real_files)} images)", f"{'fake':8}{args.fake} ({len(fake_files)} images)"]
    if report["paired"]:
        lines.append("".join(f"{k.upper():>9}" for k in ("mse", "rmse", "psnr", "ssim", "uqi")) + "  (paired, [0, 1])")
        lines.append("".join(f"{report['paired'][k]:9.4f}" for k in ("mse", "rmse", "psnr", "ssim", "uqi")))
    else:
        lines.append("paired metrics: skipped (file names of --fake do not all appear in --real)")
    if "distribution" in report:
        d = report["distribution"]
        lines.append(f"FID {d['fid']:.3f}   KID {d['kid_mean']:.5f} ± {d['kid_std']:.5f} "
                     f"(subsets of {d['kid_subset_size']}; InceptionV3 {args.weights})")
    print("\n".join(lines))
    if args.json:
        target = Path(args.json)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        tmp.write_text(json.dumps(report, indent=2) + "\n")
        os.replace(tmp, target)
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
