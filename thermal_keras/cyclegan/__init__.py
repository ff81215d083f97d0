"""CycleGAN RGB <-> thermal, unpaired or paired: ``CycleGANConfig`` (config), ``CycleGAN`` (model),
``ImagePool`` (image_pool), the VGG16 feature losses (losses), ``unpaired_dataset`` (data),
``train_cyclegan`` (train)."""

from thermal_keras.lazy import lazy_exports

__all__ = ["CycleGAN", "CycleGANConfig", "ImagePool", "PerceptualCycleLoss", "SelfSimilarityLoss",
           "build_cyclegan", "train_cyclegan", "unpaired_dataset"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "CycleGANConfig": "config", "CycleGAN": "model", "ImagePool": "image_pool",
    "PerceptualCycleLoss": "losses", "SelfSimilarityLoss": "losses", "unpaired_dataset": "data",
    "build_cyclegan": "train", "train_cyclegan": "train"})
