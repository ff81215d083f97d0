"""Paired image files as a ``tf.data`` pipeline: decode, cache, jitter, scale to ``[-1, 1]``, batch.

Every image leaves this module as float32 in ``[-1, 1]``, channels-last. 8-bit files map by
``x / 127.5 - 1``; 16-bit files by their spec's explicit count range, ``(x - low) / (high - low) * 2
- 1``, clipped (never ``/ 255``). :func:`to_file_values` and :func:`to_celsius` undo the mapping.
Files are decoded by :func:`decode_file_values` (:mod:`data_loaders.decode`, beside the validation
that uses the same decoder; re-exported here with :func:`decode_values_now`).

The training pipeline is deterministic and resumable: the order of epoch ``e`` and each element's
crop and flip come from stateless random ops keyed by ``(seed, e, position in the epoch)`` only, so a
run restarted at epoch ``e`` (``first_epoch=e``) sees exactly the batches an uninterrupted run would,
whatever TensorFlow's global seed is. Decoded (and resized) pairs are cached before the random
jitter, so the augmentation changes every epoch while files are decoded once.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import tensorflow as tf

from data_loaders.common import ImageSpec, PairedFiles
from data_loaders.decode import decode_file_values, decode_values_now  # noqa: F401 (re-exported)
from data_loaders.validate import validate_pairs
from thermal_keras.data.augment import augment_pair, exposure_jitter
from thermal_keras.data.emsn import EMSN_BANDS, emsn_denormalize, emsn_normalize  # noqa: F401 (re-exported)

AUTOTUNE = tf.data.AUTOTUNE
# A file cache is read in order; its pairs are permuted within windows of this many (all of an
# epoch when it is smaller). Random access (an exact shuffle of everything) needs the memory cache.
FILE_CACHE_SHUFFLE_WINDOW = 512

_PERMUTATION, _AUGMENTATION, _EXPOSURE = 0, 1, 2  # separate random streams derived from (seed, epoch)


# --- Value mapping (decoding: data_loaders.decode) -----------------------------------------

def to_unit_range(values, spec: ImageSpec) -> tf.Tensor:
    """File values -> float32 in ``[-1, 1]`` through ``spec``'s range, clipped."""
    values = tf.cast(values, tf.float32)
    if spec.value_range is None:
        scaled = values / 127.5 - 1.0
    else:
        low, high = spec.range
        scaled = (values - low) / (high - low) * 2.0 - 1.0
    return tf.clip_by_value(scaled, -1.0, 1.0)


def load_image(path, spec: ImageSpec) -> tf.Tensor:
    """Decode one file to float32 ``(H, W, spec.channels)`` in ``[-1, 1]``; graph-safe (str or tensor)."""
    return to_unit_range(decode_file_values(path, spec), spec)


def to_file_values(x, spec: ImageSpec) -> tf.Tensor:
    """``[-1, 1]`` -> file values as float32 (0..255 for 8-bit, counts for 16-bit); inverse of
    :func:`to_unit_range` inside the range. Round and cast to save as a file."""
    x = tf.cast(tf.convert_to_tensor(x), tf.float32)
    if spec.value_range is None:
        return (x + 1.0) * 127.5
    low, high = spec.range
    return (x + 1.0) / 2.0 * (high - low) + low


def to_celsius(x, spec: ImageSpec) -> tf.Tensor:
    """``[-1, 1]`` radiometric thermal -> °C: ``counts / counts_per_kelvin - 273.15`` (float32)."""
    if not spec.counts_per_kelvin:
        raise ValueError(f"this spec has no counts_per_kelvin (not radiometric): {spec}")
    return to_file_values(x, spec) / spec.counts_per_kelvin - 273.15


def _stored_dtype(spec: ImageSpec) -> tf.DType:
    return tf.uint16 if spec.bit_depth == 16 else tf.uint8


def _stored_values(path, spec: ImageSpec, size: int | None, keep_aspect: bool = False) -> tf.Tensor:
    """A file's values resized to ``size`` squared, or with ``keep_aspect`` to shorter side ``size``
    (bicubic, antialiased when shrinking), rounded back to the file's integer type: what the cache
    holds (a quarter of float32's memory). Same size is left untouched, so unresized values stay exact."""
    values = decode_file_values(path, spec)
    if size is not None:
        shape = tf.shape(values)[:2]
        target = tf.constant([size, size])
        if keep_aspect:
            scaled = tf.cast(shape, tf.float64) * size / tf.cast(tf.reduce_min(shape), tf.float64)
            target = tf.maximum(tf.cast(tf.round(scaled), tf.int32), size)
        same = tf.reduce_all(shape == target)
        values = tf.cond(same, lambda: values, lambda: tf.image.resize(
            values, target, method="bicubic", antialias=True))
        values = tf.ensure_shape(values, [None if keep_aspect else size, None if keep_aspect else size,
                                          spec.channels])
    top = 65535.0 if spec.bit_depth == 16 else 255.0
    return tf.cast(tf.clip_by_value(tf.round(values), 0.0, top), _stored_dtype(spec))


