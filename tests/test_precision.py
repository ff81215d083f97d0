"""One mixed-precision switch: the auto rule, old spellings, and a real GAN step under every policy."""

import keras
import numpy as np
import pytest

from thermal_keras import precision
from thermal_keras.config import PRECISION_SETTINGS
from thermal_keras.cyclegan.model import CycleGAN
from thermal_keras.models import FusionGAN, Pix2Pix, build_discriminator, build_generator
from thermal_keras.sr.model import SRGAN

POLICIES_ON_THIS_CPU = ("float32", "mixed_float16", "mixed_bfloat16")
COMPUTE_DTYPE = {"float32": "float32", "mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


@pytest.fixture
def restore_policy():
    before = keras.config.dtype_policy().name
    yield
    keras.mixed_precision.set_dtype_policy(before)


# --- The rule -----------------------------------------------------------------------------------

@pytest.mark.parametrize("gpu, tpu, expected", [(False, False, "float32"), (True, False, "mixed_float16"),
                                                (False, True, "mixed_bfloat16"), (True, True, "mixed_bfloat16")])
def test_auto_picks_float32_on_cpu_float16_on_gpu_bfloat16_on_tpu(monkeypatch, gpu, tpu, expected):
    monkeypatch.setattr(precision, "has_gpu", lambda: gpu)
    monkeypatch.setattr(precision, "is_tpu_strategy", lambda strategy: tpu)
    assert precision.choose_precision("auto") == expected


def test_explicit_settings_and_the_old_on_off_spellings(monkeypatch):
    monkeypatch.setattr(precision, "has_gpu", lambda: True)  # explicit settings ignore the device
    assert [precision.choose_precision(s) for s in PRECISION_SETTINGS[1:]] == [
        "float32", "mixed_float16", "mixed_bfloat16", "mixed_float16", "float32"]
    from thermal_keras.precision import choose_precision  # the old import path still works

    assert choose_precision is precision.choose_precision
    with pytest.raises(ValueError, match="mixed_precision must be one of"):
        precision.choose_precision("float16")


def test_this_machine_without_gpu_gets_float32_and_no_xla():
    if precision.has_gpu():
        pytest.skip("this machine has a GPU")
    assert precision.choose_precision() == "float32"
    assert precision.choose_jit_compile("auto") is False
    assert precision.choose_jit_compile("on") is True and precision.choose_jit_compile("off") is False


def test_auto_xla_is_on_with_one_gpu_only(monkeypatch):
    monkeypatch.setattr(precision, "has_gpu", lambda: True)
    assert precision.choose_jit_compile("auto") is True

    class TwoReplicas:
        num_replicas_in_sync = 2

    assert precision.choose_jit_compile("auto", TwoReplicas()) is False
    with pytest.raises(ValueError, match="jit_compile must be one of"):
        precision.choose_jit_compile("yes")


# --- Real steps under each policy ---------------------------------------------------------------

def _batches(channels_a=3, channels_b=1, size=32, count=2):
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (count, size, size, channels_a)).astype("float32")
    b = rng.uniform(-1, 1, (count, size, size, channels_b)).astype("float32")
    return a, b


def _tiny_pix2pix():
    generator = build_generator("unet", in_channels=3, out_channels=1, ngf=8, num_downs=5)
    return Pix2Pix(generator, build_discriminator("basic", in_channels=4, ndf=8))


def _tiny_cyclegan():
    return CycleGAN(build_generator("resnet", in_channels=3, out_channels=1, ngf=8, n_blocks=1),
                    build_generator("resnet", in_channels=1, out_channels=3, ngf=8, n_blocks=1),
                    build_discriminator("n_layers", in_channels=3, ndf=8, n_layers=1, norm="instance"),
                    build_discriminator("n_layers", in_channels=1, ndf=8, n_layers=1, norm="instance"),
                    pool_size=2, seed=0)


