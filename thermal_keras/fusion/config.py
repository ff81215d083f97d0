"""``FusionGANConfig``: FusionGAN training options (the reference code's: 120² patches, λ 100, ξ 5)."""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import PairedDataConfig, option, override

LAYOUTS = ("llvip", "tno", "paired", "kaist", "roadscene")


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
