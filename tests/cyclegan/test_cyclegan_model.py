"""CycleGAN: history pool, loss bookkeeping, identity/paired switches, data modes, training, resume."""

import warnings

import keras
import numpy as np
import pytest

from data_loaders import synthetic
from data_loaders.paired import paired_folder
from thermal_keras.cyclegan.config import CycleGANConfig
from thermal_keras.cyclegan.data import unpaired_dataset
from thermal_keras.cyclegan.losses import PerceptualCycleLoss, SelfSimilarityLoss
from thermal_keras.cyclegan.train import train_cyclegan
from thermal_keras.data import pipeline
from thermal_keras.models import CycleGAN, ImagePool, build_discriminator, build_generator
from thermal_keras.pix2pix import evaluate

TINY = dict(image_size=32, load_size=36, generator="resnet", n_blocks=2, ngf=8, ndf=8, n_layers_d=2,
            batch_size=4, synthetic_train=48, synthetic_test=16, sample_every=1000, pool_size=10,
            lambda_identity=0.0)  # RGB <-> thermal: no identity loss (tested separately)


# --- History pool -------------------------------------------------------------------------------

def _constant_images(values):
    return np.stack([np.full((2, 2, 1), v, np.float32) for v in values])


def test_pool_fills_first_then_returns_old_images_about_half_the_time():
    pool = ImagePool(4, seed=0)
    first = pool(_constant_images([1, 2, 3]))
    np.testing.assert_array_equal(np.asarray(first)[:, 0, 0, 0], [1, 2, 3])  # filling: pass-through
    second = np.asarray(pool(_constant_images([4, 5])))[:, 0, 0, 0]
    assert second[0] == 4  # fourth image fills the pool
    assert int(pool.num_stored.numpy()) == 4
    returned_old, seen = 0, {1.0, 2.0, 3.0, 4.0, 5.0}
    for value in range(6, 206):
        before = set(np.asarray(pool.images)[:, 0, 0, 0].tolist())
        out = float(np.asarray(pool(_constant_images([value])))[0, 0, 0, 0])
        after = set(np.asarray(pool.images)[:, 0, 0, 0].tolist())
        if out == value:
            assert after == before  # kept: pool unchanged
        else:
            returned_old += 1
            assert out in before and out in seen and value in after  # swapped
        seen.add(float(value))
        assert len(after) == 4
    assert 70 <= returned_old <= 130  # Binomial(200, 1/2): mean 100, sd 7


def test_pool_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        pool = ImagePool(2, seed=0)
        out = pool(_constant_images([1, 2, 3]).astype("float16"))
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert keras.backend.standardize_dtype(out.dtype) == "float32"
    assert np.asarray(out)[0, 0, 0, 0] == 1 and int(pool.num_stored.numpy()) == 2


def test_pool_of_zero_passes_through_and_config_round_trips():
    images = _constant_images([1, 2])
    np.testing.assert_array_equal(np.asarray(ImagePool(0)(images)), images)
    pool = ImagePool.from_config(ImagePool(7, seed=3, name="p").get_config())
    assert (pool.pool_size, pool.seed, pool.name) == (7, 3, "p")
    with pytest.raises(ValueError, match="pool_size"):
        ImagePool(-1)


# --- The model ----------------------------------------------------------------------------------

def _cyclegan(ca=3, cb=1, **kwargs):
    def generator(cin, cout):
        return build_generator("resnet", in_channels=cin, out_channels=cout, ngf=4, n_blocks=1)

    def discriminator(channels):
        return build_discriminator("n_layers", in_channels=channels, ndf=4, n_layers=2, norm="instance")

    return CycleGAN(generator(ca, cb), generator(cb, ca), discriminator(ca), discriminator(cb), **kwargs)


def _batch(seed, ca=3, cb=1, n=2, size=16):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (n, size, size, ca)).astype("float32"),
            rng.uniform(-1, 1, (n, size, size, cb)).astype("float32"))


