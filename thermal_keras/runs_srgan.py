"""The super-resolution training job: pixel-MSE pre-training (SRResNet), then SRGAN, then scoring.

``train_srgan(config)`` trains in two phases, each resumable from its own full-state checkpoints
(``checkpoints/pretrain``, ``checkpoints/gan``): a run killed at any point and started again with
the same config continues where it stopped. The GAN phase starts from the pre-trained generator with
fresh optimizers, as in Ledig et al. Afterwards the generator is scored against bicubic upscaling on
Y-PSNR/SSIM (border = scale cropped) on scikit-image's photographs, or on an HR folder.

Run folder::

    config.json  log_pretrain.csv  log_gan.csv  checkpoints/  generator.keras  metrics.json
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from thermal_keras.config import _opt, jit_option, precision_option, strategy_option, tpu_option
from thermal_keras.distribute import is_chief, shard_by_data
from thermal_keras.metrics.super_resolution import psnr_y, ssim_y
from thermal_keras.models import SRGAN, build_discriminator, build_generator
from thermal_keras.precision import choose_jit_compile
from thermal_keras.runs import restored_epoch, start_run
from thermal_keras.sr_data import downscale_bicubic, skimage_eval_images, sr_dataset, upscale_bicubic
from thermal_keras.sr_inference import default_overlap, upscale_array
from thermal_keras.training.callbacks import CheckpointCallback
from thermal_keras.training.checkpoint import TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam


@dataclass
class SRGANConfig:
    """Super-resolution training options (defaults: the Swift-SRGAN seed's recipe at 4×, 96² HR crops)."""

    data: str = _opt("", "HR image folder, or the NIH ChestX-ray14 folder with --layout nih_chestxray")
    layout: str = _opt("folder", "layout of --data", choices=("folder", "nih_chestxray"))
    split: str = _opt("train", "NIH split (train or test)")
    recursive: bool = _opt(False, "folder layout: also take images in sub-folders")
    channels: int = _opt(0, "1 (grey/thermal) or 3 (RGB); 0 detects from the files")
    generator: str = _opt("swift_srgan", "generator: swift_srgan (separable) or srgan (standard convs)")
    discriminator: str = _opt("swift_srgan", "discriminator: swift_srgan or srgan")
    scale: int = _opt(4, "upscaling factor", choices=(2, 4, 8))
    num_channels: int = _opt(64, "generator width")
    num_blocks: int = _opt(16, "generator residual blocks")
    bicubic_residual: bool = _opt(False, "generator adds its output to a bicubic upscale (not in the reference)")
    hr_size: int = _opt(96, "HR crop side (a multiple of scale)")
    batch_size: int = _opt(16, "crops per global batch (split across replicas under a strategy)")
    gain_max: float = _opt(1.0, "brightness augmentation: HR crops scaled by a random factor in [1, gain_max]")
    pretrain_steps: int = _opt(1000, "pixel-MSE (SRResNet) steps before the GAN phase")
    gan_steps: int = _opt(1000, "SRGAN steps")
    steps_per_epoch: int = _opt(100, "steps between checkpoints / log lines")
    pretrain_lr: float = _opt(1e-4, "Adam learning rate for pre-training")
    lr: float = _opt(1e-4, "Adam learning rate of both networks in the GAN phase")
    pixel_weight: float = _opt(1.0, "weight of the pixel MSE")
    adversarial_weight: float = _opt(1e-3, "weight of the adversarial loss")
    perceptual_weight: float = _opt(6e-3, "weight of the perceptual (feature MSE) loss; 0 to skip")
    tv_weight: float = _opt(2e-8, "weight of the total-variation loss")
    perceptual: str = _opt("mobilenet_v2", "perceptual network: mobilenet_v2 or vgg16")
    perceptual_weights: str = _opt("imagenet", "weights file for it ('imagenet': the local Keras cache)")
    eval_data: str = _opt("skimage", "'skimage' (bundled photographs), an HR folder, or '' to skip")
    seed: int = _opt(0, "seed for weights, crops and order")
    mixed_precision: str = precision_option()
    jit_compile: str = jit_option()
    strategy: str = strategy_option()
    tpu: str = tpu_option()
    output_dir: str = _opt("results/srgan", "run folder")
    resume: bool = _opt(True, "continue from the last checkpoint in output_dir")

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=2) + "\n"

    @classmethod
    def from_json(cls, path_or_text) -> "SRGANConfig":
        text = Path(path_or_text).read_text() if Path(str(path_or_text)).exists() else path_or_text
        values = json.loads(text)
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown options in config {path_or_text}: {sorted(unknown)}")
        return cls(**values)


