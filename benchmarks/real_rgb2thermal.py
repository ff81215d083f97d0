"""Real RGB -> thermal: pix2pix variants and the PyTorch reference on held-out RoadScene frames.

Data: the RoadScene research sample in ../shared/data/roadscene_sample (registered RGB / long-wave
infrared frames from the FLIR ADAS driving videos; research use, read in place, never copied, never
used for shipped weights). The split is ``data_loaders.roadscene``'s: whole runs of consecutive frame
numbers are held out (31 frames of the 169), and no training frame is a neighbour of a held-out one.

Protocol (``real_frames.py``; the contenders: ``real_variants.py``): shorter side resized to 256,
held-out frames scored on the centre 256² crop in 8-bit levels (PSNR, SSIM, UQI, mean |error|), beside
four baselines that need no training.
Every contender trains for the same ``--steps`` at batch 1 on the same sequence of random 256² crops
(with flips); the PyTorch reference (``pytorch_pix2pix_train.py``, its own venv) reads those crops
from disk. Wall time of each contender is printed; they run one after the other, alone.

    make bench-real            # the default contenders, about 50 minutes on 2 CPU cores
    python benchmarks/real_rgb2thermal.py --steps 1014 --variants reference defaults recipe \
        --torch-python .venv-torch/bin/python --json benchmarks/results/real_rgb2thermal.json
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from real_frames import to_levels  # noqa: E402
from real_variants import DEFAULT_CONTENDERS, DRIVING_PRESET, PRESET, VARIANTS  # noqa: E402

SAMPLE = HERE.parents[1] / "shared" / "data" / "roadscene_sample"


def train_ours(name: str, crops, eval_rgb: np.ndarray, mean_frame: np.ndarray, seed: int,
               log_every: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Train variant ``name`` on the crops (batch 1, one step a crop). Returns the held-out predictions
    in [-1, 1], the same averaged with the mirrored frame's (flip test-time augmentation) and the
    training wall time.
    ``mean_frame``: the mean training target, ``(256, 256, 1)`` in [-1, 1] (for ``mean_prior``)."""
    import keras
    import tensorflow as tf

    from thermal_keras.data.augment import exposure_jitter, random_zoom_pair
    from thermal_keras.pix2pix.config import Pix2PixConfig
    from thermal_keras.pix2pix.train import build_pix2pix, compile_pix2pix
    from thermal_keras.training.run import init_generator

    options = dict(VARIANTS[name])
    exposure, decay, init_from = options.pop("exposure", 0.0), options.pop("decay", 0.0), options.pop("init_from", "")
    flip_tta, ema, zoom = options.pop("flip_tta", False), options.pop("ema", 0.0), options.pop("zoom", 0.0)
    steps = len(crops[0])
    decay_steps = int(round(steps * decay))
    config = Pix2PixConfig(image_size=crops[0].shape[1], batch_size=1, epochs=steps - decay_steps,
                           decay_epochs=decay_steps, seed=seed, **options)
    keras.utils.set_random_seed(seed)
    model = build_pix2pix(config, 3, 1, mean_frame)
    if init_from and options.get("norm") == "instance":  # the preset has batch norms: copy its convolutions
        copy_matching_kernels(model.generator, init_from)
    elif init_from:
        init_generator(model.generator, init_from)
    compile_pix2pix(model, config, steps_per_epoch=1)  # "epochs" count steps here
    if ema:  # the generator's weights averaged over the steps (swapped in after training)
        optimizer = model.g_optimizer  # compile built it: add the averages as Keras' build() does with use_ema
        optimizer.use_ema, optimizer.ema_momentum = True, ema
        optimizer._model_variables_moving_average = optimizer.add_optimizer_variables(
            model.generator.trainable_variables, "average")

    def scaled(index, pair):
        rgb, ir = pair
        rgb = tf.cast(rgb, tf.float32) / 127.5 - 1.0
        ir = tf.cast(ir, tf.float32) / 127.5 - 1.0
        if exposure:
            rgb = exposure_jitter(rgb, tf.stack([tf.constant(seed, tf.int64), index]), exposure)
        if zoom:
            rgb, ir = random_zoom_pair(rgb, ir, tf.stack([tf.constant(seed + 1, tf.int64), index]), zoom)
        return rgb, ir

    data = tf.data.Dataset.from_tensor_slices(crops).enumerate().map(scaled).batch(1).prefetch(2)
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[_Progress(name, steps, log_every)])
    seconds = time.perf_counter() - start
    if ema:
        model.g_optimizer.finalize_variable_values(model.generator.trainable_variables)

    def translate(rgb, mirrored):
        out = np.asarray(model.generator(rgb, training=False))
        if mirrored or flip_tta:
            out = 0.5 * (out + np.asarray(model.generator(rgb[:, :, ::-1], training=False))[:, :, ::-1])
        return out

    frames = [eval_rgb[i:i + 8].astype(np.float32) / 127.5 - 1.0 for i in range(0, len(eval_rgb), 8)]
    plain = np.concatenate([translate(batch, False) for batch in frames])
    mirrored = np.concatenate([translate(batch, True) for batch in frames])
    return plain, mirrored, seconds


