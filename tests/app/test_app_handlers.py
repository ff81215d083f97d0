"""The web demo's handlers on real presets: valid inputs give pictures of the right size with content,
every bad input gives a one-line message naming the problem."""

import io

import numpy as np
import pytest
from PIL import Image

from tests.app.app_images import bad_inputs, crop_png, example_array, not_blank, png
from thermal_keras.app import examples, handlers
from thermal_keras.app.models import ModelLoadError
from thermal_keras.app.uploads import MAX_UPLOAD_BYTES, InputError, read_upload


def decode_png(data: bytes) -> np.ndarray:
    """The array of PNG bytes (uint8, or uint16 for 16-bit PNGs)."""
    return np.asarray(Image.open(io.BytesIO(data)))

PIX2PIX, CYCLEGAN = "pix2pix_rgb2thermal_128", "cyclegan_rgb2thermal_128"
DRIVING = "pix2pix_rgb2thermal_driving_256"


def test_each_tab_offers_its_presets_with_the_card_line(registry):
    assert [c.id for c in registry.choices["translate"]][:3] == [PIX2PIX, DRIVING, CYCLEGAN]
    assert {c.id for c in registry.choices["sr"]} == {"swift_srgan_4x_grey", "swift_srgan_4x_rgb"}
    assert [c.id for c in registry.choices["fusion"]] == ["fusiongan_vis_ir", "stdfusionnet_vis_ir"]
    assert [c.family for c in registry.choices["fusion"]] == ["fusiongan", "stdfusionnet"]
    grey = registry.choice("sr", "swift_srgan_4x_grey")
    assert grey.trained_on.startswith("Trained on 400 synthetic thermal") and "\n" not in grey.trained_on
    assert "held out" not in grey.trained_on and "photographs brick, grass" in grey.trained_on
    assert "synthetic RGB/thermal set" in registry.choice("translate", PIX2PIX).trained_on
    assert "driving view, 8-bit AGC thermal" in registry.choice("translate", DRIVING).trained_on


def test_the_driving_preset_translates_in_the_demo_as_8_bit_agc(registry):
    out = handlers.translate(registry, crop_png("day", "rgb", 96, 128), DRIVING, "inferno")
    thermal = out["images"]["thermal"]
    assert thermal.shape == (96, 128, 3) and thermal.dtype == np.uint8 and not_blank(thermal)
    assert out.get("celsius") is None  # an AGC frame has no temperatures to report


def test_translate_radiometric_gives_celsius_counts_and_a_colour_scale(registry):
    out = handlers.translate(registry, crop_png("day", "rgb", 96, 128), PIX2PIX, "inferno")
    thermal = out["images"]["thermal"]
    assert thermal.shape == (96, 128, 3) and thermal.dtype == np.uint8 and not_blank(thermal)
    assert out["images"]["input"].shape == (96, 128, 3)
    c = out["celsius"]
    assert -40.0 <= c["min"] < c["mean"] < c["max"] <= 70.0
    assert out["scale"]["unit"] == "°C" and (out["scale"]["low"], out["scale"]["high"]) == (c["min"], c["max"])
    assert len(out["scale"]["colours"]) == 11 and out["scale"]["colours"][0] == "#000004"  # inferno's coldest
    files = {d["filename"]: decode_png(d["png"]) for d in out["downloads"]}
    counts = files["thermal_counts_16bit.png"]
    assert counts.dtype == np.uint16 and counts.shape == (96, 128)
    # the 16-bit download and the °C range agree: counts are 0.01 K T-linear
    assert abs(counts.min() / 100.0 - 273.15 - c["min"]) < 0.02 and abs(counts.max() / 100.0 - 273.15 - c["max"]) < 0.02
    assert files["thermal_8bit.png"].shape == (96, 128) and not_blank(files["thermal_8bit.png"])
    assert (files["thermal_inferno.png"] == thermal).all()
    assert out["notes"] == [] and out["trained_on"].startswith("Trained on")


def test_translate_8_bit_model_has_no_celsius_and_a_level_scale(registry):
    out = handlers.translate(registry, examples.example_png("night", "rgb"), CYCLEGAN, "ironbow")
    assert out["celsius"] is None and out["scale"]["unit"].startswith("8-bit level")
    assert (out["scale"]["low"], out["scale"]["high"]) == (0.0, 255.0)
    assert [d["filename"] for d in out["downloads"]] == ["thermal_8bit.png", "thermal_ironbow.png"]
    thermal = out["images"]["thermal"]
    assert thermal.shape == (128, 128, 3) and not_blank(thermal)


