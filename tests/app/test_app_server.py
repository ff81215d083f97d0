"""The web demo's HTTP API against a real server on a free loopback port: the page and its files, the
three POST endpoints, errors as JSON messages (never a traceback), limits, and no way to read the disk."""

import http.client
import json
import socket
import urllib.request

import numpy as np
import pytest

from tests.app.app_images import bad_inputs, crop_png, decode_data_url, not_blank, post
from thermal_keras.app import examples
from thermal_keras.app.uploads import MAX_UPLOAD_BYTES


def get(server, path, headers=None):
    """``(status, headers, body)`` of a GET sent exactly as ``path`` (no client-side normalising)."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_page_script_and_style_are_served_with_a_strict_policy(server):
    status, headers, body = get(server, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    for element in ('id="tab-translate"', 'id="tab-sr"', 'id="tab-fusion"', 'id="translate-file"',
                    'id="fusion-infrared"', 'src="/app.js"'):
        assert element in page
    assert "http://" not in page and "https://" not in page  # nothing loaded from outside
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = get(server, "/app.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"/api/translate" in body
    assert get(server, "/app.css")[0] == 200


def test_info_lists_models_limits_and_examples(server):
    status, _, body = get(server, "/api/info")
    info = json.loads(body)
    assert status == 200 and info["max_upload_bytes"] == MAX_UPLOAD_BYTES
    assert info["tabs"]["translate"]["limit"] == "16×16 to 1024×1024 pixels"
    assert info["tabs"]["sr"]["max_side"] == 320 and info["tabs"]["fusion"]["min_side"] == 48
    assert [m["id"] for m in info["tabs"]["sr"]["models"]][0] == "auto"
    assert info["tabs"]["translate"]["models"][-1]["id"] == "model-1"  # the command line's --model
    assert all(m["trained_on"] for tab in info["tabs"].values() for m in tab["models"])
    url = info["examples"]["fusion"][0]["files"]["infrared"]
    status, headers, body = get(server, url)
    assert status == 200 and headers["Content-Type"] == "image/png" and body == examples.example_png("night", "thermal")


@pytest.mark.parametrize("path", ["/../pyproject.toml", "/static/index.html", "/%2e%2e/%2e%2e/etc/passwd",
                                  "/api/examples/../../presets/fusiongan_vis_ir/preset.json",
                                  "/api/examples/day/..%2f..%2fcli.py.png", "/api/examples/day/material.png",
                                  "/app.js/../../cli.py", "//etc/passwd"])
def test_no_path_reads_other_files(server, path):
    status, headers, body = get(server, path)
    assert status == 404 and headers["Content-Type"].startswith("application/json")
    assert set(json.loads(body)) == {"error"}


def test_a_foreign_host_name_is_refused(server):
    status, _, body = get(server, "/api/info", headers={"Host": "attacker.example:7860"})
    assert status == 403 and "localhost" in json.loads(body)["error"]
    assert get(server, "/api/info", headers={"Host": f"localhost:{server.server_address[1]}"})[0] == 200


def test_translate_upscale_and_fuse_over_http(server):
    status, out = post(server.url + "api/translate", {"image": crop_png("day", "rgb", 64, 96),
                                                      "model": "pix2pix_rgb2thermal_128", "colormap": "magma"})
    assert status == 200 and out["celsius"]["min"] < out["celsius"]["max"]
    thermal = decode_data_url(out["images"]["thermal"])
    assert thermal.shape == (64, 96, 3) and not_blank(thermal)
    status, out = post(server.url + "api/upscale", {"image": crop_png("night", "lr_thermal", 40, 56), "model": "auto"})
    assert status == 200 and out["model"] == "swift_srgan_4x_grey"
    assert decode_data_url(out["images"]["model"]).shape == (160, 224)
    status, out = post(server.url + "api/fuse", {"visible": crop_png("night", "rgb", 64, 80),
                                                 "infrared": crop_png("night", "thermal", 64, 80), "colour": "1"})
    assert status == 200 and len(out["metrics"]["rows"]) == 3
    fused = decode_data_url(out["methods"][0]["image"])
    assert fused.shape == (64, 80, 3) and not_blank(fused)


@pytest.mark.parametrize("case", ["empty file", "text file", "16-bit rgb png", "1x1 image", "very large image"])
def test_bad_uploads_get_a_json_message_and_the_server_keeps_serving(server, case):
    data, phrase = bad_inputs()[case]
    status, out = post(server.url + "api/translate", {"image": data, "model": "pix2pix_rgb2thermal_128"})
    assert status == 400 and phrase in out["error"] and "Traceback" not in out["error"]
    assert get(server, "/api/info")[0] == 200


def test_form_errors_are_messages_too(server):
    status, out = post(server.url + "api/translate", {"model": "pix2pix_rgb2thermal_128"})
    assert status == 400 and out["error"] == "the photo: no file chosen; choose an image file or an example"
    status, out = post(server.url + "api/fuse", {"visible": crop_png("night", "rgb", 64, 64),
                                                 "infrared": crop_png("night", "thermal", 64, 80)})
    assert status == 400 and "80×64" in out["error"] and "one size" in out["error"]
    status, out = post(server.url + "api/upscale", {"image": crop_png("day", "lr_rgb", 32, 32), "model": "../x"})
    assert status == 400 and "not offered" in out["error"]
    request = urllib.request.Request(server.url + "api/translate", data=b'{"image": 1}', method="POST",
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 400 and "multipart/form-data" in json.loads(error.value.read())["error"]


def test_a_model_that_cannot_load_is_a_500_message_not_a_crash(server, broken_model_dir):
    status, out = post(server.url + "api/translate", {"image": crop_png("day", "rgb", 32, 32), "model": "model-1"})
    assert status == 500 and str(broken_model_dir) in out["error"] and "keeps running" in out["error"]
    assert post(server.url + "api/translate", {"image": crop_png("day", "rgb", 32, 32)})[0] == 200


def test_upload_size_is_bounded(server):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    body = b"x" * (MAX_UPLOAD_BYTES + 1)
    connection.request("POST", "/api/translate", body=body,
                       headers={"Content-Type": "multipart/form-data; boundary=b"})
    response = connection.getresponse()
    assert response.status == 413 and "at most 16 MiB" in json.loads(response.read())["error"]
    connection.close()
    # no Content-Length: refused at once, not waited for
    with socket.create_connection((host, port), timeout=30) as raw:
        raw.sendall(b"POST /api/fuse HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
        answer = raw.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 411") and "Content-Length" in answer


def test_other_methods_and_paths(server):
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("DELETE", "/")
    response = connection.getresponse()
    assert response.status == 405 and "GET and POST only" in json.loads(response.read())["error"]
    connection.close()
    status, out = post(server.url + "api/nothing", {"image": b"x"})
    assert status == 404 and "no API" in out["error"]
    assert np.isfinite(json.loads(get(server, "/api/info")[2])["max_upload_bytes"])
