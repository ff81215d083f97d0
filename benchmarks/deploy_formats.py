"""Latency and size of every deploy format at batch 1: the U-Net 256 translator and Swift-SRGAN 4x.

For each generator: the ``.keras`` file (the model alone, run by Keras on TensorFlow), the SavedModel
(uint8 contract), TFLite float32 / float16 / int8 (fixed input size, ``--threads`` interpreter
threads) and ONNX (dynamic size, ONNX Runtime with ``--threads`` intra-op threads). Latency is the
median of ``--runs`` timed calls after one warm-up; size is the file (or folder) on disk; "max diff"
and PSNR compare the format's float output with the SavedModel's on the same uint8 input (PSNR on
the output's range: 2 for [-1, 1], 1 for [0, 1]).

Weights: Swift-SRGAN 4x is the trained ``swift_srgan_4x_grey`` preset; the U-Net 256 has no trained
preset, so its weights are redrawn (tests/export/deploy_models.py, ``--weights spread``) so that its
outputs span [-1, 1] and the differences mean something; latency and size do not depend on them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _folder_size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _median_latency(fn, runs: int) -> float:
    fn()  # warm-up (tracing, allocation)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _generator(name: str, weights: str):
    from thermal_keras.models import build_generator

    if name == "swift_srgan":
        from thermal_keras.presets import load_preset, preset_path

        return load_preset(preset_path("swift_srgan_4x_grey")).generator, "trained preset swift_srgan_4x_grey"
    generator = build_generator("unet_256", in_channels=3, out_channels=1)
    if weights == "spread":
        sys.path.insert(0, str(HERE.parent / "tests" / "export"))
        from deploy_models import spread_weights

        spread_weights(generator)
        return generator, "untrained, weights spread (deploy_models.py)"
    return generator, "untrained, initial weights"


def bench_model(name: str, side: int, runs: int, threads: int, weights: str, folder: Path) -> list[dict]:
    import numpy as np
    import tensorflow as tf

    from thermal_keras.deploy.contracts import contract_for
    from thermal_keras.deploy.runners import OnnxRunner, TFLiteRunner
    from thermal_keras.deploy.writers import export_generator

    generator, origin = _generator(name, weights)
    contract = contract_for(generator)
    (input_name, _, shape), = contract.inputs
    channels = shape[-1]
    key = "thermal" if contract.family == "translator" else "sr"
    peak = 2.0 if key == "thermal" else 1.0
    x = np.random.default_rng(0).integers(0, 256, (1, side, side, channels), dtype=np.uint8)
    records = []

    def record(fmt, path, run, seconds=None, compare=True):
        out = run()
        latency = _median_latency(run, runs)
        entry = {"model": name, "weights": origin, "format": fmt, "input": [1, side, side, channels],
                 "size_mb": round(_folder_size(path) / 1e6, 2), "latency_ms": round(1000 * latency, 1),
                 "export_s": seconds}
        if compare:
            diff = np.asarray(out, np.float64) - reference
            mse = float(np.mean(diff**2))
            entry["max_diff"] = float(np.abs(diff).max())
            entry["psnr_db"] = round(float(10 * np.log10(peak**2 / mse)), 1) if mse > 0 else None
        records.append(entry)
        print(f"  {name} {fmt}: {entry}", file=sys.stderr, flush=True)

    start = time.perf_counter()
    saved = export_generator(generator, "savedmodel", folder / f"{name}_sm")
    seconds = round(time.perf_counter() - start, 1)
    loaded = tf.saved_model.load(str(saved))
    reference = np.asarray(_serve_float(loaded, contract.family, x), np.float64)
    record("SavedModel (uint8 contract; the reference)", saved, lambda: _serve_float(loaded, contract.family, x),
           seconds, compare=False)

    keras_file = export_generator(generator, "keras", folder / f"{name}.keras")
    unit = (x / 127.5 - 1.0) if key == "thermal" else x / 255.0
    unit = tf.constant(unit.astype(np.float32))
    call = tf.function(lambda t: generator(t, training=False))
    record(".keras (Keras on TF, model only)", keras_file, lambda: call(unit).numpy())

    for variant in ("float32", "float16", "int8"):
        path = folder / f"{name}_{variant}.tflite"
        start = time.perf_counter()
        export_generator(generator, "tflite", path, variant=variant, input_size=(side, side))
        seconds = round(time.perf_counter() - start, 1)
        runner = TFLiteRunner(path, threads=threads)
        record(f"TFLite {variant} (fixed {side}x{side})", path, lambda: runner(**{input_name: x})[key],
               seconds=seconds)
        path.unlink()  # keep the disk use down: a float32 U-Net 256 is 200 MB

    path = folder / f"{name}.onnx"
    start = time.perf_counter()
    export_generator(generator, "onnx", path)
    seconds = round(time.perf_counter() - start, 1)
    runner = OnnxRunner(path, threads=threads)
    record("ONNX (dynamic size, onnxruntime)", path, lambda: runner(**{input_name: x})[key], seconds=seconds)
    return records


def _serve_float(loaded, family, x):
    import tensorflow as tf

    if family == "translator":
        return loaded.serve(tf.constant(x))["thermal"].numpy()
    return loaded.serve_float(tf.constant(x.astype("float32") / 255.0)).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["unet_256", "swift_srgan"], choices=["unet_256", "swift_srgan"])
    parser.add_argument("--size", type=int, default=256, help="U-Net input side (default: 256)")
    parser.add_argument("--sr-size", type=int, default=64, help="Swift-SRGAN input side (default: 64 -> 256)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per format (default: 5)")
    parser.add_argument("--threads", type=int, default=2, help="threads for every runtime (default: 2)")
    parser.add_argument("--weights", default="spread", choices=["spread", "init"], help="U-Net weights")
    parser.add_argument("--json", default="", help="write the records here")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")  # as the thermal-keras command and train_step.py set it
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    sys.path.insert(0, str(HERE))
    from benchmarks_common import environment, write_json

    env = environment()
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            side = args.size if name == "unet_256" else args.sr_size
            records += bench_model(name, side, args.runs, args.threads, args.weights, Path(tmp))
    for r in records:
        extra = "" if "max_diff" not in r else f"  max diff {r['max_diff']:.1e}, PSNR {r['psnr_db']} dB"
        extra += "" if r["export_s"] is None else f"  (export {r['export_s']} s)"
        print(f"{r['model']:12} {r['format']:36} {r['size_mb']:9.2f} MB {r['latency_ms']:9.1f} ms{extra}")
    if args.json:
        write_json(args.json, {"environment": env, "threads": args.threads, "records": records})


if __name__ == "__main__":
    main()
