"""One option set for pix2pix training, shared by the command line, notebooks and JSON config files.

Every field has a default and a help text; ``add_arguments`` turns the dataclass into argparse flags
(``--image-size 128``), ``from_args`` back into a config, and ``to_json``/``from_json`` round-trip it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path


# Shared by every training config (pix2pix, CycleGAN, SRGAN, FusionGAN) and so by the CLI.
PRECISION_SETTINGS = ("auto", "float32", "mixed_float16", "mixed_bfloat16", "on", "off")
JIT_SETTINGS = ("auto", "on", "off")
STRATEGIES = ("default", "mirrored", "multi_worker", "tpu")


def _opt(default, help_text, **extra):
    return field(default=default, metadata={"help": help_text, **extra})


def precision_option():
    """The ``mixed_precision`` field (see :func:`thermal_keras.precision.choose_precision`)."""
    return _opt("auto", "compute dtype policy: auto (mixed_float16 on a GPU, mixed_bfloat16 on a TPU, "
                "float32 on a CPU), float32, mixed_float16, mixed_bfloat16; on/off mean "
                "mixed_float16/float32", choices=PRECISION_SETTINGS)


def jit_option():
    """The ``jit_compile`` field (see :func:`thermal_keras.precision.choose_jit_compile`)."""
    return _opt("auto", "XLA: auto (on with one GPU, off under a multi-replica strategy), on, off",
                choices=JIT_SETTINGS)


def strategy_option():
    """The ``strategy`` field (see :func:`thermal_keras.distribute.make_strategy`)."""
    return _opt("default", "tf.distribute strategy: default (one device), mirrored (all local GPUs; "
                "all logical CPUs without a GPU), multi_worker (machines listed in TF_CONFIG), tpu; "
                "batch_size is the global batch, split across replicas", choices=STRATEGIES)


def tpu_option():
    """The ``tpu`` field: the TPU address for ``strategy="tpu"``."""
    return _opt("", "TPU for --strategy tpu: '' (TPU_NAME or the runtime's default), 'local' (TPU VM) "
                "or grpc://host:port")


@dataclass
class Pix2PixConfig:
    """pix2pix RGB -> thermal training options (defaults follow the pix2pix reference at 256²)."""

    data: str = _opt("synthetic", "'synthetic' (the built-in set, generated on first use) or a dataset folder")
    layout: str = _opt("flir_v1", "dataset layout of --data", choices=("paired", "llvip", "flir_v1", "flir_v2"))
    train_split: str = _opt("train", "split used for training")
    eval_split: str = _opt("test", "held-out split used for evaluation ('' to skip)")
    thermal: str = _opt("16bit", "thermal files to train on where the layout has both", choices=("8bit", "16bit"))
    synthetic_train: int = _opt(400, "synthetic set: training pairs")
    synthetic_test: int = _opt(64, "synthetic set: held-out pairs")
    synthetic_size: int = _opt(0, "synthetic set: rendered image side (0: load_size or image_size)")
    image_size: int = _opt(256, "training crop side in pixels")
    load_size: int = _opt(286, "resize side before the random crop (0: no resize, crop from the file)")
    flip: bool = _opt(True, "random horizontal flips")
    generator: str = _opt("unet_256", "generator name: unet_256, unet_128 or unet (with --num-downs)")
    num_downs: int = _opt(0, "U-Net downsamplings for generator 'unet' (0: log2(image_size))")
    ngf: int = _opt(64, "generator filters in the first layer")
    discriminator: str = _opt("basic", "discriminator: basic (PatchGAN), n_layers, pixel")
    n_layers_d: int = _opt(3, "PatchGAN layers (receptive field 16, 34, 70, 142, 286 for 1..5)")
    ndf: int = _opt(64, "discriminator filters in the first layer")
    norm: str = _opt("batch", "normalisation", choices=("batch", "instance", "none"))
    gan_mode: str = _opt("lsgan", "adversarial loss", choices=("lsgan", "vanilla", "hinge"))
    lambda_l1: float = _opt(100.0, "weight of the L1 loss")
    lr: float = _opt(2e-4, "initial Adam learning rate for both networks")
    beta_1: float = _opt(0.5, "Adam beta_1")
    batch_size: int = _opt(1, "global batch size (split across replicas under a strategy)")
    epochs: int = _opt(100, "epochs at the initial learning rate")
    decay_epochs: int = _opt(100, "further epochs with the learning rate decaying linearly to zero")
    steps_per_epoch: int = _opt(0, "steps per epoch (0: one pass over the training pairs)")
    seed: int = _opt(0, "seed for weights, data order and augmentation")
    mixed_precision: str = precision_option()
    jit_compile: str = jit_option()
    strategy: str = strategy_option()
    tpu: str = tpu_option()
    output_dir: str = _opt("results/pix2pix", "run folder: checkpoints, samples, logs, exported models")
    checkpoint_every: int = _opt(1, "epochs between full-state checkpoints")
    sample_every: int = _opt(200, "steps between sample grids (PNG + TensorBoard)")
    resume: bool = _opt(True, "continue from the last checkpoint in output_dir if there is one")

    @property
    def total_epochs(self) -> int:
        return self.epochs + self.decay_epochs

    def to_json(self, path=None) -> str:
        text = json.dumps(dataclasses.asdict(self), indent=2) + "\n"
        if path is not None:
            Path(path).write_text(text)
        return text

    @classmethod
    def from_json(cls, path_or_text) -> "Pix2PixConfig":
        text = Path(path_or_text).read_text() if Path(str(path_or_text)).exists() else path_or_text
        values = json.loads(text)
        unknown = set(values) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown options in config {path_or_text}: {sorted(unknown)}")
        return cls(**values)


def add_arguments(parser: argparse.ArgumentParser, config_cls=Pix2PixConfig):
    """Add one ``--flag`` per config field (defaults taken from the dataclass)."""
    for f in dataclasses.fields(config_cls):
        flag = "--" + f.name.replace("_", "-")
        kwargs = {"help": f"{f.metadata.get('help', '')} (default: {f.default})", "default": None}
        if f.type in (bool, "bool"):
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, **kwargs)
        else:
            kind = {"int": int, "float": float, "str": str}.get(f.type if isinstance(f.type, str) else f.type.__name__)
            parser.add_argument(flag, type=kind, choices=f.metadata.get("choices"), **kwargs)
    parser.add_argument("--config", help="JSON config file; flags given on the command line override it")


def from_args(args: argparse.Namespace, config_cls=Pix2PixConfig, **overrides):
    """Config from a JSON file (``--config``), then defaults, then explicit flags and ``overrides``."""
    base = config_cls.from_json(args.config) if getattr(args, "config", None) else config_cls()
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(config_cls)
              if getattr(args, f.name, None) is not None}
    values.update(overrides)
    return dataclasses.replace(base, **values)
