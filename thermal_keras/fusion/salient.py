"""STDFusionNet's training data: synthetic scenes with salient-target masks from their material maps.

STDFusionNet's loss needs a mask of the salient targets (people, vehicles: what is hot in the infrared
image and what a viewer looks for). Real datasets carry none; the paper annotated TNO by hand. The
built-in synthetic set knows every pixel's material (:data:`data_loaders.scene.MATERIALS`), so the mask
is exact: skin and clothing (people), car paint, including the hot hood of a driven car's engine, and
tyres (:data:`SALIENT_MATERIALS`). The mask is softened by the thermal camera's own [1, 2, 1]/4 blur so
its edge falls where the infrared image's edge does (the reference, too, trains on blurred masks).

* :func:`salient_mask`: material map ``(H, W)`` -> mask float32 ``(H, W)`` in ``[0, 1]``;
* :func:`salient_scenes`: ``n`` rendered scenes as arrays (infrared, visible, mask), cached under
  ``data/`` so a resumed run does not render them again;
* :func:`salient_dataset`: the resumable ``tf.data`` batches ``(ir, visible, mask)`` of random crops.

Scenes ``seed * 1000 + 0`` (training) and ``seed * 1000 + 1`` (held out) are the ones
:func:`data_loaders.synthetic.write_dataset` writes as its first and second split for ``seed``, so the
FusionGAN preset's training scenes and these are the same (there as JPEG files, here as exact arrays).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SALIENT_MATERIALS = ("skin", "clothing", "paint", "rubber")
SCENE_KEYS = ("ir", "visible_y", "mask", "visible_rgb")
CACHE_ROOT = Path("data")


def salient_mask(material) -> np.ndarray:
    """Material ids ``(H, W)`` (into :data:`data_loaders.scene.MATERIALS`) -> float32 ``(H, W)`` in
    ``[0, 1]``: 1 on :data:`SALIENT_MATERIALS`, blurred by [1, 2, 1]/4 along each axis (edge pixels
    repeated), so values step in sixteenths at the edges."""
    from data_loaders.scene import MATERIAL_ID

    material = np.asarray(material)
    if material.ndim != 2:
        raise ValueError(f"material must be a map (H, W) of material ids, got shape {material.shape}")
    binary = np.isin(material, [MATERIAL_ID[m] for m in SALIENT_MATERIALS]).astype(np.float32)
    padded = np.pad(binary, 1, mode="edge")
    rows = (padded[:-2] + 2 * padded[1:-1] + padded[2:]) / 4
    return ((rows[:, :-2] + 2 * rows[:, 1:-1] + rows[:, 2:]) / 4).astype(np.float32)


@dataclass
class SalientScenes:
    """Rendered scenes: ``ir`` uint8 ``(n, S, S)`` (8-bit AGC infrared), ``visible_y`` uint8 ``(n, S, S)``
    (BT.601 luma of the visible frame), ``mask`` uint8 ``(n, S, S)`` (the mask × 255, rounded),
    ``visible_rgb`` uint8 ``(n, S, S, 3)`` or ``None`` (kept for held-out scenes only), and ``is_day``."""

    ir: np.ndarray
    visible_y: np.ndarray
    mask: np.ndarray
    is_day: np.ndarray
    visible_rgb: np.ndarray | None = None
    source: str = "synthetic"

    def __len__(self) -> int:
        return len(self.ir)


def _render(n: int, size: int, scene_seed: int, keep_rgb: bool) -> dict:
    from data_loaders import synthetic
    from thermal_keras.io import luma

    pairs = synthetic.generate_pairs(n, size=size, seed=scene_seed)
    return {"ir": pairs["thermal_u8"][..., 0],
            "visible_y": np.clip(np.rint(luma(pairs["rgb"])[..., 0]), 0, 255).astype(np.uint8),
            "mask": np.stack([np.rint(salient_mask(m) * 255) for m in pairs["material"]]).astype(np.uint8),
            "is_day": pairs["is_day"],
            **({"visible_rgb": pairs["rgb"]} if keep_rgb else {})}


def salient_scenes(n: int, size: int, seed: int = 0, split: int = 0, keep_rgb: bool = False,
                   cache_root=CACHE_ROOT) -> SalientScenes:
    """``n`` synthetic scenes of side ``size`` (scene seed ``seed * 1000 + split``) with their masks.

    Cached as ``<cache_root>/salient-v<generator version>-<size>px-n<n>-seed<seed>-split<split>.npz``
    (written under a temporary name, then renamed); ``cache_root=None`` renders without caching.
    """
    from data_loaders import synthetic

    if n < 1 or size < 16:
        raise ValueError(f"need n >= 1 scenes of side >= 16, got n={n}, size={size}")
    name = f"salient-v{synthetic.GENERATOR_VERSION}-{size}px-n{n}-seed{seed}-split{split}{'-rgb' if keep_rgb else ''}"
    path = None if cache_root is None else Path(cache_root) / f"{name}.npz"
    arrays = None
    if path is not None and path.is_file():
        try:
            with np.load(path) as stored:
                arrays = {k: stored[k] for k in stored.files}
        except (OSError, ValueError):
            arrays = None  # a damaged cache is rendered again
    if arrays is None:
        arrays = _render(n, size, seed * 1000 + split, keep_rgb)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".tmp-{os.getpid()}-{path.name}")
            with open(temporary, "wb") as handle:
                np.savez(handle, **arrays)
            os.replace(temporary, path)
    return SalientScenes(source=f"synthetic scenes ({name})", **arrays)


def scene_batch(scenes: SalientScenes, indices=None) -> tuple:
    """``(ir, visible, mask)`` float32 ``(k, S, S, 1)`` arrays of the scenes at ``indices`` (all by
    default): the images in ``[-1, 1]``, the mask in ``[0, 1]``."""
    pick = slice(None) if indices is None else np.asarray(indices)
    ir, visible = (x[pick][..., None].astype(np.float32) / 127.5 - 1.0 for x in (scenes.ir, scenes.visible_y))
    return ir, visible, scenes.mask[pick][..., None].astype(np.float32) / 255.0


def salient_dataset(scenes: SalientScenes, *, batch_size: int, image_size: int, flip: bool = True,
                    seed: int = 0, first_epoch: int = 0, num_epochs: int | None = 1,
                    steps_per_epoch: int | None = None):
    """Batches ``(ir, visible, mask)`` of random ``image_size`` crops: float32 ``(B, S, S, 1)`` each, the
    images in ``[-1, 1]``, the mask in ``[0, 1]``; one crop offset and one horizontal flip per scene
    serve all three.

    Deterministic and resumable like :func:`thermal_keras.data.pipeline.paired_dataset`: epoch ``e``'s
    order and every crop and flip come from stateless random ops keyed by ``(seed, e, position)`` only,
    so ``first_epoch=e`` reproduces the batches an uninterrupted run would see. ``steps_per_epoch``
    defaults to ``len(scenes) // batch_size``; ``num_epochs=None`` repeats forever.
    """
    import tensorflow as tf

    n, side = len(scenes), scenes.ir.shape[1]
    if batch_size < 1 or not 1 <= image_size <= side:
        raise ValueError(f"need batch_size >= 1 and 1 <= image_size <= {side} (the scenes' side), got "
                         f"batch_size={batch_size}, image_size={image_size}")
    per_epoch = (steps_per_epoch or n // batch_size) * batch_size
    if per_epoch == 0:
        raise ValueError(f"{n} scenes make no batch of {batch_size}; lower batch_size or set steps_per_epoch")
    stacked = tf.constant(np.stack([scenes.ir, scenes.visible_y, scenes.mask], axis=-1))  # (n, S, S, 3) uint8

    def stream_seed(epoch, stream, item):
        fold = tf.random.experimental.stateless_fold_in
        return fold(fold(tf.stack([tf.constant(seed, tf.int64), epoch]), tf.constant(stream, tf.int64)), item)

    def element(epoch, position):
        index = tf.random.experimental.index_shuffle(position % n, stream_seed(epoch, 0, position // n),
                                                     tf.constant(n - 1, tf.int64))
        crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(stream_seed(epoch, 1, position), 2))
        x = tf.image.stateless_random_crop(tf.gather(stacked, index), (image_size, image_size, 3), crop_seed)
        if flip:
            x = tf.image.stateless_random_flip_left_right(x, flip_seed)
        x = tf.cast(x, tf.float32)
        return x[..., 0:1] / 127.5 - 1.0, x[..., 1:2] / 127.5 - 1.0, x[..., 2:3] / 255.0

    epochs = tf.data.Dataset.counter(first_epoch) if num_epochs is None else \
        tf.data.Dataset.range(first_epoch, first_epoch + num_epochs)
    keys = epochs.flat_map(lambda e: tf.data.Dataset.range(per_epoch).map(lambda p: (e, p)))
    batches = keys.map(element, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return batches.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
