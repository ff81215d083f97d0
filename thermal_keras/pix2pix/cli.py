"""Translator commands: ``demo``, ``train pix2pix``, ``evaluate``, ``export``, ``translate``::

    thermal-keras demo
    thermal-keras train pix2pix --data /data/FLIR_ADAS_1_3 --layout flir_v1 --thermal 8bit
    thermal-keras evaluate --run results/pix2pix
    thermal-keras evaluate --real thermal_test/ --fake generated/ --json scores.json
    thermal-keras evaluate --preset swift_srgan_4x_grey --data my_thermal_frames/
    thermal-keras export --run results/pix2pix --out exported/rgb2thermal
    thermal-keras export --run results/pix2pix --format tflite --variant int8     # also onnx, keras
    thermal-keras translate --model exported/rgb2thermal photos/ thermal_out/
    thermal-keras translate --preset pix2pix_rgb2thermal_128 photos/ thermal_out/

``evaluate --run``, ``export`` and ``translate`` take any translator run (pix2pix or CycleGAN): both
save their RGB -> thermal generator as ``RUN/generator.keras`` (``translate --model RUN`` loads it).
The commands that write follow docs/cli.md's rules (checked before any work): nothing that exists is
replaced without ``--overwrite``, inputs and foreign folders never; ``.keras`` files load with
``safe_mode=True`` and models with NaN/inf weights are refused; 16-bit photos need ``--input-range``.
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
    evaluate.add_argument("--preset", default=None, help="a pretrained preset: its quick check on held-out "
                          "synthetic data, or with --data the family's scores on your folder")
    evaluate.add_argument("--data", default=None, help="with --preset: a paired dataset (translators), an HR "
                          "image folder (super-resolution) or a TNO-style vi/ + ir/ folder (fusion)")
    evaluate.add_argument("--layout", default="paired", choices=("paired", "llvip", "flir_v1", "flir_v2"),
                          help="with --preset and --data, a translator's dataset layout (default: paired)")
    evaluate.add_argument("--split", default=None, help="split to score (default: the run's eval split; "
                          "with --preset: test)")
    evaluate.add_argument("--real", default=None, help="folder of real images (with --fake)")
    evaluate.add_argument("--fake", default=None, help="folder of generated images; files named as in --real "
                          "also get MSE/RMSE/PSNR/SSIM/UQI")
    evaluate.add_argument("--weights", default="imagenet",
                          help="InceptionV3 weights for FID/KID: 'imagenet' (local Keras cache), a file, "
                               "'random' (tests only: numbers mean nothing), or 'none' to skip FID/KID")
    evaluate.add_argument("--kid-subsets", type=int, default=100, help="KID subsets (default: 100)")
    evaluate.add_argument("--kid-subset-size", type=int, default=1000, help="KID subset size (default: 1000)")
    evaluate.add_argument("--json", default=None, help="also write the scores to this JSON file")
    evaluate.add_argument("--overwrite", action="store_true", help="replace the --json file if it exists")

    export = commands.add_parser("export", help="write a generator as a SavedModel (uint8 in, thermal out), "
                                 ".keras, TFLite or ONNX file (docs/export.md)")
    source = export.add_mutually_exclusive_group(required=True)
    source.add_argument("--run", help="run folder written by `train`")
    source.add_argument("--preset", help="a pretrained preset by name (`thermal-keras presets` lists them); "
                        "every family")
    source.add_argument("--model", help="a generator .keras file of any family (pix2pix, CycleGAN, SR, FusionGAN)")
    export.add_argument("--out", default=None, help="SavedModel folder or output file (default with --run: "
                        "RUN/saved_model, RUN/generator[_VARIANT].tflite, RUN/generator.onnx)")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export at --out")
    from thermal_keras.deploy.cli import add_arguments as add_deploy_arguments

    add_deploy_arguments(export)

    translate = commands.add_parser("translate", help="RGB image file or folder -> thermal PNGs")
    model = translate.add_mutually_exclusive_group(required=True)
    model.add_argument("--model", help="exported SavedModel folder, .keras file, or run folder (RUN/generator.keras)")
    model.add_argument("--preset", help="a pretrained preset by name (`thermal-keras presets` lists them)")
    translate.add_argument("input", help="an image file or a folder of images")
    translate.add_argument("output", help="output file (for one image) or folder")
    translate.add_argument("--colormap", default=None, help="also write a colourised PNG (e.g. inferno)")
    outputs = translate.add_mutually_exclusive_group()
    outputs.add_argument("--counts", action="store_true",
                         help="write 16-bit count PNGs where the model was trained on radiometric data")
    outputs.add_argument("--agc", action="store_true",
                         help="radiometric models: write 8-bit PNGs with a camera-style automatic gain control "
                              "(each image's 1st-99th percentile over 0..255) instead of the fixed range")
    translate.add_argument("--input-range", type=float, nargs=2, metavar=("LOW", "HIGH"), default=None,
                           help="16-bit input files: the values shown as black and white (mapped linearly to "
                                "0..255, clipped outside); without it 16-bit files are refused. 8-bit files "
                                "are used as they are")
    translate.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
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


RUN_CONFIG_FILE = "config.json"


def check_run(run_dir):
    """``(config, target spec or None)`` of a finished translator run folder, without loading its model.

    Missing files, a ``config.json`` that is no JSON object of known options and a damaged
    ``target_spec.json`` raise one-line errors naming the file.
    """
    import dataclasses

    from thermal_keras.export import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE, read_target_spec_file

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
    known = {f.name for f in dataclasses.fields(Pix2PixConfig)} - {"discriminator", "output_dir"}
    config = Pix2PixConfig.from_dict({k: v for k, v in values.items() if k in known}, str(config_file))
    spec_file = run_dir / RUN_TARGET_SPEC_FILE
    spec = read_target_spec_file(spec_file) if spec_file.exists() else None
    return config, spec


def load_run(run_dir):
    """``(config, generator)`` of a finished translator run folder (pix2pix or CycleGAN).

    The generator loads with ``safe_mode=True``; weights holding NaN or inf are refused.
    """
    from thermal_keras.export import RUN_GENERATOR_FILE, load_keras_model

    config, _ = check_run(run_dir)
    return config, load_keras_model(Path(run_dir) / RUN_GENERATOR_FILE)


def _folder_images(*folders):
    from thermal_keras.image_io import list_images

    return [p for folder in folders if folder and Path(folder).is_dir() for p in list_images(folder, minimum=0)]


def evaluate_command(args) -> int:
    import dataclasses

    from thermal_keras.data.sources import train_and_eval_pairs
    from thermal_keras.export import RUN_GENERATOR_FILE, load_keras_model
    from thermal_keras.outputs import check_output_files, check_writable_location, same_path
    from thermal_keras.reports import write_report_json
    from thermal_keras.pix2pix.evaluate import evaluate_translation, format_report

    if args.preset:
        return _evaluate_preset(args)
    if args.run is None:
        if not (args.real and args.fake):
            raise ValueError("give --run RUN, --preset NAME, or --real DIR and --fake DIR")
        from thermal_keras.metrics.folders import format_folder_scores, score_folders

        _check_kid_options(args)
        if args.json:  # before any scoring
            check_output_files([args.json], [f"--json {args.json}"], inputs=_folder_images(args.real, args.fake),
                               overwrite=args.overwrite)
        report = score_folders(args.real, args.fake, args.weights, args.kid_subsets, args.kid_subset_size)
        print(format_folder_scores(report))
        if args.json:
            write_report_json(args.json, report)
        return 0
    run = Path(args.run)
    config, _ = check_run(run)
    metrics_file = run / "metrics.json"  # the run's own score file: evaluate --run refreshes it
    check_writable_location(metrics_file)
    if args.json:
        if same_path(args.json, metrics_file):
            raise ValueError(f"--json {args.json} is the run's metrics.json, which evaluate --run writes anyway")
        check_output_files([args.json], [f"--json {args.json}"],
                           inputs=[p for p in run.iterdir() if p.is_file()], overwrite=args.overwrite)
    generator = load_keras_model(run / RUN_GENERATOR_FILE)
    if args.split:
        config = dataclasses.replace(config, eval_split=args.split)
    train_files, eval_files = train_and_eval_pairs(config)
    if eval_files is None:
        raise ValueError("the run has no eval split; pass --split")
    report = evaluate_translation(generator, eval_files, train_files, config.image_size, keep_aspect=config.keep_aspect)
    print(format_report(report))
    write_report_json(metrics_file, report)
    if args.json:
        write_report_json(args.json, report)
    return 0


def _check_kid_options(args) -> None:
    """KID's options, checked before the feature pass that needs them (skipped with ``--weights none``)."""
    if args.weights == "none":
        return
    if args.kid_subsets < 1:
        raise ValueError(f"--kid-subsets {args.kid_subsets}: must be at least 1")
    if args.kid_subset_size < 2:
        raise ValueError(f"--kid-subset-size {args.kid_subset_size}: must be at least 2 (KID's unbiased "
                         f"estimate compares pairs of images within a subset)")


