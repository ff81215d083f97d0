"""``thermal-keras export --format savedmodel|keras|tflite|onnx`` for every generator family.

    thermal-keras export --run runs/pix2pix --format tflite --variant int8      # RUN/generator_int8.tflite
    thermal-keras export --preset swift_srgan_4x_grey --format onnx --out sr.onnx
    thermal-keras export --model runs/fusion/generator.keras --format savedmodel --out fusion_sm
    thermal-keras export --run runs/pix2pix --format tflite --input-size 256 256 --out g256.tflite

``export`` without ``--format`` (or with ``savedmodel``) from a translator run or preset keeps its
earlier behaviour (:func:`thermal_keras.commands.export.export_command`); this module handles the other
formats, ``--model`` and FusionGAN. Everything is checked before the model loads: the format's
suffix, the variant, the output (never replaced without ``--overwrite``, never an input), and
that the ONNX converter is installed.
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.families import family, names

# --input-size: the largest fixed side (8K), checked before the model loads (a converter given 100000 x 100000
# may fail with a traceback and a long MLIR dump, or write a model no device can run)
MAX_INPUT_SIDE = 8192
FAMILY_OF_PRESET = {name: family(name).contract for name in names()}  # preset family -> deploy contract


def add_arguments(export) -> None:
    """The deploy options of the ``export`` parser (its ``--run``/``--preset`` group gets ``--model``)."""
    from thermal_keras.deploy.formats import FORMATS, TFLITE_VARIANTS

    export.add_argument("--format", default="savedmodel", choices=FORMATS,
                        help="savedmodel (default), keras, tflite or onnx; docs/export.md gives each one's contract")
    export.add_argument("--variant", default=None, choices=TFLITE_VARIANTS,
                        help="TFLite weights: float32 (default), float16 or int8 (dynamic-range quantisation)")
    export.add_argument("--input-size", type=int, nargs=2, metavar=("H", "W"), default=None,
                        help="TFLite/ONNX: fix the input to batch 1 at H x W (default: any batch and size)")


def wants_deploy(args) -> bool:
    """Whether :func:`export_any` handles these arguments (else the SavedModel export of a translator)."""
    return bool(args.format != "savedmodel" or getattr(args, "model", None) or args.variant or args.input_size)


def _default_out(run: Path, fmt: str, variant) -> Path:
    from thermal_keras.deploy.formats import SUFFIXES

    if fmt == "savedmodel":
        return run / "saved_model"
    if fmt == "keras":
        raise ValueError(f"--format keras from a run needs --out FILE.keras "
                         f"({run / 'generator.keras'} is the run's own)")
    tag = "" if variant in (None, "float32") else f"_{variant}"
    return run / f"generator{tag}{SUFFIXES[fmt]}"


def _check_options(args, out: Path) -> None:
    from thermal_keras.deploy.formats import SUFFIXES
    from thermal_keras.deploy.writers import check_onnx_available

    if args.variant and args.format != "tflite":
        raise ValueError(f"--variant {args.variant} applies to --format tflite only")
    if args.input_size and args.format not in ("tflite", "onnx"):
        raise ValueError("--input-size applies to --format tflite or onnx only")
    if args.input_size and not all(1 <= side <= MAX_INPUT_SIDE for side in args.input_size):
        raise ValueError(f"--input-size {args.input_size[0]} {args.input_size[1]}: each side must be 1 to "
                         f"{MAX_INPUT_SIDE} pixels (a fixed input is one camera frame; leave --input-size out "
                         f"for an export that takes any size)")
    if args.format in SUFFIXES and out.suffix != SUFFIXES[args.format]:
        raise ValueError(f"--out {out}: a {args.format} export must end in {SUFFIXES[args.format]}")
    if args.format == "onnx":
        check_onnx_available()


def _source(args):
    """``(generator file or preset folder, run folder or None, target spec file or None)``."""
    from thermal_keras.model_files import RUN_GENERATOR_FILE, RUN_TARGET_SPEC_FILE

    if args.preset:
        from thermal_keras.presets import preset_path

        return preset_path(args.preset), None, None
    if args.model:
        model = Path(args.model)
        if model.is_dir():
            raise ValueError(f"--model {model}: give the .keras file (for a run folder use --run)")
        return model, None, None
    run = Path(args.run)
    generator_file = run / RUN_GENERATOR_FILE
    if not generator_file.is_file():
        raise FileNotFoundError(f"{generator_file}: no generator; is {run} a finished run folder?")
    spec_file = run / RUN_TARGET_SPEC_FILE
    return generator_file, run, spec_file if spec_file.is_file() else None


def _load(source: Path, spec_file, preset: bool):
    """``(generator, target spec, family or None)``."""
    from thermal_keras.model_files import load_keras_model, read_target_spec_file

    if preset:
        from thermal_keras.presets import load_preset

        loaded = load_preset(source)
        return loaded.generator, loaded.target_spec, family(loaded.family).contract
    spec = read_target_spec_file(spec_file) if spec_file else None
    return load_keras_model(source), spec, None


def export_any(args) -> int:
    """Write the generator of ``--run``, ``--preset`` or ``--model`` in ``--format``; returns 0."""
    from thermal_keras.deploy.writers import export_generator, sidecar_path
    from thermal_keras.outputs import check_output_files, check_output_folder

    source, run, spec_file = _source(args)
    if args.out:
        out = Path(args.out)
    elif run is not None:
        out = _default_out(run, args.format, args.variant)
    else:
        raise ValueError("export --preset/--model needs --out")
    _check_options(args, out)
    if args.format == "savedmodel":
        check_output_folder(out, overwrite=args.overwrite, reads=[source], run=run)
    else:
        check_output_files([out, sidecar_path(out)], [f"--out {out}", f"the contract of {out}"],
                           inputs=[p for p in (source, spec_file) if p], overwrite=args.overwrite)
    generator, spec, family = _load(source, spec_file, bool(args.preset))
    size = tuple(args.input_size) if args.input_size else None
    written = export_generator(generator, args.format, out, family=family, target_spec=spec,
                               variant=args.variant, input_size=size)
    contract = "" if args.format == "savedmodel" else f" (contract: {sidecar_path(out)})"
    print(f"wrote {args.format} {written}{contract}")
    return 0
