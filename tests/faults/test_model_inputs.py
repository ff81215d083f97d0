"""Never lose a user's data: the models and images the commands read.

Damaged, unsafe or non-finite models, run folders given as ``--model``, garbage ``config.json`` and
``target_spec.json``, and 16-bit inputs (never clipped to white). Each refusal names the file or the
option, exits 2 and changes nothing (``run_cli(..., watch=tmp_path)``).
"""

import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
import tifffile
from PIL import Image

from thermal_keras.export import export_saved_model
from thermal_keras.io import encode_png_16, read_image_values
from thermal_keras.sr.inference import Upscaler, export_sr_saved_model


def _photo(path, seed=0, size=(40, 40), grey=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 256, size if grey else (*size, 3), dtype=np.uint8)
    Image.fromarray(array).save(path)
    return path


def _u16(seed=0, size=(40, 40), channels=3):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 65536, (*size, channels) if channels > 1 else size, dtype=np.uint16)


def _png16(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tf.io.encode_png(array if array.ndim == 3 else array[..., None]).numpy()
    path.write_bytes(data)
    return path


def _tiff(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(path, array)
    return path


def _read16(path):
    return tf.io.decode_png(path.read_bytes(), dtype=tf.uint16).numpy()


def _poison(model, value):
    kernel = model.weights[0]
    array = keras.ops.convert_to_numpy(kernel).copy()
    array.flat[0] = value
    kernel.assign(array)
    return model


@pytest.fixture(scope="module")
def models(tmp_path_factory, tiny_run):
    """Model files shared by the module: SR (RGB and grey), a Lambda model, damaged and poisoned copies."""
    from thermal_keras.models import build_generator

    root = tmp_path_factory.mktemp("models")
    sr = build_generator("swift_srgan", scale=2, channels=3, num_channels=8, num_blocks=1)
    sr.save(root / "sr.keras")
    build_generator("swift_srgan", scale=2, channels=1, num_channels=8, num_blocks=1).save(root / "sr_grey.keras")
    export_sr_saved_model(sr, root / "sr_export")
    _poison(sr, np.nan).save(root / "sr_nan.keras")
    inputs = keras.Input((None, None, 3))
    keras.Model(inputs, keras.layers.Lambda(lambda x: x[..., :1])(inputs)).save(root / "lambda.keras")
    data = (tiny_run / "generator.keras").read_bytes()
    (root / "truncated.keras").write_bytes(data[: len(data) // 2])
    for name, value in (("nan", np.nan), ("inf", np.inf)):
        generator = _poison(keras.models.load_model(tiny_run / "generator.keras", compile=False), value)
        generator.save(root / f"{name}.keras")
        export_saved_model(generator, root / f"{name}_export")
    return root


def _run_with(tiny_run, tmp_path, generator=None, **files):
    """A copy of the tiny run, its generator replaced by ``generator`` and files by ``files``."""
    run = shutil.copytree(tiny_run, tmp_path / "run")
    if generator is not None:
        shutil.copy(generator, run / "generator.keras")
    for name, content in files.items():
        path = run / name.replace("_json", ".json")
        if content is None:
            path.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return run


# --- 3 and 6. Damaged and unsafe .keras files, for every command that loads one -------------------------

def _load_argv(command, model, tmp_path, tiny_run):
    """``(argv, the model file the message must name)`` for a command given ``model``."""
    if command == "translate":
        return ["translate", "--model", model, _photo(tmp_path / "a.png"), tmp_path / "out"], model
    if command == "upscale":
        return ["upscale", _photo(tmp_path / "a.png"), tmp_path / "out", "--model", model, "--scale", "2"], model
    if command == "export-sr":
        return ["export-sr", "--model", model, "--out", tmp_path / "sm"], model
    if command == "fuse":
        ir, vis = _photo(tmp_path / "ir.png", grey=True), _photo(tmp_path / "vis.png", seed=1)
        return ["fuse", "--model", model, ir, vis, tmp_path / "f.png"], model
    run = _run_with(tiny_run, tmp_path, generator=model)
    if command == "export":
        return ["export", "--run", run, "--out", tmp_path / "sm"], run / "generator.keras"
    return ["evaluate", "--run", run], run / "generator.keras"


LOADERS = ["translate", "upscale", "export-sr", "fuse", "export", "evaluate"]


@pytest.mark.parametrize("command", LOADERS)
def test_a_truncated_keras_file_is_not_reported_as_missing(command, models, tmp_path, tiny_run, run_cli):
    argv, named = _load_argv(command, models / "truncated.keras", tmp_path, tiny_run)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert f"cannot load model {named}: not a complete .keras archive" in outcome.error_line
    assert "File not found" not in outcome.error_line
    assert not (tmp_path / "out").exists() and not (tmp_path / "sm").exists()


@pytest.mark.parametrize("command", LOADERS)
def test_keras_files_load_in_safe_mode(command, models, tmp_path, tiny_run, run_cli):
    argv, named = _load_argv(command, models / "lambda.keras", tmp_path, tiny_run)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert f"cannot load model {named}:" in outcome.error_line and "safe_mode" in outcome.error_line
    assert not (tmp_path / "out").exists() and not (tmp_path / "sm").exists()


# --- 3. What --model may be -------------------------------------------------------------------------------

def _model_case(kind, models, tmp_path, tiny_export):
    """``(argv, text the message must hold)``."""
    photo = _photo(tmp_path / "a.png")
    if kind == "translate a text file":
        model = tmp_path / "notes.txt"
        model.write_text("hello")
        return ["translate", "--model", model, photo, tmp_path / "out"], f"{model}: not a .keras model file"
    if kind == "translate an empty folder":
        (tmp_path / "empty").mkdir()
        return (["translate", "--model", tmp_path / "empty", photo, tmp_path / "out"],
                f"{tmp_path / 'empty'}: neither an exported SavedModel")
    if kind == "translate a corrupt saved_model.pb":
        model = shutil.copytree(tiny_export, tmp_path / "model")
        (model / "saved_model.pb").write_bytes(b"garbage")
        return ["translate", "--model", model, photo, tmp_path / "out"], f"cannot load model {model}:"
    if kind == "translate corrupt variables":
        model = shutil.copytree(tiny_export, tmp_path / "model")
        (model / "variables" / "variables.data-00000-of-00001").write_bytes(b"garbage")
        return ["translate", "--model", model, photo, tmp_path / "out"], f"cannot load model {model}: its variables"
    if kind == "translate garbage metadata":
        model = shutil.copytree(tiny_export, tmp_path / "model")
        (model / "thermal_keras.json").write_text("{oops")
        return (["translate", "--model", model, photo, tmp_path / "out"],
                f"{model / 'thermal_keras.json'}: not valid JSON")
    if kind == "translate an SR export":
        model = models / "sr_export"
        return ["translate", "--model", model, photo, tmp_path / "out"], f"{model}: a super-resolution export"
    if kind == "translate a grey SR generator":
        model = models / "sr_grey.keras"
        return ["translate", "--model", model, photo, tmp_path / "out"], f"{model}: the model takes 1-channel input"
    if kind == "upscale a pix2pix generator":
        from thermal_keras.models import build_generator

        build_generator("unet", in_channels=3, out_channels=1, ngf=4, num_downs=5).save(tmp_path / "unet.keras")
        model = tmp_path / "unet.keras"
        return (["upscale", photo, tmp_path / "out", "--model", model, "--scale", "2"],
                f"{model}: not a super-resolution generator")
    if kind == "upscale a translator export":
        return (["upscale", photo, tmp_path / "out", "--model", tiny_export, "--scale", "2"],
                f"{tiny_export / 'thermal_keras.json'}: not written by `thermal-keras export-sr` (a translator export")
    if kind == "upscale an empty folder":
        (tmp_path / "empty").mkdir()
        return (["upscale", photo, tmp_path / "out", "--model", tmp_path / "empty", "--scale", "2"],
                f"{tmp_path / 'empty'}: neither an SR export")
    if kind == "upscale garbage SR metadata":
        model = shutil.copytree(models / "sr_export", tmp_path / "sr_export")
        (model / "thermal_keras.json").write_text('{"scale": "two"}')
        return (["upscale", photo, tmp_path / "out", "--model", model, "--scale", "2"],
                f"{model / 'thermal_keras.json'}: not written by `thermal-keras export-sr`")
    if kind == "export-sr a pix2pix generator":
        from thermal_keras.models import build_generator

        build_generator("unet", in_channels=3, out_channels=1, ngf=4, num_downs=5).save(tmp_path / "unet.keras")
        return (["export-sr", "--model", tmp_path / "unet.keras", "--out", tmp_path / "sm"],
                f"{tmp_path / 'unet.keras'}:")
    if kind == "export-sr a folder without generator":
        (tmp_path / "empty").mkdir()
        return (["export-sr", "--model", tmp_path / "empty", "--out", tmp_path / "sm"],
                f"{tmp_path / 'empty' / 'generator.keras'}: no generator .keras file")
    if kind == "fuse a folder without generator":
        (tmp_path / "empty").mkdir()
        ir = _photo(tmp_path / "ir.png", grey=True)
        return (["fuse", "--model", tmp_path / "empty", ir, photo, tmp_path / "f.png"],
                f"{tmp_path / 'empty' / 'generator.keras'}: no FusionGAN generator")
    raise AssertionError(kind)


MODEL_CASES = ["translate a text file", "translate an empty folder", "translate a corrupt saved_model.pb",
               "translate corrupt variables", "translate garbage metadata", "translate an SR export",
               "translate a grey SR generator", "upscale a pix2pix generator", "upscale a translator export",
               "upscale an empty folder", "upscale garbage SR metadata", "export-sr a pix2pix generator",
               "export-sr a folder without generator", "fuse a folder without generator"]


@pytest.mark.parametrize("kind", MODEL_CASES)
def test_unusable_models_are_named(kind, models, tmp_path, tiny_export, run_cli):
    argv, expected = _model_case(kind, models, tmp_path, tiny_export)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert expected in outcome.error_line
    assert not (tmp_path / "out").exists() and not (tmp_path / "sm").exists()


def test_translate_accepts_a_run_folder_with_its_target_spec(tiny_run, tiny_export, tmp_path, run_cli):
    run = shutil.copytree(tiny_run, tmp_path / "run")
    photo = _photo(tmp_path / "a.png")
    for model, out in ((run, tmp_path / "from_run"), (tiny_export, tmp_path / "from_export")):
        assert run_cli(["translate", "--model", model, photo, out, "--counts"], watch=tmp_path).code == 0
    from_run = np.asarray(Image.open(tmp_path / "from_run" / "a.png"))
    from_export = np.asarray(Image.open(tmp_path / "from_export" / "a.png"))
    assert from_run.dtype == np.uint16  # counts: the run's target_spec.json was used
    assert np.abs(from_run.astype(int) - from_export.astype(int)).max() <= 1


def test_upscale_accepts_a_run_folder(models, tmp_path, run_cli):
    run = tmp_path / "sr_run"
    run.mkdir()
    shutil.copy(models / "sr.keras", run / "generator.keras")
    assert run_cli(["upscale", _photo(tmp_path / "a.png"), tmp_path / "big.png", "--model", run, "--scale", "2",
                    "--tile", "32"], watch=tmp_path).code == 0
    assert np.asarray(Image.open(tmp_path / "big.png")).shape == (80, 80, 3)


# --- 3. Garbage config.json / target_spec.json in a run folder -------------------------------------------

CONFIGS = {
    "not JSON": ("{not json", "not valid JSON"),
    "binary": (b"\xff\xfe\x00\x81garbage", "not valid JSON"),
    "a list": ("[1, 2]", "expected a JSON object of options, got list"),
    "a wrong type": ('{"image_size": "abc"}', "image_size"),
    "a bad choice": ('{"layout": "nope"}', "layout"),
    "missing": (None, "not found"),
}
SPECS = {
    "not JSON": ("{x", "not a target spec"),
    "a list": ("[]", "not a target spec"),
    "no range for 16 bits": ('{"channels": 1, "bit_depth": 16}', "value_range"),
    "a one-number range": ('{"channels": 1, "bit_depth": 16, "value_range": [1]}', "not a target spec"),
    "a text range": ('{"channels": 1, "bit_depth": 16, "value_range": ["a", "b"]}', "two finite numbers"),
    "negative counts per kelvin": ('{"channels": 1, "bit_depth": 16, "value_range": [0, 9], "counts_per_kelvin": -1}',
                                   "counts_per_kelvin"),
    "an unknown key": ('{"channels": 1, "colour": 3}', "not a target spec"),
}


def _run_command(command, run, tmp_path):
    if command == "export":
        return ["export", "--run", run, "--out", tmp_path / "sm"]
    if command == "evaluate":
        return ["evaluate", "--run", run]
    return ["translate", "--model", run, _photo(tmp_path / "a.png"), tmp_path / "out"]


# translate --model RUN needs only RUN/generator.keras: a missing config.json is no error there.
@pytest.mark.parametrize("command, case", [(command, case) for command in ("export", "evaluate", "translate")
                                           for case in CONFIGS if not (command == "translate" and case == "missing")])
def test_a_garbage_config_json_is_named(case, command, tiny_run, tmp_path, run_cli):
    content, expected = CONFIGS[case]
    run = _run_with(tiny_run, tmp_path, config_json=content)
    outcome = run_cli(_run_command(command, run, tmp_path), watch=tmp_path)
    assert outcome.code == 2
    assert f"{run / 'config.json'}" in outcome.error_line and expected in outcome.error_line
    assert not (tmp_path / "sm").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["export", "evaluate", "translate"])
@pytest.mark.parametrize("case", list(SPECS))
def test_a_garbage_target_spec_json_is_named(case, command, tiny_run, tmp_path, run_cli):
    content, expected = SPECS[case]
    run = _run_with(tiny_run, tmp_path, target_spec_json=content)
    outcome = run_cli(_run_command(command, run, tmp_path), watch=tmp_path)
    assert outcome.code == 2
    assert f"{run / 'target_spec.json'}:" in outcome.error_line and expected in outcome.error_line
    assert not (tmp_path / "sm").exists() and not (tmp_path / "out").exists()


# --- 5. Non-finite weights -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["nan", "inf"])
@pytest.mark.parametrize("how", ["export --run", "evaluate --run", "translate .keras", "translate RUN",
                                 "translate SavedModel"])
def test_non_finite_weights_are_refused(how, value, models, tiny_run, tmp_path, run_cli):
    poisoned = models / f"{value}.keras"
    photo = _photo(tmp_path / "a.png")
    if how in ("export --run", "evaluate --run", "translate RUN"):
        run = _run_with(tiny_run, tmp_path, generator=poisoned)
        named = run / "generator.keras"
        argv = {"export --run": ["export", "--run", run, "--out", tmp_path / "sm"],
                "evaluate --run": ["evaluate", "--run", run],
                "translate RUN": ["translate", "--model", run, photo, tmp_path / "out"]}[how]
    elif how == "translate .keras":
        named, argv = poisoned, ["translate", "--model", poisoned, photo, tmp_path / "out"]
    else:
        named = models / f"{value}_export"
        argv = ["translate", "--model", named, photo, tmp_path / "out"]
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert f"{named}: the model's weights contain NaN or inf" in outcome.error_line
    assert not (tmp_path / "sm").exists() and not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["upscale", "export-sr", "fuse"])
def test_non_finite_weights_are_refused_by_the_other_loaders(command, models, tmp_path, tiny_run, run_cli):
    poisoned = models / "sr_nan.keras"
    argv, named = _load_argv(command, poisoned, tmp_path, tiny_run)
    outcome = run_cli(argv, watch=tmp_path)
    assert outcome.code == 2
    assert f"{named}: the model's weights contain NaN or inf" in outcome.error_line


# --- 4. 16-bit inputs to translate: refused, or scaled through --input-range ------------------------------

SIXTEEN_BIT = {
    "grey PNG": lambda folder: _png16(folder / "g.png", _u16(channels=1)),
    "RGB PNG": lambda folder: _png16(folder / "c.png", _u16()),
    "grey TIFF": lambda folder: _tiff(folder / "g.tif", _u16(channels=1)),
    "RGB TIFF": lambda folder: _tiff(folder / "c.tiff", _u16()),
}


@pytest.mark.parametrize("kind", list(SIXTEEN_BIT))
def test_translate_refuses_16_bit_files_without_an_input_range(kind, tmp_path, run_cli):
    folder = tmp_path / "in"
    _photo(folder / "a.jpg")
    sixteen = SIXTEEN_BIT[kind](folder)
    outcome = run_cli(["translate", "--model", "no_such_model", folder, tmp_path / "out"], watch=tmp_path)
    assert outcome.code == 2
    assert f"{sixteen}: 16-bit image" in outcome.error_line and "--input-range LOW HIGH" in outcome.error_line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("values", [["5", "1"], ["0", "70000"], ["nan", "1"], ["-1", "10"], ["7", "7"]])
def test_translate_checks_the_input_range(values, tmp_path, run_cli):
    photo = _png16(tmp_path / "g.png", _u16(channels=1))
    outcome = run_cli(["translate", "--model", "no_such_model", photo, tmp_path / "out", "--input-range", *values],
                      watch=tmp_path)
    assert outcome.code == 2
    assert "--input-range" in outcome.error_line and "LOW < HIGH" in outcome.error_line


def test_translate_refuses_float_tiffs(tmp_path, run_cli):
    photo = _tiff(tmp_path / "f.tif", np.random.default_rng(0).random((40, 40)).astype(np.float32))
    outcome = run_cli(["translate", "--model", "no_such_model", photo, tmp_path / "out", "--input-range", "0", "1"],
                      watch=tmp_path)
    assert outcome.code == 2
    assert f"{photo}: float32 samples are not supported" in outcome.error_line


def test_translate_scales_16_bit_files_through_the_input_range(tiny_export, tmp_path, run_cli):
    """A 16-bit file holding ``v * 257`` with ``--input-range 0 65535`` translates exactly as the 8-bit ``v``."""
    folder = tmp_path / "in"
    rgb8 = np.random.default_rng(3).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    folder.mkdir()
    Image.fromarray(rgb8).save(folder / "a8.png")
    Image.fromarray(rgb8[..., 0]).save(folder / "g8.png")
    _png16(folder / "a16.png", rgb8.astype(np.uint16) * 257)
    _tiff(folder / "t16.tif", rgb8.astype(np.uint16) * 257)
    _png16(folder / "g16.png", rgb8[..., 0].astype(np.uint16) * 257)
    out = tmp_path / "out"
    assert run_cli(["translate", "--model", tiny_export, folder, out, "--input-range", "0", "65535"],
                   watch=tmp_path).code == 0
    a8 = np.asarray(Image.open(out / "a8.png"))
    for name in ("a16", "t16"):
        np.testing.assert_array_equal(np.asarray(Image.open(out / f"{name}.png")), a8)
    np.testing.assert_array_equal(np.asarray(Image.open(out / "g16.png")), np.asarray(Image.open(out / "g8.png")))


def test_the_input_range_maps_linearly_and_clips_outside(tmp_path):
    from thermal_keras.pix2pix.cli import read_photo

    values = np.array([[500, 1000, 1500, 2000, 60000]], np.uint16)
    rgb = read_photo(_png16(tmp_path / "g.png", values), (1000, 2000))
    assert rgb.shape == (1, 5, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb[0, :, 0], [0, 0, 128, 255, 255])


# --- 4. 16-bit inputs to upscale: kept at 16 bits (RGB too), never clipped ---------------------------------

def test_upscale_keeps_16_bit_rgb_and_grey(models, tmp_path, run_cli):
    folder = tmp_path / "in"
    rgb16, grey16 = _u16(1), _u16(2, channels=1)
    _png16(folder / "rgb.png", rgb16)
    _png16(folder / "grey.png", grey16)
    _tiff(folder / "tif.tif", rgb16)
    out = tmp_path / "out"
    assert run_cli(["upscale", folder, out, "--model", models / "sr.keras", "--scale", "2", "--tile", "32"],
                   watch=tmp_path).code == 0
    upscaler = Upscaler(models / "sr.keras", tile=32)
    expected_rgb = upscaler(rgb16)
    expected_grey = upscaler(np.repeat(grey16[..., None], 3, axis=-1))
    for name, expected in (("rgb", expected_rgb), ("tif", expected_rgb), ("grey", expected_grey)):
        written = _read16(out / f"{name}.png")
        assert written.dtype == np.uint16 and written.shape == (80, 80, 3)
        np.testing.assert_array_equal(written, expected)
    assert expected_rgb.max() < 65535 or np.mean(expected_rgb == 65535) < 0.5  # not saturated to white


def test_upscale_refuses_float_tiffs_and_colour_for_grey_models(models, tmp_path, run_cli):
    photo = _tiff(tmp_path / "f.tif", np.random.default_rng(0).random((40, 40)).astype(np.float32))
    outcome = run_cli(["upscale", photo, tmp_path / "out", "--model", models / "sr.keras", "--scale", "2"],
                      watch=tmp_path)
    assert outcome.code == 2 and f"{photo}: float32 samples are not supported" in outcome.error_line
    colour = _png16(tmp_path / "c.png", _u16())
    outcome = run_cli(["upscale", colour, tmp_path / "out", "--model", models / "sr_grey.keras", "--scale", "2"],
                      watch=tmp_path)
    assert outcome.code == 2 and f"{colour}: colour image, but the model takes 1 channel" in outcome.error_line
    assert not (tmp_path / "out").exists()


def test_upscaler_refuses_what_it_would_clip(models):
    upscaler = Upscaler(models / "sr.keras", tile=32)
    with pytest.raises(ValueError, match=r"not clipped"):
        upscaler(np.full((8, 8, 3), 2.0, np.float32))
    with pytest.raises(ValueError, match=r"not clipped"):
        upscaler(np.full((8, 8, 3), np.nan, np.float32))
    with pytest.raises(ValueError, match="int32"):
        upscaler(np.zeros((8, 8, 3), np.int32))


def test_fuse_refuses_16_bit_infrared(tmp_path, run_cli):
    ir = _png16(tmp_path / "ir.png", _u16(channels=1))
    vis = _photo(tmp_path / "vis.png")
    outcome = run_cli(["fuse", "--method", "average", ir, vis, tmp_path / "f.png"], watch=tmp_path)
    assert outcome.code == 2 and f"{ir}: 16 samples; fuse reads 8-bit images" in outcome.error_line
    assert not (tmp_path / "f.png").exists()


# --- the 16-bit reader and writer the commands use --------------------------------------------------------

@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_16_bit_png_round_trip(channels, tmp_path):
    array = _u16(4, size=(7, 5), channels=channels)
    path = tmp_path / "x.png"
    path.write_bytes(encode_png_16(array))
    decoded = _read16(path)
    np.testing.assert_array_equal(decoded, array if channels > 1 else array[..., None])
    np.testing.assert_array_equal(read_image_values(path), decoded)


def test_reading_16_bit_files_keeps_their_values(tmp_path):
    array = _u16(5)
    np.testing.assert_array_equal(read_image_values(_tiff(tmp_path / "x.tif", array)), array)
    np.testing.assert_array_equal(read_image_values(_png16(tmp_path / "x.png", array)), array)
    grey = _u16(6, channels=1)
    Image.fromarray(grey).save(tmp_path / "g.png")
    np.testing.assert_array_equal(read_image_values(tmp_path / "g.png")[..., 0], grey)
    with pytest.raises(ValueError, match="float64 samples"):
        read_image_values(_tiff(tmp_path / "f.tif", np.zeros((4, 4))))
