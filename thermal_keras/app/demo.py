"""The web demo as one ``gradio.Blocks``: :func:`build_demo`, run three ways (docs/app.md).

* ``thermal-keras app`` (``make app``) launches it on http://127.0.0.1:7860/ (:mod:`thermal_keras.app.cli`);
* in a notebook ``build_demo().launch()`` shows it inline (Jupyter and Colab);
* on a Hugging Face Space, ``app.py`` is ``build_demo().launch()``.

The three tabs (:mod:`thermal_keras.app.tabs`) call the handlers (:mod:`thermal_keras.app.handlers`)
through :func:`~thermal_keras.app.tabs.answer`, which turns their one-line :class:`InputError`
messages into ``gr.Error`` (and their notes into ``gr.Warning``). Runs go through Gradio's queue: one
model run at a time (a CPU gains nothing from two: TensorFlow already uses every core for one), at
most :data:`QUEUE_SIZE` waiting; the models of one demo load once, on first use, and every visitor
shares them. The object returned is a :class:`ThermalDemo`, a ``gr.Blocks`` whose ``launch()``
defaults to the demo's upload cap (:data:`~thermal_keras.app.uploads.MAX_UPLOAD_BYTES` per file) and
to no share link, so every way of running it keeps those. Gradio's analytics and version check are
off: without a share link the demo makes no request outside this computer.
"""

from __future__ import annotations

import gradio as gr

from thermal_keras.app import examples, tabs
from thermal_keras.app.models import ModelRegistry
from thermal_keras.app.uploads import MAX_UPLOAD_BYTES

CONCURRENCY = 1  # model runs at a time, over all tabs (the three run events share one concurrency group)
QUEUE_SIZE = 32  # requests waiting beyond this are refused at once with Gradio's "queue is full" message
CACHE_CLEANUP = (600, 3600)  # every 10 minutes, Gradio deletes this demo's uploads and results over an hour old
EXAMPLES_FOLDER = "thermal-keras-examples"  # inside Gradio's cache folder (GRADIO_TEMP_DIR)
MALLOC_THRESHOLD = 1 << 20  # bytes: glibc serves blocks this large with mmap and trims arenas beyond it
CSS = """
.tk-scale-bar { height: 16px; border-radius: 3px; border: 1px solid var(--border-color-primary); }
.tk-scale-labels { display: flex; justify-content: space-between; font-size: var(--text-sm); }
"""
LAUNCH_DEFAULTS = {"max_file_size": MAX_UPLOAD_BYTES, "share": False, "css": CSS}
INTRO = """# thermal-keras demo
The shipped presets of [thermal-keras](https://github.com/thermal-keras/thermal-keras) on your images:
RGB → thermal, 4× super-resolution and visible + infrared fusion. Upload an 8-bit image (PNG, JPEG,
BMP, TIFF, WebP or GIF, at most {mib} MiB a file) or pick an example; each tab says what its model
was trained on and which image sizes it takes. One run at a time: further requests wait their turn."""


def return_large_blocks_to_the_system() -> bool:
    """Fix glibc's mmap and trim thresholds at :data:`MALLOC_THRESHOLD` (``mallopt``); ``False`` where
    the C library is not glibc (nothing changes).

    A run frees megabytes (an upload of up to 16 MiB, decoded pictures) in whichever of Gradio's worker
    threads ran it. By default glibc raises both thresholds after the first such free (up to 32 and
    64 MiB), so later blocks come from per-thread arenas, and each arena keeps up to the trim threshold
    of freed memory: under 20 concurrent uploads of 15 MiB the server kept about 300 MB more after the
    load than before (30 MB in each of ~10 arenas). Fixed thresholds give that memory back at once.
    """
    import ctypes
    import ctypes.util

    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's mallopt parameters (malloc.h)
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (macOS, musl, Windows)
        return False
    return bool(mallopt(m_mmap_threshold, MALLOC_THRESHOLD)) and bool(mallopt(m_trim_threshold, MALLOC_THRESHOLD))


class ThermalDemo(gr.Blocks):
    """The demo's ``gr.Blocks``: ``launch()`` takes every Gradio argument, with :data:`LAUNCH_DEFAULTS`
    (the upload cap, no share link, the colour bar's style) where the call does not say otherwise, and
    makes the process give large freed blocks back to the system
    (:func:`return_large_blocks_to_the_system`)."""

    def launch(self, *args, **kwargs):
        for key, value in LAUNCH_DEFAULTS.items():
            kwargs.setdefault(key, value)
        return_large_blocks_to_the_system()
        return super().launch(*args, **kwargs)


def build_demo(registry: ModelRegistry | None = None, user_models=(), examples_folder=None) -> ThermalDemo:
    """The demo: a :class:`ThermalDemo` (``gr.Blocks``) with its queue set, ready to ``launch()``.

    ``registry`` holds the models (one is made from ``user_models``, extra RGB -> thermal model paths
    as ``thermal-keras app --model``, when not given); the bundled examples are written to
    ``examples_folder`` (default: a folder in Gradio's cache). Building loads no model.
    """
    from gradio.utils import get_upload_folder

    registry = registry if registry is not None else ModelRegistry(user_models)
    folder = examples_folder if examples_folder is not None else f"{get_upload_folder()}/{EXAMPLES_FOLDER}"
    bundled = examples.write_examples(folder)
    with ThermalDemo(title="thermal-keras demo", analytics_enabled=False, delete_cache=CACHE_CLEANUP) as demo:
        gr.Markdown(INTRO.format(mib=MAX_UPLOAD_BYTES // 2**20))
        with gr.Tabs():
            with gr.Tab("RGB → thermal", id="translate", elem_id="tab-translate"):
                tabs.translate_tab(registry, bundled["translate"])
            with gr.Tab("Super-resolution 4×", id="sr", elem_id="tab-sr"):
                tabs.upscale_tab(registry, bundled["sr"])
            with gr.Tab("Visible + infrared fusion", id="fusion", elem_id="tab-fusion"):
                tabs.fusion_tab(registry, bundled["fusion"])
    demo.registry = registry
    return demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
