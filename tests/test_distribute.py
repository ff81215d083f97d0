"""tf.distribute: mirrored training on 2 logical CPUs matches one device, 2 local workers train in step,
only the chief writes, and bad set-ups fail clearly before any work.

The two training tests run in subprocesses (tests/distributed_runs.py): logical devices and
multi-worker collectives must be set up before TensorFlow initialises, and this process's TF is shared.
"""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from data_loaders import synthetic
from thermal_keras import distribute
from thermal_keras.cli import build_parser, main
from thermal_keras.config import STRATEGIES
from thermal_keras.models import build_generator
from thermal_keras.pix2pix.config import Pix2PixConfig

HELPER = Path(__file__).with_name("distributed_runs.py")
# Measured here: max |Δ| 5.2e-6 between 3 mirrored steps on 2 logical CPUs and 3 one-device steps
# (every weight and BatchNorm statistic; float32 sums in another order), and 3.7e-6 in each of four runs
# beside a preset build (load 3 on 2 cores), no element above 5e-5. Without synchronized batch norm it
# was 3.1e-2. Adam divides each gradient element by its own running magnitude, so an element whose
# gradient is at rounding level (±1e-9) moves by about ±lr whichever sign the summation order gives it:
# the two runs can then part by up to 2·lr in one step on such an element (3.95e-4, about 2·lr, was seen
# once on a loaded machine). So the bound is on how many elements differ by more than the tolerance
# (at most 0.1 %: a missing all-reduce or unsynchronized batch norm changes every gradient of every step,
# not a few at rounding level) and, for the few that do, 2·lr per step.
MIRRORED_TOLERANCE = 5e-5
MIRRORED_FRACTION_OVER = 1e-3
# Seconds a training subprocess may take before it counts as hung. Not a speed goal: alone it takes about a
# minute; on a machine loaded with other work (load average 12 on 2 cores) the mirrored run took over 300 s.
SUBPROCESS_TIMEOUT = 1800


@pytest.fixture(scope="module")
def tiny_dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("distribute") / "data"
    return synthetic.write_dataset(root, splits={"train": 8, "test": 4}, size=36, seed=0, layout="flir_v1")


def _env(**extra):
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_DETERMINISTIC_OPS="1", **extra)


# --- Training under strategies (subprocesses) ----------------------------------------------------

