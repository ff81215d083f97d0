"""What the two RGB -> thermal translators (pix2pix and CycleGAN) share, outside either family's folder.

* :mod:`~thermal_keras.translation.config`: ``TranslationConfig``, the options both share;
* :mod:`~thermal_keras.translation.stats`: the translators' Adam and per-image L1/PSNR/SSIM;
* :mod:`~thermal_keras.translation.train`: the linear-decay Adam, the U-Net checks and ``TranslationJob``;
* :mod:`~thermal_keras.translation.evaluate`: ``evaluate_translation`` against the grey and mean baselines;
* :mod:`~thermal_keras.translation.runs`: reading a finished translator run folder (``check_run``,
  ``load_run``);

and :mod:`thermal_keras.commands.translate` runs a translator on photos (``thermal-keras translate``).
The old homes in :mod:`thermal_keras.pix2pix` re-export every name.
"""
