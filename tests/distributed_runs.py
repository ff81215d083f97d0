"""Subprocess side of tests/test_distribute.py: runs that need a TensorFlow set up before it starts.

    python tests/distributed_runs.py mirrored DATA_DIR WORK_DIR
        Splits the CPU into 2 logical devices (only possible before TensorFlow initialises), trains
        tiny pix2pix on one device and under MirroredStrategy on the same global batches, then resumes
        the mirrored run for another epoch, trains tiny FusionGAN next (a second model family under
        the same strategy), and tries a global batch of 3 on 2 replicas; writes WORK_DIR/mirrored.json.
    python tests/distributed_runs.py worker DATA_DIR OUTPUT_DIR RESULT_JSON
        One worker of a MultiWorkerMirroredStrategy run (TF_CONFIG set by the caller) through the
        command line's ``train pix2pix``; writes a weight checksum and its slice of a global batch.
"""

import json
import os
import sys

import numpy as np

TINY_FLAGS = {"image_size": 32, "load_size": 36, "generator": "unet", "num_downs": 5, "ngf": 8, "ndf": 8,
              "n_layers_d": 2, "batch_size": 2, "steps_per_epoch": 3, "epochs": 1, "decay_epochs": 0,
              "sample_every": 1000, "mixed_precision": "float32", "jit_compile": "off", "layout": "flir_v1"}


def _weights(model):
    """Every variable of both networks (BatchNorm moving statistics included), float64."""
    return [np.asarray(v.numpy(), np.float64) for v in model.generator.weights + model.discriminator.weights]


def _max_abs_difference(first, second):
    return max(float(np.max(np.abs(a - b))) for a, b in zip(first, second))


def _difference_profile(model, first, second, threshold: float) -> dict:
    """How the two runs' final weights differ: the element count, how many differ by more than
    ``threshold``, and the five variables with the largest difference (path, max |Δ|)."""
    paths = [v.path for v in model.generator.weights + model.discriminator.weights]
    deltas = [np.abs(a - b) for a, b in zip(first, second)]
    largest = sorted(((float(d.max()), path) for d, path in zip(deltas, paths)), reverse=True)[:5]
    return {"elements": int(sum(d.size for d in deltas)), "over": int(sum((d > threshold).sum() for d in deltas)),
            "largest": [[path, value] for value, path in largest]}


def mirrored(data_dir, work_dir):
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import keras

    from thermal_keras.pix2pix.config import Pix2PixConfig
    from thermal_keras.pix2pix.train import train_pix2pix

    class InitialWeights(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.weights = _weights(self.model)

    result, finals = {}, {}
    for strategy in ("default", "mirrored"):
        initial = InitialWeights()
        config = Pix2PixConfig(**TINY_FLAGS, data=data_dir, strategy=strategy,
                               output_dir=os.path.join(work_dir, strategy))
        run = train_pix2pix(config, callbacks=[initial], verbose=0)
        finals[strategy] = _weights(run.model)
        result[strategy] = {"replicas": run.strategy.num_replicas_in_sync, "history": run.history,
                            "iterations": int(run.model.g_optimizer.iterations.numpy()),
                            "moved": _max_abs_difference(initial.weights, finals[strategy]),
                            "synchronized_bn": sum(bool(getattr(layer, "synchronized", False))
                                                   for layer in run.model.generator.layers)}
    result["max_abs_delta"] = _max_abs_difference(finals["default"], finals["mirrored"])
    result["delta_profile"] = _difference_profile(run.model, finals["default"], finals["mirrored"], 5e-5)  # the
    # tolerance of tests/test_distribute.py
    resumed = train_pix2pix(Pix2PixConfig(**{**TINY_FLAGS, "epochs": 2}, data=data_dir, strategy="mirrored",
                                          output_dir=os.path.join(work_dir, "mirrored")), verbose=0)
    result["resumed"] = {"initial_epoch": resumed.initial_epoch, "history": resumed.history,
                         "iterations": int(resumed.model.g_optimizer.iterations.numpy())}
    # Another family next in the same process (one strategy instance, so no collective key reuse).
    from thermal_keras.fusion.config import FusionGANConfig
    from thermal_keras.fusion.train import train_fusiongan

    os.chdir(work_dir)  # its synthetic set is written under ./data
    fusion = train_fusiongan(FusionGANConfig(
        data="synthetic", layout="paired", synthetic_train=4, synthetic_test=2, image_size=32, load_size=36,
        ngf=4, ndf=4, batch_size=2, steps_per_epoch=2, epochs=1, strategy="mirrored", mixed_precision="float32",
        jit_compile="off", output_dir=os.path.join(work_dir, "fusion")), verbose=0)
    result["fusion"] = {"replicas": fusion.strategy.num_replicas_in_sync, "history": fusion.history}
    odd_batch = os.path.join(work_dir, "odd_batch")
    try:
        train_pix2pix(Pix2PixConfig(**{**TINY_FLAGS, "batch_size": 3}, data=data_dir, strategy="mirrored",
                                    output_dir=odd_batch), verbose=0)
        result["odd_batch_error"] = None
    except ValueError as error:
        result["odd_batch_error"] = str(error)
    result["odd_batch_wrote"] = os.path.exists(odd_batch)
    with open(os.path.join(work_dir, "mirrored.json"), "w") as file:
        json.dump(result, file)


def worker(data_dir, output_dir, result_path):
    from thermal_keras import cli
    from thermal_keras.data import pipeline
    from thermal_keras.distribute import shard_by_data
    from thermal_keras.pix2pix import train as pix2pix_train

    runs_seen = []
    train_pix2pix = pix2pix_train.train_pix2pix

    def keep_run(config, *args, **kwargs):  # the CLI returns an exit code; keep the run to inspect it
        runs_seen.append(train_pix2pix(config, *args, **kwargs))
        return runs_seen[-1]

    pix2pix_train.train_pix2pix = keep_run
    flags = [f"--{key.replace('_', '-')}={value}" for key, value in TINY_FLAGS.items()]
    code = cli.main(["train", "pix2pix", "--strategy", "multi_worker", "--data", data_dir,
                     "--output-dir", output_dir, *flags])
    run = runs_seen[0]
    weights = _weights(run.model)
    # One global batch of the training pipeline, undistributed and as this worker's replica gets it.
    dataset = pipeline.paired_dataset(run.train_files, batch_size=2, image_size=32, load_size=36, seed=0,
                                  steps_per_epoch=3)
    global_batch = next(iter(dataset))[0].numpy()
    local_batch = next(iter(run.strategy.experimental_distribute_dataset(shard_by_data(dataset))))[0]
    local_batch = np.concatenate([t.numpy() for t in run.strategy.experimental_local_results(local_batch)])
    result = {"code": code, "is_chief": run.is_chief, "iterations": int(run.model.g_optimizer.iterations.numpy()),
              "checksum": float(sum(w.sum() for w in weights)),
              "abs_checksum": float(sum(np.abs(w).sum() for w in weights)),
              "global_image_sums": [float(x) for x in global_batch.reshape(len(global_batch), -1).sum(axis=1)],
              "local_image_sums": [float(x) for x in local_batch.reshape(len(local_batch), -1).sum(axis=1)]}
    with open(result_path, "w") as file:
        json.dump(result, file)


if __name__ == "__main__":
    {"mirrored": mirrored, "worker": worker}[sys.argv[1]](*sys.argv[2:])
