"""The contenders of the real-data benchmark (``real_rgb2thermal.py``): every pix2pix variant it can
train, as Pix2PixConfig fields plus a few benchmark-only options, and the default set ``make bench-real``
runs. The one-change pilots of docs/real_data.md are defined here with the commands they were run with.
Not part of the package.
"""

from __future__ import annotations

PRESET = "pix2pix_rgb2thermal_128"
# The sim-to-real preset: --recipe real's network trained on the synthetic driving view's 8-bit AGC frames
# (thermal_keras.presets.recipes); the recipe starts from it, and it has zero-shot rows of its own.
DRIVING_PRESET = "pix2pix_rgb2thermal_driving_256"
PRESET_ARCH = {"generator": "unet", "num_downs": 7, "ngf": 32, "ndf": 32, "discriminator": "n_layers"}

def _recipe_variant() -> dict:
    """``--recipe real`` (thermal_keras.pix2pix.config.REAL_RECIPE) as a variant here: its network and
    loss settings, its decay phase as a fraction of the steps (the data settings are this protocol's)."""
    from thermal_keras.pix2pix.config import REAL_RECIPE

    data_keys = ("thermal", "keep_aspect", "image_size", "load_size", "epochs", "decay_epochs")
    decay = REAL_RECIPE["decay_epochs"] / (REAL_RECIPE["epochs"] + REAL_RECIPE["decay_epochs"])
    return {**{k: v for k, v in REAL_RECIPE.items() if k not in data_keys}, "decay": decay}