def _decoded_pairs(files: PairedFiles, size: int | None, keep_aspect: bool = False) -> tf.data.Dataset:
    """``(a, b)`` stored values (uint8/uint16), resized to ``size`` when given; random-access capable."""
    def load_pair(a_path, b_path):
        return (_stored_values(a_path, files.a_spec, size, keep_aspect),
                _stored_values(b_path, files.b_spec, size, keep_aspect))

    paths = tf.data.Dataset.from_tensor_slices((list(files.a_paths), list(files.b_paths)))
    return paths.map(load_pair, num_parallel_calls=AUTOTUNE, deterministic=True)


# --- Stateless randomness -----------------------------------------------------------------------

def _stream_seed(seed: int, epoch, stream: int, item) -> tf.Tensor:
    """A ``[2]`` int64 stateless seed from ``(seed, epoch, stream, item)`` and nothing else."""
    base = tf.stack([tf.constant(seed, tf.int64), tf.cast(epoch, tf.int64)])
    fold = tf.random.experimental.stateless_fold_in
    return fold(fold(base, tf.constant(stream, tf.int64)), tf.cast(item, tf.int64))


# --- Epoch streams ------------------------------------------------------------------------------

def _epoch_numbers(first_epoch: int, num_epochs: int | None) -> tf.data.Dataset:
    if num_epochs is None:
        return tf.data.Dataset.counter(first_epoch)
    return tf.data.Dataset.range(first_epoch, first_epoch + num_epochs)


