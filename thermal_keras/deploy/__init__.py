"""Deploying generators: one uint8-in contract per family (contracts), written as a SavedModel,
``.keras``, TFLite or ONNX file (writers), run back with TFLite or ONNX Runtime (runners), and
loaded on any Keras backend (backends). docs/export.md describes each format's contract."""

from thermal_keras.lazy import lazy_exports

__all__ = ["FORMATS", "TFLITE_VARIANTS", "contract_for", "export_generator", "load_runner", "load_generator"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "FORMATS": "writers", "TFLITE_VARIANTS": "writers", "export_generator": "writers",
    "contract_for": "contracts", "load_runner": "runners", "load_generator": "backends"})
