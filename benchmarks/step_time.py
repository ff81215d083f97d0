"""Time pix2pix training steps: the demo's CPU setting and the reference 256² setting.

Prints, per setting, the first-call (tracing/compilation) time and the mean seconds per step after
warm-up. Run: ``python benchmarks/step_time.py [--steps 20] [--skip-256]``.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from thermal_keras.config import Pix2PixConfig  # noqa: E402
from thermal_keras.demo import demo_config  # noqa: E402
from thermal_keras.runs import build_pix2pix, compile_pix2pix  # noqa: E402


def time_steps(config: Pix2PixConfig, steps: int) -> dict:
    keras.utils.set_random_seed(0)
    model = compile_pix2pix(build_pix2pix(config), config, steps_per_epoch=1000)
    rng = np.random.default_rng(0)
    shape = (config.batch_size, config.image_size, config.image_size)
    rgb = tf.constant(rng.uniform(-1, 1, shape + (3,)), tf.float32)
    thermal = tf.constant(rng.uniform(-1, 1, shape + (1,)), tf.float32)
    step = tf.function(model.train_step, jit_compile=model.jit_compile)
    start = time.perf_counter()
    step((rgb, thermal))
    first = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        logs = step((rgb, thermal))
    float(logs["g_loss"])  # wait for the last step
    per_step = (time.perf_counter() - start) / steps
    return {"first_call_s": first, "s_per_step": per_step, "images_per_s": config.batch_size / per_step}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps for the demo setting")
    parser.add_argument("--skip-256", action="store_true", help="skip the reference 256² unet_256 setting")
    args = parser.parse_args()
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
          f"devices: {[d.device_type for d in tf.config.list_physical_devices()]}, "
          f"{os.cpu_count()} CPU cores")
    settings = {"demo (CPU): unet 6 levels ngf 32, 64², batch 4": (demo_config(gpu=False), args.steps)}
    if not args.skip_256:
        reference = Pix2PixConfig(image_size=256, generator="unet_256", batch_size=1,
                                  mixed_precision="off", jit_compile="off")
        settings["reference: unet_256 ngf 64, PatchGAN 70², 256², batch 1"] = (reference, 3)
    for name, (config, steps) in settings.items():
        r = time_steps(config, steps)
        print(f"{name}: first call {r['first_call_s']:.1f} s, {r['s_per_step']:.3f} s/step, "
              f"{r['images_per_s']:.1f} images/s ({steps} timed steps)")


if __name__ == "__main__":
    main()