def _indexed_epochs(source, n, per_epoch, seed, shuffle):
    """Memory cache (or no cache): epoch -> ``(epoch, position)`` keys, and ``fetch(epoch, position)
    -> (epoch, position, a, b)`` that picks the element by ``index_shuffle`` and random access."""
    def fetch(epoch, position):
        index = position % n
        if shuffle:
            permutation_seed = _stream_seed(seed, epoch, _PERMUTATION, position // n)
            index = tf.random.experimental.index_shuffle(index, permutation_seed,
                                                         tf.constant(n - 1, tf.int64))
        a, b = tf.data.experimental.at(source, index)
        return epoch, position, a, b

    def epoch_keys(epoch):
        return tf.data.Dataset.range(per_epoch).map(lambda position: (epoch, position))

    return epoch_keys, fetch


def _windowed_epochs(cached, n, per_epoch, seed, shuffle):
    """File cache: read in order, permute within windows; ``(epoch, position, a, b)``."""
    def permute(epoch, repeat, window, a, b):
        order = tf.range(tf.shape(a)[0])
        if shuffle:
            order = tf.random.experimental.stateless_shuffle(
                order, seed=_stream_seed(seed, epoch, _PERMUTATION, repeat * 1_000_003 + window))
        return tf.data.Dataset.from_tensor_slices((tf.gather(a, order), tf.gather(b, order)))

    def one_pass(epoch, repeat):
        windows = cached.batch(FILE_CACHE_SHUFFLE_WINDOW).enumerate()
        return windows.flat_map(lambda window, ab: permute(epoch, repeat, window, *ab))

    def epoch_stream(epoch):
        passes = tf.data.Dataset.range(math.ceil(per_epoch / n)).flat_map(lambda r: one_pass(epoch, r))
        return passes.take(per_epoch).enumerate().map(lambda position, ab: (epoch, position, *ab))

    return epoch_stream, lambda *element: element


def file_cache_name(files: PairedFiles, size: int | None, cache) -> str:
    """``<cache>-<fingerprint>``: the fingerprint of the file list, specs and stored size keeps a
    stale cache from being read for other data."""
    key = json.dumps([files.a_paths, files.b_paths, repr(files.a_spec), repr(files.b_spec), size])
    return f"{os.fspath(cache)}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def _file_cache(decoded, files: PairedFiles, size, cache) -> tf.data.Dataset:
    """``decoded.cache(file_cache_name(...))``, filled now (a partly read file cache is discarded)."""
    filename = file_cache_name(files, size, cache)
    Path(filename).parent.mkdir(parents=True, exist_ok=True)
    if not Path(f"{filename}.index").exists():  # a fill that crashed leaves a lock that blocks refilling
        for pattern in ("_*.lockfile", "*.tempstate*"):
            for stale in Path(filename).parent.glob(Path(filename).name + pattern):
                stale.unlink()
    cached = decoded.cache(filename)
    for _ in cached:  # one full pass writes the file; a partial read would leave it unfinished
        pass
    return cached


# --- Public pipelines ---------------------------------------------------------------------------

def _check_arguments(files, batch_size, image_size, load_size, jitter, num_epochs, first_epoch,
                     steps_per_epoch, cache, keep_aspect=False):
    if not isinstance(files, PairedFiles):
        raise TypeError(f"files must be data_loaders.PairedFiles, got {type(files).__name__}")
    for name, value in (("batch_size", batch_size), ("image_size", image_size)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if load_size is not None and (not isinstance(load_size, int) or (jitter and load_size < image_size)):
        raise ValueError(f"load_size must be None or an int >= image_size ({image_size}), got {load_size!r}")
    if num_epochs is not None and num_epochs < 1 or first_epoch < 0:
        raise ValueError(f"need num_epochs None or >= 1 and first_epoch >= 0, "
                         f"got {num_epochs}, {first_epoch}")
    if steps_per_epoch is not None and steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be None or >= 1, got {steps_per_epoch}")
    if not isinstance(cache, (bool, str, os.PathLike)):
        raise TypeError(f"cache must be True, False or a file path, got {cache!r}")
    if isinstance(cache, (str, os.PathLike)) and (jitter and load_size is None or keep_aspect):
        raise ValueError("a file cache needs one stored size: set load_size (or jitter=False), without keep_aspect")


def check_files(files: PairedFiles, *, image_size: int, load_size: int | None = None,
                jitter: bool = True):
    """Decode and check every pair as :func:`paired_dataset` with these settings will read it.

    :func:`data_loaders.validate.validate_pairs` with :func:`decode_values_now` (the decoder the
    pipeline maps), the crop rule (images at least ``image_size`` when ``jitter`` crops from the file
    size, ``load_size=None``) and equal pair sizes when the pairs are registered or cropped from the
    file. :func:`eval_dataset` reads with ``load_size=None, jitter=False``.

    Returns:
        ``[(a_info, b_info), ...]``; raises :class:`~data_loaders.DatasetError` (one line, naming files).
    """
    crops_from_file = jitter and load_size is None
    return validate_pairs(files, min_size=image_size if crops_from_file else None,
                          sizes_must_match=files.aligned or crops_from_file, decode=decode_values_now)


def paired_dataset(files: PairedFiles, *, batch_size: int = 1, image_size: int = 256,
                   load_size: int | None = 286, jitter: bool = True, flip: bool = True,
                   shuffle: bool = True, cache=True, seed: int = 0, first_epoch: int = 0,
                   num_epochs: int | None = 1, steps_per_epoch: int | None = None,
                   drop_remainder: bool = True, validate: bool = True, exposure: float = 0.0,
                   keep_aspect: bool = False) -> tf.data.Dataset:
    """Batches ``(a, b)`` for training: float32 ``(B, S, S, Ca)`` and ``(B, S, S, Cb)`` in ``[-1, 1]``.

    Per pair: decode both files (in parallel across pairs), resize to ``load_size`` squared
    (``jitter``; ``None`` keeps the file size) or straight to ``image_size`` (no ``jitter``), round to
    the file's integer type, cache, then a random ``image_size`` crop at the same offset for both
    images, with ``flip`` the same random horizontal flip, and last the scaling to ``[-1, 1]``. Epoch ``e`` (``first_epoch``, ``first_epoch+1``,
    ...) draws its order and jitter from ``(seed, e, position)`` only: resuming with
    ``first_epoch=e`` reproduces the uninterrupted run's batches.

    Args:
        files: the pairs (see :mod:`data_loaders`).
        batch_size: pairs per batch.
        image_size: side ``S`` of the output images.
        load_size: side to resize to before the random crop, or ``None`` to crop from the file size
            (then every image must be at least ``image_size``; validation checks).
        jitter, flip, shuffle: random crop, random horizontal flip, per-epoch order.
        cache: ``True`` keeps decoded pairs in memory (as uint8/uint16 file values at the stored
            size: ``S*S*(Ca+Cb)`` bytes a pair for 8-bit, twice that for 16-bit), ``False`` decodes
            every time, a path keeps them in a file (``<path>-<fingerprint>.*``, reused by later
            runs, one process at a time; read in order, shuffled within windows of
            ``FILE_CACHE_SHUFFLE_WINDOW``).
        seed: the pipeline's seed (independent of TensorFlow's global seed).
        first_epoch, num_epochs: epochs ``first_epoch .. first_epoch + num_epochs - 1``;
            ``num_epochs=None`` repeats forever. With ``keras.Model.fit`` pass the same
            ``steps_per_epoch`` to ``fit`` and ``initial_epoch=first_epoch``.
        steps_per_epoch: batches per epoch; default ``len(files) // batch_size`` (rounded up when not
            ``drop_remainder``). More than one pass over the pairs adds fresh permutations.
        drop_remainder: drop an epoch's last partial batch (static batch size).
        validate: run :func:`check_files` first (every file decoded once by the decoder used here;
            files already checked unchanged are not decoded again).
        exposure: random exposure of the ``a`` side (RGB input) after scaling: gain and gamma each
            log-uniform in ``[1/(1+exposure), 1+exposure]`` (:func:`exposure_jitter`); 0 turns it off.
        keep_aspect: resize each pair's shorter side to ``load_size`` (``image_size`` without
            ``jitter``, then the centre ``image_size`` square) instead of squashing it to a square:
            for camera frames that are wider than tall. Needs the memory cache (or none).

    Returns:
        A ``tf.data.Dataset`` of ``(a, b)`` batches, prefetched, with its length (``len()``) set.
    """
    _check_arguments(files, batch_size, image_size, load_size, jitter, num_epochs, first_epoch,
                     steps_per_epoch, cache, keep_aspect)
    if validate:
        check_files(files, image_size=image_size, load_size=load_size, jitter=jitter)
    n = len(files)
    per_epoch = steps_per_epoch * batch_size if steps_per_epoch else (
        n // batch_size * batch_size if drop_remainder else n)
    if per_epoch == 0:
        raise ValueError(f"{files.source}: {n} pairs make no batch of {batch_size}; lower batch_size "
                         "or set steps_per_epoch")
    size = load_size if jitter else image_size
    decoded = _decoded_pairs(files, size, keep_aspect)
    if isinstance(cache, bool):
        source = decoded.cache() if cache else decoded
        epoch_stream, fetch = _indexed_epochs(source, n, per_epoch, seed, shuffle)
    else:
        epoch_stream, fetch = _windowed_epochs(_file_cache(decoded, files, size, cache), n, per_epoch,
                                               seed, shuffle)

    def finish(*element):
        epoch, position, a, b = fetch(*element)
        element_seed = _stream_seed(seed, epoch, _AUGMENTATION, position)
        if keep_aspect and not jitter:
            a, b = _centre_square(a, image_size), _centre_square(b, image_size)
        a, b = augment_pair(a, b, element_seed, image_size, jitter, flip)  # on the small stored values
        a, b = to_unit_range(a, files.a_spec), to_unit_range(b, files.b_spec)
        if exposure:
            a = exposure_jitter(a, _stream_seed(seed, epoch, _EXPOSURE, position), exposure)
        return a, b

    def finished(stream):
        return stream.map(finish, num_parallel_calls=AUTOTUNE, deterministic=True)

    epochs = _epoch_numbers(first_epoch, num_epochs)
    if per_epoch % batch_size == 0:  # batches never straddle epochs: one parallel map over the run
        batches = finished(epochs.flat_map(epoch_stream)).batch(batch_size, drop_remainder=True)
    else:
        batches = epochs.flat_map(lambda epoch: finished(epoch_stream(epoch)).batch(batch_size))
    steps = math.ceil(per_epoch / batch_size)  # known length: Keras shows progress, len() works
    total = tf.data.INFINITE_CARDINALITY if num_epochs is None else steps * num_epochs
    return batches.apply(tf.data.experimental.assert_cardinality(total)).prefetch(AUTOTUNE)


def _centre_square(image, side: int) -> tf.Tensor:
    """The centre ``side`` x ``side`` crop of an image at least that large: ``(side, side, C)``."""
    top, left = (tf.shape(image)[0] - side) // 2, (tf.shape(image)[1] - side) // 2
    return tf.ensure_shape(image[top:top + side, left:left + side], [side, side, image.shape[-1]])


def eval_dataset(files: PairedFiles, image_size: int = 256, batch_size: int = 1,
                 validate: bool = True, keep_aspect: bool = False) -> tf.data.Dataset:
    """One ordered pass for evaluation: every pair resized to ``image_size`` squared (with
    ``keep_aspect``: shorter side to ``image_size``, then the centre square), no jitter, no flip, last
    batch kept; float32 ``(B, S, S, Ca)``, ``(B, S, S, Cb)`` in ``[-1, 1]``."""
    return paired_dataset(files, batch_size=batch_size, image_size=image_size, load_size=None,
                          jitter=False, flip=False, shuffle=False, cache=False, num_epochs=1,
                          drop_remainder=False, validate=validate, keep_aspect=keep_aspect)
