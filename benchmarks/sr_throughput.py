"""Generator inference throughput at 256 -> 1024 (4x): Swift-SRGAN vs SRGAN, batch 1, one run.

    .venv/bin/python benchmarks/sr_throughput.py [--size 256] [--runs 10] [--channels 3]

Prints images/s and ms/image of each generator (random weights: speed does not depend on them),
their trainable parameter counts and the Swift-SRGAN / SRGAN speed ratio. Both are measured in the
same process, one after the other, after a warm-up call that traces the ``tf.function``; report
the machine load (``uptime``) with the figures.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def measure(name, size, runs, channels):
    import numpy as np
    import tensorflow as tf

    from thermal_keras.layers import trainable_param_count
    from thermal_keras.models import build_generator

    generator = build_generator(name, scale=4, channels=channels)
    run = tf.function(lambda x: generator(x, training=False))
    lr = tf.constant(np.random.default_rng(0).random((1, size, size, channels)), tf.float32)
    out = run(lr)  # trace and warm up
    assert out.shape == (1, size * 4, size * 4, channels)
    start = time.perf_counter()
    for _ in range(runs):
        run(lr).numpy()
    seconds = (time.perf_counter() - start) / runs
    return trainable_param_count(generator), seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256, help="LR side (output is 4x)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--channels", type=int, default=3)
    args = parser.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; "
          f"{args.size}x{args.size} -> {4 * args.size}x{4 * args.size}, batch 1, {args.runs} runs")
    results = {}
    for name in ("swift_srgan", "srgan"):
        params, seconds = measure(name, args.size, args.runs, args.channels)
        results[name] = seconds
        print(f"{name:<12} {params:>10,} params  {1 / seconds:7.2f} images/s  {1000 * seconds:8.1f} ms/image")
    print(f"Swift-SRGAN is {results['srgan'] / results['swift_srgan']:.2f}x the speed of SRGAN")


if __name__ == "__main__":
    main()
