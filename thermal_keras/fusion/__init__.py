"""Visible/infrared fusion: ``FusionGANConfig`` and ``STDFusionNetConfig`` (config), the networks
(networks), ``FusionGAN`` and ``STDFusionNet`` with its salient-target loss (model), pairs and batches
(data), STDFusionNet's masked synthetic scenes (salient), the classical baselines (baselines),
``train_fusiongan`` and ``train_stdfusionnet`` (train), ``fusion_table`` and ``fuse_pair`` (evaluate)."""

from thermal_keras.lazy import lazy_exports

__all__ = ["FusionGAN", "FusionGANConfig", "STDFusionNet", "STDFusionNetConfig", "fuse_pair", "fusion_table",
           "train_fusiongan", "train_stdfusionnet"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "FusionGANConfig": "config", "STDFusionNetConfig": "config", "FusionGAN": "model", "STDFusionNet": "model",
    "train_fusiongan": "train", "train_stdfusionnet": "train", "fusion_table": "evaluate", "fuse_pair": "evaluate"})
