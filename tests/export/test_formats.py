"""Every generator family in every deploy format against the Keras model, on fixed uint8 inputs.

The reference is the family's contract run on TensorFlow (what the SavedModel serves), itself
checked against the Keras model with NumPy pre- and post-processing (test_contracts.py). Measured
on these tiny generators (deploy_models.py, weights spread so outputs span their range), CPU, TF 2.21,
onnxruntime 1.32, largest difference of the float output:

=====================  ================  =========================  =====================
generator              TFLite float32    TFLite float16 / int8      ONNX (opset 17)
=====================  ================  =========================  =====================
pix2pix U-Net          5.2e-7            7.0e-4 / 1.5e-2 (57 dB)    4.8e-7
CycleGAN ResNet        3.7e-6            -                          3.0e-6
Swift-SRGAN 4x         3.6e-7            5.8e-4 / - (*)             3.6e-7
SRGAN 2x               3.0e-7            -                          3.6e-7
FusionGAN              4.2e-7            -                          3.3e-7
=====================  ================  =========================  =====================

(*) dynamic-range quantisation leaves weights under 1,024 values in float, which is all of the tiny
Swift-SRGAN (so its int8 file equals float32); benchmarks/deploy_formats.py measures int8 on the
full-size generators. The bounds
pinned here: float32 1e-4 (the issue's), float16 5e-3, int8 5e-2 on [-1, 1] / [0, 1] outputs, and
int8 at least 40 dB PSNR against float32 (peak-to-peak 2 on [-1, 1]). Integer outputs (``*_u8``,
``thermal_u16``, ``thermal_agc``) may differ by 1 where a value lies on a rounding boundary.
"""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from data_loaders.common import ImageSpec
from deploy_models import tiny_generator
from thermal_keras.deploy.contracts import contract_for
from thermal_keras.deploy.runners import load_runner
from thermal_keras.deploy.writers import export_generator, sidecar_path

SPEC_16 = ImageSpec(channels=1, bit_depth=16, value_range=(23315, 34315), counts_per_kelvin=100.0)
_rng = np.random.default_rng(7)
INPUTS = {  # odd sizes, so the translator's padding and cropping run too
    "pix2pix_unet": {"rgb": _rng.integers(0, 256, (2, 40, 52, 3), dtype=np.uint8)},
    "cyclegan_resnet": {"rgb": _rng.integers(0, 256, (1, 36, 28, 3), dtype=np.uint8)},
    "swift_srgan_4x": {"lr": _rng.integers(0, 256, (2, 12, 10, 1), dtype=np.uint8)},
    "srgan_2x": {"lr": _rng.integers(0, 256, (1, 9, 13, 3), dtype=np.uint8)},
    "fusiongan": {"ir": _rng.integers(0, 256, (1, 20, 24, 1), dtype=np.uint8),
                  "visible": _rng.integers(0, 256, (1, 20, 24, 3), dtype=np.uint8)},
}
FLOAT_OUTPUT = {"pix2pix_unet": "thermal", "cyclegan_resnet": "thermal", "swift_srgan_4x": "sr", "srgan_2x": "sr",
                "fusiongan": "fused"}
TOLERANCE = {"float32": 1e-4, "float16": 5e-3, "int8": 5e-2}
INT8_MIN_PSNR = 40.0
CASES = [("pix2pix_unet", "tflite", "float32"), ("pix2pix_unet", "tflite", "float16"),
         ("pix2pix_unet", "tflite", "int8"), ("pix2pix_unet", "onnx", "float32"),
         ("cyclegan_resnet", "tflite", "float32"), ("cyclegan_resnet", "onnx", "float32"),
         ("swift_srgan_4x", "tflite", "float32"), ("swift_srgan_4x", "tflite", "float16"),
         ("swift_srgan_4x", "onnx", "float32"),
         ("srgan_2x", "tflite", "float32"), ("srgan_2x", "onnx", "float32"),
         ("fusiongan", "tflite", "float32"), ("fusiongan", "onnx", "float32")]


@pytest.fixture(scope="module")
def models():
    cache = {}

    def get(name):
        if name not in cache:
            # Fresh Keras names, as in `thermal-keras export` (one model per process). A second model of
            # a family in one process is test_onnx_graph.py's case.
            keras.backend.clear_session()
            cache[name] = tiny_generator(name)[0]
        return cache[name]

    return get


def _spec(name):
    return SPEC_16 if name == "pix2pix_unet" else None  # one translator with the radiometric outputs


def _reference(generator, name):
    contract = contract_for(generator, target_spec=_spec(name))
    return {k: v.numpy() for k, v in contract.fn(*[tf.constant(v) for v in INPUTS[name].values()]).items()}


@pytest.mark.parametrize("name,fmt,variant", CASES)
def test_export_matches_the_keras_model(name, fmt, variant, models, tmp_path):
    generator = models(name)
    path = tmp_path / f"{name}.{fmt}"
    export_generator(generator, fmt, path, target_spec=_spec(name), variant=variant if fmt == "tflite" else None)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, sidecar_path(path).name])  # no temporaries
    contract = json.loads(sidecar_path(path).read_text())
    assert contract["input_size"].startswith("dynamic") and contract["format"] == fmt
    expected = _reference(generator, name)
    assert sorted(contract["outputs"]) == sorted(expected)
    out = load_runner(path)(**INPUTS[name])
    assert sorted(out) == sorted(expected)
    key = FLOAT_OUTPUT[name]
    for output, want in expected.items():
        got = out[output]
        assert got.shape == want.shape and got.dtype == want.dtype, output
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        if output == key:
            assert diff.max() <= TOLERANCE[variant], f"{output}: max difference {diff.max():.2e}"
        elif output == "celsius":  # counts / 100: the float tolerance in kelvin per count
            assert diff.max() <= TOLERANCE[variant] * 5500 / 100, f"celsius: {diff.max():.2e}"
        else:  # integers: a value on a rounding boundary may go either way
            bound = 1 if variant == "float32" else {"thermal_u16": 100}.get(output, 4)
            assert diff.max() <= bound, f"{output}: max difference {diff.max()}"
    float_bytes = 4 * sum(int(np.prod(w.shape)) for w in generator.weights)
    if variant == "int8":  # weights stored in 8 bits, and outputs still close to float32's
        assert path.stat().st_size < 0.5 * float_bytes
        peak = 2.0 if key == "thermal" else 1.0
        mse = np.mean((out[key].astype(np.float64) - expected[key]) ** 2)
        assert 10 * np.log10(peak**2 / max(mse, 1e-20)) >= INT8_MIN_PSNR
    elif variant == "float16" and float_bytes > 100_000:  # below that the file's own overhead dominates
        assert path.stat().st_size < 0.75 * float_bytes


def test_fixed_input_size_is_stated_and_enforced(models, tmp_path):
    path = tmp_path / "fixed.tflite"
    export_generator(models("srgan_2x"), "tflite", path, input_size=(8, 12))
    contract = json.loads(sidecar_path(path).read_text())
    assert contract["input_size"] == "fixed" and contract["inputs"][0]["shape"] == [1, 8, 12, 3]
    runner = load_runner(path)
    assert runner(lr=np.zeros((1, 8, 12, 3), np.uint8))["sr"].shape == (1, 16, 24, 3)
    with pytest.raises(Exception):
        runner(lr=np.zeros((1, 9, 12, 3), np.uint8))
