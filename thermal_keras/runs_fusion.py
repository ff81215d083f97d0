"""Visible/infrared fusion jobs: FusionGAN training, whole-image fusion and the metric table.

``train_fusiongan(config)`` reads pairs (LLVIP, TNO-style or paired folders, or the built-in
synthetic set), trains (or resumes) FusionGAN with full-state checkpoints in ``config.output_dir``
and returns the model. ``fuse_pair`` fuses full-size images with a generator or a baseline, and
``fusion_table`` scores fusion methods on pairs with every :mod:`thermal_keras.metrics.fusion` metric.

Run folder: ``config.json  log.csv  checkpoints/  generator.keras`` (the CLI writes the last).
Pairs: A = visible (RGB; fusion uses its BT.601 luma), B = infrared (one channel).
"""

from __future__ import annotations

import dataclasses
import json
import os
import types
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thermal_keras.config import _opt, jit_option, precision_option, strategy_option, tpu_option
from thermal_keras.fusion_baselines import BASELINES, colour_from_visible, rgb_to_ycbcr

LAYOUTS = ("llvip", "tno", "paired")


@dataclass
class FusionGANConfig:
    """FusionGAN training options (defaults follow the reference code: 120² patches, λ 100, ξ 5)."""

    data: str = _opt("synthetic", "'synthetic' (the built-in set, written on first use) or a dataset folder")
    layout: str = _opt("llvip", "dataset layout of --data", choices=LAYOUTS)
    train_split: str = _opt("train", "split used for training (tno/paired: a subfolder, or the folder itself)")
    eval_split: str = _opt("", "held-out split scored after training ('' to skip)")
    synthetic_train: int = _opt(64, "synthetic set: training pairs")
    synthetic_test: int = _opt(16, "synthetic set: held-out pairs")
    synthetic_size: int = _opt(0, "synthetic set: rendered image side (0: load_size or image_size)")
    image_size: int = _opt(120, "training patch side (the discriminator is built for it)")
    load_size: int = _opt(0, "resize side before the random crop (0: crop from the file at full size)")
    flip: bool = _opt(True, "random horizontal flips")
    ngf: int = _opt(32, "generator width: filters 8·ngf, 4·ngf, 2·ngf, ngf (reference: 32)")
    ndf: int = _opt(32, "discriminator width: filters ndf, 2·ndf, 4·ndf, 8·ndf (reference: 32)")
    lambda_content: float = _opt(100.0, "λ: weight of the content loss")
    xi: float = _opt(5.0, "ξ: weight of the visible-gradient term inside the content loss")
    d_steps: int = _opt(2, "discriminator updates per generator update")
    lr: float = _opt(1e-4, "Adam learning rate for both networks")
    beta_1: float = _opt(0.9, "Adam beta_1")
    batch_size: int = _opt(32, "global batch size (split across replicas under a strategy)")
    epochs: int = _opt(10, "epochs")
    steps_per_epoch: int = _opt(0, "steps per epoch (0: one pass over the training pairs)")
    seed: int = _opt(0, "seed for weights, soft labels, data order and augmentation")
    mixed_precision: str = precision_option()
    jit_compile: str = jit_option()
    strategy: str = strategy_option()
    tpu: str = tpu_option()
    output_dir: str = _opt("results/fusiongan", "run folder: checkpoints, logs, generator.keras")
    checkpoint_every: int = _opt(1, "epochs between full-state checkpoints")
    resume: bool = _opt(True, "continue from the last checkpoint in output_dir if there is one")

    def to_json(self, path=None) -> str:
        text = json.dumps(dataclasses.asdict(self), indent=2) + "\n"
        if path is not None:
            tmp = Path(path).with_name(f".{Path(path).name}.tmp-{os.getpid()}")
            tmp.write_text(text)
            os.replace(tmp, path)
        return text

    @classmethod
    def from_json(cls, path_or_text) -> "FusionGANConfig":
        text = Path(path_or_text).read_text() if Path(str(path_or_text)).exists() else path_or_text
        values = json.loads(text)
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown options in config {path_or_text}: {sorted(unknown)}")
        return cls(**values)


# --- Pairs and tf.data ----------------------------------------------------------------------------

def load_fusion_split(root, layout: str, split: str):
    """:class:`~data_loaders.PairedFiles` (A visible, B infrared) of one split of a dataset folder."""
    from data_loaders import llvip, paired, tno

    root = Path(root)
    folder = root / split if split and (root / split).is_dir() else root
    if layout == "llvip":
        return llvip.llvip(root, split=split)
    if layout == "tno":
        return tno.tno(folder)
    if layout == "paired":
        return paired.paired_folder(folder)
    raise ValueError(f"unknown fusion layout {layout!r}; expected one of {LAYOUTS}")


