"""``Pix2PixConfig``: pix2pix RGB -> thermal training options (the pix2pix reference's at 256²).

What the two image translators share, :class:`~thermal_keras.translation.config.TranslationConfig`,
lives in :mod:`thermal_keras.translation` (its names stay importable from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from thermal_keras.config import PairedDataConfig, option, override
from thermal_keras.translation.config import TRANSLATOR_GENERATORS, TranslationConfig  # noqa: F401  (re-exported)

@dataclass
class Pix2PixConfig(TranslationConfig):
    """pix2pix RGB -> thermal training options (defaults follow the pix2pix reference at 256²).

    ``recipe="real"`` (``--recipe real``) starts from :data:`REAL_RECIPE` instead: what the real-data
    benchmark (docs/real_data.md) found to work on 8-bit camera frames of driving scenes.
    """

    RECIPES: ClassVar[dict] = {}
    recipe: str = option("", "start from a named recipe's settings ('real': docs/real_data.md); flags given "
                         "override it", choices=("", "real"))
    discriminator: str = option("basic", "discriminator: basic (PatchGAN), n_layers, pixel",
                                choices=("basic", "n_layers", "pixel"))
    lambda_l1: float = option(100.0, "weight of the L1 loss", minimum=0.0)
    lambda_gan: float = option(1.0, "weight of the generator's adversarial loss (0: plain regression)", minimum=0.0)
    lambda_l2: float = option(0.0, "weight of the mean squared error (0: off)", minimum=0.0)
    lambda_ssim: float = option(0.0, "weight of 1 - SSIM (structure and contrast; 0: off)", minimum=0.0)
    lambda_grad: float = option(0.0, "weight of the L1 between Sobel gradients (edges; 0: off)", minimum=0.0)
    level_free: bool = option(False, "the L1 compares each frame standardised by its own mean and spread "
                              "(for 8-bit camera frames stretched per frame by AGC)")
    lambda_level: float = option(0.0, "with --level-free: weight of the per-frame mean and spread error",
                                 minimum=0.0)
    mean_prior: bool = option(False, "G predicts a correction to the mean training target (a MeanFramePrior "
                              "output layer): for a fixed camera pose, e.g. forward driving frames")
    exposure_jitter: float = option(0.0, "random exposure of the RGB input: gain and gamma each in "
                                    "[1/(1+x), 1+x] (0: off); for real, often dark photographs", minimum=0.0)
    output_dir: str = override(PairedDataConfig, "output_dir", "results/pix2pix")


# The real-data recipe (docs/real_data.md): what benchmarks/real_rgb2thermal.py found to work on 8-bit
# driving frames. Instance norm (each frame's features normalised by the frame's own statistics: day and
# night photographs differ far more than any batch statistic can follow), the mean squared error and
# 1 - SSIM instead of L1, a weak adversarial term, and the learning rate decaying over the second half;
# the U-Net starts from the sim-to-real preset, the same network trained on the synthetic set's driving
# view (`--init-from ""` trains from scratch). Epochs are of the RoadScene training split (138 frames:
# 8 epochs, 1,104 steps at batch 1).
REAL_RECIPE_PRESET = "pix2pix_rgb2thermal_driving_256"
REAL_RECIPE = {
    "generator": "unet", "num_downs": 7, "ngf": 16, "ndf": 16, "discriminator": "n_layers", "norm": "instance",
    "lambda_l1": 0.0, "lambda_l2": 100.0, "lambda_ssim": 50.0, "lambda_gan": 0.1,
    "thermal": "8bit", "keep_aspect": True, "image_size": 256, "load_size": 256, "epochs": 4, "decay_epochs": 4,
    "init_from": REAL_RECIPE_PRESET,
}
Pix2PixConfig.RECIPES = {"real": REAL_RECIPE}
