"""Visible/infrared pairs for fusion: dataset splits, the tf.data batches FusionGAN trains on, and
whole images read from files. Pairs: A = visible (RGB; fusion uses its BT.601 luma), B = infrared
(one channel).
"""

from __future__ import annotations

import dataclasses
import types
from pathlib import Path

import numpy as np

from thermal_keras.fusion.config import LAYOUTS
from thermal_keras.luma import luma_tensor


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
    if layout == "roadscene":
        from data_loaders import roadscene

        return roadscene.roadscene(root, split=split)
    if layout == "kaist":
        from data_loaders import kaist

        return kaist.kaist(root, split if split in ("train", "test", "all") else [split])
    raise ValueError(f"unknown fusion layout {layout!r}; expected one of {LAYOUTS}")


def fusion_pairs(config):
    """``(train pairs, held-out pairs or None)``; writes the synthetic set first when asked for it."""
    from data_loaders import DatasetError
    from thermal_keras.data.sources import check_before_training, ensure_synthetic

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
    check_before_training(config, train, held_out)  # decodes every file now, as training will
    return train, held_out


visible_luma = luma_tensor  # [-1, 1] RGB (..., 3) -> [-1, 1] BT.601 luma (..., 1) (the weights sum to 1)


def fusion_dataset(files, **paired_dataset_kwargs):
    """:func:`thermal_keras.data.pipeline.paired_dataset` of (visible, infrared) pairs mapped to FusionGAN's
    ``(ir, visible_luma)`` batches: float32 ``(B, S, S, 1)`` each, in ``[-1, 1]``."""
    from thermal_keras.data import pipeline

    if files.b_spec.channels != 1:
        raise ValueError(f"{files.source}: the infrared side must have one channel, spec says {files.b_spec}")
    pairs = pipeline.paired_dataset(files, **paired_dataset_kwargs)
    return pairs.map(lambda visible, ir: (ir, visible_luma(visible)))


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
