"""Time training steps of pix2pix, CycleGAN and Swift-SRGAN: median and spread after warm-up.

Each model is built by the package's own run builders from a config, compiled as training compiles
it, and its ``train_step`` is run as ``fit`` runs it (one ``tf.function``, XLA when asked) on fixed
random batches, so the figure is the step alone, without input pipeline. Prints one line per setting
and writes a JSON record with the versions, device, precision policy, XLA flag, oneDNN setting and
thread settings.

    python benchmarks/train_step.py --models pix2pix cyclegan swift_srgan --image-size 256 \
        --batch-size 1 --steps 6 [--precision float32] [--xla off] [--json results/train_step.json]

Settings are full size by default (unet_256 + 70x70 PatchGAN; ResNet-9 CycleGAN; Swift-SRGAN 4x at
96² HR patches); ``--small`` shrinks networks for a quick CPU run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# oneDNN kernels, which TensorFlow turns on by itself only on some CPUs (see benchmarks/README.md).
# THERMAL_KERAS_BENCH_ONEDNN=default keeps TensorFlow's own choice instead: compare_pytorch.py's
# "baseline" run times the package as it was before the package set this variable.
if os.environ.get("THERMAL_KERAS_BENCH_ONEDNN") != "default":
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from benchmarks_common import environment, write_json  # noqa: E402

MODELS = ("pix2pix", "cyclegan", "swift_srgan")


def _pix2pix(size: int, batch: int, small: bool, xla: str):
    from thermal_keras.pix2pix.config import Pix2PixConfig
    from thermal_keras.pix2pix.train import build_pix2pix, compile_pix2pix

    generator = "unet" if small or size != 256 else "unet_256"
    config = Pix2PixConfig(image_size=size, generator=generator, ngf=16 if small else 64,
                           ndf=16 if small else 64, batch_size=batch, jit_compile=xla)
    model = compile_pix2pix(build_pix2pix(config), config, steps_per_epoch=1000)
    return model, (_images(batch, size, 3), _images(batch, size, 1))


def _cyclegan(size: int, batch: int, small: bool, xla: str):
    from thermal_keras.cyclegan.config import CycleGANConfig
    from thermal_keras.cyclegan.train import build_cyclegan, compile_cyclegan

    config = CycleGANConfig(image_size=size, generator="resnet_6blocks" if small else "resnet_9blocks",
                            ngf=16 if small else 64, ndf=16 if small else 64, batch_size=batch,
                            jit_compile=xla)
    model = compile_cyclegan(build_cyclegan(config), config, steps_per_epoch=1000)
    return model, (_images(batch, size, 3), _images(batch, size, 1))


def _swift_srgan(size: int, batch: int, small: bool, xla: str):
    from thermal_keras.models import SRGAN, build_discriminator, build_generator
    from thermal_keras.training.optimizers import FusedAdam

    generator = build_generator("swift_srgan", scale=4, channels=3, num_channels=32 if small else 64,
                                num_blocks=4 if small else 16)
    model = SRGAN(generator, build_discriminator("srgan", channels=3))
    # The perceptual loss runs MobileNetV2 as in training; random weights cost the same as ImageNet's.
    model.compile(FusedAdam(1e-4, beta_1=0.9), FusedAdam(1e-4, beta_1=0.9), perceptual="mobilenet_v2",
                  perceptual_weights=None, jit_compile=xla == "on")
    hr = (_images(batch, size, 3) + 1.0) / 2.0  # SR data are in [0, 1]
    lr = tf.image.resize(hr, (size // 4, size // 4), method="bicubic", antialias=True)
    return model, (lr, hr)


def _images(batch: int, size: int, channels: int):
    rng = np.random.default_rng(channels)
    return tf.constant(rng.uniform(-1, 1, (batch, size, size, channels)), tf.float32)


BUILDERS = {"pix2pix": _pix2pix, "cyclegan": _cyclegan, "swift_srgan": _swift_srgan}


def time_train_step(name: str, size: int, batch: int, steps: int, warmup: int = 1, small: bool = False,
                    xla: str = "off") -> dict:
    """Seconds per ``train_step`` of ``name`` after ``warmup`` untimed steps (the first one traces)."""
    keras.utils.set_random_seed(0)
    model, batch_data = BUILDERS[name](size, batch, small, xla)
    step = tf.function(model.train_step, jit_compile=xla == "on")
    start = time.perf_counter()
    _finish(step(batch_data))
    first = time.perf_counter() - start
    for _ in range(warmup):
        _finish(step(batch_data))
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        _finish(step(batch_data))
        times.append(time.perf_counter() - start)
    quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else times * 3
    median = statistics.median(times)
    return {"model": name, "image_size": size, "batch_size": batch, "small": small,
            "precision": keras.config.dtype_policy().name, "xla": xla == "on",
            "first_call_s": first, "median_s": median, "q1_s": quartiles[0], "q3_s": quartiles[2],
            "min_s": min(times), "max_s": max(times), "steps": steps, "images_per_s": batch / median}


def _finish(logs):
    """Block until the step's results exist (TensorFlow runs asynchronously)."""
    for value in logs.values():
        float(value)


def format_row(r: dict) -> str:
    return (f"{r['model']:<12} {r['image_size']:>4}² b{r['batch_size']:<2} {r['precision']:<14} "
            f"XLA {'on ' if r['xla'] else 'off'}  {r['median_s']:7.3f} s/step "
            f"[{r['q1_s']:.3f}–{r['q3_s']:.3f}]  {r['images_per_s']:6.2f} img/s  first call {r['first_call_s']:5.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--image-size", type=int, default=256, help="pix2pix/CycleGAN side; SR HR patch side")
    parser.add_argument("--sr-size", type=int, default=96, help="Swift-SRGAN HR patch side")
    parser.add_argument("--batch-size", type=int, nargs="+", default=[1])
    parser.add_argument("--steps", type=int, default=6, help="timed steps per setting")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps after the tracing call")
    parser.add_argument("--precision", nargs="+", default=["float32"],
                        choices=["float32", "mixed_float16", "mixed_bfloat16"])
    parser.add_argument("--xla", nargs="+", default=["off"], choices=["off", "on"])
    parser.add_argument("--small", action="store_true", help="ngf/ndf 16, shallower networks")
    parser.add_argument("--threads", type=int, default=0,
                        help="TensorFlow intra- and inter-op threads; 0 keeps TensorFlow's choice")
    parser.add_argument("--json", default="", help="write the records here")
    args = parser.parse_args()
    if args.threads:  # before any op runs; environment() records what TensorFlow then reports
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    env = environment()
    print(json.dumps(env))
    records = []
    for precision in args.precision:
        keras.mixed_precision.set_dtype_policy(precision)
        for xla in args.xla:
            for name in args.models:
                size = args.sr_size if name == "swift_srgan" else args.image_size
                for batch in args.batch_size:
                    record = time_train_step(name, size, batch, args.steps, args.warmup, args.small, xla)
                    records.append(record)
                    print(format_row(record), flush=True)
    keras.mixed_precision.set_dtype_policy("float32")
    if args.json:
        write_json(args.json, {"environment": env, "records": records})


if __name__ == "__main__":
    main()
