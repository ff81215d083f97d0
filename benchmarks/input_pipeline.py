"""Does the tf.data pipeline keep the pix2pix train step fed? Epoch times and images/s; not a test.

Writes a temporary folder of JPEG pairs, builds the package's pix2pix train step, then measures

1. one epoch of the step on batches already in memory (the floor);
2. the step fed by ``thermal_keras.data.pipeline.paired_dataset``: the first epoch (decode + cache fill) and
   the second (from the cache, jitter still random);
3. the step fed by a synchronous per-file OpenCV loop (a common hand-written loader: ``cv2.imread``,
   resize, crop, flip, scale, one file after the other, then the step);
4. the loaders alone: images/s of the pipeline (uncached first epoch and cached), of the cv2 loop,
   and the step's own consumption rate.

(2) and (3) each run right after an epoch of (1), ``--rounds`` times; each overhead is the median
over rounds of fed / in-memory for those adjacent pairs (this 2-core VM's step time wanders by
10-30% over seconds, so unpaired means were too noisy for a 5% goal).

Goals (issue 7): later pipeline-fed epochs at most 5% longer than (1); the pipeline producing at
least 3x what the step consumes.

    python benchmarks/input_pipeline.py --pairs 96 --file-size 286 --image-size 256 --ngf 16
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

import cv2  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from benchmarks_common import environment, write_json  # noqa: E402

from data_loaders.paired import paired_folder  # noqa: E402
from thermal_keras.data.pipeline import paired_dataset  # noqa: E402


def write_pairs(root: Path, n: int, size: int) -> None:
    """Smooth random RGB scenes (A) and a grey function of them (B), ``size`` x ``size`` JPEGs."""
    rng = np.random.default_rng(0)
    for folder in ("A", "B"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    for i in range(n):
        coarse = rng.uniform(0, 255, (size // 16 + 1, size // 16 + 1, 3)).astype(np.float32)
        big = cv2.resize(coarse, (size, size), interpolation=cv2.INTER_CUBIC)
        rgb = np.clip(big + rng.normal(0, 8, big.shape), 0, 255).astype(np.uint8)
        grey = (rgb.astype(np.float32) @ np.array([0.2, 0.3, 0.5], np.float32)).astype(np.uint8)
        cv2.imwrite(str(root / "A" / f"{i:05d}.jpg"), rgb[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(str(root / "B" / f"{i:05d}.jpg"), grey, [cv2.IMWRITE_JPEG_QUALITY, 95])


def pix2pix_step(image_size: int, ngf: int, batch_size: int):
    """The package's pix2pix ``train_step`` as ``fit`` runs it (one ``tf.function``)."""
    from thermal_keras.pix2pix.config import Pix2PixConfig
    from thermal_keras.pix2pix.train import build_pix2pix, compile_pix2pix

    config = Pix2PixConfig(image_size=image_size, generator="unet", ngf=ngf, ndf=ngf,
                           batch_size=batch_size, jit_compile="off")
    model = compile_pix2pix(build_pix2pix(config), config, steps_per_epoch=1000)
    return tf.function(lambda a, b: model.train_step((a, b))["g_loss"])


def timed(batches, step=None) -> tuple[float, int]:
    """Seconds to run ``step`` on every batch (or only to produce the batches), and the batch count."""
    start, count, loss = time.perf_counter(), 0, None
    for a, b in batches:
        loss = step(a, b) if step is not None else a
        count += 1
    if loss is not None:
        float(tf.reduce_mean(loss))  # wait for the last step
    return time.perf_counter() - start, count


def cv2_batches(files, batch_size, image_size, load_size, rng):
    """The synchronous pattern: read, resize, crop, flip and scale each file in Python, then batch."""
    order = rng.permutation(len(files))
    for first in range(0, len(order) - batch_size + 1, batch_size):
        a_list, b_list = [], []
        for i in order[first:first + batch_size]:
            a = cv2.imread(str(files.a_paths[i]), cv2.IMREAD_COLOR)[..., ::-1]
            b = cv2.imread(str(files.b_paths[i]), cv2.IMREAD_GRAYSCALE)
            a = cv2.resize(a, (load_size, load_size), interpolation=cv2.INTER_CUBIC)
            b = cv2.resize(b, (load_size, load_size), interpolation=cv2.INTER_CUBIC)[..., None]
            y, x = rng.integers(0, load_size - image_size + 1, 2)
            a, b = a[y:y + image_size, x:x + image_size], b[y:y + image_size, x:x + image_size]
            if rng.random() < 0.5:
                a, b = a[:, ::-1], b[:, ::-1]
            a_list.append(a.astype(np.float32) / 127.5 - 1), b_list.append(b.astype(np.float32) / 127.5 - 1)
        yield tf.constant(np.stack(a_list)), tf.constant(np.stack(b_list))


