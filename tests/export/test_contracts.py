"""Each family's uint8 contract against the Keras model with NumPy pre- and post-processing, and the
SavedModel and ``.keras`` formats of the families that had none."""

import json

import numpy as np
import tensorflow as tf

from deploy_models import tiny_generator
from thermal_keras.deploy.contracts import contract_for, generator_family
from thermal_keras.deploy.writers import export_generator, sidecar_path


def _run(contract, *inputs):
    return {k: v.numpy() for k, v in contract.fn(*[tf.constant(x) for x in inputs]).items()}


def test_families_are_told_apart():
    assert [generator_family(tiny_generator(n)[0]) for n in ("pix2pix_unet", "cyclegan_resnet", "srgan_2x",
                                                             "fusiongan")] == ["translator", "translator", "sr",
                                                                               "fusion"]


def test_translator_contract_pads_translates_and_crops():
    generator, _ = tiny_generator("pix2pix_unet")
    rgb = np.random.default_rng(0).integers(0, 256, (2, 40, 52, 3), dtype=np.uint8)
    out = _run(contract_for(generator), rgb)
    x = np.pad(rgb / 127.5 - 1.0, [(0, 0), (0, 24), (0, 12), (0, 0)], mode="symmetric").astype(np.float32)
    expected = np.clip(np.asarray(generator(x, training=False))[:, :40, :52], -1, 1)
    assert np.abs(out["thermal"] - expected).max() <= 1e-5
    np.testing.assert_array_equal(out["thermal_u8"], np.round((out["thermal"] + 1) * 127.5).astype(np.uint8))


def test_tiny_translator_input_falls_back_to_grey_padding():
    generator, _ = tiny_generator("pix2pix_unet")
    rgb = np.random.default_rng(1).integers(0, 256, (1, 5, 7, 3), dtype=np.uint8)
    out = _run(contract_for(generator), rgb)
    x = np.pad(rgb / 127.5 - 1.0, [(0, 0), (0, 27), (0, 25), (0, 0)]).astype(np.float32)  # zeros: mid-grey
    assert np.abs(out["thermal"] - np.clip(np.asarray(generator(x))[:, :5, :7], -1, 1)).max() <= 1e-5


def test_sr_contract_scales_uint8_to_unit_range():
    generator, _ = tiny_generator("swift_srgan_4x")
    lr = np.random.default_rng(2).integers(0, 256, (1, 9, 11, 1), dtype=np.uint8)
    out = _run(contract_for(generator), lr)
    expected = np.clip(np.asarray(generator((lr / 255.0).astype(np.float32))), 0, 1)
    assert out["sr"].shape == (1, 36, 44, 1) and np.abs(out["sr"] - expected).max() <= 1e-6
    np.testing.assert_array_equal(out["sr_u8"], np.round(out["sr"] * 255).astype(np.uint8))


def test_fusion_contract_matches_the_fuse_command():
    from thermal_keras.fusion.evaluate import fuse_pair, generator_fuser

    generator, _ = tiny_generator("fusiongan")
    rng = np.random.default_rng(3)
    ir, visible = rng.integers(0, 256, (16, 20), dtype=np.uint8), rng.integers(0, 256, (16, 20, 3), dtype=np.uint8)
    out = _run(contract_for(generator), ir[None, ..., None], visible[None])
    fuse = generator_fuser(generator)
    grey = fuse_pair(fuse, ir.astype(np.float64), visible.astype(np.float64), colour=False)
    colour = fuse_pair(fuse, ir.astype(np.float64), visible.astype(np.float64), colour=True)
    assert np.abs(out["fused_u8"][0, ..., 0].astype(int) - grey).max() <= 1  # float32 vs float64 rounding
    assert np.abs(out["fused_rgb"][0].astype(int) - colour).max() <= 1
    assert (out["fused_rgb"][0] == colour).mean() > 0.99


def test_fusion_savedmodel_serves_the_contract(tmp_path):
    generator, _ = tiny_generator("fusiongan")
    path = export_generator(generator, "savedmodel", tmp_path / "sm")
    ir = np.random.default_rng(4).integers(0, 256, (2, 14, 18, 1), dtype=np.uint8)
    visible = np.random.default_rng(5).integers(0, 256, (2, 14, 18, 3), dtype=np.uint8)
    loaded = tf.saved_model.load(str(path))  # kept referenced while serve runs
    served = {k: v.numpy() for k, v in loaded.serve(tf.constant(ir), tf.constant(visible)).items()}
    expected = _run(contract_for(generator), ir, visible)
    assert sorted(served) == ["fused", "fused_rgb", "fused_u8"]
    assert np.abs(served["fused"] - expected["fused"]).max() <= 1e-6
    assert json.loads((path / "thermal_keras.json").read_text())["family"] == "fusion"


def test_keras_format_reloads_with_the_same_outputs(tmp_path):
    from thermal_keras.export import load_keras_model

    generator, x = tiny_generator("srgan_2x")
    path = export_generator(generator, "keras", tmp_path / "g.keras")
    reloaded = load_keras_model(path)
    np.testing.assert_allclose(np.asarray(reloaded(x)), np.asarray(generator(x)), atol=1e-6)
    contract = json.loads(sidecar_path(path).read_text())
    assert contract["family"] == "sr" and contract["inputs"][0]["range"] == "[0, 1]" and contract["scale"] == 2
