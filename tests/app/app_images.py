"""Image bytes for the web demo's tests: valid inputs, the bad inputs the demo must refuse, decoding results."""

from __future__ import annotations

import base64
import io
import json
import urllib.request
import uuid

import numpy as np
from PIL import Image

from thermal_keras.app import examples
from thermal_keras.io import encode_png_16


def png(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(array)).save(buffer, format="PNG")
    return buffer.getvalue()


def example_array(example_id: str, picture: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(examples.example_png(example_id, picture))))


def crop_png(example_id: str, picture: str, height: int, width: int) -> bytes:
    """A non-square crop of an example, so output sizes show which side is which."""
    return png(example_array(example_id, picture)[:height, :width])


def _tiff(array) -> bytes:
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, array, photometric="rgb" if np.ndim(array) == 3 else "minisblack")
    return buffer.getvalue()


def bad_inputs() -> dict[str, tuple[bytes | None, str]]:
    """``{case: (bytes, a phrase the message must contain)}`` for the translate tab (16..1024 px)."""
    good = examples.example_png("day", "rgb")
    float_tiff = io.BytesIO()
    Image.fromarray(np.linspace(0, 1, 64 * 64, dtype=np.float32).reshape(64, 64)).save(float_tiff, "TIFF")
    grey16 = io.BytesIO()
    Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)).save(grey16, "PNG")
    return {
        "no file": (None, "no file chosen"),
        "empty file": (b"", "empty"),
        "text file": (b"name,value\n1,2\n", "not an image file"),
        "random bytes": (bytes(range(7, 250)) * 4, "not an image file"),
        "truncated png": (good[: len(good) // 2], "damaged"),
        "16-bit grey png": (grey16.getvalue(), "16-bit"),
        "16-bit rgb png": (encode_png_16(np.full((32, 32, 3), 40000, np.uint16)), "16-bit"),
        "float tiff": (float_tiff.getvalue(), "32-bit float"),
        "16-bit rgb tiff": (_tiff(np.full((32, 32, 3), 40000, np.uint16)), "16-bit image (TIFF)"),
        "float rgb tiff": (_tiff(np.full((32, 32, 3), 0.5, np.float32)), "TIFF of float32 samples"),
        "1x1 image": (png(np.zeros((1, 1, 3), np.uint8)), "1×1 pixels"),
        "very large image": (png(np.zeros((1100, 2000), np.uint8)), "2000×1100 pixels"),
    }


def decode_data_url(url: str) -> np.ndarray:
    """The array of a ``data:image/png;base64,...`` URL (uint8, or uint16 for 16-bit PNGs)."""
    head, data = url.split(",", 1)
    assert head == "data:image/png;base64", head
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data))))


def not_blank(array: np.ndarray) -> bool:
    """Has the picture content: its values spread (a flat grey, black or white image does not)."""
    return float(np.asarray(array, np.float64).std()) > 3.0


def multipart(fields: dict) -> tuple[bytes, str]:
    """A multipart/form-data body of ``{name: bytes (a file) or str}`` and its Content-Type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, bytes):
            head = f'Content-Disposition: form-data; name="{name}"; filename="{name}.png"\r\nContent-Type: image/png'
            parts.append(f"--{boundary}\r\n{head}\r\n\r\n".encode() + value + b"\r\n")
        else:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post(url: str, fields: dict, timeout: float = 60) -> tuple[int, dict]:
    """POST ``fields`` as multipart; ``(status, JSON body)`` whatever the status."""
    body, content_type = multipart(fields)
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