def fusion_pairs(config: FusionGANConfig):
    """``(train pairs, held-out pairs or None)``; writes the synthetic set first when asked for it."""
    from data_loaders import DatasetError
    from thermal_keras.datasets import ensure_synthetic

    if config.layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, got {config.layout!r}")
    if config.data == "synthetic":
        if config.layout == "tno":
            raise ValueError("the synthetic set is written as llvip or paired folders, not tno")
        synthetic_view = types.SimpleNamespace(thermal="8bit", **dataclasses.asdict(config))
        root = ensure_synthetic(synthetic_view)
    else:
        root = Path(config.data)
        if not root.is_dir():
            raise DatasetError(f"{root}: dataset folder not found")
    train = load_fusion_split(root, config.layout, config.train_split)
    held_out = load_fusion_split(root, config.layout, config.eval_split) if config.eval_split else None
    return train, held_out


def visible_luma(rgb):
    """``[-1, 1]`` RGB ``(..., 3)`` -> ``[-1, 1]`` BT.601 luma ``(..., 1)`` (the weights sum to 1)."""
    import tensorflow as tf

    weights = tf.constant([0.299, 0.587, 0.114], tf.float32)
    return tf.reduce_sum(tf.cast(rgb, tf.float32) * weights, axis=-1, keepdims=True)


def fusion_dataset(files, **paired_dataset_kwargs):
    """:func:`thermal_keras.data.paired_dataset` of (visible, infrared) pairs mapped to FusionGAN's
    ``(ir, visible_luma)`` batches: float32 ``(B, S, S, 1)`` each, in ``[-1, 1]``."""
    from thermal_keras import data

    if files.b_spec.channels != 1:
        raise ValueError(f"{files.source}: the infrared side must have one channel, spec says {files.b_spec}")
    pairs = data.paired_dataset(files, **paired_dataset_kwargs)
    return pairs.map(lambda visible, ir: (ir, visible_luma(visible)))


# --- Training -------------------------------------------------------------------------------------

@dataclass
class TrainedFusionRun:
    """What :func:`train_fusiongan` returns."""

    model: object
    train_files: object
    eval_files: object
    output_dir: Path
    history: dict
    initial_epoch: int
    steps_per_epoch: int
    strategy: object = None  # the tf.distribute.Strategy it trained under

    @property
    def is_chief(self) -> bool:
        """Whether this process wrote the run folder (false on non-chief multi-worker processes)."""
        from thermal_keras.distribute import is_chief

        return is_chief(self.strategy)


