"""The demo's three tasks as functions from uploaded bytes to pictures, numbers and text.

Each function checks its inputs (:mod:`thermal_keras.app.uploads`: an :class:`InputError` with a
one-line message for anything it cannot use), runs the chosen model from a
:class:`~thermal_keras.app.models.ModelRegistry` and returns a dict of uint8 pictures (NumPy arrays),
numbers, text and downloads (``{"label", "filename", "png": PNG bytes}``) that the Gradio tabs
(:mod:`thermal_keras.app.demo`) show as they are:

* :func:`translate`: RGB photo -> thermal image in false colour beside the photo, with its colour
  scale (°C for radiometric models, else the 8-bit level), the °C range, and downloads of the 8-bit
  PNG, the false-colour PNG and, for radiometric models, the 16-bit counts PNG.
* :func:`upscale`: 4× super-resolution: the low-resolution input, its bicubic upscale and the
  model's, with a zoomed crop of each where the image has most detail; tiled (``registry.sr_tile``).
* :func:`fuse`: visible + infrared -> FusionGAN and the two classical baselines (averaging, Laplacian
  pyramid) side by side, and every fusion metric of each in a table.

Every result has ``notes``: what was converted on the way (alpha dropped, grey repeated, ...).
"""

from __future__ import annotations

import time

import numpy as np

from thermal_keras import families
from thermal_keras.app import pictures
from thermal_keras.app.models import SR_AUTO, ModelRegistry
from thermal_keras.app.uploads import MIN_SIDE, InputError, Limits, decode_image

TRANSLATE_LIMITS = Limits(MIN_SIDE, 1024)
SR_LIMITS = Limits(MIN_SIDE, 320)  # 320² in, 1280² out: about 15 s on 2 CPU cores
FUSION_LIMITS = Limits(48, 512)  # VIF's four scales need 41 pixels; nine metrics on 512² take seconds
LIMITS = {"translate": TRANSLATE_LIMITS, "sr": SR_LIMITS, "fusion": FUSION_LIMITS}
CROP_SIDE = 32  # the zoomed SR crop, in low-resolution pixels


