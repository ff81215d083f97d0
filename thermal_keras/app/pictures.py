"""Result pictures: PNG bytes, false colour and its scale.

:func:`png_bytes` encodes the downloads (8-bit, or 16-bit grey for radiometric counts);
:func:`colour_scale` is a dict the demo draws as a colour bar with its unit and end labels.
"""

from __future__ import annotations

import io

import numpy as np

from thermal_keras.visualize import colorize_thermal, thermal_colormap

COLORMAPS = ("inferno", "ironbow", "magma", "gray")  # the false-colour palettes the demo offers
SCALE_STOPS = 11  # colours the colour bar interpolates between


def png_bytes(array: np.ndarray) -> bytes:
    """PNG file bytes of uint8 ``(H, W)``, ``(H, W, 1)`` or ``(H, W, 3)``, or uint16 ``(H, W[, 1])``
    (a 16-bit grey PNG)."""
    from PIL import Image

    from thermal_keras.image_io import encode_png_16

    image = np.asarray(array)
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.dtype == np.uint16 and image.ndim == 2:
        return encode_png_16(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"png_bytes needs uint8 (H, W[, 1|3]) or uint16 (H, W[, 1]), got {image.dtype} {image.shape}")
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image)).save(buffer, format="PNG")
    return buffer.getvalue()


def check_colormap(name: str) -> str:
    """``name`` when it is one of :data:`COLORMAPS`, else a ``ValueError`` listing them."""
    if name not in COLORMAPS:
        raise ValueError(f"colormap {name!r} is not offered; choose one of {', '.join(COLORMAPS)}")
    return name


def false_colour(values: np.ndarray, low: float, high: float, colormap: str) -> np.ndarray:
    """``values`` ``(H, W[, 1])`` mapped linearly from ``[low, high]`` (clipped) onto ``colormap``:
    uint8 RGB ``(H, W, 3)``."""
    return colorize_thermal(np.asarray(values, np.float64), value_range=(low, high), cmap=check_colormap(colormap))


def colour_scale(colormap: str, low: float, high: float, unit: str) -> dict:
    """What the demo needs to draw the colour bar of a false-colour image: ``low`` and ``high`` (the
    values at its ends, in ``unit``), and :data:`SCALE_STOPS` evenly spaced colours as ``#rrggbb``."""
    table = thermal_colormap(check_colormap(colormap))
    stops = [table[int(round(i * 255 / (SCALE_STOPS - 1)))] for i in range(SCALE_STOPS)]
    return {"low": float(low), "high": float(high), "unit": unit,
            "colours": ["#" + "".join(f"{int(c):02x}" for c in rgb) for rgb in stops]}
