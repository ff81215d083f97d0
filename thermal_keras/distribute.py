"""Training on several devices or machines with TensorFlow's own ``tf.distribute`` strategies.

One ``strategy`` option in every training config (``--strategy`` on the CLI) picks:

- ``"default"``: one device (TensorFlow's default strategy);
- ``"mirrored"``: ``MirroredStrategy`` over every local GPU, or every logical CPU device when there
  is no GPU (one CPU device unless it was split with ``tf.config.set_logical_device_configuration``;
  that is how the tests run it);
- ``"multi_worker"``: ``MultiWorkerMirroredStrategy`` over the machines listed in ``TF_CONFIG``;
- ``"tpu"``: ``TPUStrategy`` through ``TPUClusterResolver`` (``tpu`` address option).

The entry points build networks and optimizers inside ``strategy.scope()``. ``batch_size`` is the
global batch: each of the ``num_replicas_in_sync`` replicas gets ``batch_size / replicas`` images.
The optimizer sums gradients over replicas, so every custom ``train_step`` divides its loss by the
replica count before taking gradients (:func:`replica_share`) and the update equals the one-device
update on the global batch. BatchNorm layers are switched to synchronized (global-batch) statistics
when there is more than one replica (:func:`synchronize_batch_norm`). Only the chief
(:func:`is_chief`) writes files.
"""

from __future__ import annotations

import json
import os

import keras
import tensorflow as tf
from keras import ops

from thermal_keras.config import STRATEGIES

TF_CONFIG_EXAMPLE = ('{"cluster": {"worker": ["host0:12345", "host1:12345"]}, '
                     '"task": {"type": "worker", "index": 0}}')
# Strategies are made once a process and reused (see mirrored_strategy and multi_worker_strategy).
_mirrored_strategies = {}  # device names -> MirroredStrategy
_multi_worker_strategies = {}  # TF_CONFIG text -> MultiWorkerMirroredStrategy


class StrategyError(ValueError):
    """A strategy cannot be made: unknown name, bad ``TF_CONFIG``, no TPU, or a bad global batch."""


# --- Making a strategy --------------------------------------------------------------------------

def make_strategy(name: str = "default", tpu: str = "") -> tf.distribute.Strategy:
    """The ``tf.distribute.Strategy`` called ``name`` (one of ``STRATEGIES``; module docstring).

    Make it before TensorFlow runs anything else in the process: ``multi_worker`` configures
    collective ops, which TensorFlow allows only at start-up. ``tpu`` is the TPU for ``"tpu"``:
    ``""`` (``TPU_NAME`` / Colab's default), ``"local"`` (a TPU VM) or ``"grpc://host:port"``.
    Raises :class:`StrategyError` (a ``ValueError``) naming what is missing.
    """
    if name not in STRATEGIES:
        raise StrategyError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return mirrored_strategy()
    if name == "multi_worker":
        return multi_worker_strategy()
    return tpu_strategy(tpu)


