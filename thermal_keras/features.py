"""Pretrained feature extractors (VGG16, MobileNetV2, InceptionV3) from a local weights file.

Perceptual losses and FID/KID need ImageNet-trained networks, and nothing may be downloaded at run
time. ``feature_extractor`` builds the Keras application without its classifier and loads weights
from, in order: the ``weights`` path given; ``$KERAS_HOME/models/<file>`` (``~/.keras/models`` by
default), the file Keras itself caches when it downloads ImageNet weights. ``weights=None`` gives a
randomly initialised network (tests, architecture checks). A missing file raises
:class:`MissingWeightsError` that says which file to get and where to put it.

Inputs are model images (``[-1, 1]``, 1 or 3 channels); ``preprocess`` applies each network's own
ImageNet preprocessing (VGG16: BGR with the ImageNet mean subtracted on 0..255; MobileNetV2 and
InceptionV3: ``[-1, 1]``) and replicates single-channel images to three channels for the extractor only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keras
from keras import ops

IMAGENET_BGR_MEAN = (103.939, 116.779, 123.68)


@dataclass(frozen=True)
class ExtractorSpec:
    application: str  # keras.applications attribute
    weights_file: str  # the file name Keras caches ImageNet "no top" weights under
    preprocessing: str  # "caffe" (VGG) or "tf" ([-1, 1])


EXTRACTORS = {
    "vgg16": ExtractorSpec("VGG16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "caffe"),
    "mobilenet_v2": ExtractorSpec("MobileNetV2",
                                  "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", "tf"),
    "inception_v3": ExtractorSpec("InceptionV3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", "tf"),
}


class MissingWeightsError(FileNotFoundError):
    """The ImageNet weights file is not on this machine (no downloads at run time)."""


def keras_home() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def resolve_weights(name: str, weights) -> str | None:
    """Path of the weights file for extractor ``name``; ``None`` for random initialisation.

    ``weights`` is ``None`` (random), a file path, or ``"imagenet"`` (the Keras cache file).
    """
    spec = _spec(name)
    if weights is None:
        return None
    candidate = keras_home() / "models" / spec.weights_file if weights == "imagenet" else Path(weights)
    if not candidate.is_file():
        raise MissingWeightsError(
            f"{candidate}: ImageNet weights for {name} not found (no downloads at run time here). "
            f"On a machine with internet, run `keras.applications.{spec.application}(include_top=False, "
            f"weights='imagenet')` once; Keras saves {spec.weights_file} in ~/.keras/models/. Copy that "
            f"file to {keras_home() / 'models'} (or set KERAS_HOME) or pass its path as weights=.")
    return str(candidate)


def feature_extractor(name: str, layer_names=None, weights="imagenet", input_shape=(None, None, 3)):
    """The backbone of ``name`` returning the outputs of ``layer_names`` (default: its last layer).

    Args:
        name: "vgg16", "mobilenet_v2" or "inception_v3".
        layer_names: layer names to tap (e.g. ``["block3_conv3", "block4_conv3"]`` for VGG16); one
            name gives one output tensor, several give a list.
        weights: ``"imagenet"`` (local Keras cache), a path, or ``None`` for random weights.
        input_shape: ``(H, W, 3)``; ``None`` sides accept any size the network allows.

    Returns:
        A frozen (``trainable=False``) ``keras.Model`` taking *preprocessed* images; see
        :func:`preprocess`.
    """
    spec = _spec(name)
    path = resolve_weights(name, weights)
    backbone = getattr(keras.applications, spec.application)(
        include_top=False, weights=None, input_shape=input_shape)
    if path is not None:
        backbone.load_weights(path)
    names = [layer_names] if isinstance(layer_names, str) else list(layer_names or [backbone.layers[-1].name])
    outputs = [backbone.get_layer(n).output for n in names]
    model = keras.Model(backbone.input, outputs[0] if len(outputs) == 1 else outputs, name=f"{name}_features")
    model.trainable = False
    return model


def preprocess(name: str, images, value_range=(-1.0, 1.0)):
    """Model images -> what extractor ``name`` expects.

    Args:
        images: float ``(N, H, W, C)`` with C 1 or 3 (RGB order), values in ``value_range``.

    Returns:
        float32 ``(N, H, W, 3)``: VGG16 gets BGR minus the ImageNet mean on 0..255; MobileNetV2 and
        InceptionV3 get RGB in ``[-1, 1]``.
    """
    spec = _spec(name)
    x = ops.cast(images, "float32")
    low, high = value_range
    unit = (x - low) / (high - low)  # [0, 1]
    if unit.shape[-1] == 1:
        unit = ops.repeat(unit, 3, axis=-1)
    if spec.preprocessing == "caffe":
        return unit[..., ::-1] * 255.0 - ops.convert_to_tensor(IMAGENET_BGR_MEAN, "float32")
    return unit * 2.0 - 1.0


def _spec(name: str) -> ExtractorSpec:
    if name not in EXTRACTORS:
        raise ValueError(f"unknown feature extractor {name!r}; valid names: {', '.join(EXTRACTORS)}")
    return EXTRACTORS[name]