def measure(args) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        write_pairs(Path(tmp), args.pairs, args.file_size)
        files = paired_folder(tmp)
        kwargs = dict(batch_size=args.batch_size, image_size=args.image_size, load_size=args.load_size)
        step = pix2pix_step(args.image_size, args.ngf, args.batch_size)

        in_memory = [(tf.identity(a), tf.identity(b))
                     for a, b in paired_dataset(files, num_epochs=1, validate=False, **kwargs)]
        steps = len(in_memory)
        timed(in_memory[:3], step)  # trace and warm up

        uncached = iter(paired_dataset(files, num_epochs=1, cache=False, validate=False, **kwargs))
        pipeline_uncached_s = timed(uncached)[0]
        alone = iter(paired_dataset(files, num_epochs=2, validate=False, **kwargs))
        timed(next(alone) for _ in range(steps))  # first epoch: decode and cache
        pipeline_cached_s = timed(next(alone) for _ in range(steps))[0]
        cv2_alone_s = timed(cv2_batches(files, args.batch_size, args.image_size, args.load_size,
                                        np.random.default_rng(0)))[0]

        # Each round: a fresh pipeline's first and second epoch and a cv2-fed epoch, each right after
        # an in-memory epoch, so that a change of machine load hits a pair alike. Medians over rounds.
        epochs = {"memory": [], "first": [], "later": [], "cv2": []}
        ratios = {"first": [], "later": [], "cv2": []}
        for round_index in range(args.rounds):
            # Each iterator is made when its epoch starts, so nothing decodes or prefetches during the
            # in-memory epoch before it: the dataset holds one epoch (its iterator ends with it), and
            # the later epoch is a new iterator over the same dataset, reading the cache the first filled.
            pipeline = []

            def first_epoch(seed=round_index):
                pipeline.append(paired_dataset(files, num_epochs=1, seed=seed, **kwargs))
                return iter(pipeline[0])

            feeds = {"first": first_epoch,
                     "later": lambda: iter(pipeline[0]),
                     "cv2": lambda: cv2_batches(files, args.batch_size, args.image_size, args.load_size,
                                                np.random.default_rng(round_index))}
            for name, feed in feeds.items():
                memory = timed(in_memory, step)[0]
                fed = timed(feed(), step)[0]
                epochs["memory"].append(memory)
                epochs[name].append(fed)
                ratios[name].append(fed / memory)

    memory_epoch = statistics.median(epochs["memory"])
    images = steps * args.batch_size

    def epoch_s(name):  # the median overhead over adjacent pairs, applied to the median in-memory epoch
        return memory_epoch * statistics.median(ratios[name])

    return {
        "pairs": args.pairs, "steps_per_epoch": steps, "batch_size": args.batch_size, "rounds": args.rounds,
        "file_size": args.file_size, "load_size": args.load_size, "image_size": args.image_size, "ngf": args.ngf,
        "epoch_in_memory_s": memory_epoch,
        "epoch_pipeline_first_s": epoch_s("first"),
        "epoch_pipeline_later_s": epoch_s("later"),
        "epoch_cv2_loop_s": epoch_s("cv2"),
        "epoch_times_s": epochs,
        "overheads_pct": {name: [100 * (r - 1) for r in values] for name, values in ratios.items()},
        "step_images_per_s": images / memory_epoch,
        "pipeline_uncached_images_per_s": images / pipeline_uncached_s,
        "pipeline_cached_images_per_s": images / pipeline_cached_s,
        "cv2_loop_images_per_s": images / cv2_alone_s,
    }


def report(r: dict) -> None:
    memory = r["epoch_in_memory_s"]

    def overhead(seconds):
        return f"{100 * (seconds - memory) / memory:+6.1f}%"

    step_rate = r["step_images_per_s"]
    print(f"{r['pairs']} JPEG pairs {r['file_size']}px -> load {r['load_size']} -> crop {r['image_size']}, "
          f"batch {r['batch_size']}, pix2pix ngf {r['ngf']}: {r['steps_per_epoch']} steps/epoch")
    print(f"epoch, step on in-memory batches      {memory:7.2f} s")
    print(f"epoch, fed by tf.data, first (decode) {r['epoch_pipeline_first_s']:7.2f} s  {overhead(r['epoch_pipeline_first_s'])}")
    print(f"epoch, fed by tf.data, later (cached) {r['epoch_pipeline_later_s']:7.2f} s  "
          f"{overhead(r['epoch_pipeline_later_s'])}  (goal <= +5%)")
    print(f"epoch, fed by a synchronous cv2 loop  {r['epoch_cv2_loop_s']:7.2f} s  {overhead(r['epoch_cv2_loop_s'])}")
    print(f"train step consumes                   {step_rate:7.1f} images/s")
    for name, key in (("tf.data, uncached (decode every time)", "pipeline_uncached_images_per_s"),
                      ("tf.data, cached", "pipeline_cached_images_per_s"),
                      ("cv2 loop alone", "cv2_loop_images_per_s")):
        print(f"{name:<38}{r[key]:7.1f} images/s  {r[key] / step_rate:6.1f}x the step (goal >= 3x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=96, help="image pairs written")
    parser.add_argument("--file-size", type=int, default=286, help="side of the written images")
    parser.add_argument("--load-size", type=int, default=286, help="resize side before the crop")
    parser.add_argument("--image-size", type=int, default=256, help="crop side fed to the step")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--ngf", type=int, default=16, help="pix2pix generator/discriminator width")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of paired epochs (see above)")
    parser.add_argument("--json", default="", help="write the figures here")
    args = parser.parse_args()
    env = environment()
    print(json.dumps(env))
    result = measure(args)
    report(result)
    if args.json:
        write_json(args.json, {"environment": env, "result": result})


if __name__ == "__main__":
    main()
