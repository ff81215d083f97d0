"""The Gradio demo through ``gradio_client`` on a launched app (loopback, free port): each tab's API with a
bundled example gives pictures of the right size with content, every bad input gives the handlers' one-line
message, and the demo keeps serving after each."""

import numpy as np
import pytest

from tests.app.app_images import bad_inputs, crop_png, not_blank, png, read_picture
from thermal_keras.app import examples
from thermal_keras.app.uploads import MAX_UPLOAD_BYTES

PIX2PIX, CYCLEGAN = "pix2pix_rgb2thermal_128", "cyclegan_rgb2thermal_128"


def example(upload, example_id, picture):
    return upload(examples.example_png(example_id, picture), f"{example_id}-{picture}.png")


def still_serving(client, upload):
    """A small translation runs: the demo answers after whatever came before."""
    photo, thermal, *_ = client.predict(upload(crop_png("day", "rgb", 24, 32), "small.png"), PIX2PIX, "gray",
                                        api_name="/translate")
    assert read_picture(thermal).shape == (24, 32, 3)


def error_message(client, *args, api_name):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as error:
        client.predict(*args, api_name=api_name)
    return str(error.value)


def test_the_api_has_the_three_tabs_and_nothing_else(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/translate", "/upscale", "/fuse"}
    translate = api["named_endpoints"]["/translate"]
    assert [p["label"] for p in translate["parameters"]] == ["RGB photo", "model", "false colour"]
    assert [r["label"] for r in translate["returns"]] == ["photo", "thermal (false colour)", "colour scale", "summary",
                                                          "downloads"]


def test_the_bundled_examples_are_listed_in_each_tab(demo):
    config = demo.get_config_file()
    datasets = [c for c in config["components"] if c["type"] == "dataset"]
    labels = [label for d in datasets for label in d["props"].get("sample_labels") or []]
    assert len(datasets) == 3 and "night street (synthetic, 128×128)" in labels
    assert "day street, colour (synthetic, 64×64)" in labels
    assert any(label.startswith("night street: people") for label in labels)


def test_translate_an_example_gives_celsius_a_colour_bar_and_downloads(client, upload):
    photo, thermal, scale, summary, downloads = client.predict(example(upload, "day", "rgb"), PIX2PIX, "inferno",
                                                               api_name="/translate")
    thermal = read_picture(thermal)
    assert thermal.shape == (128, 128, 3) and not_blank(thermal)
    assert read_picture(photo).shape == (128, 128, 3)
    assert "°C" in scale and "linear-gradient" in scale and "#000004" in scale  # inferno's coldest colour
    assert f"**{PIX2PIX}**" in summary and "Predicted temperature: min" in summary
    files = {path.rsplit("/", 1)[-1]: read_picture(path) for path in downloads}
    assert set(files) == {"thermal_8bit.png", "thermal_inferno.png", "thermal_counts_16bit.png"}
    assert files["thermal_counts_16bit.png"].dtype == np.uint16 and (files["thermal_inferno.png"] == thermal).all()


def test_translate_keeps_width_and_height_and_the_8_bit_model_has_no_celsius(client, upload):
    _, thermal, scale, summary, downloads = client.predict(upload(crop_png("night", "rgb", 96, 128)), CYCLEGAN,
                                                           "ironbow", api_name="/translate")
    assert read_picture(thermal).shape == (96, 128, 3) and not_blank(read_picture(thermal))
    assert "8-bit level" in scale and "not °C" in summary and len(downloads) == 2


def test_upscale_an_example_gives_lr_bicubic_model_and_crops(client, upload):
    lr, bicubic, model, lr_crop, bicubic_crop, model_crop, summary, downloads = client.predict(
        example(upload, "night", "lr_thermal"), "auto", api_name="/upscale")
    model = read_picture(model)
    assert model.shape == (256, 256) and not_blank(model)  # grey in, the grey preset, grey out
    assert read_picture(bicubic).shape == read_picture(lr).shape == (256, 256)
    for crop in (lr_crop, bicubic_crop, model_crop):
        assert read_picture(crop).shape == (128, 128)
    assert "**swift_srgan_4x_grey**" in summary and "64×64 → 256×256" in summary
    assert sorted(path.rsplit("/", 1)[-1] for path in downloads) == ["bicubic_4x.png", "sr_4x.png"]


def test_upscale_colour_keeps_width_and_height(client, upload):
    _, _, model, *_, summary, _ = client.predict(example(upload, "day", "lr_rgb"), "auto", api_name="/upscale")
    assert read_picture(model).shape == (256, 256, 3) and "swift_srgan_4x_rgb" in summary
    _, _, model, *_ = client.predict(upload(crop_png("day", "lr_rgb", 40, 56)), "swift_srgan_4x_rgb",
                                     api_name="/upscale")
    assert read_picture(model).shape == (160, 224, 3)


def test_fuse_an_example_pair_gives_three_images_and_the_metrics(client, upload):
    visible, infrared, fusiongan, average, pyramid, table, summary, downloads = client.predict(
        example(upload, "night", "rgb"), example(upload, "night", "thermal"), "fusiongan_vis_ir", False,
        api_name="/fuse")
    for path in (fusiongan, average, pyramid):
        image = read_picture(path)
        assert image.shape == (128, 128) and not_blank(image)
    assert read_picture(visible).shape == (128, 128, 3) and read_picture(infrared).shape == (128, 128)
    assert table["headers"] == ["method", "EN", "SD", "SF", "AG", "MI", "SCD", "VIF", "Qabf", "SSIM"]
    assert [row[0] for row in table["data"]] == ["fusiongan", "average", "pyramid"]
    assert all(np.isfinite(row[1:]).all() for row in table["data"])
    assert len(downloads) == 3 and "**fusiongan_vis_ir**" in summary
    coloured = client.predict(upload(crop_png("day", "rgb", 64, 80), "v.png"),
                              upload(crop_png("day", "thermal", 64, 80), "ir.png"), "fusiongan_vis_ir", True,
                              api_name="/fuse")
    assert all(read_picture(path).shape == (64, 80, 3) for path in coloured[2:5])
    *_, table, summary, _ = client.predict(example(upload, "night", "rgb"), example(upload, "night", "thermal"),
                                           "stdfusionnet_vis_ir", False, api_name="/fuse")
    assert [row[0] for row in table["data"]] == ["stdfusionnet", "average", "pyramid"]
    assert "**stdfusionnet_vis_ir**" in summary


@pytest.mark.parametrize("case", list(bad_inputs()))
def test_bad_uploads_get_the_handlers_message_and_the_demo_keeps_serving(client, upload, case):
    data, phrase = bad_inputs()[case]
    photo = None if data is None else upload(data, "upload.png")
    message = error_message(client, photo, PIX2PIX, "inferno", api_name="/translate")
    assert phrase in message and message.startswith("the photo: ") and "\n" not in message, message
    assert "Traceback" not in message
    still_serving(client, upload)


def test_bad_pairs_and_small_images_on_the_other_tabs(client, upload):
    message = error_message(client, upload(crop_png("night", "rgb", 128, 128), "v.png"),
                            upload(crop_png("night", "thermal", 96, 128), "ir.png"), "fusiongan_vis_ir", False,
                            api_name="/fuse")
    assert message.startswith("the visible image is 128×128 pixels but the infrared image is 128×96: fusion needs")
    message = error_message(client, upload(png(np.zeros((330, 400), np.uint8))), "auto", api_name="/upscale")
    assert message == ("the low-resolution image: the image is 400×330 pixels; this tab takes 16×16 to 320×320 "
                       "pixels (resize it first)")
    message = error_message(client, upload(crop_png("night", "rgb", 64, 64), "v.png"), None, "fusiongan_vis_ir",
                            False, api_name="/fuse")
    assert message == "the infrared image: no file chosen; choose an image file or an example"
    still_serving(client, upload)


def test_an_upload_over_the_cap_is_refused_by_the_client_and_by_the_server(demo, client, upload):
    import httpx

    big = upload(bytes(MAX_UPLOAD_BYTES + 1), "big.png")
    with pytest.raises(ValueError, match="exceeds the maximum file size of 16777216 bytes"):  # read from the config
        client.predict(big, PIX2PIX, "inferno", api_name="/translate")
    # a client that ignores the config: the server stops reading at the cap and answers 413 with a message
    response = httpx.post(demo.local_url + "gradio_api/upload",
                          files={"files": ("big.png", bytes(MAX_UPLOAD_BYTES + 1))}, timeout=60)
    assert response.status_code == 413 and "16" in response.text and "Traceback" not in response.text, response.text
    still_serving(client, upload)


def test_a_file_without_an_image_suffix_is_refused_by_gradio(client, upload):
    message = error_message(client, upload(b"name,value\n1,2\n", "table.csv"), PIX2PIX, "inferno",
                            api_name="/translate")
    assert message.startswith("Invalid file type. Please upload a file that is one of these formats")
    assert ".png" in message and "\n" not in message
    still_serving(client, upload)


def test_unknown_models_and_colormaps_are_refused(client, upload):
    photo = example(upload, "day", "rgb")
    message = error_message(client, photo, "/etc/passwd", "inferno", api_name="/translate")
    assert "/etc/passwd" in message and PIX2PIX in message
    message = error_message(client, photo, PIX2PIX, "jet", api_name="/translate")
    assert "jet" in message and "inferno" in message


def test_a_broken_command_line_model_is_a_message_and_the_demo_keeps_serving(client, upload, broken_model_dir):
    message = error_message(client, upload(crop_png("day", "rgb", 32, 32)), "model-1", "inferno",
                            api_name="/translate")
    assert str(broken_model_dir) in message and "keeps running" in message and "\n" not in message
    still_serving(client, upload)


def test_flat_images_run(client, upload):
    *_, table, _, _ = client.predict(upload(png(np.zeros((64, 64, 3), np.uint8)), "v.png"),
                                     upload(png(np.zeros((64, 64), np.uint8)), "ir.png"), "fusiongan_vis_ir", False,
                                     api_name="/fuse")
    assert len(table["data"]) == 3