def mirrored_strategy() -> tf.distribute.MirroredStrategy:
    """``MirroredStrategy`` over all local GPUs, or all logical CPU devices on a CPU-only machine.

    One instance per process and device set: each strategy numbers its collective operations from
    the same start, so a second strategy's synchronized batch norm would reuse keys of the first
    one's and TensorFlow aborts on the shape mismatch (seen here training two models in a row).
    """
    devices = tuple(device.name for device in
                    tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU"))
    if devices not in _mirrored_strategies:
        _mirrored_strategies[devices] = tf.distribute.MirroredStrategy(list(devices))
    return _mirrored_strategies[devices]


def read_tf_config(text: str | None = None) -> dict:
    """``TF_CONFIG`` (``text``, default the environment variable) parsed and checked.

    Needs ``{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": i}}``
    (a ``"chief"`` list is allowed too). Raises :class:`StrategyError` naming ``TF_CONFIG``.
    """
    text = os.environ.get("TF_CONFIG", "") if text is None else text
    if not text.strip():
        raise StrategyError(f"strategy 'multi_worker' needs the TF_CONFIG environment variable, e.g. "
                            f"TF_CONFIG='{TF_CONFIG_EXAMPLE}' (same cluster on every machine, its own task)")
    try:
        config = json.loads(text)
    except ValueError as error:
        raise StrategyError(f"TF_CONFIG is not valid JSON ({error}): {text!r}") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not any(cluster.get(job) for job in ("worker", "chief")):
        raise StrategyError(f"TF_CONFIG needs a 'cluster' with a 'worker' list of host:port, got {text!r}; "
                            f"example: {TF_CONFIG_EXAMPLE}")
    for job, addresses in cluster.items():
        if not isinstance(addresses, list) or not all(_is_address(a) for a in addresses):
            raise StrategyError(f"TF_CONFIG cluster[{job!r}] must be a list of 'host:port', got {addresses!r}")
    task = config.get("task")
    if not isinstance(task, dict) or task.get("type") not in cluster or not isinstance(task.get("index"), int) \
            or not 0 <= task["index"] < len(cluster[task["type"]]):
        raise StrategyError(f"TF_CONFIG 'task' must name a job of the cluster ({sorted(cluster)}) and an index "
                            f"in it, e.g. {{'type': 'worker', 'index': 0}}; got {task!r}")
    return config


def _is_address(address) -> bool:
    host, _, port = address.rpartition(":") if isinstance(address, str) else ("", "", "")
    return bool(host) and port.isdigit()


def multi_worker_strategy() -> tf.distribute.MultiWorkerMirroredStrategy:
    """``MultiWorkerMirroredStrategy`` for the cluster in ``TF_CONFIG`` (checked first)."""
    text = os.environ.get("TF_CONFIG", "")
    read_tf_config(text)
    if text not in _multi_worker_strategies:
        try:
            _multi_worker_strategies[text] = tf.distribute.MultiWorkerMirroredStrategy()
        except RuntimeError as error:
            raise StrategyError(f"strategy 'multi_worker' must be made before TensorFlow runs anything else "
                                f"in this process (it configures collective ops at start-up): {error}") from None
    return _multi_worker_strategies[text]


def tpu_strategy(tpu: str = "") -> tf.distribute.TPUStrategy:
    """``TPUStrategy`` on the TPU ``tpu`` (see :func:`make_strategy`); a clear error without one."""
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or None)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        where = f" at --tpu {tpu!r}" if tpu else ""
        raise StrategyError(f"strategy 'tpu': no TPU found{where} ({error}). On Colab pick a TPU runtime; "
                            "on a TPU VM pass --tpu local; for a TPU node pass --tpu grpc://HOST:8470") from None
    return tf.distribute.TPUStrategy(resolver)


# --- Who writes ---------------------------------------------------------------------------------

def is_chief_task(task_type, task_id, cluster_jobs=()) -> bool:
    """Whether a ``TF_CONFIG`` task writes the run's files: the ``chief`` task if the cluster has
    one, else worker 0; a process outside any cluster (``task_type`` None) always."""
    if task_type in (None, "", "chief"):
        return True
    return task_type == "worker" and int(task_id or 0) == 0 and "chief" not in cluster_jobs


def is_chief(strategy=None) -> bool:
    """Whether this process writes checkpoints, logs, samples and configs (None: strategy in scope).

    Only a ``MultiWorkerMirroredStrategy`` has non-chief processes; every other strategy runs in one.
    """
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    if not is_multi_worker(strategy):
        return True
    resolver = strategy.cluster_resolver
    return is_chief_task(resolver.task_type, resolver.task_id, resolver.cluster_spec().as_dict())


def is_multi_worker(strategy=None) -> bool:
    """Whether ``strategy`` (None: the one in scope) spans processes (``MultiWorkerMirroredStrategy``)."""
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def check_same_on_every_worker(value: int, strategy, what: str):
    """Raise :class:`StrategyError` on every worker when workers hold different ``value`` (e.g. the
    epoch each restored); a collective, so every worker must call it. A no-op in one process."""
    if not is_multi_worker(strategy):
        return
    number = float(value)

    @tf.function  # collectives run eagerly are slow and warn
    def sums_over_replicas():
        per_replica = strategy.run(lambda: tf.constant([1.0, number, number * number], tf.float64))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)

    count, total, squares = sums_over_replicas().numpy()
    if abs(count * squares - total * total) > 0.5:  # equal values are the equality case of Cauchy-Schwarz
        raise StrategyError(f"workers disagree on {what} (this worker: {value}, mean {total / count:g}); "
                            "put output_dir on storage every worker can read, so all restore the chief's checkpoint")