def test_translate_grey_and_rgba_photos_run_with_a_note(registry):
    rgb = example_array("day", "rgb")
    grey = handlers.translate(registry, png(rgb[:64, :80].mean(axis=-1).astype(np.uint8)), PIX2PIX)
    assert grey["images"]["thermal"].shape == (64, 80, 3)
    assert any("grey" in note for note in grey["notes"])
    rgba = np.concatenate([rgb[:64, :64], np.full((64, 64, 1), 128, np.uint8)], axis=-1)
    out = handlers.translate(registry, png(rgba), PIX2PIX)
    assert not_blank(out["images"]["thermal"])
    assert any("alpha" in note for note in out["notes"])


@pytest.mark.parametrize("case", list(bad_inputs()))
def test_translate_refuses_bad_input_with_a_one_line_message(registry, case):
    data, phrase = bad_inputs()[case]
    with pytest.raises(InputError) as error:
        handlers.translate(registry, data, PIX2PIX)
    message = str(error.value)
    assert phrase in message and message.startswith("the photo: ")
    assert "\n" not in message and "Traceback" not in message


def test_translate_refuses_unknown_models_and_colormaps(registry):
    photo = examples.example_png("day", "rgb")
    with pytest.raises(InputError, match="'/etc/passwd' is not offered.*pix2pix_rgb2thermal_128"):
        handlers.translate(registry, photo, "/etc/passwd")
    with pytest.raises(InputError, match="colormap 'jet' is not offered"):
        handlers.translate(registry, photo, PIX2PIX, "jet")


def test_a_broken_command_line_model_fails_naming_its_path(registry, broken_model_dir):
    with pytest.raises(ModelLoadError, match=f"model-1 \\({broken_model_dir}\\) cannot be loaded: .*neither"):
        handlers.translate(registry, examples.example_png("day", "rgb"), "model-1")


def test_upscale_colour_picks_the_rgb_preset_and_beats_nothing_blank(registry):
    out = handlers.upscale(registry, crop_png("day", "lr_rgb", 48, 64))
    assert out["model"] == "swift_srgan_4x_rgb" and out["scale"] == 4
    assert (out["size"], out["out_size"], out["tiles"]) == ([64, 48], [256, 192], 1)
    model, bicubic = out["images"]["model"], out["images"]["bicubic"]
    assert model.shape == bicubic.shape == (192, 256, 3) and not_blank(model)
    difference = np.abs(model.astype(float) - bicubic).mean()
    assert 0.1 < difference < 20  # the model adds detail to the bicubic image, not a different picture
    side = out["crop"]["side"]
    for key in ("lr_crop", "bicubic_crop", "model_crop"):
        assert out["images"][key].shape == (side * 4, side * 4, 3)
    assert out["images"]["lr"].shape == (48, 64, 3)
    files = {d["filename"]: decode_png(d["png"]) for d in out["downloads"]}
    assert set(files) == {"sr_4x.png", "bicubic_4x.png"} and (files["sr_4x.png"] == model).all()


def test_upscale_grey_picks_the_grey_preset_and_large_images_are_tiled(registry):
    out = handlers.upscale(registry, examples.example_png("night", "lr_thermal"))
    assert out["model"] == "swift_srgan_4x_grey" and out["images"]["model"].shape == (256, 256)
    wide = np.tile(example_array("night", "lr_thermal")[:24], (1, 5))  # 320×24: over the 256-pixel tile
    out = handlers.upscale(registry, png(wide), "swift_srgan_4x_grey")
    model = out["images"]["model"]
    assert out["tiles"] == 2 and model.shape == (96, 1280) and not_blank(model)


def test_upscale_notes_and_limits(registry):
    out = handlers.upscale(registry, crop_png("day", "lr_rgb", 32, 32), "swift_srgan_4x_grey")
    assert any("luma" in note for note in out["notes"]) and out["images"]["model"].shape == (128, 128)
    with pytest.raises(InputError, match="400×330 pixels; this tab takes 16×16 to 320×320"):
        handlers.upscale(registry, png(np.zeros((330, 400), np.uint8)))
    with pytest.raises(InputError, match="the low-resolution image: the file is empty"):
        handlers.upscale(registry, b"")


