import numpy as np
import pytest

from thermal_keras import features


def _offline(monkeypatch):
    """Keras' ImageNet download fails as it does without a network (tests never download)."""
    import urllib.error

    def refuse(*args, **kwargs):
        raise urllib.error.URLError("[Errno -2] Name or service not known")

    for application in ("VGG16", "MobileNetV2", "InceptionV3"):
        monkeypatch.setattr(features.keras.applications, application, refuse)


def test_missing_weights_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    _offline(monkeypatch)
    with pytest.raises(features.MissingWeightsError) as error:
        features.feature_extractor("vgg16", weights="imagenet")
    message = str(error.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert "could not be downloaded (<urlopen error [Errno -2]" in message
    assert str(tmp_path / "models") in message and "weights=" in message
    with pytest.raises(features.MissingWeightsError, match="nope.h5"):
        features.feature_extractor("mobilenet_v2", weights=tmp_path / "nope.h5")


def test_imagenet_weights_come_through_keras_download_when_online(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    calls = []

    def download(include_top, weights):  # what keras.applications does online: the file lands in the cache
        calls.append((include_top, weights))
        (tmp_path / "models").mkdir(exist_ok=True)
        (tmp_path / "models" / "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5").write_bytes(b"h5")

    monkeypatch.setattr(features.keras.applications, "InceptionV3", download)
    path = features.resolve_weights("inception_v3", "imagenet")
    assert calls == [(False, "imagenet")]
    assert path == str(tmp_path / "models" / "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
    assert features.resolve_weights("inception_v3", "imagenet") == path and len(calls) == 1  # cached now


def test_preset_encoder_ranks_a_second_real_sample_closest():
    """Offline FID features that teach the right lesson: on synthetic thermal frames a second sample
    is closer to the first than the same second sample blurred or with noise."""
    import tensorflow as tf

    from data_loaders import synthetic
    from thermal_keras.metrics import distribution

    encoder = features.PresetEncoder()
    frames = synthetic.generate_pairs(64, size=64, seed=0)["thermal_u8"].astype(np.float32) / 127.5 - 1.0
    real, other = frames[:32], frames[32:]
    blurred = np.asarray(tf.image.resize(tf.image.resize(other, (16, 16)), (64, 64)))
    noisy = np.clip(other + np.random.default_rng(0).normal(0, 0.1, other.shape), -1, 1)
    reference = encoder(real)
    assert reference.shape == (32, 128) and np.isfinite(reference).all()
    fid = {name: distribution.frechet_distance_low_rank(reference, encoder(images))
           for name, images in (("other", other), ("blurred", blurred), ("noisy", noisy))}
    assert fid["other"] < fid["blurred"] / 3 and fid["other"] < fid["noisy"] / 3, fid
    with pytest.raises(ValueError, match=r"expected \(N, H, W, 1\)"):
        encoder(np.zeros((2, 8, 8, 3), np.float32))


def _write_keras_cache_file(model, path):
    """Write weights in the legacy layer-by-layer HDF5 layout that Keras' ImageNet files use."""
    import h5py

    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        for layer in model.layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}/{w.name}:0" for w in layer.weights]
            group.attrs["weight_names"] = [n.encode() for n in names]
            for name, weight in zip(names, layer.weights):
                group.create_dataset(name, data=np.asarray(weight))


def test_local_weights_file_is_loaded(tmp_path, monkeypatch):
    donor = features.feature_extractor("vgg16", weights=None, input_shape=(32, 32, 3))
    cache_file = tmp_path / "models" / features.EXTRACTORS["vgg16"].weights_file
    cache_file.parent.mkdir()
    _write_keras_cache_file(donor, cache_file)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    loaded = features.feature_extractor("vgg16", weights="imagenet", input_shape=(32, 32, 3))
    x = np.random.default_rng(0).normal(size=(1, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(donor(x)), atol=1e-5)
    fresh = features.feature_extractor("vgg16", weights=None, input_shape=(32, 32, 3))
    assert not np.allclose(np.asarray(fresh(x)), np.asarray(donor(x)))  # the file really was read


def test_taps_named_layers_and_is_frozen():
    model = features.feature_extractor("vgg16", ["block1_conv2", "block2_conv2"], weights=None,
                                       input_shape=(32, 32, 3))
    outputs = model(np.zeros((2, 32, 32, 3), "float32"))
    assert [tuple(o.shape) for o in outputs] == [(2, 32, 32, 64), (2, 16, 16, 128)]
    assert not model.trainable_weights


def test_preprocessing_per_network():
    grey = np.full((1, 2, 2, 1), 1.0, np.float32)  # white in [-1, 1]
    vgg = np.asarray(features.preprocess("vgg16", grey))
    np.testing.assert_allclose(vgg[0, 0, 0], 255.0 - np.array(features.IMAGENET_BGR_MEAN), atol=1e-4)
    rgb = np.array([[[[-1.0, 0.0, 1.0]]]], np.float32)  # R=0, G=127.5, B=255 on 0..255
    np.testing.assert_allclose(np.asarray(features.preprocess("vgg16", rgb))[0, 0, 0],
                               [255.0 - 103.939, 127.5 - 116.779, 0.0 - 123.68], atol=1e-3)
    np.testing.assert_allclose(np.asarray(features.preprocess("inception_v3", rgb)), rgb, atol=1e-6)
    unit = np.array([[[[0.0, 0.5, 1.0]]]], np.float32)
    np.testing.assert_allclose(np.asarray(features.preprocess("mobilenet_v2", unit, value_range=(0, 1))),
                               [[[[-1.0, 0.0, 1.0]]]], atol=1e-6)
    with pytest.raises(ValueError, match="vgg16, mobilenet_v2, inception_v3"):
        features.preprocess("resnet", grey)