def test_networks_must_agree_on_channels():
    g = build_generator("resnet", in_channels=3, out_channels=1, ngf=4, n_blocks=1)
    f = build_generator("resnet", in_channels=1, out_channels=3, ngf=4, n_blocks=1)
    d3 = build_discriminator("n_layers", in_channels=3, ndf=4, n_layers=2)
    d1 = build_discriminator("n_layers", in_channels=1, ndf=4, n_layers=2)
    with pytest.raises(ValueError, match="discriminator_b input has 3 channels"):
        CycleGAN(g, f, d3, d3)
    with pytest.raises(ValueError, match="generator_ba input"):
        CycleGAN(g, g, d3, d1)


def test_identity_loss_is_off_with_a_warning_when_channels_differ():
    model = _cyclegan(3, 1)
    with pytest.warns(UserWarning, match="identity loss off"):
        model.compile(run_eagerly=True)  # one step: eager is quicker than tracing
    assert not model.identity_active
    logs = model.train_on_batch(*_batch(0), return_dict=True)
    assert logs["identity"] == 0.0
    with pytest.raises(ValueError, match="paired=True"):
        model.compile(lambda_supervised=1.0)


def test_reported_losses_are_the_documented_sums_before_the_update():
    model = _cyclegan(3, 3, pool_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 3 <-> 3: identity is possible, no warning
        model.compile(paired=True, lambda_supervised=2.0, run_eagerly=True)
    a, b = _batch(1, 3, 3)
    g, f = model.generator_ab, model.generator_ba
    l1 = lambda x, y: float(np.mean(np.abs(np.asarray(x) - np.asarray(y))))  # noqa: E731
    cycle = l1(f(g(a)), a) + l1(g(f(b)), b)
    identity = l1(g(b), b) + l1(f(a), a)
    supervised = l1(g(a), b)
    logs = model.train_on_batch(a, b, return_dict=True)
    assert logs["cycle"] == pytest.approx(cycle, rel=1e-4)
    assert logs["identity"] == pytest.approx(identity, rel=1e-4) and identity > 0
    assert logs["supervised"] == pytest.approx(supervised, rel=1e-4)
    assert logs["g_loss"] == pytest.approx(logs["g_gan"] + 10 * cycle + 0.5 * 10 * identity + 2 * supervised,
                                           rel=1e-4)
    assert logs["d_loss"] > 0
    assert int(model.g_optimizer.iterations) == int(model.d_optimizer.iterations) == 1
    assert int(model.fake_b_pool.num_stored.numpy()) == 2


def test_fit_evaluate_and_save_load(tmp_path):
    model = _cyclegan(3, 1, pool_size=3)
    model.compile(lambda_identity=0.0)
    a, b = _batch(2, n=8)
    history = model.fit(a, b, batch_size=2, epochs=1, verbose=0).history
    assert set(history) >= {"g_loss", "cycle", "d_loss", "g_gan"}
    scores = model.evaluate(a, b, verbose=0, return_dict=True)
    assert set(scores) == {"l1", "psnr", "ssim"} and scores["l1"] > 0
    path = tmp_path / "cyclegan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(loaded(a)), np.asarray(model(a)), atol=1e-5)
    assert loaded.compile_settings == model.compile_settings and loaded.lambda_identity == 0.0


def test_a_reloaded_model_is_compiled_with_every_saved_setting(tmp_path):
    model = _cyclegan(3, 3, pool_size=2)
    perceptual = PerceptualCycleLoss(("block1_conv1",), weights=None)
    self_similarity = SelfSimilarityLoss(("block1_conv2",), patch_size=2, num_patches=4, weights=None, seed=5)
    model.compile(gan_mode="hinge", lambda_cycle=4.0, lambda_identity=0.25, paired=True, lambda_supervised=3.0,
                  perceptual_loss=perceptual, lambda_perceptual=0.5, self_similarity_loss=self_similarity,
                  lambda_self_similarity=0.75, run_eagerly=True)  # every setting off its default
    a, b = _batch(4, 3, 3)
    model.train_on_batch(a, b)
    path = tmp_path / "cyclegan.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    assert loaded.compile_settings == model.compile_settings
    assert loaded.compile_settings["self_similarity_loss"] == self_similarity.get_config()
    assert (loaded.gan_mode, loaded.paired, loaded.identity_active, loaded.run_eagerly) == ("hinge", True, True, True)
    assert (loaded.lambda_cycle, loaded.lambda_identity, loaded.lambda_supervised, loaded.lambda_perceptual,
            loaded.lambda_self_similarity) == (4.0, 0.25, 3.0, 0.5, 0.75)
    assert isinstance(loaded.perceptual_loss, PerceptualCycleLoss)
    assert loaded.perceptual_loss.get_config() == perceptual.get_config()
    assert int(loaded.g_optimizer.iterations) == int(loaded.d_optimizer.iterations) == 1
    logs = loaded.train_on_batch(a, b, return_dict=True)  # the saved weights make up the loss, not defaults
    assert logs["g_loss"] == pytest.approx(
        logs["g_gan"] + 4 * logs["cycle"] + 0.25 * 4 * logs["identity"] + 3 * logs["supervised"]
        + 0.5 * logs["perceptual"] + 0.75 * logs["self_similarity"], rel=1e-4)
    assert logs["perceptual"] > 0 and logs["self_similarity"] > 0


def test_reloading_an_rgb_to_thermal_model_keeps_lambda_identity_without_warning_again(tmp_path):
    model = _cyclegan(3, 1)
    with pytest.warns(UserWarning, match="identity loss off"):
        model.compile(lambda_cycle=7.0)
    model.save(tmp_path / "cyclegan.keras")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(tmp_path / "cyclegan.keras")
    assert loaded.compile_settings == model.compile_settings
    assert (loaded.lambda_cycle, loaded.lambda_identity, loaded.identity_active) == (7.0, 0.5, False)
    assert loaded.compile_settings["perceptual_loss"] is None


# --- Data modes ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_pairs(tmp_path_factory):
    root = synthetic.write_dataset(tmp_path_factory.mktemp("pairs") / "set", splits={"train": 8}, size=16,
                                   seed=0, layout="paired")
    return paired_folder(root / "train")


def _epoch(dataset):
    a, b = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(a), np.concatenate(b)


def test_unpaired_batches_shuffle_the_two_sides_independently(tiny_pairs):
    kwargs = dict(batch_size=4, image_size=16, load_size=None, jitter=False, flip=False)
    paired_a, paired_b = _epoch(pipeline.paired_dataset(tiny_pairs, seed=5, **kwargs))
    a, b = _epoch(unpaired_dataset(tiny_pairs, seed=5, **kwargs))
    np.testing.assert_array_equal(a, paired_a)  # the A side follows the seed's order
    _, other_b = _epoch(pipeline.paired_dataset(tiny_pairs, seed=6, **kwargs))
    np.testing.assert_array_equal(b, other_b)  # the B side follows seed + 1's order
    matches = [any(np.array_equal(b[i], paired_b[j]) for j in range(8)) for i in range(8)]
    assert all(matches)  # every thermal image still appears once an epoch ...
    assert sum(np.array_equal(b[i], paired_b[i]) for i in range(8)) < 8  # ... but not beside its RGB
    _, again_b = _epoch(unpaired_dataset(tiny_pairs, seed=5, **kwargs))
    np.testing.assert_array_equal(again_b, b)  # deterministic, so resumable


# --- Training and resume ------------------------------------------------------------------------

def test_short_unpaired_run_lowers_cycle_loss_and_translates_its_input(tmp_path, monkeypatch):
    """A short unpaired run on 8-bit thermal (48 frames at 32², 48 steps, about 40 s).

    What a run this short can show: the cycle loss falls, G beats the grey of its RGB input, and G's
    output depends on its input. A generator that ignored its input (the mean training image) would
    score 0 on the last check. Beating the mean image itself takes an unpaired model far longer than a
    unit test: here G scores 12.0 dB against the mean image's 13.5 dB, whose layout (sky above, road
    below) correlates 0.74 with every target. The CycleGAN preset's test pins that goal at 128²
    (tests/presets/test_shipped_presets.py)."""
    monkeypatch.chdir(tmp_path)
    config = CycleGANConfig(**TINY, thermal="8bit", epochs=3, decay_epochs=1, output_dir=str(tmp_path / "run"))
    run = train_cyclegan(config, verbose=0)
    cycle = run.history["cycle"]
    assert len(cycle) == 4 and cycle[-1] < 0.9 * cycle[0], cycle
    report = evaluate.evaluate_translation(run.model.generator_ab, run.eval_files, run.train_files, 32)
    model, grey = report["model"], report["grey_baseline"]
    assert model["psnr"] > grey["psnr"] + 3.0 and model["uqi"] > grey["uqi"] + 0.05, report
    rgb, thermal = (np.concatenate(side) for side in
                    zip(*[(a.numpy(), b.numpy()) for a, b in pipeline.eval_dataset(run.eval_files, 32, 16)]))
    outputs = np.asarray(run.model.generator_ab(rgb, training=False))
    # measured: 0.23 across the 16 test images (targets: 0.44; the mean image: 0)
    assert outputs.std(axis=0).mean() > 0.25 * thermal.std(axis=0).mean()
    assert list((tmp_path / "run" / "samples").glob("step_*.png"))


def test_mean_level_gives_g_the_thermal_training_frames_mean_level(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = CycleGANConfig(**{**TINY, "synthetic_train": 16, "synthetic_test": 4}, thermal="8bit", mean_level=True,
                            epochs=1, decay_epochs=0, steps_per_epoch=2, output_dir=str(tmp_path / "run"))
    run = train_cyclegan(config, verbose=0)
    level = evaluate.mean_target(run.train_files, 32).mean()
    loaded = keras.saving.load_model(run.generator_path, compile=False)
    assert loaded.layers[-1].name == "mean_level"
    assert abs(loaded.layers[-1].level - level) < 1e-6 and -1 < level < 1
    rgb = next(iter(pipeline.eval_dataset(run.eval_files, 32, 4)))[0]
    outputs = np.asarray(loaded(rgb, training=False))
    np.testing.assert_allclose(outputs.mean(axis=(1, 2, 3)), level, atol=0.05)  # up to clipping at +-1
    assert outputs.std() > 0.01  # the structure is G's: not a constant frame


class _StopAfterFirstEpoch(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        self.model.stop_training = True


@pytest.mark.slow
def test_stopped_run_resumes_to_the_same_weights(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    small = {**TINY, "image_size": 16, "load_size": 18, "synthetic_train": 16, "paired": True,
             "lambda_supervised": 1.0}
    straight = train_cyclegan(CycleGANConfig(**small, epochs=1, decay_epochs=1,
                                             output_dir=str(tmp_path / "a")), verbose=0)
    config = CycleGANConfig(**small, epochs=1, decay_epochs=1, output_dir=str(tmp_path / "b"))
    train_cyclegan(config, callbacks=[_StopAfterFirstEpoch()], verbose=0)
    resumed = train_cyclegan(config, verbose=0)
    assert resumed.initial_epoch == 1
    assert int(resumed.model.g_optimizer.iterations) == int(straight.model.g_optimizer.iterations) == 8
    np.testing.assert_array_equal(resumed.model.fake_b_pool.num_stored.numpy(),
                                  straight.model.fake_b_pool.num_stored.numpy())
    for a, b in zip(straight.model.weights, resumed.model.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-4, err_msg=a.path)


# --- Command line -------------------------------------------------------------------------------

def test_cli_lists_the_cyclegan_switches(capsys):
    from thermal_keras.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "cyclegan", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--paired", "--emsn", "--perceptual-cycle", "--self-similarity", "--lambda-cycle",
                 "--pool-size", "--generator", "--mean-level", "--config"):
        assert flag in text


def test_cli_parses_into_the_config():
    from thermal_keras.cli import build_parser
    from thermal_keras.cyclegan.config import CycleGANConfig

    args = build_parser()[0].parse_args(["train", "cyclegan", "--paired", "--emsn", "--perceptual-cycle", "0.5",
                                      "--self-similarity", "2", "--image-size", "64"])
    config = CycleGANConfig.from_args(args)
    assert (config.paired, config.emsn, config.perceptual_cycle, config.self_similarity) == (True, True, 0.5, 2.0)
    assert config.image_size == 64 and config.generator == "resnet_9blocks" and config.lambda_cycle == 10.0


def test_cli_bad_options_fail_before_any_work(tmp_path, monkeypatch, capsys):
    from thermal_keras.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert main(["train", "cyclegan", "--lambda-supervised", "1"]) == 2
    assert "needs paired=True" in capsys.readouterr().err
    assert main(["train", "cyclegan", "--perceptual-cycle", "1", "--output-dir", "run"]) == 2
    assert "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5" in capsys.readouterr().err
    assert not (tmp_path / "run").exists() and not (tmp_path / "data").exists()