# --- Batches, losses, batch norm ----------------------------------------------------------------

def check_global_batch(batch_size: int, strategy, argument: str = "batch_size") -> int:
    """Per-replica batch of a global ``batch_size``; :class:`StrategyError` when it does not divide."""
    replicas = strategy.num_replicas_in_sync
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1 or batch_size % replicas:
        raise StrategyError(f"{argument} {batch_size!r} is the global batch and must be a positive multiple of "
                            f"the {replicas} replicas of {type(strategy).__name__}")
    return batch_size // replicas


def replica_share(loss):
    """A replica's part of the global-batch loss: ``loss / num_replicas_in_sync`` (``loss`` itself
    with one replica). Take gradients of this: the optimizer sums them over replicas, and the sum
    of the replicas' batch means divided by the count is the mean over the global batch."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return loss
    return loss / ops.cast(replicas, loss.dtype)


def synchronize_batch_norm(networks, strategy=None) -> int:
    """Switch every ``BatchNormalization`` in ``networks`` to synchronized statistics when
    ``strategy`` (None: the one in scope) has more than one replica; returns how many were switched.

    Per-replica statistics would normalise each replica's slice with its own mean and variance
    (at batch 1 a replica sees one image), so 2-replica training would differ from one device on the
    same global batch, and the replicas' moving averages would drift apart. Synchronized layers
    all-reduce the batch sums, so statistics are those of the global batch. The flag is read when
    the training step is traced: call this before ``fit``. It only changes training-mode calls.
    """
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    if strategy.num_replicas_in_sync == 1:
        return 0
    switched = 0
    for network in networks:
        # Keras' own walk through nested models and layers' sub-layers (SRGAN's conv blocks hold one).
        for layer in network._flatten_layers(include_self=True, recursive=True):
            if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized:
                layer.synchronized = True
                switched += 1
    return switched


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """``dataset`` with the ``DATA`` auto-shard policy for ``MultiWorkerMirroredStrategy``.

    Our pipelines read a file list through ``from_tensor_slices`` and a cache, which ``FILE``
    sharding cannot split; with ``DATA`` every worker runs the same seeded pipeline and keeps its
    own slice of each global batch, so the workers together see each global batch once.
    """
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


# --- Keras fit under MultiWorkerMirroredStrategy ------------------------------------------------

class MultiWorkerFitMixin:
    """Lets Keras' ``fit`` drive a GAN's custom ``train_step`` under ``MultiWorkerMirroredStrategy``.

    Keras 3.15's TensorFlow trainer fails there in two places (keras-team/keras#20585): before the
    first step it reduces the first batch across workers eagerly to trace a symbolic build, which
    breaks on ``(a, b)`` tuples; and it averages step outputs with ``reduce(MEAN, axis=0)``, which
    breaks on scalars. Our GAN models build every network, pool and optimizer in ``__init__`` and
    ``compile``, so the symbolic build has nothing to do and is skipped (multi-worker only); their
    steps return :func:`step_logs`. Put the mixin before ``keras.Model`` in the bases.
    """

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self.built and is_multi_worker(self.distribute_strategy):
            return None
        return super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)


def step_logs(logs: dict) -> dict:
    """A ``train_step``/``test_step`` result dict as Keras can average it over replicas: scalars,
    or ``(1,)`` vectors under ``MultiWorkerMirroredStrategy`` (Keras reduces those along axis 0 back
    to scalars; see :class:`MultiWorkerFitMixin`)."""
    if not is_multi_worker():
        return logs
    return {name: ops.reshape(value, (1,)) for name, value in logs.items()}