@pytest.mark.slow  # about 80 s on 2 cores: `make test-slow`; the two-worker test below keeps a strategy in `make test`
def test_mirrored_on_two_cpu_devices_matches_one_device_and_resumes(tmp_path, tiny_dataset):
    proc = subprocess.run([sys.executable, str(HELPER), "mirrored", str(tiny_dataset), str(tmp_path)],
                          env=_env(), capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "mirrored.json").read_text())
    print(f"mirrored vs one device: max |delta| = {result['max_abs_delta']:.2e}")
    one, two = result["default"], result["mirrored"]
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert one["synchronized_bn"] == 0 and two["synchronized_bn"] > 0  # the U-Net's batch norms
    assert one["iterations"] == two["iterations"] == 3
    profile = result["delta_profile"]  # counted with the same 5e-5 in distributed_runs.py
    assert profile["over"] <= MIRRORED_FRACTION_OVER * profile["elements"], profile
    lr = Pix2PixConfig().lr
    assert result["max_abs_delta"] <= 2 * lr * two["iterations"], profile
    assert two["moved"] > 1000 * MIRRORED_TOLERANCE  # training did change the weights
    for name, values in one["history"].items():
        np.testing.assert_allclose(two["history"][name], values, rtol=1e-5)
    resumed = result["resumed"]
    assert resumed["initial_epoch"] == 1 and resumed["iterations"] == 6
    assert np.isfinite(resumed["history"]["g_loss"]).all()
    fusion = result["fusion"]  # a second family trained next in the same process
    assert fusion["replicas"] == 2 and np.isfinite(fusion["history"]["g_loss"]).all()
    assert "batch_size 3" in result["odd_batch_error"] and "2 replicas" in result["odd_batch_error"]
    assert not result["odd_batch_wrote"]  # the error came before any work


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_local_workers_train_in_step_and_only_the_chief_writes(tmp_path, tiny_dataset):
    cluster = {"worker": [f"localhost:{port}" for port in _free_ports(2)]}
    workers, logs = [], []
    start = time.monotonic()
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        logs.append(open(tmp_path / f"worker{index}.log", "w"))
        workers.append(subprocess.Popen(
            [sys.executable, str(HELPER), "worker", str(tiny_dataset), str(tmp_path / f"out{index}"),
             str(tmp_path / f"result{index}.json")], env=_env(TF_CONFIG=tf_config),
            stdout=logs[-1], stderr=subprocess.STDOUT))
    try:
        codes = [worker.wait(timeout=max(1.0, SUBPROCESS_TIMEOUT - (time.monotonic() - start))) for worker in workers]
    except subprocess.TimeoutExpired:
        for worker in workers:
            worker.kill()
            worker.wait()
        pytest.fail("the two workers did not finish within 240 s; killed both")
    finally:
        for log in logs:
            log.close()
    print(f"2 local workers: {time.monotonic() - start:.1f} s")
    assert codes == [0, 0], [(tmp_path / f"worker{i}.log").read_text()[-3000:] for i in range(2)]
    chief, other = (json.loads((tmp_path / f"result{i}.json").read_text()) for i in range(2))
    assert chief["code"] == other["code"] == 0
    assert chief["is_chief"] and not other["is_chief"]
    assert chief["iterations"] == other["iterations"] == 3
    assert chief["checksum"] == pytest.approx(other["checksum"], rel=1e-9, abs=1e-9)
    assert chief["abs_checksum"] == pytest.approx(other["abs_checksum"], rel=1e-9)
    written = tmp_path / "out0"
    for name in ("config.json", "log.csv", "generator.keras", "checkpoints/latest",
                 "checkpoints/ckpt-000001/variables.npz"):
        assert (written / name).is_file(), name
    assert not (tmp_path / "out1").exists()  # the other worker wrote nothing
    # Each worker's replica got its own half of the global batch (DATA sharding).
    assert chief["global_image_sums"] == other["global_image_sums"]
    assert chief["local_image_sums"] + other["local_image_sums"] == chief["global_image_sums"]
    assert chief["local_image_sums"] != other["local_image_sums"]


# --- Errors before any work --------------------------------------------------------------------

class _Replicas:
    """Stands in for a strategy where only the replica count matters."""

    def __init__(self, count):
        self.num_replicas_in_sync = count


def test_global_batch_must_divide_by_the_replicas():
    assert distribute.check_global_batch(4, _Replicas(2)) == 2
    assert distribute.check_global_batch(3, _Replicas(1)) == 3
    with pytest.raises(distribute.StrategyError, match="batch_size 3 is the global batch .* 2 replicas"):
        distribute.check_global_batch(3, _Replicas(2))


def test_unknown_strategy_names_the_choices(capsys):
    with pytest.raises(distribute.StrategyError, match="unknown strategy 'horovod'.*mirrored"):
        distribute.make_strategy("horovod")
    with pytest.raises(SystemExit):
        build_parser()[0].parse_args(["train", "pix2pix", "--strategy", "horovod"])
    assert "invalid choice: 'horovod'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="option strategy: 'horovod' is not one of default, mirrored"):
        Pix2PixConfig(strategy="horovod", output_dir="unused")  # a config built in code is checked too


