"""The web demo of the shipped presets, on Gradio: ``thermal-keras app`` (``make app``), a notebook, a Space.

Three tabs: RGB -> thermal (pix2pix / CycleGAN presets, or a model given with ``--model``),
4× super-resolution (Swift-SRGAN presets, tiled) and visible + infrared fusion (FusionGAN beside
two classical baselines, with the fusion metrics). :func:`build_demo` returns the ``gradio.Blocks``
(:mod:`~thermal_keras.app.demo`, its tabs in :mod:`~thermal_keras.app.tabs`); the handlers
(:mod:`~thermal_keras.app.handlers`) check every upload (:mod:`~thermal_keras.app.uploads`) and run
models loaded once, on first use (:mod:`~thermal_keras.app.models`). Bundled examples are synthetic
scenes (:mod:`~thermal_keras.app.examples`). Needs the ``[app]`` extra (Gradio); the command binds
127.0.0.1 unless told otherwise; docs/app.md describes it::

    from thermal_keras.app import build_demo
    build_demo().launch()        # inline in Jupyter / Colab; a local server elsewhere
"""


def build_demo(*args, **kwargs):
    """The demo as a ``gradio.Blocks``, ready to ``launch()``: see :func:`thermal_keras.app.demo.build_demo`."""
    try:
        from thermal_keras.app.demo import build_demo as build
    except ModuleNotFoundError as error:
        if error.name != "gradio":
            raise
        raise ModuleNotFoundError("the web demo needs Gradio: pip install \"thermal-keras[app]\"",
                                  name="gradio") from None
    return build(*args, **kwargs)
