"""Super-resolution (Swift-SRGAN, SRGAN): ``SRGANConfig`` (config), the networks (networks),
``SRGAN`` (model), ``sr_dataset`` (data), ``train_srgan`` (train), ``evaluate_against_bicubic``
(evaluate), ``Upscaler`` and tiled upscaling (inference)."""

from thermal_keras.lazy import lazy_exports

__all__ = ["SRGAN", "SRGANConfig", "Upscaler", "evaluate_against_bicubic", "sr_dataset", "train_srgan",
           "upscale_array"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "SRGANConfig": "config", "SRGAN": "model", "sr_dataset": "data", "train_srgan": "train",
    "evaluate_against_bicubic": "evaluate", "Upscaler": "inference", "upscale_array": "inference"})