def _evaluate_preset(args) -> int:
    from thermal_keras.outputs import check_output_files
    from thermal_keras.reports import write_report_json
    from thermal_keras.presets.evaluate import evaluate_preset, format_preset_report

    if args.run or args.real or args.fake:
        raise ValueError("--preset scores a shipped preset; it does not take --run, --real or --fake")
    if args.data and not Path(args.data).is_dir():
        raise FileNotFoundError(f"--data {args.data}: no such folder")
    if args.json:  # before any scoring
        check_output_files([args.json], [f"--json {args.json}"], overwrite=args.overwrite)
    report = evaluate_preset(args.preset, args.data, args.layout, args.split or "test")
    print(format_preset_report(report))
    if args.json:
        write_report_json(args.json, report)
    return 0


def export_command(args) -> int:
    from thermal_keras.deploy.cli import export_any, wants_deploy
    from thermal_keras.deploy.writers import export_generator
    from thermal_keras.export import RUN_GENERATOR_FILE, export_saved_model, load_keras_model
    from thermal_keras.families import family
    from thermal_keras.outputs import check_output_folder

    if wants_deploy(args):  # TFLite, ONNX, .keras, --model: every family (thermal_keras.deploy)
        return export_any(args)
    if args.preset:  # every family, in its own contract (docs/export.md)
        from thermal_keras.presets import load_preset, preset_path

        if not args.out:
            raise ValueError("export --preset needs --out FOLDER")
        out, generator_file = Path(args.out), preset_path(args.preset)
        check_output_folder(out, overwrite=args.overwrite, reads=(generator_file,))
        preset = load_preset(generator_file)
        written = export_generator(preset.generator, "savedmodel", out, family=family(preset.family).contract,
                                   target_spec=preset.target_spec)
        print(f"wrote SavedModel {written}")
        return 0
    run = Path(args.run)
    _, spec = check_run(run)
    out = Path(args.out) if args.out else run / "saved_model"
    check_output_folder(out, overwrite=args.overwrite, run=run)
    generator_file = run / RUN_GENERATOR_FILE
    generator = load_keras_model(generator_file)
    if generator.input_shape[-1] != 3:
        raise ValueError(f"{generator_file}: the model takes {generator.input_shape[-1]}-channel input; "
                         f"export writes RGB -> thermal translators")
    out = export_saved_model(generator, out, target_spec=spec)
    print(f"wrote SavedModel {out}")
    return 0


