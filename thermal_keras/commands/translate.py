"""``thermal-keras translate``: RGB photos to thermal PNGs with an export, a run, a ``.keras`` file or a preset::

    thermal-keras translate --model exported/rgb2thermal photos/ thermal_out/
    thermal-keras translate --preset pix2pix_rgb2thermal_128 photos/ thermal_out/

Outputs follow docs/cli.md's rules (checked before any work; nothing replaced without
``--overwrite``); 16-bit photos need ``--input-range``.
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.translation.runs import RUN_CONFIG_FILE, check_run


def register(commands, train_models) -> dict:
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
    return {"translate": translate_command}


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
