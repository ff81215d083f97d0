"""CycleGAN's training batches: unpaired (each side shuffled on its own), paired, or EMSN-normalised.

- unpaired (default): the A side and the B side are shuffled (and cropped and flipped)
  independently, so a batch's RGB and thermal images come from different scenes
  (:func:`unpaired_dataset`); with ``disjoint_halves`` the two sides even come from two disjoint
  halves of the pairs (:func:`disjoint_halves`), so no scene is seen on both sides;
- ``paired``: registered pairs, as pix2pix sees them, optionally with the supervised L1 term;
- ``emsn``: the images are normalised by electromagnetic-spectrum normalisation
  (:func:`thermal_keras.data.pipeline.emsn_normalize`) instead of the plain ``[-1, 1]`` scaling.
  The two are algebraically the same map; the option exists to reproduce the paper's comparison.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf

from data_loaders import DatasetError, PairedFiles
from data_loaders.roadscene import frame_runs
from thermal_keras.data import pipeline


def disjoint_halves(files: PairedFiles) -> tuple[PairedFiles, PairedFiles]:
    """Two disjoint halves of ``files``: alternate runs of consecutive frame numbers
    (:func:`data_loaders.roadscene.frame_runs` on the A file names; names without a number are runs
    of one). The first half gives the A (RGB) side, the second the B (thermal) side."""
    index = {Path(path).stem: i for i, path in enumerate(files.a_paths)}
    runs = frame_runs(index)
    halves = ([index[s] for run in runs[0::2] for s in run], [index[s] for run in runs[1::2] for s in run])
    if not halves[1]:
        raise DatasetError(f"{files.source or 'pairs'}: {len(files)} pair(s) in one run of frames cannot be "
                           "split into two disjoint halves; add frames or drop --disjoint-halves")
    return files.subset(sorted(halves[0])), files.subset(sorted(halves[1]))


def unpaired_dataset(files: PairedFiles, *, seed: int = 0, b_files: PairedFiles | None = None,
                     **kwargs) -> tf.data.Dataset:
    """Batches ``(a, b)`` whose two sides are shuffled, cropped and flipped independently.

    Two :func:`thermal_keras.data.pipeline.paired_dataset` streams over the same files, seeded ``seed`` (A
    side kept) and ``seed + 1`` (B side kept), zipped: ``a[i]`` and ``b[i]`` generally come from
    different pairs. With ``b_files`` the B side is read from those pairs instead (e.g. the second of
    :func:`disjoint_halves`); pass ``steps_per_epoch`` then, so both sides agree. Like
    ``paired_dataset`` the order depends on ``(seed, epoch, position)`` only, so a resumed run sees the
    same batches. ``kwargs`` go to ``paired_dataset`` (``batch_size``,
    ``image_size``, ``load_size``, ``flip``, ``first_epoch``, ``num_epochs``, ``steps_per_epoch``...).
    Float32 ``(B, S, S, Ca)`` and ``(B, S, S, Cb)`` in ``[-1, 1]``.
    """
    side_a = pipeline.paired_dataset(files, seed=seed, **kwargs).map(lambda a, b: a)
    side_b = pipeline.paired_dataset(b_files or files, seed=seed + 1,
                                     **{**kwargs, "validate": b_files is not None}).map(lambda a, b: b)
    return tf.data.Dataset.zip(side_a, side_b).prefetch(tf.data.AUTOTUNE)


def emsn_batches(dataset: tf.data.Dataset, a_spec, b_spec) -> tf.data.Dataset:
    """Re-normalise ``(a, b)`` batches by EMSN: back to file values, then
    :func:`~thermal_keras.data.pipeline.emsn_normalize` (visible band for A, infrared for B) over each
    side's file value range. Numerically the identity up to float rounding (see ``emsn_normalize``)."""
    def renormalise(a, b):
        a = pipeline.emsn_normalize(pipeline.to_file_values(a, a_spec), "visible", a_spec.range)
        b = pipeline.emsn_normalize(pipeline.to_file_values(b, b_spec), "infrared", b_spec.range)
        return a, b

    return dataset.map(renormalise, num_parallel_calls=tf.data.AUTOTUNE)


def training_dataset(files: PairedFiles, config, first_epoch: int, steps_per_epoch: int):
    """The training batches for ``config``: paired or unpaired, EMSN or not, epochs ``first_epoch..``."""
    kwargs = dict(batch_size=config.batch_size, image_size=config.image_size,
                  load_size=config.load_size or None, flip=config.flip, first_epoch=first_epoch,
                  num_epochs=config.total_epochs - first_epoch, steps_per_epoch=steps_per_epoch,
                  keep_aspect=config.keep_aspect)
    if config.paired:
        dataset = pipeline.paired_dataset(files, seed=config.seed, **kwargs)
    elif config.disjoint_halves:
        a_half, b_half = disjoint_halves(files)
        dataset = unpaired_dataset(a_half, seed=config.seed, b_files=b_half, **kwargs)
    else:
        dataset = unpaired_dataset(files, seed=config.seed, **kwargs)
    return emsn_batches(dataset, files.a_spec, files.b_spec) if config.emsn else dataset
