"""``FusionGANConfig``: FusionGAN training options (the reference code's: 120² patches, λ 100, ξ 5)."""

from __future__ import annotations

from dataclasses import dataclass

from thermal_keras.config import PairedDataConfig, option

LAYOUTS = ("llvip", "tno", "paired")


@dataclass
class FusionGANConfig(PairedDataConfig):
    """FusionGAN training options. Pairs: A = visible (RGB; fusion uses its luma), B = infrared."""

    layout: str = option("llvip", "dataset layout of --data", choices=LAYOUTS)
    train_split: str = option("train", "split used for training (tno/paired: a subfolder, or the folder itself)")
    eval_split: str = option("", "held-out split scored after training ('' to skip)")
    synthetic_train: int = option(64, "synthetic set: training pairs", minimum=1)
    synthetic_test: int = option(16, "synthetic set: held-out pairs", minimum=1)
    image_size: int = option(120, "training patch side (the discriminator is built for it)", minimum=32)
    load_size: int = option(0, "resize side before the random crop (0: crop from the file at full size)", minimum=0)
    epochs: int = option(10, "epochs", minimum=0)
    lr: float = option(1e-4, "Adam learning rate for both networks", minimum=0.0)
    beta_1: float = option(0.9, "Adam beta_1", minimum=0.0, maximum=1.0)
    batch_size: int = option(32, "global batch size (split across replicas under a strategy)", minimum=1)
    ngf: int = option(32, "generator width: filters 8·ngf, 4·ngf, 2·ngf, ngf (reference: 32)", minimum=1)
    ndf: int = option(32, "discriminator width: filters ndf, 2·ndf, 4·ndf, 8·ndf (reference: 32)", minimum=1)
    lambda_content: float = option(100.0, "λ: weight of the content loss", minimum=0.0)
    xi: float = option(5.0, "ξ: weight of the visible-gradient term inside the content loss", minimum=0.0)
    d_steps: int = option(2, "discriminator updates per generator update", minimum=1)
    output_dir: str = option("results/fusiongan", "run folder: checkpoints, logs, generator.keras")
