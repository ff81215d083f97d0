import numpy as np
import pytest

from thermal_keras import features


def test_missing_weights_file_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(features.MissingWeightsError) as error:
        features.feature_extractor("vgg16", weights="imagenet")
    message = str(error.value)
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert str(tmp_path / "models") in message and "weights=" in message
    with pytest.raises(features.MissingWeightsError, match="nope.h5"):
        features.feature_extractor("mobilenet_v2", weights=tmp_path / "nope.h5")


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