def build_fusiongan(config: FusionGANConfig):
    """Compiled :class:`~thermal_keras.models.FusionGAN` for ``config`` (networks by name); call it
    inside the training strategy's scope."""
    from thermal_keras.models import FusionGAN, build_discriminator, build_generator
    from thermal_keras.precision import choose_jit_compile
    from thermal_keras.training.optimizers import FusedAdam

    generator = build_generator("fusiongan", filters=tuple(config.ngf * m for m in (8, 4, 2, 1)))
    discriminator = build_discriminator("fusiongan", image_size=config.image_size,
                                        filters=tuple(config.ndf * m for m in (1, 2, 4, 8)))
    model = FusionGAN(generator, discriminator, seed=config.seed)
    model.compile(g_optimizer=FusedAdam(config.lr, beta_1=config.beta_1),
                  d_optimizer=FusedAdam(config.lr, beta_1=config.beta_1),
                  lambda_content=config.lambda_content, xi=config.xi, d_steps=config.d_steps,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


def train_fusiongan(config: FusionGANConfig, callbacks=(), verbose="auto") -> TrainedFusionRun:
    """Train (or resume) FusionGAN as ``config`` says; bad data fails before any training.
    ``config.strategy`` works as in :func:`thermal_keras.runs.train_pix2pix` (chief-only writes)."""
    import keras

    from thermal_keras.distribute import is_chief, shard_by_data
    from thermal_keras.runs import restored_epoch, start_run
    from thermal_keras.training.callbacks import CheckpointCallback
    from thermal_keras.training.checkpoint import TrainingCheckpoint

    strategy = start_run(config)
    chief = is_chief(strategy)
    train_files, eval_files = fusion_pairs(config)
    out = Path(config.output_dir)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
    steps_per_epoch = config.steps_per_epoch or max(1, len(train_files) // config.batch_size)
    with strategy.scope():
        model = build_fusiongan(config)
    checkpoint = TrainingCheckpoint(out / "checkpoints", {
        "generator": model.generator, "discriminator": model.discriminator,
        "g_optimizer": model.g_optimizer, "d_optimizer": model.d_optimizer,
        "label_seeds": types.SimpleNamespace(variables=[model.label_seeds.state])})
    initial_epoch = restored_epoch(checkpoint, config, strategy)
    if chief:
        config.to_json(out / "config.json")
    history = {}
    if initial_epoch < config.epochs:
        dataset = shard_by_data(fusion_dataset(
            train_files, batch_size=config.batch_size, image_size=config.image_size,
            load_size=config.load_size or None, flip=config.flip, seed=config.seed, first_epoch=initial_epoch,
            num_epochs=config.epochs - initial_epoch, steps_per_epoch=steps_per_epoch))
        writers = [CheckpointCallback(checkpoint, every_n_epochs=config.checkpoint_every),
                   keras.callbacks.CSVLogger(str(out / "log.csv"), append=initial_epoch > 0)] if chief else []
        history = model.fit(dataset, epochs=config.epochs, initial_epoch=initial_epoch,
                            steps_per_epoch=steps_per_epoch, callbacks=[*writers, *callbacks], verbose=verbose,
                            shuffle=False).history
    return TrainedFusionRun(model, train_files, eval_files, out, history, initial_epoch, steps_per_epoch, strategy)


# --- Whole images: fusion and scores --------------------------------------------------------------

def read_pair(visible_path, ir_path, max_side: int | None = None):
    """``(ir (H, W), visible_rgb (H, W, 3))`` float64 on 0..255 from files; with ``max_side`` both
    are shrunk (bicubic) so the longer side is at most ``max_side``. Sizes must match."""
    from PIL import Image

    images = []
    for path, mode in ((ir_path, "L"), (visible_path, "RGB")):
        try:
            with Image.open(path) as image:
                image = image.convert(mode)
                if max_side and max(image.size) > max_side:
                    factor = max_side / max(image.size)
                    image = image.resize((round(image.width * factor), round(image.height * factor)),
                                         Image.Resampling.BICUBIC)
                images.append(np.asarray(image, np.float64))
        except OSError as error:
            raise ValueError(f"{path}: cannot read image ({error})") from error
    if images[0].shape[:2] != images[1].shape[:2]:
        raise ValueError(f"{ir_path} {images[0].shape[:2]} and {visible_path} {images[1].shape[:2]} differ in size")
    return images[0], images[1]


def generator_fuser(generator):
    """``fuse(ir, visible_y) -> fused`` (all ``(H, W)`` on 0..255) running ``generator`` on the whole
    image (fully convolutional, any size)."""
    def fuse(ir, visible_y):
        pair = np.stack([ir, visible_y], axis=-1)[None].astype(np.float32) / 127.5 - 1.0
        fused = np.asarray(generator(pair, training=False), np.float64)[0, ..., 0]
        return np.clip((fused + 1.0) * 127.5, 0.0, 255.0)
    return fuse


def fusers(generator=None) -> dict:
    """The baselines (``average``, ``pyramid``) and, with a generator, ``fusiongan``; 0..255 in and out."""
    table = dict(BASELINES)
    if generator is not None:
        table["fusiongan"] = generator_fuser(generator)
    return table


def fuse_pair(fuse, ir, visible_rgb, colour: bool = True):
    """Fuse grey ``ir`` with ``visible_rgb`` (0..255); uint8 RGB with the visible chroma, or grey."""
    visible_y = rgb_to_ycbcr(visible_rgb)[..., 0]
    fused = np.clip(fuse(ir, visible_y), 0.0, 255.0)
    return colour_from_visible(fused, visible_rgb) if colour else np.rint(fused).astype(np.uint8)


def fusion_table(files, methods: dict, max_side: int | None = 320) -> dict:
    """Mean of every fusion metric per method over the pairs of ``files`` (A visible, B infrared).

    Metrics on 0..255 grey, against the infrared image and the visible luma, fused outputs rounded to
    8 bits as a saved file would be. Returns ``{"n_images": N, "size": (H, W) of the last pair,
    method: {"EN": ..., ...}}``.
    """
    from thermal_keras.metrics import fusion

    sums = {name: {} for name in methods}
    for visible_path, ir_path in zip(files.a_paths, files.b_paths):
        ir, visible_rgb = read_pair(visible_path, ir_path, max_side)
        visible_y = rgb_to_ycbcr(visible_rgb)[..., 0]
        for name, fuse in methods.items():
            fused = np.rint(np.clip(fuse(ir, visible_y), 0.0, 255.0))
            for metric, value in fusion.all_metrics(fused, ir, visible_y).items():
                sums[name][metric] = sums[name].get(metric, 0.0) + value
    n = len(files)
    table = {name: {m: v / n for m, v in values.items()} for name, values in sums.items()}
    return {"n_images": n, "size": list(ir.shape), **table}


def format_fusion_table(table: dict) -> str:
    """Fixed-width text of a :func:`fusion_table` result, one row per method."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    methods = [k for k in table if k not in ("n_images", "size")]
    lines = [f"{'':11}" + "".join(f"{m:>8}" for m in METRIC_NAMES)]
    lines += [f"{name:11}" + "".join(f"{table[name][m]:8.3f}" for m in METRIC_NAMES) for name in methods]
    return "\n".join(lines)
