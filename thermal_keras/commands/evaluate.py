"""``thermal-keras evaluate``: a translator run, a shipped preset of any family, or two image folders::

    thermal-keras evaluate --run results/pix2pix
    thermal-keras evaluate --real thermal_test/ --fake generated/ --json scores.json
    thermal-keras evaluate --preset swift_srgan_4x_grey --data my_thermal_frames/

``--run`` takes any translator run (pix2pix or CycleGAN); ``--preset`` scores a preset against its
family's baselines (:func:`thermal_keras.presets.evaluate.evaluate_preset`). Output files follow
docs/cli.md's rules: checked before any scoring, never replaced without ``--overwrite``.
"""

from __future__ import annotations

from pathlib import Path

from thermal_keras.translation.runs import check_run


def register(commands, train_models) -> dict:
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
    return {"evaluate": evaluate_command}


def _folder_images(*folders):
    from thermal_keras.image_io import list_images

    return [p for folder in folders if folder and Path(folder).is_dir() for p in list_images(folder, minimum=0)]


def evaluate_command(args) -> int:
    import dataclasses

    from thermal_keras.data.sources import train_and_eval_pairs
    from thermal_keras.export import RUN_GENERATOR_FILE, load_keras_model
    from thermal_keras.outputs import check_output_files, check_writable_location, same_path
    from thermal_keras.reports import write_report_json
    from thermal_keras.translation.evaluate import evaluate_translation, format_report

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
