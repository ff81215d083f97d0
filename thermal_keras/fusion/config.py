"""``FusionGANConfig``: FusionGAN training options (the reference code's: 120² patches, λ 100, ξ 5);
``STDFusionNetConfig``: STDFusionNet's (synthetic data with salient-target masks, α 7)."""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import ConfigError, PairedDataConfig, RunConfig, option, override

LAYOUTS = ("llvip", "tno", "paired", "kaist", "roadscene")
HELD_OUT_MIN_SIZE = 41  # thermal_keras.metrics.fusion.VIF_MIN_SIZE (not imported: configs load without NumPy work)


@dataclass
class FusionGANConfig(PairedDataConfig):
    """FusionGAN training options. Pairs: A = visible (RGB; fusion uses its luma), B = infrared."""

    layout: str = option("llvip", "dataset layout of --data", choices=LAYOUTS)
    train_split: str = option("train", "split used for training (tno/paired: a subfolder, or the folder itself)")
    eval_split: str = option("", "held-out split scored after training ('' to skip)")
    synthetic_train: int = override(PairedDataConfig, "synthetic_train", 64)
    synthetic_test: int = override(PairedDataConfig, "synthetic_test", 16)
    image_size: int = override(PairedDataConfig, "image_size", 120, "training patch side (the discriminator is "
                               "built for it)")
    load_size: int = override(PairedDataConfig, "load_size", 0)
    epochs: int = override(PairedDataConfig, "epochs", 10)
    lr: float = override(PairedDataConfig, "lr", 1e-4)
    beta_1: float = override(PairedDataConfig, "beta_1", 0.9)
    batch_size: int = override(PairedDataConfig, "batch_size", 32)
    ngf: int = option(32, "generator width: filters 8·ngf, 4·ngf, 2·ngf, ngf (reference: 32)", minimum=1)
    ndf: int = option(32, "discriminator width: filters ndf, 2·ndf, 4·ndf, 8·ndf (reference: 32)", minimum=1)
    lambda_content: float = option(100.0, "λ: weight of the content loss", minimum=0.0)
    xi: float = option(5.0, "ξ: weight of the gradient term inside the content loss", minimum=0.0)
    gradient_target: str = option("visible", "what the fused image's Laplacian should match: visible (the "
                                  "reference) or sum (infrared + visible: keeps the infrared edges)",
                                  choices=("visible", "sum"))
    ir_residual: bool = option(False, "the generator outputs a change to the infrared image (fused = IR + G, "
                               "clipped; not in the reference), starting from the infrared image itself")
    d_steps: int = option(2, "discriminator updates per generator update", minimum=1)
    output_dir: str = override(PairedDataConfig, "output_dir", "results/fusiongan")


@dataclass
class STDFusionNetConfig(RunConfig):
    """STDFusionNet training options (the reference's: Adam 1e-3, batch 32, 128² patches, α 7, 30
    epochs with the rate falling linearly to 0 over the second half). Trains on the built-in synthetic
    set only: its salient-target masks come from the scenes' material maps
    (:mod:`thermal_keras.fusion.salient`); real datasets carry no masks."""

    data: str = option("synthetic", "training data: the built-in synthetic set, whose material maps give the "
                       "salient-target masks (real datasets carry none)", choices=("synthetic",))
    synthetic_train: int = option(400, "synthetic scenes to train on", minimum=1)
    synthetic_test: int = option(32, "held-out synthetic scenes scored after training (0 to skip)", minimum=0)
    synthetic_size: int = option(192, "rendered scene side in pixels", minimum=16)
    image_size: int = option(128, "training crop side (the reference: 128)", minimum=8)
    flip: bool = option(True, "random horizontal flips")
    batch_size: int = override(RunConfig, "batch_size", 32)
    epochs: int = option(15, "epochs at the full learning rate", minimum=0)
    decay_epochs: int = option(15, "epochs over which the rate then falls linearly to 0", minimum=0)
    lr: float = option(1e-3, "initial Adam learning rate", minimum=0.0)
    beta_1: float = option(0.9, "Adam beta_1", minimum=0.0, maximum=1.0)
    width: int = option(16, "first encoder width: encoders w, w, 2w, 4w, decoder 4w, 2w, w, 1 (reference: 16)",
                        minimum=1)
    init: str = option("glorot", "kernel initialiser: glorot (Keras' default) or reference (truncated normal, "
                       "stddev 1e-3: starts flat and learns far more slowly on a CPU budget)",
                       choices=("glorot", "reference"))
    alpha: float = option(7.0, "α: weight of the salient regions' terms against the background's (reference: 7)",
                          minimum=0.0)
    weighting: str = option("frame", "how the loss weighs the two regions: frame (the paper: each term a mean over "
                            "the whole frame, so a region weighs as much as it covers) or region (each term a mean "
                            "over its own region, so small targets weigh as much as the background)",
                            choices=("frame", "region"))
    output_dir: str = override(RunConfig, "output_dir", "results/stdfusionnet")

    def check(self):
        super().check()
        if self.image_size > self.synthetic_size:
            raise ConfigError(f"option image_size: {self.image_size} is larger than synthetic_size "
                              f"{self.synthetic_size} (crops are cut from the rendered scenes)")
        if self.synthetic_test and self.synthetic_size < HELD_OUT_MIN_SIZE:
            raise ConfigError(f"option synthetic_size: {self.synthetic_size} is too small to score held-out scenes "
                              f"(VIF needs {HELD_OUT_MIN_SIZE}² or more); give at least {HELD_OUT_MIN_SIZE} or "
                              f"--synthetic-test 0")
