"""The demo's three tabs in Gradio: their inputs, outputs and the functions that fill them.

Each ``*_tab(registry, bundled)`` lays out one tab inside an open ``gr.Blocks`` (see
:func:`thermal_keras.app.demo.build_demo`) and wires its run button to an API endpoint:

==========  ========================================  ====================================================
endpoint    inputs                                    outputs
==========  ========================================  ====================================================
translate   photo file, model id, colormap            photo, thermal (false colour), colour bar (HTML),
                                                      summary (Markdown), downloads (8-bit, false
                                                      colour, 16-bit counts PNGs)
upscale     low-resolution file, model id or "auto"   LR enlarged 4× (nearest), bicubic, model, the
                                                      three zoomed crops, summary, downloads
fuse        visible file, infrared file, model id,    visible, infrared (the grey level used), FusionGAN,
            colour (bool)                             average, pyramid, metrics table, summary, downloads
==========  ========================================  ====================================================

Uploads are ``gr.File`` fields, not ``gr.Image``: the demo's own decoder
(:func:`~thermal_keras.app.uploads.decode_image`) reads the bytes, so a text file named ``.png``, a
16-bit image or a decompression bomb gets the demo's one-line message rather than Gradio's.
"""

from __future__ import annotations

import sys
import traceback

import gradio as gr
import numpy as np

from data_loaders.common import one_line
from thermal_keras.app import handlers
from thermal_keras.app.models import SR_AUTO, ModelLoadError, ModelRegistry
from thermal_keras.app.pictures import COLORMAPS
from thermal_keras.app.uploads import InputError, read_upload