RECIPE = _recipe_variant()
# The first recipe (ngf 32, from scratch): what the one-change pilots and the first full run measured.
RECIPE_V1 = {**RECIPE, "ngf": 32, "ndf": 32, "init_from": ""}
# Each variant: Pix2PixConfig fields plus "exposure" (RGB exposure jitter strength), "decay" (the
# fraction of the steps over which the learning rate decays linearly to 0 at the end), "flip_tta" (held-out
# predictions averaged with those of the mirrored frame), "ema" (the generator scored with the exponential moving
# average of its weights at this momentum, Keras' optimizer EMA) and "zoom" (a random square zoom of each training
# pair: a crop of 0.7-1 of the side when 0.7, resized back; thermal_keras.data.augment.random_zoom_pair). The
# "small_*" variants change one thing of the preset's smaller U-Net (7 downsamplings, ngf 32).
VARIANTS = {
    "defaults": {},  # `thermal-keras train pix2pix` as it comes: unet_256, PatchGAN, LSGAN + 100 L1
    "recipe": RECIPE,
    "recipe_preset": {**RECIPE_V1, "init_from": PRESET},
    "recipe_scratch": {**RECIPE, "init_from": ""},  # the recipe without the sim-to-real start
    "recipe_v1": RECIPE_V1,
    "small_scratch": PRESET_ARCH,
    "small_preset": {**PRESET_ARCH, "init_from": PRESET},
    "small_no_gan": {**PRESET_ARCH, "lambda_gan": 0.0},
    "small_low_gan": {**PRESET_ARCH, "lambda_gan": 0.1},
    "small_vanilla": {**PRESET_ARCH, "gan_mode": "vanilla"},
    "small_hinge_pixel": {**PRESET_ARCH, "gan_mode": "hinge", "discriminator": "pixel"},
    "small_ssim": {**PRESET_ARCH, "lambda_ssim": 50.0},
    "small_ssim_low_gan": {**PRESET_ARCH, "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_gradient": {**PRESET_ARCH, "lambda_grad": 20.0},
    "small_level_free": {**PRESET_ARCH, "level_free": True, "lambda_level": 100.0},
    "small_exposure": {**PRESET_ARCH, "exposure": 0.5},
    "small_decay": {**PRESET_ARCH, "decay": 0.5},
    "small_resnet": {**PRESET_ARCH, "generator": "resnet_6blocks"},
    "small_l2": {**PRESET_ARCH, "lambda_l1": 0.0, "lambda_l2": 100.0},
    "small_ssim_l2": {**PRESET_ARCH, "lambda_l1": 0.0, "lambda_l2": 100.0, "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_prior": {**PRESET_ARCH, "mean_prior": True},
    "small_prior_ssim": {**PRESET_ARCH, "mean_prior": True, "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_prior_ssim_l2": {**PRESET_ARCH, "mean_prior": True, "lambda_l1": 0.0, "lambda_l2": 100.0,
                            "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_instance": {**PRESET_ARCH, "norm": "instance"},
    "small_instance_ssim": {**PRESET_ARCH, "norm": "instance", "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_instance_ssim_l2": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                               "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "small_prior_l2_ssim_no_gan": {**PRESET_ARCH, "mean_prior": True, "lambda_l1": 0.0, "lambda_l2": 100.0,
                                   "lambda_ssim": 50.0, "lambda_gan": 0.0},
    "small_prior_l2_ssim_tta": {**PRESET_ARCH, "mean_prior": True, "lambda_l1": 0.0, "lambda_l2": 100.0,
                                "lambda_ssim": 50.0, "lambda_gan": 0.1, "flip_tta": True},
    "small_prior_l2_ssim_decay": {**PRESET_ARCH, "mean_prior": True, "lambda_l1": 0.0, "lambda_l2": 100.0,
                                  "lambda_ssim": 50.0, "lambda_gan": 0.1, "decay": 0.5},
    "small_prior_l2_heavy": {**PRESET_ARCH, "mean_prior": True, "lambda_l1": 0.0, "lambda_l2": 400.0,
                             "lambda_ssim": 50.0, "lambda_gan": 0.1},
    "inst_ssim_l2_prior": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                           "lambda_ssim": 50.0, "lambda_gan": 0.1, "mean_prior": True},
    "inst_ssim_l2_decay": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                           "lambda_ssim": 50.0, "lambda_gan": 0.1, "decay": 0.5},
    "inst_ssim_l2_exposure": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                              "lambda_ssim": 50.0, "lambda_gan": 0.1, "exposure": 0.5},
    "inst_ssim_l2_no_gan": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                            "lambda_ssim": 50.0, "lambda_gan": 0.0},
    "inst_ssim_l2_tta": {**PRESET_ARCH, "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0,
                         "lambda_ssim": 50.0, "lambda_gan": 0.1, "flip_tta": True},
    "inst_ssim_l2_wide": {"generator": "unet", "num_downs": 7, "ngf": 64, "ndf": 64, "discriminator": "n_layers",
                          "norm": "instance", "lambda_l1": 0.0, "lambda_l2": 100.0, "lambda_ssim": 50.0,
                          "lambda_gan": 0.1},
    # one change each to the first recipe (which has decay 0.5 of the steps)
    "recipe_no_gan": {**RECIPE_V1, "lambda_gan": 0.0},
    "recipe_wide": {**RECIPE_V1, "ngf": 64, "ndf": 64},
    "recipe_gradient": {**RECIPE_V1, "lambda_grad": 20.0},
    "recipe_lr_5e-4": {**RECIPE_V1, "lr": 5e-4},
    "recipe_ema": {**RECIPE_V1, "ema": 0.995},
    "recipe_ema_99": {**RECIPE_V1, "ema": 0.99},
    "recipe_zoom": {**RECIPE_V1, "zoom": 0.7},
    "recipe_hinge_pixel": {**RECIPE_V1, "gan_mode": "hinge", "discriminator": "pixel"},
    "small_ssim_tta": {**PRESET_ARCH, "lambda_ssim": 50.0, "lambda_gan": 0.1, "flip_tta": True},
    "tiny": {"generator": "unet", "ngf": 4, "ndf": 4},  # for the smoke test
}
DEFAULT_CONTENDERS = ["preset_zero_shot", "reference", "recipe", "recipe_scratch", "small_scratch", "small_preset"]
