"""Metrics: ``from thermal_keras import metrics``; ``metrics.psnr(a, b, data_range=1.0)``.

One module a family, all re-exported here:

* :mod:`thermal_keras.metrics.image` — paired image quality: MSE, RMSE, PSNR, SSIM, UQI and the
  mean absolute temperature error in kelvin.
"""

from thermal_keras.metrics.image import mean_abs_temperature_error, mse, psnr, rmse, ssim, uqi

__all__ = ["mse", "rmse", "psnr", "ssim", "uqi", "mean_abs_temperature_error"]
