"""pix2pix RGB -> thermal: ``Pix2PixConfig`` (config), ``Pix2Pix`` (model), ``train_pix2pix`` (train),
``evaluate_translation`` (evaluate: scores against the grey and mean baselines)."""

from thermal_keras.lazy import lazy_exports

__all__ = ["Pix2Pix", "Pix2PixConfig", "build_pix2pix", "compile_pix2pix", "evaluate_translation", "train_pix2pix"]
__getattr__, __dir__ = lazy_exports(__name__, {
    "Pix2PixConfig": "config", "Pix2Pix": "model", "train_pix2pix": "train", "build_pix2pix": "train",
    "compile_pix2pix": "train", "evaluate_translation": "evaluate"})
