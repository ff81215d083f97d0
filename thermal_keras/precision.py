"""One mixed-precision switch for every model family, and the XLA switch beside it.

``mixed_precision`` (every training config, ``--mixed-precision`` on the CLI) takes:

- ``"auto"`` (default): ``mixed_float16`` on a GPU, ``mixed_bfloat16`` under a ``TPUStrategy``,
  ``float32`` on a CPU. Measured on this project's 2-core CPUs (TF 2.21; benchmarks/README.md):
  ``mixed_float16`` is 2-7x slower than float32 on every CPU tried. ``mixed_bfloat16`` is 8-10x
  slower on a CPU without bfloat16 instructions but 1.35x (batch 1) to 1.6x (batch 4) faster for
  the 256² pix2pix step on one with AVX-512 BF16. ``auto`` still keeps float32 on every CPU: the
  same code then gives the same numbers on every CPU machine (tests, notebooks, CI); ask for
  ``mixed_bfloat16`` explicitly where the CPU has the instructions.
- ``"float32"``, ``"mixed_float16"``, ``"mixed_bfloat16"``: that Keras dtype policy.
- ``"on"`` / ``"off"``: the older spellings of ``"mixed_float16"`` / ``"float32"``.

Under a mixed policy layers compute in float16/bfloat16 and keep float32 variables; every network's
last layer computes in float32, so model outputs, losses and metrics stay float32. float16's small
range makes small gradients underflow, so under ``mixed_float16`` each GAN optimizer (generator and
discriminator) is wrapped in ``keras.optimizers.LossScaleOptimizer`` (:func:`with_loss_scaling`);
bfloat16 has float32's exponent range and needs no loss scaling.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from thermal_keras.config import JIT_SETTINGS, PRECISION_SETTINGS

POLICIES = ("float32", "mixed_float16", "mixed_bfloat16")
_ALIASES = {"on": "mixed_float16", "off": "float32"}


def has_gpu() -> bool:
    """Whether TensorFlow sees a GPU (the ``auto`` rules ask this; tests replace it)."""
    return bool(tf.config.list_physical_devices("GPU"))


def is_tpu_strategy(strategy) -> bool:
    """Whether ``strategy`` is a ``TPUStrategy`` (None: the strategy in scope)."""
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    return isinstance(strategy, (tf.distribute.TPUStrategy, tf.distribute.experimental.TPUStrategy))


def choose_precision(setting: str = "auto", strategy=None) -> str:
    """The Keras dtype policy name for a ``mixed_precision`` setting (see the module docstring).

    Args:
        setting: one of ``PRECISION_SETTINGS``.
        strategy: the training ``tf.distribute.Strategy`` (``auto`` picks bfloat16 under a TPU
            strategy); None looks at the strategy in scope.

    Returns:
        "float32", "mixed_float16" or "mixed_bfloat16".
    """
    if setting not in PRECISION_SETTINGS:
        raise ValueError(f"mixed_precision must be one of {PRECISION_SETTINGS}, got {setting!r}")
    if setting != "auto":
        return _ALIASES.get(setting, setting)
    if is_tpu_strategy(strategy):
        return "mixed_bfloat16"
    return "mixed_float16" if has_gpu() else "float32"


def apply_precision(setting: str = "auto", strategy=None) -> str:
    """Set Keras' global dtype policy from ``setting``; returns the policy name. Networks built
    afterwards use it (set it before building them)."""
    policy = choose_precision(setting, strategy)
    keras.mixed_precision.set_dtype_policy(policy)
    return policy


def choose_jit_compile(setting: str = "auto", strategy=None) -> bool:
    """``jit_compile`` for ``Model.compile`` from an ``"auto"``/``"on"``/``"off"`` setting.

    ``auto`` is on with a GPU and one replica, off on a CPU (XLA changed little there and its first
    compile costs 15-20 s) and off under a multi-replica strategy, as Keras' own ``"auto"`` does.
    """
    if setting not in JIT_SETTINGS:
        raise ValueError(f"jit_compile must be one of {JIT_SETTINGS}, got {setting!r}")
    if setting != "auto":
        return setting == "on"
    strategy = tf.distribute.get_strategy() if strategy is None else strategy
    return has_gpu() and strategy.num_replicas_in_sync == 1


def with_loss_scaling(optimizer, name=None):
    """``optimizer`` wrapped in ``LossScaleOptimizer`` when the global policy is ``mixed_float16``.

    Accepts anything ``keras.optimizers.get`` does; an optimizer that already scales is returned as
    is, and so is every optimizer under float32 or ``mixed_bfloat16``. ``name``: the wrapper's name.
    """
    optimizer = keras.optimizers.get(optimizer)
    if keras.config.dtype_policy().name != "mixed_float16" or isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    kwargs = {} if name is None else {"name": name}
    return keras.optimizers.LossScaleOptimizer(optimizer, **kwargs)


def device_summary() -> str:
    """One line for a notebook or log: the device TensorFlow computes on, the Keras dtype policy in
    force and, on a GPU, the peak GPU memory TensorFlow has allocated so far (GiB), e.g.
    ``"GPU Tesla T4: policy mixed_float16, peak memory 3.21 GiB"`` or ``"CPU: policy float32"``."""
    policy = keras.mixed_precision.dtype_policy().name
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return f"CPU: policy {policy}"
    name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
    peak = tf.config.experimental.get_memory_info("GPU:0")["peak"] / 2 ** 30
    return f"GPU {name}: policy {policy}, peak memory {peak:.2f} GiB"
