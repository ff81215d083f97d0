"""Metrics: ``from thermal_keras import metrics``; ``metrics.psnr(a, b, data_range=1.0)``.

One module a family, all re-exported here:

* :mod:`thermal_keras.metrics.image` — paired image quality: MSE, RMSE, PSNR, SSIM, UQI and the
  mean absolute temperature error in kelvin.
* :mod:`thermal_keras.metrics.distribution` — FID and KID between two image sets on InceptionV3
  pool features, and the Fréchet distance / unbiased MMD² they are built on.
* :mod:`thermal_keras.metrics.fusion` — visible/infrared fusion quality (EN, SD, SF, AG, MI, SCD,
  VIF, Qabf, SSIM sum), used as ``metrics.fusion.qabf(fused, ir, visible)``.
* :mod:`thermal_keras.metrics.super_resolution` — super-resolution PSNR/SSIM on BT.601 Y with the
  border cropped (``psnr_y``, ``ssim_y``, ``rgb_to_y``).
"""

from thermal_keras.metrics import fusion
from thermal_keras.metrics.distribution import (
    FeatureStatistics,
    distribution_scores,
    fid,
    frechet_distance,
    kid,
    kid_from_features,
    mmd2_unbiased,
)
from thermal_keras.metrics.image import match_level, mean_abs_temperature_error, mse, psnr, rmse, ssim, uqi
from thermal_keras.metrics.super_resolution import psnr_y, rgb_to_y, ssim_y

__all__ = ["mse", "rmse", "psnr", "ssim", "uqi", "mean_abs_temperature_error", "match_level",
           "frechet_distance", "fid", "kid", "kid_from_features", "mmd2_unbiased", "FeatureStatistics",
           "distribution_scores", "fusion",
           "psnr_y", "ssim_y", "rgb_to_y"]
