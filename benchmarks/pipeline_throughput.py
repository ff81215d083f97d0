"""Does the tf.data pipeline keep a training step fed? Prints timings; not a test.

Writes a temporary folder of image pairs, then times one epoch of a small compiled training step fed
(1) from tensors already in memory, (2) by ``thermal_keras.data.paired_dataset`` (first epoch, which
decodes and fills the cache, and later epochs), and (3) by a synchronous loop that loads each batch
with PIL before the step (the seed code's pattern, with PIL in place of cv2). Also the pipeline alone.
The goal: (2) after the first epoch within 5% of (1).

    python benchmarks/pipeline_throughput.py --pairs 200 --file-size 286 --image-size 256
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers  # noqa: E402
from PIL import Image  # noqa: E402

from data_loaders.paired import paired_folder  # noqa: E402
from thermal_keras import data  # noqa: E402


def write_pairs(root: Path, n: int, size: int, extension: str) -> None:
    """Smooth random RGB scenes (A) and a grey function of them (B), ``size`` x ``size``."""
    rng = np.random.default_rng(0)
    for i in range(n):
        coarse = rng.uniform(0, 255, (size // 16 + 1, size // 16 + 1, 3)).astype(np.float32)
        big = np.asarray(Image.fromarray(coarse.astype(np.uint8)).resize((size, size), Image.BICUBIC))
        rgb = np.clip(big + rng.normal(0, 8, big.shape), 0, 255).astype(np.uint8)
        grey = (rgb.astype(np.float32) @ np.array([0.2, 0.3, 0.5], np.float32)).astype(np.uint8)
        for folder, array in (("A", rgb), ("B", grey)):
            (root / folder).mkdir(parents=True, exist_ok=True)
            Image.fromarray(array).save(root / folder / f"{i:05d}.{extension}", quality=95)


def small_translator(width: int) -> keras.Model:
    """A few strided convolutions down and up: a pix2pix-shaped step at a fraction of the cost."""
    x = inputs = keras.Input((None, None, 3))
    skips = []
    for factor in (1, 2, 4):
        x = layers.Conv2D(width * factor, 4, strides=2, padding="same", activation="relu")(x)
        skips.append(x)
    for factor, skip in zip((2, 1), reversed(skips[:-1])):
        x = layers.Conv2DTranspose(width * factor, 4, strides=2, padding="same", activation="relu")(x)
        x = layers.Concatenate()([x, skip])
    outputs = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh")(x)
    return keras.Model(inputs, outputs)


def make_step(width: int):
    model, optimizer = small_translator(width), keras.optimizers.Adam(2e-4)

    @tf.function
    def step(a, b):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.abs(model(a, training=True) - b))
        weights = model.trainable_variables
        optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        return loss

    return step


def timed(batches, step=None) -> tuple[float, int]:
    """Seconds to run ``step`` on every batch (or only to produce them), and the batch count."""
    start, count, loss = time.perf_counter(), 0, None
    for a, b in batches:
        loss = step(a, b) if step is not None else a
        count += 1
    if loss is not None:
        float(tf.reduce_mean(loss))  # wait for the last step
    return time.perf_counter() - start, count


def pil_batches(files, batch_size, image_size, load_size, rng):
    """The synchronous pattern: load, resize, crop and flip each batch in Python before its step."""
    order = rng.permutation(len(files))
    for first in range(0, len(order) - batch_size + 1, batch_size):
        a_list, b_list = [], []
        for i in order[first:first + batch_size]:
            square = (load_size, load_size)
            a = np.asarray(Image.open(files.a_paths[i]).convert("RGB").resize(square, Image.BICUBIC))
            b = np.asarray(Image.open(files.b_paths[i]).convert("L").resize(square, Image.BICUBIC))
            y, x = rng.integers(0, load_size - image_size + 1, 2)
            a, b = a[y:y + image_size, x:x + image_size], b[y:y + image_size, x:x + image_size, None]
            if rng.random() < 0.5:
                a, b = a[:, ::-1], b[:, ::-1]
            a_list.append(a), b_list.append(b)
        yield (tf.constant(np.stack(a_list), tf.float32) / 127.5 - 1,
               tf.constant(np.stack(b_list), tf.float32) / 127.5 - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=200, help="image pairs written")
    parser.add_argument("--file-size", type=int, default=286, help="side of the written images")
    parser.add_argument("--format", default="png", choices=["png", "jpg"])
    parser.add_argument("--image-size", type=int, default=256, help="crop side fed to the step")
    parser.add_argument("--load-size", type=int, default=286, help="resize side before the crop")
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2,
                        help="epochs of alternating in-memory/pipeline chunks")
    parser.add_argument("--chunk", type=int, default=25, help="steps per timed chunk")
    parser.add_argument("--width", type=int, default=16, help="filters of the step's first layer")
    args = parser.parse_args()
    print(f"TF {tf.__version__}, {os.cpu_count()} CPUs; {args.pairs} {args.format} pairs at "
          f"{args.file_size}px -> load {args.load_size} -> crop {args.image_size}, batch {args.batch_size}")

    with tempfile.TemporaryDirectory() as tmp:
        write_pairs(Path(tmp), args.pairs, args.file_size, args.format)
        files = paired_folder(tmp)
        kwargs = dict(batch_size=args.batch_size, image_size=args.image_size, load_size=args.load_size)
        step = make_step(args.width)

        in_memory = [(tf.identity(a), tf.identity(b))
                     for a, b in data.paired_dataset(files, num_epochs=1, validate=False, **kwargs)]
        steps = len(in_memory)
        timed(in_memory[:3], step)  # trace and warm up

        start = time.perf_counter()
        pipeline = iter(data.paired_dataset(files, num_epochs=None, steps_per_epoch=steps, **kwargs))
        setup_s = time.perf_counter() - start
        first_s = timed((next(pipeline) for _ in range(steps)), step)[0]
        memory_s, pipeline_s = [], []
        for _ in range(args.rounds * steps // args.chunk):
            # Alternate short chunks, so changes in machine load (shared cores) hit both alike.
            memory_s.append(timed(in_memory[:args.chunk], step)[0])
            pipeline_s.append(timed((next(pipeline) for _ in range(args.chunk)), step)[0])

        alone = iter(data.paired_dataset(files, num_epochs=2, validate=False, **kwargs))
        timed(next(alone) for _ in range(steps))  # first epoch: decode and cache
        alone_s = timed(next(alone) for _ in range(steps))[0]
        sync_s = timed(pil_batches(files, args.batch_size, args.image_size, args.load_size,
                                   np.random.default_rng(0)), step)[0]

    report(args, steps, setup_s, first_s, memory_s, pipeline_s, alone_s, sync_s)


def report(args, steps, setup_s, first_s, memory_s, pipeline_s, alone_s, sync_s) -> None:
    per_epoch = steps / args.chunk
    memory = statistics.mean(memory_s) * per_epoch
    pipeline = statistics.mean(pipeline_s) * per_epoch
    overheads = sorted(100 * (p - m) / m for m, p in zip(memory_s, pipeline_s))
    images = steps * args.batch_size
    print(f"validation + setup                 {setup_s:7.2f} s")
    print(f"pipeline alone (cached epoch)      {alone_s:7.2f} s  {images / alone_s:8.1f} pairs/s")
    print(f"step on in-memory tensors          {memory:7.2f} s  per epoch of {steps} steps "
          f"({1000 * memory / steps:.1f} ms/step)")
    print(f"step fed by pipeline, epoch 1      {first_s:7.2f} s  (decode + cache fill) "
          f"{100 * (first_s - memory) / memory:+.1f}%")
    print(f"step fed by pipeline, later epochs {pipeline:7.2f} s  overhead "
          f"{100 * (pipeline - memory) / memory:+.1f}% (goal <= +5%)")
    print(f"  per {args.chunk}-step chunk pair: median {statistics.median(overheads):+.1f}%, "
          f"quartiles {overheads[len(overheads) // 4]:+.1f}% .. {overheads[3 * len(overheads) // 4]:+.1f}% "
          f"over {len(overheads)} pairs")
    print(f"step fed by synchronous PIL loop   {sync_s:7.2f} s  overhead vs in-memory "
          f"{100 * (sync_s - memory) / memory:+.1f}%")


if __name__ == "__main__":
    main()
