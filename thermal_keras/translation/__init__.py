"""What the two RGB -> thermal translators (pix2pix and CycleGAN) share, outside either family's folder.

* :mod:`~thermal_keras.translation.runs`: reading a finished translator run folder (``check_run``,
  ``load_run``).
"""
