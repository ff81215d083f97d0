"""Super-resolution commands: ``thermal-keras upscale``, ``thermal-keras train srgan``, ``thermal-keras export-sr``.

Examples::

    thermal-keras train srgan --data /data/photos --scale 4 --output-dir runs/sr
    thermal-keras upscale photos/ big/ --model runs/sr/generator.keras --scale 4
    thermal-keras upscale thermal/ big/ --preset swift_srgan_4x_grey
    thermal-keras export-sr --model runs/sr/generator.keras --out exported/sr

Both write only what they create: an existing output needs ``--overwrite`` (docs/cli.md, "What a
command may write").
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.sr.config import SRGANConfig


def register(commands, train_models) -> dict:
    """Add ``upscale``, ``export-sr`` and ``train srgan``; returns their handlers."""
    upscale = commands.add_parser("upscale", help="upscale an image file or folder with an SR generator (tiled)")
    upscale.add_argument("input", help="an image file or a folder of images (8- or 16-bit, grey or RGB)")
    upscale.add_argument("output", help="output PNG file (for one image) or folder")
    model = upscale.add_mutually_exclusive_group(required=True)
    model.add_argument("--model", help="generator .keras file, run folder (RUN/generator.keras) or SR SavedModel "
                       "(export-sr)")
    model.add_argument("--preset", help="a pretrained SR preset by name (`thermal-keras presets` lists them)")
    upscale.add_argument("--scale", type=int, default=None,
                         help="the model's factor (checked against it; default: the model's own)")
    upscale.add_argument("--tile", type=int, default=128, help="tile side in input pixels (default: 128)")
    upscale.add_argument("--overlap", type=int, default=None,
                         help="tile overlap in input pixels (default: the model's receptive radius: seamless)")
    upscale.add_argument("--overwrite", action="store_true", help="replace output files that already exist")

    export = commands.add_parser("export-sr", help="write an SR generator as a SavedModel (uint8/uint16/float)")
    export.add_argument("--model", required=True, help="generator .keras file or run folder (RUN/generator.keras)")
    export.add_argument("--out", required=True, help="SavedModel folder to write")
    export.add_argument("--overwrite", action="store_true", help="replace an earlier export at --out")

    SRGANConfig.add_arguments(train_models.add_parser("srgan", help="Swift-SRGAN / SRGAN super-resolution"))
    return {"upscale": _upscale, "export-sr": _export_sr, "train:srgan": _train_srgan}


def _targets(src: Path, dst: Path):
    from data_loaders.files import IMAGE_SUFFIXES
    from thermal_keras.image_io import list_images

    if src.is_dir():
        files = list_images(src)
        return files, [dst / f"{p.stem}.png" for p in files]
    if src.is_file():
        if dst.suffix.lower() in IMAGE_SUFFIXES and dst.suffix.lower() != ".png":
            raise ValueError(f"{dst}: the output is a PNG file; give OUTPUT as a .png file or a folder")
        return [src], [dst if dst.suffix.lower() == ".png" else dst / f"{src.stem}.png"]
    raise FileNotFoundError(f"{src}: no such file or folder")


def _adapt(path: Path, image, channels: int):
    """``image`` (file values, uint8 or uint16) with the model's channel count; alpha is dropped."""
    import numpy as np

    if image.shape[-1] in (2, 4):  # drop alpha
        image = image[..., :-1]
    if channels == 1 and image.shape[-1] == 3:
        raise ValueError(f"{path}: colour image, but the model takes 1 channel")
    return np.repeat(image, 3, axis=-1) if channels == 3 and image.shape[-1] == 1 else image


def _upscale(args) -> int:
    from data_loaders.images import read_image_values
    from thermal_keras.image_io import save_png_exact
    from thermal_keras.outputs import check_output_files
    from thermal_keras.sr.inference import Upscaler

    if args.preset:
        from thermal_keras.presets import preset_path

        args.model = str(preset_path(args.preset))
    src = Path(args.input)
    files, targets = _targets(src, Path(args.output))
    check_output_files(targets, files, inputs=[*files, args.model], input_folders=[src] if src.is_dir() else [],
                       overwrite=args.overwrite)
    if args.tile < 1 or (args.overlap is not None and args.overlap < 0):
        raise ValueError(f"--tile {args.tile} / --overlap {args.overlap}: need a positive tile and overlap >= 0")
    # Every file is read, at its own bit depth, before the model loads and before any write.
    images = [read_image_values(path) for path in files]
    upscaler = Upscaler(args.model, tile=args.tile, overlap=args.overlap)
    if args.scale is not None and upscaler.scale != args.scale:
        raise ValueError(f"--scale {args.scale}: the model {args.model} upscales {upscaler.scale}x")
    if args.tile <= 2 * upscaler.overlap:
        raise ValueError(f"--tile {args.tile} must exceed twice the overlap ({upscaler.overlap})")
    images = [_adapt(path, image, upscaler.channels) for path, image in zip(files, images)]
    for image, target in zip(images, targets):
        save_png_exact(upscaler(image), target)  # same bit depth out as in (16-bit RGB too)
        print(target)
    return 0


def _export_sr(args) -> int:
    from thermal_keras.export import RUN_GENERATOR_FILE, load_keras_model
    from thermal_keras.outputs import check_output_folder
    from thermal_keras.sr.inference import export_sr_saved_model

    model = Path(args.model)
    model_file = model / RUN_GENERATOR_FILE if model.is_dir() else model
    if not model_file.is_file():
        raise FileNotFoundError(f"{model_file}: no generator .keras file")
    run = model_file.parent if (model_file.parent / "config.json").is_file() else None
    check_output_folder(args.out, overwrite=args.overwrite, reads=[model_file], run=run)
    generator = load_keras_model(model_file)
    from thermal_keras.sr.networks import generator_scale

    try:
        generator_scale(generator)
    except ValueError as error:
        raise ValueError(f"{model_file}: {error}") from None
    print(f"wrote SavedModel {export_sr_saved_model(generator, args.out)}")
    return 0


def _train_srgan(args) -> int:
    from thermal_keras.sr.evaluate import format_sr_report
    from thermal_keras.sr.train import train_srgan
    from thermal_keras.training.run import format_trained

    run = train_srgan(SRGANConfig.from_args(args), verbose=args.keras_verbose)
    pretrained = (run.report or {}).get("after_pretraining")
    text = None
    if run.report is not None:
        text = format_sr_report(run.report)
        if pretrained is not None:
            text = "\n".join(["after pre-training (pixel MSE only):", format_sr_report(pretrained),
                              "after GAN training:", text])
    print(format_trained(run, text))
    return 0