def _check_input_range(values):
    import math

    if values is None:
        return None
    low, high = values
    if not (math.isfinite(low) and math.isfinite(high) and 0 <= low < high <= 65535):
        raise ValueError(f"--input-range {low:g} {high:g}: needs 0 <= LOW < HIGH <= 65535 (16-bit values)")
    return low, high


def read_photo(path, input_range=None):
    """An input photo as uint8 RGB ``(H, W, 3)``.

    8-bit files as Pillow converts them to RGB. 16-bit files (PNG, TIFF; grey or colour) only with
    ``input_range=(low, high)``: ``(value - low) / (high - low) * 255``, rounded and clipped to 0..255;
    without it a ``ValueError`` names the file and the option, never a silent clip to white.
    """
    import numpy as np

    from data_loaders.images import is_tiff, probe_image, read_image_values
    from thermal_keras.image_io import read_rgb_u8

    info = probe_image(path)  # names the file when it is not a readable image
    pillow_8_bit = info.bit_depth is None and not is_tiff(path) and not info.sample_type.split()[-1].startswith(
        ("I", "F"))  # CMYK JPEGs and other 8-bit modes Pillow converts to RGB
    if info.bit_depth == 8 or pillow_8_bit:
        return read_rgb_u8(path)
    values = read_image_values(path)  # 16-bit values; float and 32-bit samples are refused
    if input_range is None:
        raise ValueError(f"{path}: 16-bit image, but the model takes 8-bit RGB photos; pass --input-range LOW "
                         f"HIGH (the 16-bit values shown as black and white) or convert the file to 8 bits")
    if values.shape[-1] in (2, 4):  # drop alpha
        values = values[..., :-1]
    if values.shape[-1] == 1:
        values = np.repeat(values, 3, axis=-1)
    low, high = input_range
    scaled = (values.astype(np.float64) - low) * (255.0 / (high - low))
    return np.clip(np.round(scaled), 0, 255).astype(np.uint8)


