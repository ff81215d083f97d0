"""The CycleGAN training job: options, unpaired/paired/EMSN data, networks, resumable ``fit()``.

``train_cyclegan(config)`` works like :func:`thermal_keras.runs.train_pix2pix` and writes the same
run folder (``config.json``, ``log.csv``, ``checkpoints/``, ``samples/``, ``logs/``): full-state
checkpoints hold all four networks, both optimizers and both history pools, so a stopped run started
again with the same config continues where it left off.

Data modes (``CycleGANConfig``):

- unpaired (default): the A side and the B side are shuffled (and cropped and flipped)
  independently, so a batch's RGB and thermal images come from different scenes
  (:func:`unpaired_dataset`);
- ``paired``: registered pairs, as pix2pix sees them, optionally with the supervised L1 term;
- ``emsn``: the images are normalised by electromagnetic-spectrum normalisation
  (:func:`thermal_keras.data.emsn_normalize`) instead of the plain ``[-1, 1]`` scaling. The two
  are algebraically the same map; the option exists to reproduce the paper's comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import tensorflow as tf

from data_loaders import PairedFiles
from thermal_keras import data, features
from thermal_keras.config import Pix2PixConfig, _opt, jit_option, precision_option, strategy_option, tpu_option
from thermal_keras.cyclegan_losses import PerceptualCycleLoss, SelfSimilarityLoss
from thermal_keras.datasets import train_and_eval_pairs
from thermal_keras.distribute import is_chief, shard_by_data
from thermal_keras.models import build_discriminator, build_generator
from thermal_keras.models.cyclegan import CycleGAN
from thermal_keras.precision import choose_jit_compile
from thermal_keras.runs import TrainedRun, _run_writers, _write_config, restored_epoch, start_run, write_spec
from thermal_keras.training.checkpoint import TrainingCheckpoint
from thermal_keras.training.optimizers import FusedAdam
from thermal_keras.training.schedules import LinearDecay


@dataclass
class CycleGANConfig:
    """CycleGAN RGB <-> thermal training options (defaults follow the CycleGAN reference at 256²)."""

    data: str = _opt("synthetic", "'synthetic' (the built-in set, generated on first use) or a dataset folder")
    layout: str = _opt("flir_v1", "dataset layout of --data", choices=("paired", "llvip", "flir_v1", "flir_v2"))
    train_split: str = _opt("train", "split used for training")
    eval_split: str = _opt("test", "held-out split used for evaluation ('' to skip)")
    thermal: str = _opt("16bit", "thermal files to train on where the layout has both", choices=("8bit", "16bit"))
    synthetic_train: int = _opt(400, "synthetic set: training pairs")
    synthetic_test: int = _opt(64, "synthetic set: held-out pairs")
    synthetic_size: int = _opt(0, "synthetic set: rendered image side (0: load_size or image_size)")
    image_size: int = _opt(256, "training crop side in pixels (a multiple of 4 for ResNet generators)")
    load_size: int = _opt(286, "resize side before the random crop (0: no resize, crop from the file)")
    flip: bool = _opt(True, "random horizontal flips")
    paired: bool = _opt(False, "train on registered pairs (paired CycleGAN) instead of shuffling each side")
    emsn: bool = _opt(False, "electromagnetic-spectrum normalisation of both sides (equals x/127.5 - 1)")
    generator: str = _opt("resnet_9blocks", "generator: resnet_9blocks, resnet_6blocks, resnet "
                          "(with --n-blocks), unet_256, unet_128, unet")
    n_blocks: int = _opt(9, "residual blocks for generator 'resnet'")
    num_downs: int = _opt(0, "U-Net downsamplings for generator 'unet' (0: log2(image_size))")
    ngf: int = _opt(64, "generator filters in the first layer")
    ndf: int = _opt(64, "discriminator filters in the first layer")
    n_layers_d: int = _opt(3, "PatchGAN layers (receptive field 16, 34, 70, 142, 286 for 1..5)")
    norm: str = _opt("instance", "normalisation", choices=("batch", "instance", "none"))
    gan_mode: str = _opt("lsgan", "adversarial loss", choices=("lsgan", "vanilla", "hinge"))
    lambda_cycle: float = _opt(10.0, "weight of the cycle-consistency L1 loss (each direction)")
    lambda_identity: float = _opt(0.5, "identity loss weight relative to lambda_cycle (only when the "
                                  "domains have the same channel count)")
    lambda_supervised: float = _opt(0.0, "paired mode: weight of L1(G(a), b)")
    perceptual_cycle: float = _opt(0.0, "weight of the VGG16 perceptual cycle loss (0: off)")
    self_similarity: float = _opt(0.0, "weight of the VGG16 self-similarity loss (0: off)")
    feature_weights: str = _opt("imagenet", "VGG16 weights: 'imagenet' ($KERAS_HOME cache), a .h5 path, "
                                "or 'random' (untrained; for tests)")
    perceptual_layers: str = _opt("block2_conv2,block3_conv3", "VGG16 layers of the perceptual cycle loss")
    self_similarity_layers: str = _opt("block1_conv2,block2_conv2,block3_conv3",
                                       "VGG16 layers of the self-similarity loss")
    patch_size: int = _opt(3, "self-similarity patch side in feature-map pixels")
    num_patches: int = _opt(64, "self-similarity patches sampled per layer and step")
    pool_size: int = _opt(50, "generated images kept per discriminator (0: no history pool)")
    lr: float = _opt(2e-4, "initial Adam learning rate for both optimizers")
    beta_1: float = _opt(0.5, "Adam beta_1")
    batch_size: int = _opt(1, "global batch size (split across replicas under a strategy)")
    epochs: int = _opt(100, "epochs at the initial learning rate")
    decay_epochs: int = _opt(100, "further epochs with the learning rate decaying linearly to zero")
    steps_per_epoch: int = _opt(0, "steps per epoch (0: one pass over the training images)")
    seed: int = _opt(0, "seed for weights, data order, augmentation and the pools")
    mixed_precision: str = precision_option()
    jit_compile: str = jit_option()
    strategy: str = strategy_option()
    tpu: str = tpu_option()
    output_dir: str = _opt("results/cyclegan", "run folder: checkpoints, samples, logs")
    checkpoint_every: int = _opt(1, "epochs between full-state checkpoints")
    sample_every: int = _opt(200, "steps between sample grids (PNG + TensorBoard)")
    resume: bool = _opt(True, "continue from the last checkpoint in output_dir if there is one")

    total_epochs = Pix2PixConfig.total_epochs
    to_json = Pix2PixConfig.to_json
    from_json = classmethod(Pix2PixConfig.from_json.__func__)

    def __post_init__(self):
        if self.lambda_supervised and not self.paired:
            raise ValueError("lambda_supervised > 0 needs paired=True (--paired)")
        for name in ("perceptual_cycle", "self_similarity", "lambda_cycle", "lambda_identity", "lambda_supervised"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


# --- Data ---------------------------------------------------------------------------------------

def unpaired_dataset(files: PairedFiles, *, seed: int = 0, **kwargs) -> tf.data.Dataset:
    """Batches ``(a, b)`` whose two sides are shuffled, cropped and flipped independently.

    Two :func:`thermal_keras.data.paired_dataset` streams over the same files, seeded ``seed`` (A
    side kept) and ``seed + 1`` (B side kept), zipped: ``a[i]`` and ``b[i]`` generally come from
    different pairs. Like ``paired_dataset`` the order depends on ``(seed, epoch, position)`` only, so
    a resumed run sees the same batches. ``kwargs`` go to ``paired_dataset`` (``batch_size``,
    ``image_size``, ``load_size``, ``flip``, ``first_epoch``, ``num_epochs``, ``steps_per_epoch``...).
    Float32 ``(B, S, S, Ca)`` and ``(B, S, S, Cb)`` in ``[-1, 1]``.
    """
    side_a = data.paired_dataset(files, seed=seed, **kwargs).map(lambda a, b: a)
    side_b = data.paired_dataset(files, seed=seed + 1, **{**kwargs, "validate": False}).map(lambda a, b: b)
    return tf.data.Dataset.zip(side_a, side_b).prefetch(tf.data.AUTOTUNE)


def emsn_batches(dataset: tf.data.Dataset, a_spec, b_spec) -> tf.data.Dataset:
    """Re-normalise ``(a, b)`` batches by EMSN: back to file values, then
    :func:`~thermal_keras.data.emsn_normalize` (visible band for A, infrared for B) over each
    side's file value range. Numerically the identity up to float rounding (see ``emsn_normalize``)."""
    def renormalise(a, b):
        a = data.emsn_normalize(data.to_file_values(a, a_spec), "visible", a_spec.range)
        b = data.emsn_normalize(data.to_file_values(b, b_spec), "infrared", b_spec.range)
        return a, b

    return dataset.map(renormalise, num_parallel_calls=tf.data.AUTOTUNE)


