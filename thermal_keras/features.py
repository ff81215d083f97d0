"""Pretrained feature extractors (VGG16, MobileNetV2, InceptionV3) from a local weights file.

Perceptual losses and FID/KID need ImageNet-trained networks. ``feature_extractor`` builds the Keras
application without its classifier and loads weights from, in order: the ``weights`` path given;
``$KERAS_HOME/models/<file>`` (``~/.keras/models`` by default), the file Keras itself caches; and,
when that file is missing and the machine is online, Keras' own download into that cache.
``weights=None`` gives a randomly initialised network (tests, architecture checks). A file that is
neither there nor downloadable raises :class:`MissingWeightsError` that says which file to get and
where to put it.

:class:`PresetEncoder` is the extractor that needs no download: the feature maps of a shipped preset
(by default the grey Swift-SRGAN, trained on thermal frames), for FID/KID-style comparisons offline.

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

from data_loaders.common import one_line

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
    """The ImageNet weights file is neither in the Keras cache nor downloadable (offline), or a given file is missing."""


def keras_home() -> Path:
    return Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))


def resolve_weights(name: str, weights) -> str | None:
    """Path of the weights file for extractor ``name``; ``None`` for random initialisation.

    ``weights`` is ``None`` (random), a file path, or ``"imagenet"`` (the Keras cache file). A missing
    file is a :class:`MissingWeightsError`; a given file that holds neither HDF5 nor a ``.keras``
    archive is a ``ValueError`` naming it (found here, before any work that needs the network).
    """
    spec = _spec(name)
    if weights is None:
        return None
    candidate = keras_home() / "models" / spec.weights_file if weights == "imagenet" else Path(weights)
    if not candidate.is_file() and weights == "imagenet":
        reason = _download_imagenet(spec)
        if reason is not None:
            raise MissingWeightsError(
                f"{candidate}: ImageNet weights for {name} are not in the Keras cache and could not be "
                f"downloaded ({reason}). On a machine with internet, run `keras.applications."
                f"{spec.application}(include_top=False, weights='imagenet')` once; Keras saves "
                f"{spec.weights_file} in ~/.keras/models/. Copy that file to {keras_home() / 'models'} (or "
                f"set KERAS_HOME) or pass its path as weights=.")
    if not candidate.is_file():
        raise MissingWeightsError(f"{candidate}: weights file for {name} not found; pass an existing .h5 "
                                  f"file, \"imagenet\" or None")
    if weights != "imagenet" and not _is_weights_file(candidate):  # a file given: checked before any work
        raise ValueError(f"{candidate}: not a weights file (neither HDF5 .h5 nor a .keras archive); pass "
                         f"{name}'s no-top weights ({spec.weights_file}), \"imagenet\" or None")
    return str(candidate)


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _is_weights_file(path: Path) -> bool:
    """Whether ``path`` holds HDF5 (its signature at offset 0, 512, 1024 or 2048, where HDF5 puts it
    after a user block) or a zip archive (``.keras``, ``.weights.h5`` saved by Keras 3 are HDF5)."""
    with open(path, "rb") as file:
        head = file.read(2048 + len(HDF5_SIGNATURE))
    return head.startswith(b"PK\x03\x04") or any(
        head[offset:offset + len(HDF5_SIGNATURE)] == HDF5_SIGNATURE for offset in (0, 512, 1024, 2048))


def _download_imagenet(spec: ExtractorSpec) -> str | None:
    """Let Keras download the "no top" ImageNet weights into its cache; the reason on failure."""
    import warnings

    try:
        with warnings.catch_warnings():  # MobileNetV2 warns that it loads the 224² weights for any size
            warnings.simplefilter("ignore")
            getattr(keras.applications, spec.application)(include_top=False, weights="imagenet")
    except Exception as error:  # offline: urllib and Keras raise several types
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return text[:200]
    return None if (keras_home() / "models" / spec.weights_file).is_file() else "Keras cached it elsewhere"


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
        try:
            backbone.load_weights(path)
        except Exception as error:  # h5py and Keras raise several types for a wrong or damaged file
            text = one_line(error, 200) or type(error).__name__
            raise ValueError(f"{path}: cannot load {name} weights from this file ({text})") from None
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


class PresetEncoder:
    """Features from a shipped preset's generator: usable offline, learned on thermal-like images.

    ``encoder(images)`` maps ``(N, H, W, C)`` float images in ``[-1, 1]`` (``C`` the preset's input
    channels: 1 for the default grey super-resolution preset) to float32 ``(N, 2 * F)``: the spatial
    mean and standard deviation of each of the ``F`` channels of ``layer``'s activations. These are
    not InceptionV3 features: distances computed with them are comparable only with each other.
    """

    def __init__(self, preset: str = "swift_srgan_4x_grey", layer: str = "trunk_end"):
        from thermal_keras.families import family
        from thermal_keras.presets.library import load_preset

        loaded = load_preset(preset)
        generator = loaded.generator
        try:
            tapped = generator.get_layer(layer).output
        except ValueError:
            raise ValueError(f"preset {preset} has no layer {layer!r}") from None
        self.name = f"{preset}:{layer}"
        self.channels = generator.input_shape[-1]
        # The SR presets take [0, 1]; the translation and fusion presets [-1, 1].
        self._unit_input = family(loaded.family).unit_input
        self.model = keras.Model(generator.input, tapped, name="preset_encoder")

    def __call__(self, images, batch_size: int = 32):
        import numpy as np

        x = np.asarray(images, np.float32)
        if x.ndim != 4 or x.shape[-1] != self.channels:
            raise ValueError(f"{self.name}: expected (N, H, W, {self.channels}) images in [-1, 1], got {x.shape}")
        if self._unit_input:
            x = (x + 1.0) / 2.0
        out = []
        for start in range(0, len(x), batch_size):
            a = np.asarray(self.model(x[start:start + batch_size], training=False), np.float64)
            out.append(np.concatenate([a.mean(axis=(1, 2)), a.std(axis=(1, 2))], axis=-1))
        return np.concatenate(out).astype(np.float32)