RUNS = "model-runs"  # the concurrency group of the three run events: one model run at a time in all
IMAGE_HEIGHT = 300  # pixels on the page; pictures keep their aspect ratio and natural size in downloads
FILE_TYPES = ["image", ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif"]  # Gradio checks names


def answer(run, *args):
    """``run(*args)``, with the demo's messages as Gradio shows them: an :class:`InputError` (bad
    upload or choice) or a model that cannot load becomes a ``gr.Error`` with its one-line message,
    any other failure is logged with its traceback and shown as one line; the demo keeps serving."""
    try:
        return run(*args)
    except InputError as error:
        raise gr.Error(str(error), print_exception=False) from None
    except ModelLoadError as error:
        raise gr.Error(f"{error}; the demo keeps running, choose another model", print_exception=False) from None
    except gr.Error:
        raise
    except Exception as error:  # the demo's own failure: the traceback to the log, one line to the page
        traceback.print_exc(file=sys.stderr)
        message = one_line(error) or type(error).__name__
        raise gr.Error(f"the demo failed on this input ({type(error).__name__}: {message}); it keeps running, "
                       f"try another image", print_exception=False) from None


def colour_bar_html(scale: dict) -> str:
    """The colour bar of :func:`~thermal_keras.app.pictures.colour_scale`'s ``scale``: a gradient with
    the values at its ends and its unit (°C, counts or 8-bit level)."""
    unit = scale["unit"]
    short = unit if unit in ("°C", "counts") else ""
    gradient = ", ".join(scale["colours"])
    return (f'<div class="tk-scale"><div class="tk-scale-bar" style="background: linear-gradient(to right, '
            f'{gradient})"></div><div class="tk-scale-labels"><span>{scale["low"]:.1f} {short}</span>'
            f'<span>colour scale: {unit}</span><span>{scale["high"]:.1f} {short}</span></div></div>')


def _saved(downloads: list[dict], component: gr.File) -> list[str]:
    """Each download's PNG bytes as a file in Gradio's cache (deleted with the demo's other results)."""
    from gradio.processing_utils import save_bytes_to_cache

    return [save_bytes_to_cache(item["png"], item["filename"], cache_dir=component.GRADIO_CACHE) for item in downloads]


def _notes(notes: list[str]) -> str:
    """The notes as Markdown lines, each also shown as a ``gr.Warning``."""
    for note in notes:
        gr.Warning(note)
    return "".join(f"\n\n*Note: {note}*" for note in notes)


def _model_field(choices, value, elem_id):
    return gr.Dropdown(choices=choices, value=value, label="model", elem_id=elem_id)


def _trained_on(registry: ModelRegistry, task: str, model_id: str) -> str:
    if task == "sr" and model_id == SR_AUTO:
        return "\n".join(f"- {c.id}: {c.trained_on}" for c in registry.choices["sr"])
    return registry.choice(task, model_id).trained_on


def _wire(run_button, clear_outputs, fn, inputs, outputs, api_name):
    """Clear the old results, then run (so a message never sits beside a stale result)."""
    run_button.click(lambda: [None] * len(clear_outputs), None, clear_outputs, queue=False,
                     show_progress="hidden", api_visibility="private").then(
        fn, inputs, outputs, api_name=api_name, concurrency_id=RUNS)


def _trained_field(registry, task, model, value, elem_id):
    trained = gr.Markdown(_trained_on(registry, task, value), elem_id=elem_id)
    model.change(lambda model_id: answer(_trained_on, registry, task, model_id), model, trained, queue=False,
                 show_progress="hidden", api_visibility="private")
    return trained


def translate_tab(registry: ModelRegistry, bundled: list[tuple[str, list[str]]]) -> None:
    """RGB -> thermal: a photo in, its thermal image in false colour with the colour bar and downloads."""
    limits = handlers.TRANSLATE_LIMITS.describe()
    choices = registry.choices["translate"]
    gr.Markdown(f"A colour photo in, the thermal image a model predicts for it out. Radiometric models give "
                f"°C (and 16-bit counts, 0.01 K a count); 8-bit models a relative level. Images of {limits}.")
    with gr.Row():
        with gr.Column(scale=1):
            photo = gr.File(label="RGB photo", file_types=FILE_TYPES, elem_id="translate-file")
            model = _model_field([(c.label, c.id) for c in choices], choices[0].id, "translate-model")
            _trained_field(registry, "translate", model, choices[0].id, "translate-trained")
            colormap = gr.Dropdown(list(COLORMAPS), value="inferno", label="false colour", elem_id="translate-colormap")
            run = gr.Button("Translate", variant="primary", elem_id="translate-run")
            gr.Examples([files for _, files in bundled], [photo], label="examples (synthetic scenes)",
                        example_labels=[label for label, _ in bundled])
        with gr.Column(scale=2):
            with gr.Row():
                shown = gr.Image(label="photo", format="png", height=IMAGE_HEIGHT, elem_id="translate-input")
                thermal = gr.Image(label="thermal (false colour)", format="png", height=IMAGE_HEIGHT,
                                   elem_id="translate-output")
            scale = gr.HTML(label="colour scale", elem_id="translate-scale")
            summary = gr.Markdown(label="summary", elem_id="translate-summary")
            downloads = gr.File(label="downloads", file_count="multiple", elem_id="translate-downloads")

    def translate(photo_path, model_id, colormap_name):
        return answer(run_translate, photo_path, model_id, colormap_name)

    def run_translate(photo_path, model_id, colormap_name):
        out = handlers.translate(registry, read_upload(photo_path, "the photo"), model_id, colormap_name)
        width, height = out["size"]
        text = f"**{out['model']}** · {width}×{height} pixels · {out['seconds']:.2f} s"
        if out["celsius"]:
            c = out["celsius"]
            text += (f"\n\nPredicted temperature: min {c['min']:.1f} °C · mean {c['mean']:.1f} °C · "
                     f"max {c['max']:.1f} °C")
        else:
            text += "\n\nThis model predicts an 8-bit thermal level (relative brightness), not °C."
        return (out["images"]["input"], out["images"]["thermal"], colour_bar_html(out["scale"]),
                text + _notes(out["notes"]), _saved(out["downloads"], downloads))

    outputs = [shown, thermal, scale, summary, downloads]
    _wire(run, outputs, translate, [photo, model, colormap], outputs, "translate")


def _enlarged(image: np.ndarray, factor: int) -> np.ndarray:
    """``image`` ``(h, w[, c])`` enlarged ``factor`` times with nearest neighbours (square pixels)."""
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


def upscale_tab(registry: ModelRegistry, bundled: list[tuple[str, list[str]]]) -> None:
    """4× super-resolution: LR | bicubic | model, a zoomed crop of each, downloads."""
    limits = handlers.SR_LIMITS.describe()
    choices = [("auto: the grey preset for grey images, the RGB one for colour", SR_AUTO)]
    choices += [(c.label, c.id) for c in registry.choices["sr"]]
    gr.Markdown(f"A small image in, 4× larger out: the low-resolution input (pixels enlarged), bicubic "
                f"interpolation and the model, with a zoomed crop of each where the image has most detail. "
                f"Images of {limits}.")
    with gr.Row():
        with gr.Column(scale=1):
            small = gr.File(label="low-resolution image", file_types=FILE_TYPES, elem_id="sr-file")
            model = _model_field(choices, SR_AUTO, "sr-model")
            _trained_field(registry, "sr", model, SR_AUTO, "sr-trained")
            run = gr.Button("Upscale 4×", variant="primary", elem_id="sr-run")
            gr.Examples([files for _, files in bundled], [small], label="examples (synthetic scenes)",
                        example_labels=[label for label, _ in bundled])
        with gr.Column(scale=3):
            with gr.Row():
                lr = gr.Image(label="low resolution (pixels enlarged)", format="png", height=IMAGE_HEIGHT,
                              elem_id="sr-lr")
                bicubic = gr.Image(label="bicubic 4×", format="png", height=IMAGE_HEIGHT, elem_id="sr-bicubic")
                sr = gr.Image(label="model 4×", format="png", height=IMAGE_HEIGHT, elem_id="sr-output")
            with gr.Row():
                crops = [gr.Image(label=f"{name}, zoomed", format="png", height=IMAGE_HEIGHT // 2 + 50,
                                  elem_id=f"sr-{key}-crop")
                         for key, name in (("lr", "low resolution"), ("bicubic", "bicubic"), ("model", "model"))]
            summary = gr.Markdown(label="summary", elem_id="sr-summary")
            downloads = gr.File(label="downloads", file_count="multiple", elem_id="sr-downloads")

    def upscale(path, model_id):
        return answer(run_upscale, path, model_id)

    def run_upscale(path, model_id):
        out = handlers.upscale(registry, read_upload(path, "the low-resolution image"), model_id)
        images, crop, scale = out["images"], out["crop"], out["scale"]
        (w, h), (big_w, big_h) = out["size"], out["out_size"]
        text = (f"**{out['model']}** · {w}×{h} → {big_w}×{big_h} pixels · {out['tiles']} "
                f"tile{'s' if out['tiles'] > 1 else ''} · {out['seconds']:.2f} s · zoomed: {crop['side']}×"
                f"{crop['side']} low-resolution pixels at x {crop['x']}, y {crop['y']}")
        return (_enlarged(images["lr"], scale), images["bicubic"], images["model"], images["lr_crop"],
                images["bicubic_crop"], images["model_crop"], text + _notes(out["notes"]),
                _saved(out["downloads"], downloads))

    outputs = [lr, bicubic, sr, *crops, summary, downloads]
    _wire(run, outputs, upscale, [small, model], outputs, "upscale")


def metrics_table(metrics: dict):
    """The fusion metrics as a pandas Styler: one row a method, the best of each metric in bold."""
    import pandas as pd

    frame = pd.DataFrame([[row["method"], *[np.nan if v is None else v for v in row["values"]]]
                          for row in metrics["rows"]], columns=["method", *metrics["names"]])
    return frame.style.highlight_max(subset=metrics["names"], props="font-weight: bold").format(precision=4)


def fusion_tab(registry: ModelRegistry, bundled: list[tuple[str, list[str]]]) -> None:
    """Visible + infrared: the fusion model chosen (FusionGAN or STDFusionNet) beside averaging and the
    Laplacian pyramid, with the nine metrics."""
    limits = handlers.FUSION_LIMITS.describe()
    choices = registry.choices["fusion"]
    first = choices[0].id if choices else None
    gr.Markdown(f"A registered pair (one scene, one size) in: a fusion model (FusionGAN, or STDFusionNet, which "
                f"keeps the infrared level of people and vehicles) beside two classical fusions, and nine fusion "
                f"metrics of each (higher is better; the best in bold). Images of {limits}.")
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Row():
                visible = gr.File(label="visible image", file_types=FILE_TYPES, elem_id="fusion-visible")
                infrared = gr.File(label="infrared image", file_types=FILE_TYPES, elem_id="fusion-infrared")
            model = _model_field([(c.label, c.id) for c in choices], first, "fusion-model")
            if first is not None:
                _trained_field(registry, "fusion", model, first, "fusion-trained")
            colour = gr.Checkbox(label="colour: put the visible image's colour on the fused images",
                                 elem_id="fusion-colour")
            run = gr.Button("Fuse", variant="primary", elem_id="fusion-run")
            gr.Examples([files for _, files in bundled], [visible, infrared], label="examples (synthetic scenes)",
                        example_labels=[label for label, _ in bundled])
        with gr.Column(scale=3):
            with gr.Row():
                shown_visible = gr.Image(label="visible", format="png", height=IMAGE_HEIGHT,
                                         elem_id="fusion-shown-visible")
                shown_infrared = gr.Image(label="infrared (grey level used)", format="png", height=IMAGE_HEIGHT,
                                          elem_id="fusion-shown-infrared")
            with gr.Row():
                fused = [gr.Image(label=label, format="png", height=IMAGE_HEIGHT, elem_id=f"fusion-{key}")
                         for key, label in (("output", _fusion_label(registry, first)),
                                            ("average", handlers.FUSION_METHODS[1][1]),
                                            ("pyramid", handlers.FUSION_METHODS[2][1]))]
            table = gr.Dataframe(label="fusion metrics (higher is better)", interactive=False, elem_id="fusion-metrics")
            summary = gr.Markdown(label="summary", elem_id="fusion-summary")
            downloads = gr.File(label="downloads", file_count="multiple", elem_id="fusion-downloads")

    def fuse(visible_path, infrared_path, model_id, with_colour):
        return answer(run_fuse, visible_path, infrared_path, model_id, with_colour)

    def run_fuse(visible_path, infrared_path, model_id, with_colour):
        out = handlers.fuse(registry, read_upload(visible_path, "the visible image"),
                            read_upload(infrared_path, "the infrared image"), model_id, colour=bool(with_colour))
        width, height = out["size"]
        text = f"**{out['model']}** · {width}×{height} pixels · {out['seconds']:.2f} s"
        return (out["images"]["visible"], out["images"]["infrared"], *[m["image"] for m in out["methods"]],
                metrics_table(out["metrics"]), text + _notes(out["notes"]),
                _saved([m["download"] for m in out["methods"]], downloads))

    outputs = [shown_visible, shown_infrared, *fused, table, summary, downloads]
    _wire(run, outputs, fuse, [visible, infrared, model, colour], outputs, "fuse")
    # the first fused panel is named after the model chosen (not part of the /fuse API)
    model.change(lambda model_id: gr.Image(label=_fusion_label(registry, model_id)), model, fused[0],
                 api_visibility="private", queue=False)


def _fusion_label(registry: ModelRegistry, model_id: str | None) -> str:
    """The fused-image panel's first label: the name of the model ``model_id``'s family, e.g. "FusionGAN"."""
    if model_id is None:
        return "fusion model"
    family = registry.choice("fusion", model_id).family or "fusiongan"
    return f"{handlers.FUSION_MODELS[family]} ({model_id})"