def training_dataset(files: PairedFiles, config: CycleGANConfig, first_epoch: int, steps_per_epoch: int):
    """The training batches for ``config``: paired or unpaired, EMSN or not, epochs ``first_epoch..``."""
    kwargs = dict(batch_size=config.batch_size, image_size=config.image_size,
                  load_size=config.load_size or None, flip=config.flip, first_epoch=first_epoch,
                  num_epochs=config.total_epochs - first_epoch, steps_per_epoch=steps_per_epoch)
    if config.paired:
        dataset = data.paired_dataset(files, seed=config.seed, **kwargs)
    else:
        dataset = unpaired_dataset(files, seed=config.seed, **kwargs)
    return emsn_batches(dataset, files.a_spec, files.b_spec) if config.emsn else dataset


# --- Networks and losses ------------------------------------------------------------------------

def _generator(config: CycleGANConfig, in_channels: int, out_channels: int):
    kwargs = dict(in_channels=in_channels, out_channels=out_channels, ngf=config.ngf, norm=config.norm)
    if config.generator == "resnet":
        kwargs["n_blocks"] = config.n_blocks
    if config.generator == "unet":
        kwargs["num_downs"] = config.num_downs or int(round(math.log2(config.image_size)))
    return build_generator(config.generator, **kwargs)


