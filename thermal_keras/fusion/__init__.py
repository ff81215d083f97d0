"""Visible/infrared fusion: ``FusionGANConfig`` (config), the networks (networks), ``FusionGAN``
(model), pairs and batches (data), the classical baselines (baselines), ``train_fusiongan``
(train), ``fusion_table`` and ``fuse_pair`` (evaluate)."""

from thermal_keras.lazy import lazy_exports

__all__ = ["FusionGAN", "FusionGANConfig", "fuse_pair", "fusion_table", "train_fusiongan"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "FusionGANConfig": "config", "FusionGAN": "model", "train_fusiongan": "train",
    "fusion_table": "evaluate", "fuse_pair": "evaluate"})