def test_fuse_gives_three_methods_and_their_metrics(registry):
    out = handlers.fuse(registry, examples.example_png("night", "rgb"), examples.example_png("night", "thermal"))
    assert [m["id"] for m in out["methods"]] == ["fusiongan", "average", "pyramid"]
    fused = {m["id"]: m["image"] for m in out["methods"]}
    for image in fused.values():
        assert image.shape == (128, 128) and not_blank(image)
    assert np.abs(fused["fusiongan"].astype(float) - fused["average"]).mean() > 1.0
    names, rows = out["metrics"]["names"], out["metrics"]["rows"]
    assert names == ["EN", "SD", "SF", "AG", "MI", "SCD", "VIF", "Qabf", "SSIM"] and len(rows) == 3
    assert all(len(r["values"]) == 9 and np.isfinite(r["values"]).all() for r in rows)
    # the pyramid keeps full-contrast edges, averaging halves them: SF (spatial frequency) says so
    sf = {r["method"]: r["values"][2] for r in rows}
    assert sf["pyramid"] > sf["average"] and out["metrics"]["best"]["SF"] in ("pyramid", "fusiongan")
    coloured = handlers.fuse(registry, examples.example_png("day", "rgb"), examples.example_png("day", "thermal"),
                             colour=True)
    assert coloured["methods"][0]["image"].shape == (128, 128, 3)
    assert (decode_png(coloured["methods"][0]["download"]["png"]) == coloured["methods"][0]["image"]).all()


def test_fuse_with_stdfusionnet_names_it_and_keeps_the_night_person_bright(registry):
    out = handlers.fuse(registry, examples.example_png("night", "rgb"), examples.example_png("night", "thermal"),
                        "stdfusionnet_vis_ir")
    assert [m["id"] for m in out["methods"]] == ["stdfusionnet", "average", "pyramid"]
    assert out["methods"][0]["label"] == "STDFusionNet (stdfusionnet_vis_ir)"
    assert [r["method"] for r in out["metrics"]["rows"]] == ["stdfusionnet", "average", "pyramid"]
    fused = {m["id"]: m["image"].astype(float) for m in out["methods"]}
    assert fused["stdfusionnet"].shape == (128, 128) and not_blank(fused["stdfusionnet"])
    # the night example's hottest pixels (people, engines) stay at least as bright as in averaging,
    # which halves them: STDFusionNet's salient-target loss keeps their infrared level
    infrared = out["images"]["infrared"].astype(float)
    hot = infrared >= np.percentile(infrared, 98)
    assert fused["stdfusionnet"][hot].mean() > fused["average"][hot].mean() + 10, (
        fused["stdfusionnet"][hot].mean(), fused["average"][hot].mean(), infrared[hot].mean())


def test_fuse_refuses_mismatched_sizes_missing_files_and_small_images(registry):
    visible = examples.example_png("night", "rgb")
    with pytest.raises(InputError, match="visible image is 128×128 pixels but the infrared image is 128×96"):
        handlers.fuse(registry, visible, crop_png("night", "thermal", 96, 128))
    with pytest.raises(InputError, match="the infrared image: no file chosen"):
        handlers.fuse(registry, visible, None)
    with pytest.raises(InputError, match="32×32 pixels; this tab takes 48×48 to 512×512"):
        handlers.fuse(registry, crop_png("night", "rgb", 32, 32), crop_png("night", "thermal", 32, 32))
    coloured_ir = handlers.fuse(registry, visible, examples.example_png("night", "rgb"))
    assert any("infrared image has colour" in note for note in coloured_ir["notes"])


def test_read_upload_caps_the_size_and_names_missing_files(tmp_path):
    assert read_upload(None, "the photo") is None
    path = tmp_path / "photo.png"
    path.write_bytes(b"x" * 10)
    assert read_upload(str(path), "the photo") == b"x" * 10
    with open(path, "wb") as file:
        file.truncate(MAX_UPLOAD_BYTES + 1)  # sparse: no 16 MiB written
    with pytest.raises(InputError, match="the photo: the file is 16.0 MiB; the demo takes at most 16 MiB per file"):
        read_upload(str(path), "the photo")
    with pytest.raises(InputError, match="the infrared image: the upload cannot be read"):
        read_upload(str(tmp_path / "gone.png"), "the infrared image")


def test_flat_images_give_no_nan(registry):
    import json

    flat_rgb, flat_ir = png(np.zeros((64, 64, 3), np.uint8)), png(np.zeros((64, 64), np.uint8))
    out = handlers.fuse(registry, flat_rgb, flat_ir)
    json.dumps(out["metrics"], allow_nan=False)  # undefined metrics are None, not NaN
    assert set(out["metrics"]["best"]) <= set(out["metrics"]["names"])
    out = handlers.translate(registry, png(np.full((64, 64, 3), 128, np.uint8)), PIX2PIX)
    assert out["scale"]["low"] < out["scale"]["high"]
    json.dumps(out["scale"], allow_nan=False)