def _translate_jobs(src: Path, dst: Path, colormap):
    """``(input files, targets, what each target is made from)``: a folder maps to ``DST/NAME.png``."""
    from data_loaders.files import IMAGE_SUFFIXES
    from thermal_keras.image_io import list_images

    if src.is_dir():
        files = list_images(src)
        outputs = [dst / f"{p.stem}.png" for p in files]
    elif src.is_file():
        if dst.suffix.lower() in IMAGE_SUFFIXES and dst.suffix.lower() != ".png":
            raise ValueError(f"{dst}: translate writes PNG files; give OUTPUT as a .png file or a folder")
        files, outputs = [src], [dst if dst.suffix.lower() == ".png" else dst / f"{src.stem}.png"]
    else:
        raise FileNotFoundError(f"{src}: no such file or folder")
    targets, sources = [], []
    for path, target in zip(files, outputs):
        targets.append(target)
        sources.append(str(path))
        if colormap:
            targets.append(target.with_name(f"{target.stem}_{colormap}.png"))
            sources.append(f"the --colormap image of {path}")
    return files, outputs, targets, sources


def translate_command(args) -> int:
    from thermal_keras import visualize
    from thermal_keras.export import ThermalTranslator
    from thermal_keras.image_io import save_png
    from thermal_keras.outputs import check_output_files

    input_range = _check_input_range(args.input_range)
    if args.preset:
        from thermal_keras.presets import preset_path

        args.model = str(preset_path(args.preset))
    if args.colormap:
        try:
            visualize.thermal_colormap(args.colormap)
        except Exception as error:  # matplotlib raises ValueError or KeyError
            raise ValueError(f"--colormap {args.colormap}: not a colormap name ({error})") from None
    src = Path(args.input)
    files, outputs, targets, sources = _translate_jobs(src, Path(args.output), args.colormap)
    check_output_files(targets, sources, inputs=[*files, args.model],
                       input_folders=[src] if src.is_dir() else [], overwrite=args.overwrite)
    model = Path(args.model)
    if model.is_dir() and (model / RUN_CONFIG_FILE).exists() and not (model / "saved_model.pb").exists():
        check_run(model)  # a run folder: a garbage config.json or target_spec.json is named before any work
    images = [read_photo(path, input_range) for path in files]  # a bad file stops the run before any write
    translator = ThermalTranslator(args.model)
    for rgb, target in zip(images, outputs):
        out = translator(rgb)  # full resolution: padded to the U-Net's multiple and cropped back
        if (args.counts or args.agc) and "thermal_u16" not in out:
            raise ValueError(f"{'--counts' if args.counts else '--agc'}: {args.model} was not trained on "
                             f"radiometric (16-bit) data; its 8-bit output is already what it learned")
        key = "thermal_u16" if args.counts else "thermal_agc" if args.agc else "thermal_u8"
        save_png(out[key][..., 0], target)
        if args.colormap:
            colour = visualize.colorize_thermal(out["thermal"][..., 0], cmap=args.colormap)
            save_png(colour, target.with_name(f"{target.stem}_{args.colormap}.png"))
        print(f"{target}")
    return 0
