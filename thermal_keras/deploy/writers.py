"""Writing a generator in each deploy format from its :mod:`~thermal_keras.deploy.contracts` contract.

``FORMATS``: ``savedmodel`` (a folder), ``keras`` (the bare model, float in and out), ``tflite``
(``float32``, ``float16`` or dynamic-range ``int8`` weights, :data:`TFLITE_VARIANTS`) and ``onnx``
(through ``tf2onnx``, opset :data:`ONNX_OPSET`). Every file is written under a temporary name and
renamed; a JSON file beside it (``NAME.json``) records the contract (inputs, outputs, ranges,
fixed or dynamic size). TFLite and ONNX are traced with :func:`thermal_keras.portable.neutral_paths`,
so they hold only built-in ops (no TensorFlow Select ops, no custom ONNX ops).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import unittest.mock
from pathlib import Path

import keras

from thermal_keras.deploy.contracts import Contract, contract_for, tensor_specs
from thermal_keras.deploy.formats import FORMATS, SUFFIXES, TFLITE_VARIANTS  # noqa: F401  (re-exported)
from thermal_keras.deploy.savedmodel import saved_model_archive, write_saved_model

ONNX_OPSET = 17
# tf2onnx 1.17's transpose optimizer now and then drops the Squeeze after a channel-1 transpose it turned
# into a Reshape, so an output gains a leading axis; which conversions it hits depends on the order of its
# node sets, so a retry in the same process can hit it again (seen on FusionGAN's ``fused`` in CI). The
# first conversion runs every tf2onnx optimizer; the second leaves that one out (a few more Transpose
# nodes, which ONNX Runtime's own transpose optimizer folds when it loads the graph).
ONNX_SKIPPED_OPTIMIZERS = ((), ("optimize_transpose",))
ONNX_ATTEMPTS = len(ONNX_SKIPPED_OPTIMIZERS)  # conversions tried before giving up (onnx_graph_problem)
ONNX_PACKAGES = ("onnx", "tf2onnx")

# What the bare .keras model takes and returns, per family (no pre- or post-processing inside).
KERAS_CONTRACTS = {
    "translator": {"inputs": [{"name": "input_image", "dtype": "float32", "shape": [None, None, None, 3],
                               "range": "[-1, 1]", "note": "H and W multiples of size_multiple"}],
                   "outputs": [{"name": "thermal", "dtype": "float32", "shape": [None, None, None, 1],
                                "range": "[-1, 1]"}]},
    "sr": {"inputs": [{"name": "lr", "dtype": "float32", "shape": [None, None, None, "C"], "range": "[0, 1]"}],
           "outputs": [{"name": "sr", "dtype": "float32", "shape": [None, "h*scale", "w*scale", "C"],
                        "range": "[0, 1]"}]},
    "fusion": {"inputs": [{"name": "ir_visible", "dtype": "float32", "shape": [None, None, None, 2],
                           "range": "[-1, 1]", "note": "channel 0 infrared, 1 visible BT.601 luma, each x/127.5-1"}],
               "outputs": [{"name": "fused", "dtype": "float32", "shape": [None, None, None, 1], "range": "[-1, 1]"}]},
}


def check_onnx_available() -> None:
    """Raise a ``ValueError`` naming what to install when the ONNX converter cannot be imported."""
    import importlib.util

    missing = [name for name in ONNX_PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise ValueError(f"--format onnx needs {' and '.join(missing)}: pip install {' '.join(missing)} "
                         f"(requirements-test.txt pins the tested versions)")


def _neutral(fn):
    """``fn`` that traces the layers' backend-neutral paths whenever it is traced (tracing may come
    later than the call that registers it)."""
    from thermal_keras.portable import neutral_paths

    def traced(*args):
        with neutral_paths():
            return fn(*args)

    return traced


def _serve_endpoint(contract: Contract, neutral: bool) -> tuple:
    """The contract as a ``serve`` endpoint of :func:`thermal_keras.deploy.savedmodel.saved_model_archive`."""
    return ("serve", _neutral(contract.fn) if neutral else contract.fn, tensor_specs(contract))


def tflite_bytes(contract: Contract, generator, variant: str = "float32") -> bytes:
    """The contract as a TFLite flatbuffer with signature ``serve``.

    ``float16`` stores weights as float16 (computed in float32 on CPUs); ``int8`` is dynamic-range
    quantisation: int8 weights, activations quantised on the fly by the kernels that support it.
    """
    import tensorflow as tf

    if variant not in TFLITE_VARIANTS:
        raise ValueError(f"TFLite variant must be one of {', '.join(TFLITE_VARIANTS)}, got {variant!r}")
    with tempfile.TemporaryDirectory() as tmp:  # the converter freezes variables from a SavedModel
        saved_model_archive(generator, [_serve_endpoint(contract, neutral=True)]).write_out(tmp, verbose=False)
        converter = tf.lite.TFLiteConverter.from_saved_model(tmp, signature_keys=["serve"])
        if variant != "float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if variant == "float16":
            converter.target_spec.supported_types = [tf.float16]
        return converter.convert()


def onnx_bytes(contract: Contract) -> bytes:
    """The contract as an ONNX model (opset :data:`ONNX_OPSET`), inputs and outputs named as the contract's.

    A converted graph that fails :func:`onnx_graph_problem` is converted again without tf2onnx's
    transpose optimizer (:data:`ONNX_SKIPPED_OPTIMIZERS`); if that one fails too, a ``RuntimeError``
    says what is wrong and nothing is written.
    """
    import warnings

    import tensorflow as tf

    check_onnx_available()
    import tf2onnx

    try:  # Keras' own NumPy 2 fix for tf2onnx, which its ONNX exporter applies the same way
        from keras.src.export.tf2onnx_lib import patch_tf2onnx
    except ImportError:  # a Keras without it: tf2onnx may then fail on NumPy 2 constants
        patch_tf2onnx = None
    if patch_tf2onnx is not None:
        with warnings.catch_warnings():  # the patch probes np.object, which NumPy 2 warns about
            warnings.simplefilter("ignore", FutureWarning)
            patch_tf2onnx()
    specs = tensor_specs(contract)
    traced = tf.function(_neutral(contract.fn), input_signature=specs).get_concrete_function()
    ranks = {name: tensor.shape.rank for name, tensor in traced.structured_outputs.items()}
    for skipped in ONNX_SKIPPED_OPTIMIZERS:  # each attempt converts a fresh trace
        with _tf2onnx_optimizers_without(skipped):
            proto, _ = tf2onnx.convert.from_function(tf.function(_neutral(contract.fn), input_signature=specs),
                                                     input_signature=specs, opset=ONNX_OPSET)
        problem = onnx_graph_problem(proto, ranks)
        if problem is None:
            return proto.SerializeToString()
    raise RuntimeError(f"tf2onnx wrote an inconsistent ONNX graph {ONNX_ATTEMPTS} times (e.g. an output of "
                       f"another rank than the contract's): {problem}")


@contextlib.contextmanager
def _tf2onnx_optimizers_without(skipped: tuple[str, ...]):
    """Within this block tf2onnx runs its graph optimizers except those named in ``skipped``
    (tf2onnx reads its list through ``tf2onnx.optimizer._get_optimizers`` at each conversion)."""
    from tf2onnx import optimizer

    if not skipped or not hasattr(optimizer, "_get_optimizers"):  # an unknown tf2onnx: all of them
        yield
        return
    everything = optimizer._get_optimizers()
    kept = type(everything)((name, factory) for name, factory in everything.items() if name not in skipped)
    with unittest.mock.patch.object(optimizer, "_get_optimizers", lambda: kept):
        yield


def onnx_graph_problem(proto, expected_ranks: dict | None = None) -> str | None:
    """What is wrong with ``proto`` (a ``ModelProto``), or ``None``: what ONNX's strict shape inference
    finds, and any output whose declared rank differs from ``expected_ranks`` (``{output name: rank}``,
    the contract's, traced in TensorFlow); an output without a declared shape is left to the inference.

    tf2onnx 1.17 now and then (not reproducibly: once in about 45 conversions of the same contract, seen
    on FusionGAN's ``fused``) leaves out the Squeeze after a Reshape, so an output of the contract's
    ``(N, H, W, 1)`` comes out ``(N, 1, H, W, 1)`` or ``(1, N, H, W, 1)``. Where its declared shape stays
    4-D, strict inference finds the clash; where the graph declares the 5-D shape too, only the
    contract's rank does.
    """
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(proto, strict_mode=True)
    except onnx.shape_inference.InferenceError as error:
        return str(error)
    for output in inferred.graph.output:
        expected = (expected_ranks or {}).get(output.name)
        tensor_type = output.type.tensor_type
        rank = len(tensor_type.shape.dim) if tensor_type.HasField("shape") else None  # None: not declared
        if None not in (expected, rank) and rank != expected:
            return f"output {output.name!r} has rank {rank}, the contract's is {expected}"
    return None


def describe(contract: Contract, fmt: str, variant: str | None = None) -> dict:
    """The JSON written beside an export: its format, family, inputs, outputs and metadata."""
    fixed = all(d is not None for _, _, shape in contract.inputs for d in shape)
    meta = {"format": fmt, "family": contract.family,
            "input_size": "fixed" if fixed else "dynamic (any batch, height and width)", **contract.metadata}
    if variant is not None:
        meta["variant"] = variant
    if fmt == "keras":
        return {**meta, "input_size": "dynamic", **KERAS_CONTRACTS[contract.family]}
    meta["inputs"] = [{"name": n, "dtype": d, "shape": list(s)} for n, d, s in contract.inputs]
    meta["outputs"] = list(contract.outputs)
    return meta


def sidecar_path(path) -> Path:
    """Where a file export's contract JSON goes: ``NAME.json`` beside ``NAME``."""
    path = Path(path)
    return path.with_name(path.name + ".json")


def _translator_saved_model(contract, generator, path, target_spec):
    from thermal_keras.export import export_saved_model

    return export_saved_model(generator, path, target_spec=target_spec)


def _sr_saved_model(contract, generator, path, target_spec):
    from thermal_keras.sr.inference import export_sr_saved_model

    return export_sr_saved_model(generator, path)


def _fusion_saved_model(contract, generator, path, target_spec):
    meta = {k: v for k, v in describe(contract, "savedmodel").items() if k != "family"}
    return write_saved_model(generator, path, [_serve_endpoint(contract, neutral=False)], contract.family, meta)


_SAVED_MODEL_WRITERS = {"translator": _translator_saved_model, "sr": _sr_saved_model, "fusion": _fusion_saved_model}


def export_generator(generator: keras.Model, fmt: str, path, *, family: str | None = None, target_spec=None,
                     variant: str | None = None, input_size: tuple[int, int] | None = None) -> Path:
    """Write ``generator`` in ``fmt`` to ``path`` (a folder for ``savedmodel``, else a file with the
    format's suffix, plus :func:`sidecar_path`); returns ``path``.

    ``variant`` (TFLite only, default ``float32``), ``input_size`` ``(H, W)`` fixes TFLite and ONNX
    inputs to batch 1 at that size (default: dynamic). ``target_spec`` adds a translator's
    radiometric outputs. The existing contents of ``path`` are replaced: callers check first
    (:func:`thermal_keras.outputs.check_output_files`).
    """
    from data_loaders.files import atomic_path, atomic_write_text

    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    if variant is not None and fmt != "tflite":
        raise ValueError(f"a variant ({variant}) applies to --format tflite only")
    if fmt in SUFFIXES and path.suffix != SUFFIXES[fmt]:
        raise ValueError(f"{path}: a {fmt} export must end in {SUFFIXES[fmt]}")
    if fmt == "onnx":
        check_onnx_available()
    contract = contract_for(generator, family, target_spec, input_size if fmt in ("tflite", "onnx") else None)
    if fmt == "savedmodel":
        return _SAVED_MODEL_WRITERS[contract.family](contract, generator, path, target_spec)
    if fmt == "keras":
        from thermal_keras.export import save_keras

        save_keras(generator, path)
    else:
        variant = (variant or "float32") if fmt == "tflite" else None
        data = tflite_bytes(contract, generator, variant) if fmt == "tflite" else onnx_bytes(contract)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    atomic_write_text(sidecar_path(path), json.dumps(describe(contract, fmt, variant), indent=2) + "\n")
    return path