def _discriminator(config: CycleGANConfig, in_channels: int):
    name = "basic" if config.n_layers_d == 3 else "n_layers"
    return build_discriminator(name, in_channels=in_channels, ndf=config.ndf, n_layers=config.n_layers_d,
                               norm=config.norm)


def build_cyclegan(config: CycleGANConfig, channels_a: int = 3, channels_b: int = 1) -> CycleGAN:
    """G (A -> B), F (B -> A), D_A, D_B by name from ``config`` (uncompiled)."""
    return CycleGAN(_generator(config, channels_a, channels_b), _generator(config, channels_b, channels_a),
                    _discriminator(config, channels_a), _discriminator(config, channels_b),
                    pool_size=config.pool_size, seed=config.seed)


def _layer_names(text: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in text.split(",") if name.strip())


def feature_losses(config: CycleGANConfig):
    """``(PerceptualCycleLoss or None, SelfSimilarityLoss or None)``, built only when weighted."""
    weights = None if config.feature_weights == "random" else config.feature_weights
    perceptual = PerceptualCycleLoss(_layer_names(config.perceptual_layers), weights=weights) \
        if config.perceptual_cycle else None
    self_similarity = SelfSimilarityLoss(_layer_names(config.self_similarity_layers), config.patch_size,
                                         config.num_patches, weights=weights, seed=config.seed) \
        if config.self_similarity else None
    return perceptual, self_similarity


def compile_cyclegan(model: CycleGAN, config: CycleGANConfig, steps_per_epoch: int) -> CycleGAN:
    """Adam for both optimizers with the constant-then-linear-decay schedule; loss weights from config.
    Call it inside the strategy's scope, where the model was built."""
    def adam():
        schedule = config.lr if config.decay_epochs == 0 else LinearDecay(
            config.lr, constant_steps=config.epochs * steps_per_epoch,
            decay_steps=config.decay_epochs * steps_per_epoch)
        return FusedAdam(schedule, beta_1=config.beta_1)

    perceptual, self_similarity = feature_losses(config)
    model.compile(g_optimizer=adam(), d_optimizer=adam(), gan_mode=config.gan_mode,
                  lambda_cycle=config.lambda_cycle, lambda_identity=config.lambda_identity, paired=config.paired,
                  lambda_supervised=config.lambda_supervised, perceptual_loss=perceptual,
                  lambda_perceptual=config.perceptual_cycle, self_similarity_loss=self_similarity,
                  lambda_self_similarity=config.self_similarity,
                  jit_compile=choose_jit_compile(config.jit_compile))
    return model


# --- The job ------------------------------------------------------------------------------------

def train_cyclegan(config: CycleGANConfig, callbacks=(), verbose="auto") -> TrainedRun:
    """Train (or resume) CycleGAN as ``config`` says; returns a :class:`thermal_keras.runs.TrainedRun`
    whose ``model`` is the :class:`CycleGAN` (``model.generator_ab`` translates RGB -> thermal).
    ``config.strategy`` works as in :func:`thermal_keras.runs.train_pix2pix` (chief-only writes)."""
    if config.perceptual_cycle or config.self_similarity:  # a missing VGG16 file fails before any work
        features.resolve_weights("vgg16", None if config.feature_weights == "random" else config.feature_weights)
    strategy = start_run(config)
    chief = is_chief(strategy)
    train_files, eval_files = train_and_eval_pairs(config)  # raises on bad input before any work
    out = Path(config.output_dir)
    if chief:
        out.mkdir(parents=True, exist_ok=True)
    steps_per_epoch = config.steps_per_epoch or max(1, len(train_files) // config.batch_size)
    with strategy.scope():
        model = build_cyclegan(config, train_files.a_spec.channels, train_files.b_spec.channels)
        compile_cyclegan(model, config, steps_per_epoch)
        model.build_pools(config.image_size)

    checkpoint = TrainingCheckpoint(out / "checkpoints", model.checkpoint_objects())
    initial_epoch = restored_epoch(checkpoint, config, strategy)
    if chief:
        _write_config(out, config, resumed=initial_epoch > 0)
        write_spec(out / "target_spec.json", train_files.b_spec)

    history = {}
    if initial_epoch < config.total_epochs:
        train_ds = shard_by_data(training_dataset(train_files, config, initial_epoch, steps_per_epoch))
        writers = _run_writers(config, checkpoint, eval_files or train_files, initial_epoch) if chief else []
        result = model.fit(train_ds, epochs=config.total_epochs, initial_epoch=initial_epoch,
                           steps_per_epoch=steps_per_epoch, callbacks=[*writers, *callbacks], verbose=verbose,
                           shuffle=False)
        history = result.history
    return TrainedRun(model, train_files, eval_files, out, history, initial_epoch, steps_per_epoch, strategy)
