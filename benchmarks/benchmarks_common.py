"""What every benchmark records beside its figures, and how it writes them. Not part of the package."""

from __future__ import annotations

import json
import os


def environment() -> dict:
    """Versions, devices, thread and oneDNN settings and the machine load the figures depend on."""
    import keras
    import tensorflow as tf

    import thermal_keras

    return {
        "thermal_keras": os.path.dirname(thermal_keras.__file__),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "devices": [d.device_type for d in tf.config.list_physical_devices()],
        "cpu_count": os.cpu_count(),
        "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "TensorFlow default"),
        "onednn_enabled": onednn_enabled(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def onednn_enabled():
    """Whether TensorFlow runs its oneDNN kernels in this process (None if this build cannot say).

    TensorFlow decides from the CPU when ``TF_ENABLE_ONEDNN_OPTS`` is unset: seen on for an AMD EPYC
    with AVX-512 VNNI/BF16, off for one with AVX2 only.
    """
    try:
        from tensorflow.python.util import _pywrap_util_port  # private, hence the fallback
    except ImportError:
        return None
    return bool(_pywrap_util_port.IsMklEnabled())


def write_json(path: str, payload: dict) -> None:
    """Write ``payload`` to ``path`` via a temporary name, so a crash leaves no half-written file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, path)
