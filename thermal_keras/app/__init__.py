"""A local web demo of the shipped presets: ``thermal-keras app`` (``make app``).

Three tabs: RGB -> thermal (pix2pix / CycleGAN presets, or a model given with ``--model``),
4× super-resolution (Swift-SRGAN presets, tiled) and visible + infrared fusion (FusionGAN beside
two classical baselines, with the fusion metrics). Standard library only: an HTTP server
(:mod:`~thermal_keras.app.server`), one static page with plain JavaScript (``static/``) and a JSON
API whose handlers (:mod:`~thermal_keras.app.handlers`) check every upload
(:mod:`~thermal_keras.app.uploads`) and run models loaded once, on first use
(:mod:`~thermal_keras.app.models`). Bundled examples are synthetic scenes made on request
(:mod:`~thermal_keras.app.examples`). It binds 127.0.0.1 unless told otherwise; docs/app.md
describes it.
"""
