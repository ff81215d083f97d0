"""Translator commands: ``demo``, ``train pix2pix``, ``evaluate``, ``export``, ``translate``::

    thermal-keras demo
    thermal-keras train pix2pix --data /data/FLIR_ADAS_1_3 --layout flir_v1 --thermal 8bit
    thermal-keras evaluate --run results/pix2pix
    thermal-keras evaluate --real thermal_test/ --fake generated/ --json scores.json
    thermal-keras export --run results/pix2pix --out exported/rgb2thermal
    thermal-keras translate --model exported/rgb2thermal photos/ thermal_out/

``evaluate --run``, ``export`` and ``translate`` take any translator run (pix2pix or CycleGAN): both
save their RGB -> thermal generator as ``RUN/generator.keras``.
"""

from __future__ import annotations

import json
from pathlib import Path

from thermal_keras.pix2pix.config import Pix2PixConfig


def register(commands, train_models) -> dict:
    demo = commands.add_parser("demo", help="train, evaluate and export pix2pix on the synthetic set")
    demo.add_argument("--results", default="results", help="output folder (default: results)")
    demo.add_argument("--fresh", action="store_true", help="discard a previous demo run and train again")

    Pix2PixConfig.add_arguments(train_models.add_parser("pix2pix", help="pix2pix RGB -> thermal"))

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
    return {"demo": demo_command, "train:pix2pix": train_command, "evaluate": evaluate_command,
            "export": export_command, "translate": translate_command}


def demo_command(args) -> int:
    from thermal_keras.demo import run_demo

    report = run_demo(args.results, fresh=args.fresh)
    return 0 if report else 1


def train_command(args) -> int:
    from thermal_keras.pix2pix.evaluate import format_report
    from thermal_keras.pix2pix.train import train_pix2pix
    from thermal_keras.training.run import format_trained

    run = train_pix2pix(Pix2PixConfig.from_args(args), verbose=args.keras_verbose)
    print(format_trained(run, run.report and format_report(run.report)))
    return 0


def load_run(run_dir):
    """``(config, generator)`` of a finished translator run folder (pix2pix or CycleGAN)."""
    import dataclasses

    import keras

    run_dir = Path(run_dir)
    for name in ("config.json", "generator.keras"):
        if not (run_dir / name).exists():
            raise FileNotFoundError(f"{run_dir / name}: not found; is {run_dir} a finished `train` run?")
    try:
        values = json.loads((run_dir / "config.json").read_text())
    except ValueError as error:
        raise ValueError(f"{run_dir / 'config.json'}: not valid JSON ({error})") from None
    # Any translator run shares the data and size options evaluation needs; others are not used here.
    known = {f.name for f in dataclasses.fields(Pix2PixConfig)} - {"discriminator", "output_dir"}
    config = Pix2PixConfig.from_dict({k: v for k, v in values.items() if k in known}, str(run_dir / "config.json"))
    return config, keras.models.load_model(run_dir / "generator.keras", compile=False)


def evaluate_command(args) -> int:
    import dataclasses

    from thermal_keras.data.sources import train_and_eval_pairs
    from thermal_keras.io import atomic_write_text
    from thermal_keras.pix2pix.evaluate import evaluate_translation, format_report

    if args.run is None:
        if not (args.real and args.fake):
            raise ValueError("give --run RUN, or --real DIR and --fake DIR")
        from thermal_keras.metrics.folders import format_folder_scores, score_folders

        report = score_folders(args.real, args.fake, args.weights, args.kid_subsets, args.kid_subset_size)
        print(format_folder_scores(report))
        if args.json:
            atomic_write_text(args.json, json.dumps(report, indent=2) + "\n")
        return 0
    config, generator = load_run(args.run)
    if args.split:
        config = dataclasses.replace(config, eval_split=args.split)
    train_files, eval_files = train_and_eval_pairs(config)
    if eval_files is None:
        raise ValueError("the run has no eval split; pass --split")
    report = evaluate_translation(generator, eval_files, train_files, config.image_size)
    print(format_report(report))
    atomic_write_text(Path(args.run) / "metrics.json", json.dumps(report, indent=2) + "\n")
    return 0


def export_command(args) -> int:
    from thermal_keras.export import export_saved_model
    from thermal_keras.training.run import TARGET_SPEC_FILE, read_target_spec

    _, generator = load_run(args.run)
    spec_file = Path(args.run) / TARGET_SPEC_FILE
    spec = read_target_spec(spec_file) if spec_file.exists() else None
    out = export_saved_model(generator, args.out or Path(args.run) / "saved_model", target_spec=spec)
    print(f"wrote SavedModel {out}")
    return 0


def translate_command(args) -> int:
    from thermal_keras import visualize
    from thermal_keras.export import ThermalTranslator
    from thermal_keras.io import list_images, read_rgb_u8, save_png

    src, dst = Path(args.input), Path(args.output)
    if src.is_dir():
        files = list_images(src)
        targets = [dst / f"{p.stem}.png" for p in files]
    elif src.is_file():
        files, targets = [src], [dst if dst.suffix.lower() == ".png" else dst / f"{src.stem}.png"]
    else:
        raise FileNotFoundError(f"{src}: no such file or folder")
    images = [read_rgb_u8(path) for path in files]  # a bad file stops the run before anything is written
    translator = ThermalTranslator(args.model)
    for rgb, target in zip(images, targets):
        out = translator(rgb)  # full resolution: padded to the U-Net's multiple and cropped back
        key = "thermal_u16" if args.counts and "thermal_u16" in out else "thermal_u8"
        save_png(out[key][..., 0], target)
        if args.colormap:
            colour = visualize.colorize_thermal(out["thermal"][..., 0], cmap=args.colormap)
            save_png(colour, target.with_name(f"{target.stem}_{args.colormap}.png"))
        print(f"{target}")
    return 0
