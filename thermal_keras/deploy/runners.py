"""Running an exported TFLite or ONNX file: ``runner(**inputs) -> {output name: array}``.

Inputs are NumPy arrays named as the contract's (``rgb``, ``lr``, ``ir`` and ``visible``); a
dynamic-size file takes any batch, height and width, a fixed-size one only its own. Used by the
parity tests and ``benchmarks/deploy_formats.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class TFLiteRunner:
    """A ``.tflite`` file's ``serve`` signature, run with TensorFlow's TFLite interpreter."""

    def __init__(self, path, threads: int | None = None):
        import warnings

        import tensorflow as tf

        self.path = Path(path)
        try:
            with warnings.catch_warnings():  # "use ai_edge_litert": TF 2.21 still ships this interpreter
                warnings.simplefilter("ignore")
                self._interpreter = tf.lite.Interpreter(model_path=str(self.path), num_threads=threads)
            self._run = self._interpreter.get_signature_runner("serve")
        except Exception as error:  # a damaged flatbuffer: the interpreter raises several types
            raise ValueError(f"cannot load model {self.path}: {error}") from None

    def __call__(self, **inputs) -> dict:
        return {name: np.asarray(value) for name, value in self._run(**inputs).items()}


class OnnxRunner:
    """An ``.onnx`` file run with ONNX Runtime on the CPU."""

    def __init__(self, path, threads: int | None = None):
        import onnxruntime as ort

        self.path = Path(path)
        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        try:
            self._session = ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own types for a damaged file
            raise ValueError(f"cannot load model {self.path}: {error}") from None
        self.output_names = [o.name for o in self._session.get_outputs()]

    def __call__(self, **inputs) -> dict:
        return dict(zip(self.output_names, self._session.run(None, inputs)))


def load_runner(path, threads: int | None = None):
    """A :class:`TFLiteRunner` or :class:`OnnxRunner` by the file's suffix."""
    suffix = Path(path).suffix
    if suffix == ".tflite":
        return TFLiteRunner(path, threads)
    if suffix == ".onnx":
        return OnnxRunner(path, threads)
    raise ValueError(f"{path}: not a .tflite or .onnx file")
