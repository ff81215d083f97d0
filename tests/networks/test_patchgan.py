"""PatchGAN / PixelGAN discriminators and the PatchGAN geometry functions."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from thermal_keras.layers import trainable_param_count
from thermal_keras.models import (
    build_discriminator,
    patchgan_discriminator,
    patchgan_geometry,
    patchgan_receptive_field,
)


@pytest.fixture
def float32_policy_after():
    yield
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize(
    "in_channels, norm, expected",
    [(6, "batch", 2_768_705), (4, "batch", 2_766_657), (3, "instance", 2_764_737)],
)
def test_trainable_params_match_the_pytorch_reference(in_channels, norm, expected):
    model = build_discriminator("basic", n_layers=3, in_channels=in_channels, norm=norm)
    assert trainable_param_count(model) == expected


def test_basic_patchgan_gives_30x30_logits_for_256_inputs():
    model = build_discriminator("basic", in_channels=4, ndf=8)
    logits = model(np.zeros((1, 256, 256, 4), "float32"))
    assert tuple(logits.shape) == (1, 30, 30, 1)
    assert patchgan_geometry(256).output_size == 30


def test_receptive_fields_by_depth():
    assert [patchgan_receptive_field(n) for n in range(1, 6)] == [16, 34, 70, 142, 286]


@pytest.mark.parametrize(
    "n_layers, strides, size",
    [
        (3, None, (64, 96)),
        (1, None, (32, 32)),
        (2, (2, 2, 1, 1), (70, 45)),
        (2, (2, 1, 1, 1), (64, 64)),
        (4, (2, 2, 2, 1, 1, 1), (96, 64)),
    ],
)
def test_geometry_agrees_with_the_built_model(n_layers, strides, size):
    model = build_discriminator("n_layers", in_channels=2, ndf=4, n_layers=n_layers, strides=strides)
    logits = model(np.zeros((1, *size, 2), "float32"))
    geometry = patchgan_geometry(size, n_layers=n_layers, strides=strides)
    assert tuple(logits.shape[1:3]) == geometry.output_size
    assert len(geometry.layer_output_sizes) == n_layers + 2


def _measured_receptive_field(model, size):
    """Rows of the input that reach the centre logit, measured with a gradient."""
    images = tf.random.normal((1, size, size, model.input_shape[-1]))
    with tf.GradientTape() as tape:
        tape.watch(images)
        logits = model(images, training=False)
        centre = logits[0, logits.shape[1] // 2, logits.shape[2] // 2, 0]
    reach = np.abs(tape.gradient(centre, images).numpy()[0]).sum(axis=(1, 2))
    rows = np.flatnonzero(reach > 0)
    assert rows.min() > 0 and rows.max() < size - 1, "receptive field touches the border"
    return rows.max() - rows.min() + 1


@pytest.mark.parametrize(
    "n_layers, strides, size", [(1, None, 48), (2, None, 80), (2, (2, 1, 1, 1), 64), (3, None, 128)]
)
def test_receptive_field_matches_the_network_gradient(n_layers, strides, size):
    model = patchgan_discriminator(in_channels=1, ndf=2, n_layers=n_layers, strides=strides)
    assert _measured_receptive_field(model, size) == patchgan_receptive_field(n_layers, strides)


def test_geometry_reports_total_stride_and_keeps_int_or_pair_form():
    geometry = patchgan_geometry(256, n_layers=3)
    assert geometry.receptive_field == 70 and geometry.total_stride == 8
    assert geometry.layer_output_sizes == (128, 64, 32, 31, 30)
    assert patchgan_geometry((256, 128)).output_size == (30, 14)


def test_bias_and_activation_placement_follow_the_reference():
    batch = build_discriminator("basic", in_channels=4, ndf=4)
    convs = [layer for layer in batch.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [layer.use_bias for layer in convs] == [True, False, False, False, True]
    assert [layer.filters for layer in convs] == [4, 8, 16, 32, 1]
    slopes = [layer.negative_slope for layer in batch.layers if isinstance(layer, keras.layers.LeakyReLU)]
    assert slopes == pytest.approx([0.2] * 4)
    paddings = [layer for layer in batch.layers if isinstance(layer, keras.layers.ZeroPadding2D)]
    assert len(paddings) == 5 and all(layer.padding == ((1, 1), (1, 1)) for layer in paddings)
    instance = build_discriminator("basic", in_channels=4, ndf=4, norm="instance")
    assert all(l.use_bias for l in instance.layers if isinstance(l, keras.layers.Conv2D))


def test_pixel_discriminator_scores_every_pixel():
    ndf, in_channels = 64, 4
    model = build_discriminator("pixel", in_channels=in_channels, ndf=ndf)
    # conv(4->64, bias) + conv(64->128, no bias) + BN(128) + conv(128->1, no bias), as the reference
    expected = (in_channels * ndf + ndf) + ndf * 2 * ndf + 2 * (2 * ndf) + 2 * ndf
    assert trainable_param_count(model) == expected
    assert tuple(model(np.zeros((2, 20, 12, 4), "float32")).shape) == (2, 20, 12, 1)


def test_mixed_float16_keeps_float32_logits(float32_policy_after):
    keras.config.set_dtype_policy("mixed_float16")
    for name in ("basic", "pixel"):
        model = build_discriminator(name, in_channels=4, ndf=4)
        assert model(np.zeros((1, 32, 32, 4), "float32")).dtype == "float32"
        assert model.layers[2].compute_dtype == "float16"


def test_discriminator_saves_and_loads_with_identical_outputs(tmp_path):
    model = build_discriminator("n_layers", in_channels=4, ndf=4, n_layers=2, strides=(2, 1, 1, 1))
    pairs = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 4)).astype("float32")
    model.save(tmp_path / "discriminator.keras")
    loaded = keras.models.load_model(tmp_path / "discriminator.keras")
    np.testing.assert_array_equal(loaded(pairs), model(pairs))


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="basic, n_layers, pixel"):
        build_discriminator("multiscale")
    with pytest.raises(ValueError, match="n_layers \\+ 2 = 5 ints"):
        build_discriminator("n_layers", n_layers=3, strides=(2, 2, 2))
    with pytest.raises(ValueError, match="use 'n_layers'"):
        build_discriminator("basic", n_layers=5)
    with pytest.raises(ValueError, match="too small"):
        patchgan_geometry(8, n_layers=3)
    with pytest.raises(ValueError, match="n_layers must be an int >= 1"):
        patchgan_receptive_field(0)


def test_output_grad_leaky_relu_matches_leaky_relu_values_and_gradients():
    from thermal_keras.layers import OutputGradLeakyReLU

    x = tf.constant(np.r_[np.random.default_rng(0).normal(size=500), 0.0, -0.0, 1e-30, -1e-30].astype("float32"))
    upstream = tf.constant(np.random.default_rng(1).normal(size=504).astype("float32"))
    results = []
    for layer in (keras.layers.LeakyReLU(0.2), OutputGradLeakyReLU(0.2)):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
        results.append((np.asarray(y), np.asarray(tape.gradient(y, x, output_gradients=upstream))))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


_REMAPPER_SCRIPT = """
import tensorflow as tf
from thermal_keras.models import build_discriminator
nets = [build_discriminator("n_layers", in_channels=4, ndf=8, n_layers=2, norm=norm)
        for norm in ("batch", "instance", "none")]
nets += [build_discriminator("fusiongan", image_size=32, filters=(4, 4, 4, 4)),
         build_discriminator("swift_srgan", channels=3), build_discriminator("srgan", channels=1)]
for net in nets:
    shape = [2] + [48 if side is None else side for side in net.input_shape[1:]]
    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(net(x, training=True) ** 2)
        return tape.gradient(loss, net.trainable_variables)
    step(tf.random.normal(shape))
"""


def test_patchgan_gradient_graph_passes_grappler_remapper():
    """oneDNN's remapper used to fail on conv+bias -> LeakyReLU under a gradient (an E-level log line),
    in every family's discriminator."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0", "TF_ENABLE_ONEDNN_OPTS": "1"}
    proc = subprocess.run([sys.executable, "-c", _REMAPPER_SCRIPT], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "remapper failed" not in proc.stderr