def test_multi_worker_without_tf_config_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(distribute.StrategyError, match="needs the TF_CONFIG environment variable"):
        distribute.make_strategy("multi_worker")
    code = main(["train", "pix2pix", "--strategy", "multi_worker", "--data", str(tmp_path / "nowhere"),
                 "--output-dir", str(tmp_path / "run")])
    assert code == 2 and "TF_CONFIG" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"),
    ('{"cluster": {}, "task": {"type": "worker", "index": 0}}', "needs a 'cluster' with a 'worker' list"),
    ('{"cluster": {"worker": ["localhost"]}, "task": {"type": "worker", "index": 0}}', "list of 'host:port'"),
    ('{"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 2}}', "'task' must name"),
    ('{"cluster": {"worker": ["a:1"]}}', "'task' must name"),
])
def test_malformed_tf_config_says_what_is_wrong(monkeypatch, text, message):
    monkeypatch.setenv("TF_CONFIG", text)
    with pytest.raises(distribute.StrategyError, match=f"TF_CONFIG.*{message}|{message}.*TF_CONFIG"):
        distribute.make_strategy("multi_worker")


def test_a_good_tf_config_is_accepted():
    config = distribute.read_tf_config('{"cluster": {"worker": ["a:1", "b:2"], "chief": ["c:3"]}, '
                                       '"task": {"type": "chief", "index": 0}}')
    assert config["task"]["type"] == "chief"


def test_tpu_without_a_tpu_is_a_clear_error():
    with pytest.raises(distribute.StrategyError, match="no TPU found.*--tpu local"):
        distribute.make_strategy("tpu")


# --- Small pieces ------------------------------------------------------------------------------

def test_chief_is_the_chief_task_or_worker_zero():
    assert distribute.is_chief_task(None, None)
    assert distribute.is_chief_task("worker", 0, {"worker": ["a:1", "b:2"]})
    assert not distribute.is_chief_task("worker", 1, {"worker": ["a:1", "b:2"]})
    assert distribute.is_chief_task("chief", 0, {"chief": ["c:3"], "worker": ["a:1"]})
    assert not distribute.is_chief_task("worker", 0, {"chief": ["c:3"], "worker": ["a:1"]})
    assert distribute.is_chief()  # one process: it writes


def test_default_strategy_leaves_losses_and_batch_norm_alone():
    assert distribute.make_strategy("default").num_replicas_in_sync == 1
    loss = tf.constant(3.0)
    assert float(distribute.replica_share(loss)) == 3.0
    generator = build_generator("swift_srgan", scale=2, channels=1, num_channels=8, num_blocks=1)
    assert distribute.synchronize_batch_norm([generator]) == 0


def test_several_replicas_synchronize_every_batch_norm_also_inside_blocks():
    generator = build_generator("swift_srgan", scale=2, channels=1, num_channels=8, num_blocks=2)
    batch_norms = [layer for layer in generator._flatten_layers()
                   if isinstance(layer, keras.layers.BatchNormalization)]
    assert batch_norms and not any(layer.synchronized for layer in batch_norms)
    assert distribute.synchronize_batch_norm([generator], _Replicas(2)) == len(batch_norms)
    assert all(layer.synchronized for layer in batch_norms)
    assert distribute.synchronize_batch_norm([generator], _Replicas(2)) == 0  # already switched


def test_datasets_are_sharded_by_data():
    dataset = distribute.shard_by_data(tf.data.Dataset.range(4))
    assert dataset.options().experimental_distribute.auto_shard_policy == tf.data.experimental.AutoShardPolicy.DATA


def test_every_training_config_and_command_has_the_strategy_and_precision_options(capsys):
    from thermal_keras.cyclegan.config import CycleGANConfig
    from thermal_keras.fusion.config import FusionGANConfig
    from thermal_keras.sr.config import SRGANConfig

    for config_class in (Pix2PixConfig, CycleGANConfig, SRGANConfig, FusionGANConfig):
        config = config_class()
        assert (config.strategy, config.tpu, config.mixed_precision, config.jit_compile) == \
            ("default", "", "auto", "auto"), config_class
    for model in ("pix2pix", "cyclegan", "srgan", "fusiongan"):
        with pytest.raises(SystemExit):
            main(["train", model, "--help"])
        text = capsys.readouterr().out
        for flag in ("--strategy", "--tpu", "--mixed-precision", "--jit-compile", "mixed_bfloat16"):
            assert flag in text, (model, flag)
        assert all(name in text for name in STRATEGIES)
