"""``thermal-keras export``: a run's, a preset's or a ``.keras`` file's generator, in any deploy format::

    thermal-keras export --run results/pix2pix --out exported/rgb2thermal
    thermal-keras export --run results/pix2pix --format tflite --variant int8     # also onnx, keras
    thermal-keras export --preset swift_srgan_4x_grey --out sr_savedmodel

A SavedModel from ``--run`` (a translator run) or ``--preset`` (every family, in its family's
contract, docs/export.md) is written here; the other formats and ``--model`` go to
:func:`thermal_keras.deploy.cli.export_any`. The output is checked before the model loads and never
replaced without ``--overwrite``.
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.translation.runs import check_run


def register(commands, train_models) -> dict:
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
    return {"export": export_command}


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