def hr_images(config: SRGANConfig):
    """The training :class:`~data_loaders.hr_folder.HRImages` of ``config`` (checked: crop fits)."""
    from data_loaders.hr_folder import check_min_size, hr_folder
    from data_loaders.nih_chestxray import nih_chestxray

    if not config.data:
        raise ValueError("--data: give an HR image folder")
    channels = config.channels or None
    if config.layout == "nih_chestxray":
        images = nih_chestxray(config.data, config.split)
    else:
        images = hr_folder(config.data, recursive=config.recursive, channels=channels)
    check_min_size(images.paths, config.hr_size)
    return images


def evaluate_against_bicubic(generator, images: dict, scale: int, tile: int = 128) -> dict:
    """Y-PSNR (dB) and Y-SSIM of ``generator`` and of bicubic upscaling, border ``scale`` cropped.

    Args:
        images: ``{name: (H, W, C) float32 [0, 1]}``, sides multiples of ``scale``; LR inputs are
            made with :func:`~thermal_keras.sr_data.downscale_bicubic`.

    Returns:
        ``{"images": {name: {psnr_y, ssim_y, bicubic_psnr_y, bicubic_ssim_y}}, "mean": {...}}``.
    """
    rows = {}
    for name, hr in images.items():
        lr = downscale_bicubic(hr, scale).numpy()
        sr = upscale_array(generator, lr, scale, tile=tile, overlap=min(default_overlap(generator), tile // 2 - 1))
        bicubic = upscale_bicubic(lr, scale).numpy()
        rows[name] = {"psnr_y": float(psnr_y(sr, hr, scale, 1.0)), "ssim_y": float(ssim_y(sr, hr, scale, 1.0)),
                      "bicubic_psnr_y": float(psnr_y(bicubic, hr, scale, 1.0)),
                      "bicubic_ssim_y": float(ssim_y(bicubic, hr, scale, 1.0))}
    keys = ("psnr_y", "ssim_y", "bicubic_psnr_y", "bicubic_ssim_y")
    mean = {k: float(np.mean([r[k] for r in rows.values()])) for k in keys}
    mean["psnr_y_gain"] = mean["psnr_y"] - mean["bicubic_psnr_y"]
    return {"images": rows, "mean": mean}


def format_sr_report(report: dict) -> str:
    """A plain-text table: one row per image, model beside bicubic."""
    lines = [f"{'image':<20}{'Y-PSNR':>9}{'bicubic':>9}{'Y-SSIM':>9}{'bicubic':>9}"]
    for name, row in {**report["images"], "mean": report["mean"]}.items():
        lines.append(f"{name:<20}{row['psnr_y']:>9.2f}{row['bicubic_psnr_y']:>9.2f}"
                     f"{row['ssim_y']:>9.4f}{row['bicubic_ssim_y']:>9.4f}")
    return "\n".join(lines)


def eval_images(config: SRGANConfig, channels: int) -> dict | None:
    if not config.eval_data:
        return None
    if config.eval_data == "skimage":
        return skimage_eval_images(channels=channels, scale=config.scale)
    from data_loaders.common import read_image
    from data_loaders.hr_folder import hr_folder
    from thermal_keras.sr_data import crop_to_multiple

    folder = hr_folder(config.eval_data, channels=channels)
    top = 65535.0 if folder.spec.bit_depth == 16 else 255.0
    return {Path(p).stem: crop_to_multiple(read_image(p)[..., :channels].astype(np.float32) / top, config.scale)
            for p in folder.paths}


def _phase(model, dataset, checkpoint, steps, config, log_file, verbose, callbacks, strategy):
    """Fit ``steps`` steps in epochs of ``config.steps_per_epoch``, resuming from ``checkpoint``;
    the chief writes the checkpoints and the CSV log."""
    epochs = max(1, -(-steps // config.steps_per_epoch)) if steps else 0
    initial = restored_epoch(checkpoint, config, strategy)
    if initial >= epochs:
        return {}
    writers = [CheckpointCallback(checkpoint), keras.callbacks.CSVLogger(str(log_file), append=initial > 0)]
    return model.fit(dataset, epochs=epochs, initial_epoch=initial, steps_per_epoch=config.steps_per_epoch,
                     callbacks=[*(writers if is_chief(strategy) else []), *callbacks], verbose=verbose,
                     shuffle=False).history


def train_srgan(config: SRGANConfig, callbacks=(), verbose="auto") -> dict:
    """Pre-train, train the GAN, save ``generator.keras`` and score it (see the module docstring).

    Returns ``{"model": SRGAN, "output_dir": Path, "history": {...}, "report": dict | None,
    "pretrained_report": dict | None, "strategy": tf.distribute.Strategy}`` (the reports of
    :func:`evaluate_against_bicubic` for the final generator and, when both phases ran, for the
    pre-trained one). ``config.strategy`` works as in :func:`thermal_keras.runs.train_pix2pix`: only
    the chief writes files and scores (other workers return no reports).
    """
    strategy = start_run(config)
    chief = is_chief(strategy)
    images = hr_images(config)  # bad input fails here, before any model is built
    channels = config.channels or images.spec.channels
    out = Path(config.output_dir)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
        _write_text(out / "config.json", config.to_json())
    dataset = shard_by_data(sr_dataset(images.paths, images.spec, hr_size=config.hr_size, scale=config.scale,
                                       batch_size=config.batch_size, seed=config.seed,
                                       gain=(1.0, config.gain_max)))
    jit = choose_jit_compile(config.jit_compile, strategy)
    with strategy.scope():
        generator = build_generator(config.generator, scale=config.scale, channels=channels,
                                    num_channels=config.num_channels, num_blocks=config.num_blocks,
                                    bicubic_residual=config.bicubic_residual)
        discriminator = build_discriminator(config.discriminator, channels=channels)
        model = SRGAN(generator, discriminator)
        model.compile(FusedAdam(config.pretrain_lr), pretrain=True, jit_compile=jit)
    history = {}
    pre_ckpt = TrainingCheckpoint(out / "checkpoints" / "pretrain",
                                  {"generator": generator, "g_optimizer": model.g_optimizer})
    history["pretrain"] = _phase(model, dataset, pre_ckpt, config.pretrain_steps, config,
                                 out / "log_pretrain.csv", verbose, callbacks, strategy)
    evaluation = eval_images(config, channels) if chief else None
    reports = {}
    if evaluation is not None and config.gan_steps and config.pretrain_steps:
        reports["pretrained"] = evaluate_against_bicubic(generator, evaluation, config.scale)
    if config.gan_steps:
        with strategy.scope():
            model.compile(FusedAdam(config.lr, beta_1=0.9), FusedAdam(config.lr, beta_1=0.9),
                          pixel_weight=config.pixel_weight, adversarial_weight=config.adversarial_weight,
                          perceptual_weight=config.perceptual_weight, tv_weight=config.tv_weight,
                          perceptual=config.perceptual or None,
                          perceptual_weights=config.perceptual_weights or None, jit_compile=jit)
        gan_ckpt = TrainingCheckpoint(out / "checkpoints" / "gan", {
            "generator": generator, "discriminator": discriminator,
            "g_optimizer": model.g_optimizer, "d_optimizer": model.d_optimizer})
        history["gan"] = _phase(model, dataset, gan_ckpt, config.gan_steps, config, out / "log_gan.csv",
                                verbose, callbacks, strategy)
    from thermal_keras.export import save_keras

    if chief:
        save_keras(generator, out / "generator.keras")
    report = None if evaluation is None else evaluate_against_bicubic(generator, evaluation, config.scale)
    if report is not None:
        _write_text(out / "metrics.json", json.dumps({**report, "after_pretraining": reports.get("pretrained")},
                                                     indent=2) + "\n")
    return {"model": model, "output_dir": out, "history": history, "report": report,
            "pretrained_report": reports.get("pretrained"), "strategy": strategy}


def _write_text(path: Path, text: str):
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
