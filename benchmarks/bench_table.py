"""``make bench``: a small CPU run of every benchmark, printed as one table (8-13 minutes on 2 cores).

Runs ``train_step.py`` (the three model families at full width, then pix2pix under each precision
policy with XLA off and on), ``input_pipeline.py``, ``inference.py`` and ``deploy_formats.py`` (each
deploy format's latency and size at batch 1, U-Net 256 and Swift-SRGAN 4x; about 5 minutes of it) as
subprocesses with small settings, collects their JSON and prints one table. ``--json`` keeps
everything; the per-script options are in each script's ``--help``. Full-size and GPU runs: call the
scripts directly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

TRAIN_FAMILIES = ["--models", "pix2pix", "cyclegan", "swift_srgan", "--image-size", "128", "--sr-size", "96",
                  "--batch-size", "1", "--steps", "4"]
TRAIN_POLICIES = ["--models", "pix2pix", "--small", "--image-size", "128", "--batch-size", "4", "--steps", "3",
                  "--precision", "float32", "mixed_float16", "mixed_bfloat16", "--xla", "off", "on"]
PIPELINE = ["--pairs", "48", "--file-size", "143", "--load-size", "143", "--image-size", "128", "--ngf", "16",
            "--rounds", "5"]
INFERENCE = ["--models", "unet_256", "swift_srgan", "--batch-size", "1", "8", "--size", "256", "--sr-size", "64",
             "--runs", "3"]
DEPLOY = ["--models", "unet_256", "swift_srgan", "--size", "256", "--sr-size", "64", "--runs", "5", "--threads", "2"]


def run(script: str, options: list[str], folder: Path) -> dict:
    out = folder / f"{script}.json"
    start = time.perf_counter()
    subprocess.run([sys.executable, str(HERE / f"{script}.py"), *options, "--json", str(out)], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))
    print(f"  {script}.py done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return json.loads(out.read_text())


def deploy_rows(deploy: dict) -> list[tuple[str, str, str]]:
    """One row per model and format: latency at batch 1, size, and the difference to the SavedModel."""
    rows = []
    for r in deploy["records"]:
        side = r["input"][1]
        check = "" if r.get("max_diff") is None else (
            f", max diff {r['max_diff']:.1e}" + (f", {r['psnr_db']:.1f} dB" if r.get("psnr_db") else ""))
        rows.append(("deploy format", f"{r['model']} {side}² batch 1, {r['format']}",
                     f"{r['latency_ms']:.1f} ms, {r['size_mb']:.1f} MB{check}"))
    return rows


def table_rows(families: dict, policies: dict, pipeline: dict, inference: dict) -> list[tuple[str, str, str]]:
    rows = []
    for r in families["records"]:
        rows.append(("train step", f"{r['model']} {r['image_size']}² batch {r['batch_size']}, float32",
                     f"{r['median_s']:.3f} s/step ({r['images_per_s']:.1f} img/s)"))
    base = {r["xla"]: r["median_s"] for r in policies["records"] if r["precision"] == "float32"}
    for r in policies["records"]:
        ratio = r["median_s"] / base[False]
        rows.append(("precision / XLA", f"pix2pix small 128² b4, {r['precision']}, XLA {'on' if r['xla'] else 'off'}",
                     f"{r['median_s']:.3f} s/step ({ratio:.2f}x float32 XLA off)"))
    p = pipeline["result"]
    memory = p["epoch_in_memory_s"]
    rows.append(("input pipeline", f"epoch on in-memory batches ({p['steps_per_epoch']} steps)", f"{memory:.2f} s"))
    for label, key in (("epoch fed by tf.data, first (decode + cache)", "epoch_pipeline_first_s"),
                       ("epoch fed by tf.data, later", "epoch_pipeline_later_s"),
                       ("epoch fed by a synchronous cv2 loop", "epoch_cv2_loop_s")):
        rows.append(("input pipeline", label, f"{p[key]:.2f} s ({100 * (p[key] - memory) / memory:+.1f}%)"))
    step_rate = p["step_images_per_s"]
    rows.append(("input pipeline", "train step consumes", f"{step_rate:.1f} img/s"))
    for label, key in (("tf.data uncached", "pipeline_uncached_images_per_s"),
                       ("tf.data cached", "pipeline_cached_images_per_s"), ("cv2 loop", "cv2_loop_images_per_s")):
        rows.append(("input pipeline", f"{label} produces", f"{p[key]:.0f} img/s ({p[key] / step_rate:.1f}x the step)"))
    for r in inference["records"]:
        rows.append(("SavedModel inference", f"{r['model']} {r['input_side']}² in, batch {r['batch_size']}",
                     f"{r['images_per_s']:.2f} img/s"))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", default="", help="write every script's records here")
    args = parser.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        families = run("train_step", TRAIN_FAMILIES, folder)
        policies = run("train_step", TRAIN_POLICIES, folder)
        pipeline = run("input_pipeline", PIPELINE, folder)
        inference = run("inference", INFERENCE, folder)
        deploy = run("deploy_formats", DEPLOY, folder)
    env = families["environment"]
    print(f"\nthermal-keras benchmarks: TF {env['tensorflow']}, Keras {env['keras']}, devices {env['devices']}, "
          f"{env['cpu_count']} CPUs, oneDNN {env['onednn']}, load {env['load_average_1min']} at start, "
          f"{time.perf_counter() - start:.0f} s in all")
    rows = table_rows(families, policies, pipeline, inference) + deploy_rows(deploy)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    rule = "  ".join("-" * w for w in widths)
    print(rule)
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)))
    print(rule)
    if args.json:
        sys.path.insert(0, str(HERE))
        from benchmarks_common import write_json

        write_json(args.json, {"train_families": families, "train_policies": policies, "input_pipeline": pipeline,
                               "inference": inference, "deploy_formats": deploy})


if __name__ == "__main__":
    main()