def copy_matching_kernels(generator, source: str) -> int:
    """Copy the weights of preset ``source`` whose layer path and shape match ``generator``'s (the
    convolution kernels of the same U-Net under another normalisation); returns how many were copied."""
    from thermal_keras.presets import weights_source

    theirs = {w.path: w for w in weights_source(source)[0].weights}
    copied = 0
    for weight in generator.weights:
        match = theirs.get(weight.path)
        if match is not None and tuple(match.shape) == tuple(weight.shape):
            weight.assign(match)
            copied += 1
    print(f"  copied {copied} of {len(generator.weights)} weights from {source}", flush=True)
    return copied


class _Progress:
    """A Keras callback (built lazily so this module imports without Keras) that prints the running
    generator loss and fails the run on a non-finite one."""

    def __new__(cls, name, steps, every):
        import keras

        class Progress(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.start = time.perf_counter()

            def on_train_batch_end(self, batch, logs=None):
                g_loss = float((logs or {}).get("g_loss", 0.0))
                if not np.isfinite(g_loss):
                    raise SystemExit(f"{name}: non-finite generator loss at step {batch + 1}")
                if every and (batch + 1) % every == 0:
                    print(f"  {name} step {batch + 1}/{steps}  g_loss {g_loss:.3f}  "
                          f"{time.perf_counter() - self.start:.0f} s", flush=True)

        return Progress()


def preset_zero_shot(eval_rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The shipped synthetic pix2pix presets on the held-out frames, untrained on real ones, uint8
    ``(N, H, W, 1)`` each: the radiometric preset's 8-bit output (a fixed -40..70 °C scale) and, as
    ``translate --agc``, each frame stretched 1st-99th percentile to 0..255 like the camera's automatic
    gain control; the driving preset's output, which is an 8-bit AGC frame itself (and that frame
    stretched the same way, as a check that the stretch is not what it lacks)."""
    import tensorflow as tf

    from thermal_keras import presets
    from thermal_keras.export import agc_u8

    def run(generator):
        return np.concatenate([np.asarray(generator(eval_rgb[i:i + 8].astype(np.float32) / 127.5 - 1.0,
                                                    training=False)) for i in range(0, len(eval_rgb), 8)])

    preset = presets.load_preset(PRESET)
    low, high = preset.info["target_spec"]["value_range"]
    y = run(preset.generator)
    agc = agc_u8(tf.convert_to_tensor(np.clip(y, -1, 1)), 2.0 / max(high - low, 1.0)).numpy()
    rows = {"preset zero-shot": to_levels(y), "preset zero-shot --agc": agc}
    if DRIVING_PRESET in presets.preset_names():
        y = run(presets.load_preset(DRIVING_PRESET).generator)
        rows["driving preset zero-shot"] = to_levels(y)
        rows["driving preset zero-shot, restretched"] = agc_u8(tf.convert_to_tensor(np.clip(y, -1, 1)),
                                                               2.0 / 255).numpy()
    else:
        print(f"{DRIVING_PRESET} is not built yet (make presets-pix2pix-driving): its rows are left out", flush=True)
    return rows


def train_reference(torch_python: str, paths: dict, out: Path, log_every: int) -> tuple[dict, float]:
    """The PyTorch reference in its own interpreter; ``({"test_mode": ..., "eval_mode": ...}, seconds)``."""
    command = [torch_python, str(HERE / "pytorch_pix2pix_train.py"), "--rgb", paths["crops_rgb"], "--ir",
               paths["crops_ir"], "--eval-rgb", paths["eval_rgb"], "--out", str(out), "--threads",
               str(os.cpu_count() or 1), "--log-every", str(log_every)]
    start = time.perf_counter()
    subprocess.run(command, check=True, cwd=HERE)
    seconds = time.perf_counter() - start
    with np.load(out) as predictions:
        return {k: predictions[k] for k in ("test_mode", "eval_mode")}, seconds


def reference_rows(path: str, args, n_train: int, n_test: int) -> dict:
    """The reference's result rows of an earlier run of this benchmark with the same protocol (steps, seed,
    split), so the same crops in the same order; SystemExit naming the file and the first difference."""
    import json

    from data_loaders import roadscene

    record = json.loads(Path(path).read_text())
    mine = {"steps": args.steps, "seed": args.seed, "max_frames": args.max_frames, "train frames": n_train,
            "test frames": n_test, "held-out runs": roadscene.held_out_runs_text()}
    theirs = {"steps": record["args"]["steps"], "seed": record["args"]["seed"],
              "max_frames": record["args"]["max_frames"], "train frames": record["split"]["train"],
              "test frames": record["split"]["test"], "held-out runs": record["split"]["held_out_runs"]}
    for key, value in mine.items():
        if theirs[key] != value:
            raise SystemExit(f"--reference-from {path}: its {key} is {theirs[key]!r}, this run's {value!r}")
    rows = {k: {**v, "from": str(path)} for k, v in record["results"].items() if k.startswith("reference")}
    if not rows:
        raise SystemExit(f"--reference-from {path}: it has no reference rows")
    return rows


def torch_problem(torch_python: str | None) -> str | None:
    """Why the reference cannot run (None when it can)."""
    if not torch_python:
        return "no --torch-python given (make bench-real makes .venv-torch)"
    probe = subprocess.run([torch_python, "-c", "import torch"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"{torch_python} cannot import torch"


def goals(results: dict) -> list[str]:
    """The issue's goals on these results, each line with its numbers and PASS/FAIL."""
    lines = []

    def compare(a, b, margins):
        if a not in results or b not in results:
            return
        checks = [(m, results[a]["scores"][m] - results[b]["scores"][m], need) for m, need in margins.items()]
        ok = all(diff > need if need == 0 else diff >= need for _, diff, need in checks)
        detail = ", ".join(f"{m} {results[a]['scores'][m]:.3f} vs {results[b]['scores'][m]:.3f} "
                           f"({diff:+.3f}, need {'>' if need == 0 else '>='} {need:+g})" for m, diff, need in checks)
        lines.append(f"{'PASS' if ok else 'FAIL'}  {a} vs {b}: {detail}")

    compare("recipe", "reference", {"psnr": 1.0, "ssim": 0.05})
    for baseline in ("mean training frame", "constant 128"):
        compare("recipe", baseline, {"psnr": 0, "ssim": 0, "uqi": 0})
    compare("recipe_preset", "recipe_v1", {"psnr": 0.5})
    compare("recipe", "recipe_scratch", {"psnr": 0.5})
    compare("small_preset", "small_scratch", {"psnr": 0.5})
    for baseline in ("constant 128", "grey of RGB"):
        compare("preset zero-shot --agc", baseline, {"psnr": 0, "ssim": 0})
        compare("driving preset zero-shot", baseline, {"psnr": 0, "ssim": 0})
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SAMPLE), help="RoadScene folder (crop_LR_visible/, cropinfrared/)")
    parser.add_argument("--steps", type=int, default=1014, help="training steps of every contender (batch 1)")
    parser.add_argument("--variants", nargs="+", default=DEFAULT_CONTENDERS,
                        choices=["reference", "preset_zero_shot", *VARIANTS])
    parser.add_argument("--torch-python", default=None, help="interpreter with PyTorch for the reference")
    parser.add_argument("--max-frames", type=int, default=0, help="use at most this many frames of each split "
                        "(0: all; for a smoke run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=200)
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--predictions", default=None, help="write the held-out predictions (uint8) to this .npz")
    parser.add_argument("--no-flip-rows", action="store_true", help="leave out the '+flip' rows (each of our "
                        "variants' predictions averaged with those of the mirrored frame) from the table")
    parser.add_argument("--reference-from", default=None, help="take the PyTorch reference's rows from this earlier "
                        "results JSON of the same protocol (same --steps, --seed and split: the same crops) instead of "
                        "training it again (about 25 minutes on 2 CPU cores)")
    args = parser.parse_args()
    if not (Path(args.data) / "crop_LR_visible").is_dir():
        raise SystemExit(f"skipped: {args.data} holds no RoadScene frames (crop_LR_visible/, cropinfrared/)")
    if args.torch_python and os.sep in args.torch_python:  # the reference runs from benchmarks/
        args.torch_python = os.path.abspath(args.torch_python)
    problem = torch_problem(args.torch_python) if "reference" in args.variants and not args.reference_from else None
    if problem:
        print(f"the PyTorch reference is skipped: {problem}", flush=True)
    from benchmarks_common import environment, write_json
    from real_frames import baselines, centre_crops, crop_stream, load_frames, save_arrays, score

    from data_loaders import roadscene

    train_files, test_files = (roadscene.roadscene(args.data, split) for split in ("train", "test"))
    if args.max_frames:
        train_files, test_files = (f.subset(range(min(args.max_frames, len(f)))) for f in (train_files, test_files))
    print(f"RoadScene split: {len(train_files)} training frames, {len(test_files)} held-out frames "
          f"(runs {roadscene.held_out_runs_text()})", flush=True)
    train_rgb, train_ir = load_frames(train_files)
    eval_rgb, eval_ir = (centre_crops(images) for images in load_frames(test_files))
    crops = crop_stream(train_rgb, train_ir, args.steps, args.seed)
    reused = reference_rows(args.reference_from, args, len(train_files), len(test_files)) if args.reference_from else {}
    predictions = {name: image for name, image in baselines(eval_rgb, train_ir).items()}
    mean_frame = centre_crops(train_ir).astype(np.float32).mean(axis=0) / 127.5 - 1.0
    results = {name: {"scores": score(eval_ir, image)} for name, image in predictions.items()}
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_arrays(Path(tmp), crops_rgb=crops[0], crops_ir=crops[1], eval_rgb=eval_rgb)
        for name in args.variants:
            if name == "preset_zero_shot":
                for label, image in preset_zero_shot(eval_rgb).items():
                    predictions[label], results[label] = image, {"scores": score(eval_ir, image)}
                continue
            if name == "reference":
                if reused:
                    results.update(reused)
                    continue
                if problem:
                    continue
                outputs, seconds = train_reference(args.torch_python, paths, Path(tmp) / "torch.npz", args.log_every)
                for mode, label in (("test_mode", "reference"), ("eval_mode", "reference --eval")):
                    predictions[label] = to_levels(outputs[mode])
                    results[label] = {"scores": score(eval_ir, predictions[label]), "train_seconds": seconds}
                continue
            output, mirrored, seconds = train_ours(name, crops, eval_rgb, mean_frame, args.seed, args.log_every)
            predictions[name], predictions[f"{name} +flip"] = to_levels(output), to_levels(mirrored)
            results[name] = {"scores": score(eval_ir, predictions[name]), "train_seconds": seconds,
                             "options": VARIANTS[name]}
            results[f"{name} +flip"] = {"scores": score(eval_ir, predictions[f"{name} +flip"]),
                                        "options": {**VARIANTS[name], "flip_tta": True}}
            s = results[name]["scores"]
            print(f"{name:22} PSNR {s['psnr']:6.2f}  SSIM {s['ssim']:.3f}  UQI {s['uqi']:.3f}  ({seconds:.0f} s)",
                  flush=True)
    print(f"\n{len(eval_ir)} held-out RoadScene frames, centre 256² at shorter side 256, 8-bit; "
          f"{args.steps} steps of batch 1 on the same crops")
    print(f"{'':22}{'PSNR':>8}{'SSIM':>8}{'UQI':>8}{'|err|':>8}{'train s':>9}")
    for name, result in results.items():
        if args.no_flip_rows and name.endswith(" +flip"):
            continue
        s = result["scores"]
        wall = f"{result['train_seconds']:9.0f}" if "train_seconds" in result else f"{'':>9}"
        print(f"{name:22}{s['psnr']:8.2f}{s['ssim']:8.3f}{s['uqi']:8.3f}{s['mae_levels']:8.1f}{wall}")
    goal_lines = goals(results)
    print("\n" + "\n".join(goal_lines) if goal_lines else "")
    if args.json:
        write_json(args.json, {"environment": environment(), "args": vars(args),
                               "split": {"train": len(train_files), "test": len(test_files),
                                         "held_out_runs": roadscene.held_out_runs_text()},
                               "results": results, "goals": goal_lines})
    if args.predictions:
        np.savez_compressed(args.predictions, names=np.array([Path(p).stem for p in test_files.a_paths]),
                            target=eval_ir, rgb=eval_rgb, **{k.replace(" ", "_"): v for k, v in predictions.items()})


if __name__ == "__main__":
    main()