def _luma_u8(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma of uint8 RGB ``(H, W, 3)``: uint8 ``(H, W)``."""
    from thermal_keras.luma import luma

    return np.clip(np.rint(luma(rgb)[..., 0]), 0, 255).astype(np.uint8)


def translate(registry: ModelRegistry, image: bytes | None, model_id: str, colormap: str = "inferno") -> dict:
    """RGB photo bytes -> thermal result (see the module doc).

    Returns ``{"model", "trained_on", "size": [W, H], "images": {"input", "thermal"}, "scale",
    "celsius": {"min", "max", "mean"} or None, "downloads": [{"label", "filename", "png"}], "notes",
    "seconds"}``; ``images["input"]`` is the decoded photo and ``images["thermal"]`` its thermal image
    in false colour, both uint8 RGB ``(H, W, 3)``; ``scale`` is :func:`pictures.colour_scale`'s dict.
    """
    started = time.perf_counter()
    try:
        pictures.check_colormap(colormap)
    except ValueError as error:
        raise InputError(str(error)) from None
    choice = registry.choice("translate", model_id)
    photo = decode_image(image, "the photo", TRANSLATE_LIMITS)
    notes = list(photo.notes)
    if photo.grey:
        notes.append("the photo is grey: its grey level fills all three colour channels (the models were "
                     "trained on colour photos, so expect a weaker result)")
    with registry.lock:
        translator = registry.get("translate", choice.id)
        out = translator(photo.rgb)
    downloads = [{"label": "8-bit PNG", "filename": "thermal_8bit.png", "png": pictures.png_bytes(out["thermal_u8"])}]
    celsius = None
    if "celsius" in out:
        values = out["celsius"][..., 0]
        celsius = {"min": float(values.min()), "max": float(values.max()), "mean": float(values.mean())}
        low, high, unit = celsius["min"], celsius["max"], "°C"
        if high - low < 0.1:  # a flat image: a 0.1 K wide scale around it
            low, high = low - 0.05, high + 0.05
    elif "thermal_u16" in out:  # 16-bit without a known kelvin scale: counts
        values = out["thermal_u16"][..., 0].astype(np.float64)
        low, high, unit = float(values.min()), max(float(values.max()), float(values.min()) + 1.0), "counts"
    else:
        values, low, high, unit = out["thermal_u8"][..., 0], 0.0, 255.0, "8-bit level (relative, not °C)"
    coloured = pictures.false_colour(values, low, high, colormap)
    downloads.append({"label": f"false colour PNG ({colormap})", "filename": f"thermal_{colormap}.png",
                      "png": pictures.png_bytes(coloured)})
    if "thermal_u16" in out:
        downloads.append({"label": "16-bit counts PNG", "filename": "thermal_counts_16bit.png",
                          "png": pictures.png_bytes(out["thermal_u16"])})
    return {"model": choice.id, "trained_on": choice.trained_on, "size": list(photo.size),
            "images": {"input": photo.rgb, "thermal": coloured},
            "scale": pictures.colour_scale(colormap, low, high, unit), "celsius": celsius,
            "downloads": downloads, "notes": notes, "seconds": round(time.perf_counter() - started, 3)}


def _sr_choice(registry: ModelRegistry, model_id: str, grey: bool):
    if model_id != SR_AUTO:
        return registry.choice("sr", model_id)
    wanted = 1 if grey else 3
    for choice in registry.choices["sr"]:
        if choice.channels == wanted:
            return choice
    if registry.choices["sr"]:
        return registry.choices["sr"][0]
    raise InputError("no super-resolution preset is installed")


def detail_crop(grey: np.ndarray, side: int) -> tuple[int, int, int]:
    """``(x, y, side)`` of the square window of ``grey`` ``(H, W)`` with the most gradient energy
    (the sum of absolute neighbour differences); ``side`` is cut to the image's shorter side."""
    h, w = grey.shape
    side = min(side, h, w)
    g = np.asarray(grey, np.float64)
    energy = np.zeros((h, w))
    energy[:, 1:] += np.abs(np.diff(g, axis=1))
    energy[1:, :] += np.abs(np.diff(g, axis=0))
    total = np.pad(energy.cumsum(0).cumsum(1), ((1, 0), (1, 0)))  # summed-area table
    sums = total[side:, side:] - total[:-side, side:] - total[side:, :-side] + total[:-side, :-side]
    y, x = np.unravel_index(int(np.argmax(sums)), sums.shape)
    return int(x), int(y), int(side)


def upscale(registry: ModelRegistry, image: bytes | None, model_id: str = SR_AUTO) -> dict:
    """Low-resolution image bytes -> 4× super-resolution result (see the module doc).

    ``model_id`` is ``"auto"`` (the grey preset for grey images, the RGB preset for colour ones) or
    a preset name. Returns ``{"model", "trained_on", "scale", "size": [w, h], "out_size": [W, H],
    "tiles", "images": {"lr", "bicubic", "model", "lr_crop", "bicubic_crop", "model_crop"}, "crop":
    {"x", "y", "side"} (LR pixels), "downloads", "notes", "seconds"}``; every picture is uint8, grey
    ``(H, W)`` or RGB ``(H, W, 3)`` as the model: ``images["lr"]`` is ``(h, w)``, ``images["model"]``
    and ``images["bicubic"]`` are ``(4h, 4w)``, the three crops ``(4 side, 4 side)`` (the LR crop
    enlarged with nearest neighbours).
    """
    from PIL import Image

    from thermal_keras.sr.inference import tile_starts

    started = time.perf_counter()
    if model_id != SR_AUTO:
        registry.choice("sr", model_id)  # an unknown id is refused before the image is read
    photo = decode_image(image, "the low-resolution image", SR_LIMITS)
    notes = list(photo.notes)
    choice = _sr_choice(registry, model_id, photo.grey)
    with registry.lock:
        upscaler = registry.get("sr", choice.id)
        if upscaler.channels == 1:
            if not photo.grey:
                notes.append(f"colour image upscaled as grey (its luma) by {choice.id}; choose auto or an RGB "
                             f"preset to keep the colour")
            lr = _luma_u8(photo.rgb)[..., None]
        else:
            if photo.grey:
                notes.append(f"grey image: upscaled by the colour model {choice.id} (auto picks the grey preset)")
            lr = photo.rgb
        out = upscaler(lr)
        tiles = len(tile_starts(lr.shape[0], upscaler.tile, upscaler.overlap)) * len(
            tile_starts(lr.shape[1], upscaler.tile, upscaler.overlap))
    scale = upscaler.scale
    h, w = lr.shape[:2]
    squeeze = lr[..., 0] if lr.shape[-1] == 1 else lr
    bicubic = np.asarray(Image.fromarray(squeeze).resize((w * scale, h * scale), Image.Resampling.BICUBIC))
    model_out = out[..., 0] if out.shape[-1] == 1 else out
    x, y, side = detail_crop(_luma_u8(photo.rgb), CROP_SIDE)
    big = (side * scale, side * scale)
    lr_crop = np.asarray(Image.fromarray(squeeze[y:y + side, x:x + side]).resize(big, Image.Resampling.NEAREST))
    hr = (slice(y * scale, (y + side) * scale), slice(x * scale, (x + side) * scale))
    return {"model": choice.id, "trained_on": choice.trained_on, "scale": scale, "size": [w, h],
            "out_size": [w * scale, h * scale], "tiles": tiles,
            "images": {"lr": squeeze, "bicubic": bicubic, "model": model_out, "lr_crop": lr_crop,
                       "bicubic_crop": bicubic[hr], "model_crop": model_out[hr]},
            "crop": {"x": x, "y": y, "side": side},
            "downloads": [{"label": f"model {scale}× PNG", "filename": f"sr_{scale}x.png",
                           "png": pictures.png_bytes(model_out)},
                          {"label": f"bicubic {scale}× PNG", "filename": f"bicubic_{scale}x.png",
                           "png": pictures.png_bytes(bicubic)}],
            "notes": notes, "seconds": round(time.perf_counter() - started, 3)}


FUSION_METHODS = (("fusiongan", "FusionGAN"), ("average", "average (IR + VIS) / 2"),
                  ("pyramid", "Laplacian pyramid (max-abs details)"))
# fusion family -> the name shown, from the registry
FUSION_MODELS = {name: families.family(name).label for name in families.with_contract("fusion")}


def fuse(registry: ModelRegistry, visible: bytes | None, infrared: bytes | None, model_id: str | None = None,
         colour: bool = False) -> dict:
    """Visible + infrared bytes -> the fusion model (FusionGAN or STDFusionNet), averaging and pyramid
    fusion with their metrics.

    The two images must have one size (registered pairs). Fusion works on grey levels 0..255: the
    infrared image's (its luma if it has colour) and the visible image's luma; ``colour`` puts the
    visible image's chroma back on each fused image. Returns ``{"model", "trained_on", "size",
    "images": {"visible", "infrared"}, "methods": [{"id", "label", "image", "download"}] (the model's
    first, its id its family: ``fusiongan`` or ``stdfusionnet``; then ``average``, ``pyramid``), "metrics":
    {"names", "rows": [{"method", "values"}], "best": {metric: method id}}, "notes", "seconds"}``
    (a metric that is undefined for the images, e.g. a NaN, is ``None``); each fused image is uint8 of
    the inputs' size, grey ``(H, W)`` or, with ``colour``, RGB ``(H, W, 3)``.
    """
    from thermal_keras.fusion.baselines import colour_from_visible, rgb_to_ycbcr
    from thermal_keras.fusion.evaluate import fusers
    from thermal_keras.metrics.fusion import METRIC_NAMES, all_metrics

    started = time.perf_counter()
    choices = registry.choices["fusion"]
    if not choices:
        raise InputError("no fusion preset (FusionGAN or STDFusionNet) is installed")
    choice = registry.choice("fusion", model_id or choices[0].id)
    vis = decode_image(visible, "the visible image", FUSION_LIMITS)
    ir = decode_image(infrared, "the infrared image", FUSION_LIMITS)
    if vis.size != ir.size:
        raise InputError(f"the visible image is {vis.size[0]}×{vis.size[1]} pixels but the infrared image is "
                         f"{ir.size[0]}×{ir.size[1]}: fusion needs a registered pair of one size (crop or "
                         f"resize one to the other)")
    notes = vis.notes + ir.notes
    if not ir.grey:
        notes.append("the infrared image has colour (a false-colour palette?): its luma is used as the infrared "
                     "level, which follows temperature only for grey or monotonic palettes")
    ir_y = _luma_u8(ir.rgb).astype(np.float64)
    vis_y = rgb_to_ycbcr(vis.rgb)[..., 0]
    methods, rows = [], []
    with registry.lock:
        family = choice.family or "fusiongan"
        table = fusers(registry.get("fusion", choice.id), name=family)
        for method, label in ((family, FUSION_MODELS[family]), *FUSION_METHODS[1:]):
            fused = np.rint(np.clip(table[method](ir_y, vis_y), 0.0, 255.0))
            shown = colour_from_visible(fused, vis.rgb) if colour else fused.astype(np.uint8)
            methods.append({"id": method, "label": f"{label} ({choice.id})" if method == family else label,
                            "image": shown, "download": {"filename": f"fused_{method}.png",
                                                         "png": pictures.png_bytes(shown)}})
            scores = all_metrics(fused, ir_y, vis_y)
            rows.append({"method": method, "values": [round(float(scores[m]), 4) if np.isfinite(scores[m]) else None
                                                      for m in METRIC_NAMES]})  # None: undefined here
    best = {}
    for i, name in enumerate(METRIC_NAMES):
        scored = [row for row in rows if row["values"][i] is not None]
        if scored:
            best[name] = max(scored, key=lambda row: row["values"][i])["method"]
    return {"model": choice.id, "trained_on": choice.trained_on, "size": list(vis.size),
            "images": {"visible": vis.rgb, "infrared": ir_y.astype(np.uint8)},
            "methods": methods, "metrics": {"names": list(METRIC_NAMES), "rows": rows, "best": best},
            "notes": notes, "seconds": round(time.perf_counter() - started, 3)}
