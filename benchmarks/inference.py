"""Images per second of exported SavedModels, as users run them: uint8 in, thermal (or HR) out.

Exports generators with random weights (speed does not depend on the weights) through the package's
own exporters into a temporary folder, loads them back with ``tf.saved_model.load`` as a deployment
would, and times the ``serve`` signature at each batch size after one warm-up call.

    python benchmarks/inference.py --models unet_256 resnet_9blocks swift_srgan --batch-size 1 8 \
        [--size 256] [--sr-size 64] [--runs 5] [--json results/inference.json]

``unet_256`` and ``resnet_9blocks`` translate RGB -> thermal at ``--size``; ``swift_srgan`` upscales
``--sr-size`` RGB 4x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN kernels, which TensorFlow turns on by itself only on some CPUs (see benchmarks/README.md).
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from benchmarks_common import environment, write_json  # noqa: E402

MODELS = ("unet_256", "resnet_9blocks", "swift_srgan")


def export(name: str, folder: Path) -> Path:
    """Export a random-weight generator ``name`` with the package's exporter; returns the folder."""
    from thermal_keras.export import export_saved_model
    from thermal_keras.models import build_generator
    from thermal_keras.sr.inference import export_sr_saved_model

    if name == "swift_srgan":
        return export_sr_saved_model(build_generator(name, scale=4, channels=3), folder / name)
    return export_saved_model(build_generator(name, in_channels=3, out_channels=1), folder / name)


def time_serving(path: Path, batch: int, side: int, runs: int) -> dict:
    """Median seconds per ``serve`` call on a uint8 batch ``(batch, side, side, 3)``."""
    serve = tf.saved_model.load(str(path)).signatures["serve"]
    images = tf.constant(np.random.default_rng(0).integers(0, 256, (batch, side, side, 3), np.uint8))
    key = next(iter(serve.structured_input_signature[1]))
    start = time.perf_counter()
    _finish(serve(**{key: images}))
    first = time.perf_counter() - start
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        _finish(serve(**{key: images}))
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    return {"batch_size": batch, "input_side": side, "first_call_s": first, "median_s": median,
            "min_s": min(times), "max_s": max(times), "runs": runs, "images_per_s": batch / median}


def _finish(outputs):
    for value in outputs.values():
        value.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--batch-size", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--size", type=int, default=256, help="translation input side")
    parser.add_argument("--sr-size", type=int, default=64, help="super-resolution input side (output 4x)")
    parser.add_argument("--runs", type=int, default=5, help="timed calls per setting")
    parser.add_argument("--json", default="", help="write the records here")
    args = parser.parse_args()
    env = environment()
    print(json.dumps(env))
    records = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.models:
            path = export(name, Path(tmp))
            side = args.sr_size if name == "swift_srgan" else args.size
            for batch in args.batch_size:
                record = {"model": name, **time_serving(path, batch, side, args.runs)}
                records.append(record)
                print(f"{name:<15} {side:>4}² in, batch {batch:<2} {record['images_per_s']:7.2f} images/s "
                      f"({1000 * record['median_s'] / batch:7.1f} ms/image; first call {record['first_call_s']:.1f} s)",
                      flush=True)
    if args.json:
        write_json(args.json, {"environment": env, "records": records})


if __name__ == "__main__":
    main()