def _first_conv(network):
    return next(layer for layer in network.layers if isinstance(layer, keras.layers.Conv2D))


@pytest.mark.parametrize("policy", POLICIES_ON_THIS_CPU)
@pytest.mark.parametrize("family", ["pix2pix", "cyclegan"])
def test_two_train_steps_and_a_test_step_under_each_policy(restore_policy, policy, family):
    precision.apply_precision(policy)
    model = _tiny_pix2pix() if family == "pix2pix" else _tiny_cyclegan()
    model.compile(jit_compile=False, **({} if family == "pix2pix" else {"lambda_identity": 0.0}))
    a, b = _batches()
    logs = [model.train_on_batch(a, b, return_dict=True) for _ in range(2)]
    scores = model.test_on_batch(a, b, return_dict=True)
    for values in (*logs, scores):
        assert values and all(np.isfinite(v) for v in values.values()), values

    wraps = policy == "mixed_float16"
    for optimizer in (model.g_optimizer, model.d_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == wraps
    applied = 2
    if wraps:  # a step whose scaled float16 gradients overflow is skipped and the scale halved
        optimizer = model.g_optimizer
        applied -= round(np.log2(optimizer.initial_scale / float(optimizer.dynamic_scale.numpy())))
    assert int(model.g_optimizer.iterations.numpy()) == applied >= 1
    networks = [model.generator, model.discriminator] if family == "pix2pix" else list(model.networks)
    for network in networks:
        assert _first_conv(network).compute_dtype == COMPUTE_DTYPE[policy]
        assert {v.dtype for v in network.weights} == {"float32"}
    assert keras.backend.standardize_dtype(model(a).dtype) == "float32"
    discriminator = model.discriminator if family == "pix2pix" else model.discriminator_b
    pair = np.concatenate([a, b], -1) if family == "pix2pix" else b
    assert keras.backend.standardize_dtype(discriminator(pair).dtype) == "float32"


@pytest.mark.parametrize("policy", ["mixed_float16", "mixed_bfloat16"])
def test_every_gan_family_scales_both_losses_under_float16_only(restore_policy, policy):
    precision.apply_precision(policy)
    pix2pix, cyclegan = _tiny_pix2pix(), _tiny_cyclegan()
    fusion = FusionGAN(build_generator("fusiongan", filters=(8, 8, 8, 8)),
                       build_discriminator("fusiongan", image_size=32, filters=(8, 8, 8, 8)))
    srgan = SRGAN(build_generator("swift_srgan", scale=2, channels=1, num_channels=8, num_blocks=1),
                  build_discriminator("swift_srgan", channels=1))
    pix2pix.compile()
    cyclegan.compile(lambda_identity=0.0)
    fusion.compile()
    srgan.compile(perceptual=None)
    for model in (pix2pix, cyclegan, fusion, srgan):
        for optimizer in (model.g_optimizer, model.d_optimizer):
            assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == (policy == "mixed_float16")


def test_loss_scaling_wraps_once_and_only_under_float16(restore_policy):
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    wrapped = precision.with_loss_scaling("adam", name="g_scale")
    assert isinstance(wrapped, keras.optimizers.LossScaleOptimizer) and wrapped.name == "g_scale"
    assert precision.with_loss_scaling(wrapped) is wrapped
    keras.mixed_precision.set_dtype_policy("float32")
    assert not isinstance(precision.with_loss_scaling("adam"), keras.optimizers.LossScaleOptimizer)


def test_device_summary_names_the_device_and_the_policy_in_force():
    import keras

    from thermal_keras.precision import device_summary

    previous = keras.mixed_precision.dtype_policy()
    try:
        keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
        assert device_summary() == "CPU: policy mixed_bfloat16"
        keras.mixed_precision.set_dtype_policy("float32")
        assert device_summary() == "CPU: policy float32"
    finally:
        keras.mixed_precision.set_dtype_policy(previous)
