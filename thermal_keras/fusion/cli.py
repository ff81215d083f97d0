"""``thermal-keras fuse IR VIS OUT``, ``thermal-keras train fusiongan`` and ``train stdfusionnet``::

    thermal-keras train fusiongan --data /data/LLVIP --layout llvip --image-size 120 --epochs 10
    thermal-keras train stdfusionnet --batch-size 8 --image-size 96 --epochs 10  # synthetic scenes, masked
    thermal-keras fuse --model results/fusiongan ir/ visible/ fused/         # FusionGAN, colour output
    thermal-keras fuse --model results/stdfusionnet ir/ visible/ fused/      # STDFusionNet (same contract)
    thermal-keras fuse --preset fusiongan_vis_ir ir.png vis.png fused.png    # the pretrained preset
    thermal-keras fuse --method pyramid ir.png vis.png fused.png            # a classical baseline

``fuse`` takes two files, or two folders whose images pair by name; the output is the visible
image's colour with the fused luma (``--grey`` for the fused grey image). Training options are the
fields of :class:`~thermal_keras.fusion.config.FusionGANConfig` and
:class:`~thermal_keras.fusion.config.STDFusionNetConfig`. ``fuse`` reads 8-bit images (16-bit
ones are refused, not clipped), writes only new files (``--overwrite`` replaces existing ones) and
loads the generator with ``safe_mode=True``.
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.families import with_contract
from thermal_keras.fusion.config import FusionGANConfig, STDFusionNetConfig

FUSE_METHODS = ("fusiongan", "average", "pyramid")
FUSION_FAMILIES = with_contract("fusion")  # preset families whose generator fuse runs (from the registry)


def register(commands, train_models) -> dict:
    """Add ``fuse`` (top level) and ``train fusiongan``; return their handlers."""
    fuse = commands.add_parser("fuse", help="fuse infrared and visible images (FusionGAN or a baseline)")
    fuse.add_argument("ir", help="infrared image file, or a folder of them")
    fuse.add_argument("visible", help="visible image file, or a folder with the same file names")
    fuse.add_argument("out", help="output PNG file (for one pair) or folder")
    model = fuse.add_mutually_exclusive_group()
    model.add_argument("--model", default=None, help="FusionGAN or STDFusionNet run folder or generator .keras file")
    model.add_argument("--preset", default=None, help="a pretrained fusion preset by name (`thermal-keras presets`)")
    fuse.add_argument("--method", default=None, choices=FUSE_METHODS,
                      help="fusiongan (the generator of --model or --preset, FusionGAN or STDFusionNet; the "
                           "default with them), average or pyramid")
    fuse.add_argument("--grey", action="store_true", help="write the fused grey image, not colour")
    fuse.add_argument("--max-side", type=int, default=None, help="shrink inputs so the longer side is at most this")
    fuse.add_argument("--overwrite", action="store_true", help="replace output files that already exist")
    train = train_models.add_parser("fusiongan", help="FusionGAN infrared + visible fusion")
    FusionGANConfig.add_arguments(train)
    std = train_models.add_parser("stdfusionnet", help="STDFusionNet infrared + visible fusion (salient-target "
                                  "loss; synthetic scenes with material masks)")
    STDFusionNetConfig.add_arguments(std)
    return {"fuse": fuse_command, "train:fusiongan": train_fusiongan_command,
            "train:stdfusionnet": train_stdfusionnet_command}


def _generator_path(model) -> Path:
    path = Path(model)
    if path.is_dir():
        path = path / "generator.keras"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no FusionGAN generator (a run folder or a .keras file)")
    return path


def load_fusion_generator(model):
    """The fusion generator (FusionGAN or STDFusionNet) of a run folder, a ``.keras`` file or a preset folder."""
    if (Path(model) / "preset.json").is_file():
        from thermal_keras.presets import load_preset

        preset = load_preset(model)
        if preset.family not in FUSION_FAMILIES:
            raise ValueError(f"{model}: preset {preset.name} is a {preset.family} model, not a fusion model")
        return preset.generator
    from thermal_keras.export import load_keras_model

    path = _generator_path(model)
    generator = load_keras_model(path)
    _check_fusion_generator(generator, path)
    return generator


def _check_fusion_generator(generator, source) -> None:
    """A ``ValueError`` naming ``source`` when ``generator`` is of another family (checked before it
    runs, so no raw shape error): FusionGAN takes infrared + visible luma and returns one channel of
    the same size."""
    inputs, outputs = generator.input_shape, generator.output_shape
    if isinstance(inputs, list) or isinstance(outputs, list):
        kind = "a model with several inputs or outputs"
    elif any(layer.__class__.__name__ == "PixelShuffle" for layer in generator.layers):
        kind = f"a super-resolution generator ({inputs[-1]}-channel input, upscaling)"
    elif inputs[-1] == 3:
        kind = f"an RGB -> thermal translator (3-channel input, {outputs[-1]}-channel output)"
    elif inputs[-1] == 2 and outputs[-1] == 1:
        return
    else:
        kind = f"a model with {inputs[-1]}-channel input and {outputs[-1]}-channel output"
    raise ValueError(f"{source}: {kind}, not a FusionGAN generator (2-channel infrared + visible input, "
                     f"1-channel fused output); fuse --model takes a FusionGAN run folder or .keras file")


def _input_pairs(ir, visible, out):
    """``[(ir_path, visible_path, out_path)]`` for two files or two folders paired by name."""
    from data_loaders.common import pair_by_stem
    from data_loaders.tno import TNO_EXTENSIONS

    ir, visible, out = Path(ir), Path(visible), Path(out)
    if ir.is_dir() and visible.is_dir():
        visible_paths, ir_paths = pair_by_stem(visible, ir, a_extensions=TNO_EXTENSIONS,
                                               b_extensions=TNO_EXTENSIONS, source="fuse")
        return [(Path(i), Path(v), out / f"{Path(i).stem}.png") for i, v in zip(ir_paths, visible_paths)]
    for path in (ir, visible):
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file (IR and VIS must be two files or two folders)")
    from data_loaders.files import IMAGE_SUFFIXES

    if out.suffix.lower() in IMAGE_SUFFIXES and out.suffix.lower() != ".png":
        raise ValueError(f"{out}: fuse writes PNG files; give OUT as a .png file or a folder")
    target = out if out.suffix.lower() == ".png" else out / f"{ir.stem}.png"
    return [(ir, visible, target)]


def _check_8_bit(paths):
    """Refuse what ``read_pair`` would clip: 16-bit (or float) files, named."""
    from data_loaders.images import probe_image

    for path in paths:
        info = probe_image(path)
        if info.bit_depth == 16 or (info.bit_depth is None and info.sample_type.split()[-1].startswith(("I", "F"))):
            raise ValueError(f"{path}: {info.bit_depth or info.sample_type} samples; fuse reads 8-bit images "
                             f"(convert the file to 8 bits first)")


def fuse_command(args) -> int:
    from thermal_keras.fusion.data import read_pair
    from thermal_keras.fusion.evaluate import fuse_pair, fusers
    from thermal_keras.image_io import save_png
    from thermal_keras.outputs import check_output_files

    if args.preset:
        from thermal_keras.presets import preset_path

        args.model = str(preset_path(args.preset))
    method = args.method or ("fusiongan" if args.model else None)
    if method is None:
        raise ValueError("give --model (a FusionGAN run), --preset NAME or --method average|pyramid")
    if method == "fusiongan" and not args.model:
        raise ValueError("--method fusiongan needs --model RUN_OR_KERAS_FILE or --preset NAME")
    jobs = _input_pairs(args.ir, args.visible, args.out)
    inputs = [path for ir, visible, _ in jobs for path in (ir, visible)]
    folders = [Path(p) for p in (args.ir, args.visible) if Path(p).is_dir()]
    check_output_files([target for _, _, target in jobs], [f"{ir} + {visible}" for ir, visible, _ in jobs],
                       inputs=inputs + ([args.model] if args.model else []), input_folders=folders,
                       overwrite=args.overwrite)
    _check_8_bit(inputs)
    images = [read_pair(visible, ir, args.max_side) for ir, visible, _ in jobs]  # bad files stop us here
    generator = load_fusion_generator(args.model) if method == "fusiongan" else None  # its family checked here
    fuse = fusers(generator)[method]
    for (_, _, target), (ir, visible_rgb) in zip(jobs, images):
        save_png(fuse_pair(fuse, ir, visible_rgb, colour=not args.grey), target)
        print(target)
    return 0


def train_fusiongan_command(args) -> int:
    from thermal_keras.fusion.evaluate import format_fusion_table
    from thermal_keras.fusion.train import train_fusiongan
    from thermal_keras.training.run import format_trained

    run = train_fusiongan(FusionGANConfig.from_args(args), verbose=args.keras_verbose)
    print(format_trained(run, run.report and format_fusion_table(run.report)))
    return 0


def train_stdfusionnet_command(args) -> int:
    from thermal_keras.fusion.evaluate import format_fusion_table
    from thermal_keras.fusion.train import train_stdfusionnet
    from thermal_keras.training.run import format_trained

    run = train_stdfusionnet(STDFusionNetConfig.from_args(args), verbose=args.keras_verbose)
    print(format_trained(run, run.report and format_fusion_table(run.report)))
    return 0
