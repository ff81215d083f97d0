"""thermal_keras.data: exact decoding and scaling, registered jitter, deterministic resumable epochs."""

import numpy as np
import pytest
import tensorflow as tf
from image_files import save
from PIL import Image

from data_loaders.common import RGB_SPEC, DatasetError, ImageSpec, PairedFiles
from thermal_keras.data import pipeline

COUNTS_SPEC = ImageSpec(channels=1, bit_depth=16, value_range=(20000, 40000), counts_per_kelvin=100)


def registered_pairs(tmp_path, n=6, h=40, w=40, seed=0):
    """Random RGB A with B = A's red channel (grey PNG): registered pixel for pixel."""
    rng = np.random.default_rng(seed)
    a_paths, b_paths, arrays = [], [], []
    for i in range(n):
        a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        arrays.append(a)
        a_paths.append(save(tmp_path / "A" / f"{i:02d}.png", a))
        b_paths.append(save(tmp_path / "B" / f"{i:02d}.png", a[..., 0]))
    files = PairedFiles(tuple(a_paths), tuple(b_paths), RGB_SPEC, ImageSpec(channels=1), source="fixture")
    return files, arrays


def constant_pairs(tmp_path, n=5, size=8):
    """Pair i is a constant image of value 10 * i (A and B), so an element names its pair."""
    a_paths, b_paths = [], []
    for i in range(n):
        a_paths.append(save(tmp_path / "A" / f"{i}.png", np.full((size, size, 3), 10 * i, np.uint8)))
        b_paths.append(save(tmp_path / "B" / f"{i}.png", np.full((size, size), 10 * i, np.uint8)))
    return PairedFiles(tuple(a_paths), tuple(b_paths), RGB_SPEC, ImageSpec(channels=1), source="constant")


def pair_ids(batch):
    """Which constant pair each element of an ``a`` batch is."""
    return [int(round((float(x.mean()) + 1) * 127.5 / 10)) for x in batch.numpy()]


def as_arrays(dataset):
    return [(a.numpy(), b.numpy()) for a, b in dataset]


# --- decoding and value mapping ----------------------------------------------------------------

def test_16bit_png_and_tiff_decode_exactly_to_the_scaled_counts(tmp_path):
    raw = np.array([[0, 19999, 20000, 25000], [30000, 39999, 40000, 65535]], np.uint16)
    expected = np.clip((raw.astype(np.float64) - 20000) / 20000 * 2 - 1, -1, 1)[..., None]
    for path in (save(tmp_path / "c.png", raw), save(tmp_path / "c.tiff", raw)):
        assert np.array_equal(pipeline.decode_file_values(path, COUNTS_SPEC).numpy()[..., 0], raw)
        x = pipeline.load_image(path, COUNTS_SPEC).numpy()
        assert x.dtype == np.float32 and x.shape == (2, 4, 1)
        np.testing.assert_allclose(x, expected, atol=1e-6)
    assert x[0, 0, 0] == -1.0 and x[1, 3, 0] == 1.0  # clipped outside the range, never /255


def test_8bit_scaling_and_grey_reduction(tmp_path):
    values = np.arange(256, dtype=np.uint8).reshape(16, 16)
    grey3 = save(tmp_path / "g3.png", np.repeat(values[..., None], 3, -1))
    x = pipeline.load_image(grey3, ImageSpec(channels=1)).numpy()
    np.testing.assert_allclose(x[..., 0], values / 127.5 - 1, atol=1e-7)
    tiled = pipeline.load_image(save(tmp_path / "g1.png", values), RGB_SPEC).numpy()
    assert tiled.shape == (16, 16, 3) and np.array_equal(tiled[..., 0], tiled[..., 2])


def test_load_image_works_inside_a_graph(tmp_path):
    raw = np.full((3, 5), 30000, np.uint16)
    path = save(tmp_path / "t.tiff", raw)
    load = tf.function(lambda p: pipeline.load_image(p, COUNTS_SPEC))
    out = load(tf.constant(path))
    assert out.shape == (3, 5, 1) and float(out[0, 0, 0]) == pytest.approx(0.0, abs=1e-6)


def test_to_file_values_and_celsius_invert_the_scaling(tmp_path):
    raw = np.array([[20000, 27315, 30000, 39999]], np.uint16)
    x = pipeline.load_image(save(tmp_path / "r.png", raw), COUNTS_SPEC)
    np.testing.assert_allclose(pipeline.to_file_values(x, COUNTS_SPEC).numpy()[..., 0], raw, atol=0.01)
    np.testing.assert_allclose(pipeline.to_celsius(x, COUNTS_SPEC).numpy()[0, :, 0],
                               raw[0] / 100 - 273.15, atol=1e-3)
    np.testing.assert_allclose(pipeline.to_file_values(np.array([-1.0, 0.0, 1.0]), RGB_SPEC), [0, 127.5, 255])
    with pytest.raises(ValueError, match="counts_per_kelvin"):
        pipeline.to_celsius(x, ImageSpec(channels=1, bit_depth=16, value_range=(0, 1000)))


# --- the training pipeline ---------------------------------------------------------------------

def test_shapes_dtypes_and_range(tmp_path):
    files, _ = registered_pairs(tmp_path, n=5)
    dataset = pipeline.paired_dataset(files, batch_size=2, image_size=32, load_size=36, num_epochs=2)
    batches = list(dataset)
    assert len(batches) == len(dataset) == 4  # 5 // 2 per epoch, remainder dropped
    a, b = batches[0]
    assert a.shape == (2, 32, 32, 3) and b.shape == (2, 32, 32, 1)
    assert a.dtype == tf.float32 and b.dtype == tf.float32
    assert all(float(tf.reduce_min(x)) >= -1 and float(tf.reduce_max(x)) <= 1 for x, _ in batches)


@pytest.mark.parametrize("load_size", [None, 36])
def test_jitter_keeps_pairs_registered(tmp_path, load_size):
    files, _ = registered_pairs(tmp_path)
    for a, b in pipeline.paired_dataset(files, batch_size=3, image_size=24, load_size=load_size, num_epochs=3):
        np.testing.assert_allclose(b.numpy(), a.numpy()[..., :1], atol=1e-6)


def test_crop_and_flip_apply_the_same_window_to_both(tmp_path):
    files, arrays = registered_pairs(tmp_path, n=4, h=40, w=40)
    seen_flips = set()
    for a, b in pipeline.paired_dataset(files, batch_size=1, image_size=32, load_size=None, shuffle=False,
                                    num_epochs=4):
        a8 = np.rint((a.numpy()[0] + 1) * 127.5).astype(np.uint8)
        match = [(i, dy, dx, flipped) for i, src in enumerate(arrays) for flipped in (False, True)
                 for dy in range(9) for dx in range(9)
                 if np.array_equal((src[:, ::-1] if flipped else src)[dy:dy + 32, dx:dx + 32], a8)]
        assert len(match) == 1  # A is exactly one window of one source, maybe mirrored
        seen_flips.add(match[0][3])
        np.testing.assert_allclose(b.numpy()[0], a.numpy()[0][..., :1], atol=1e-6)
    assert seen_flips == {False, True}


def test_every_epoch_is_a_permutation_and_epochs_differ(tmp_path):
    files = constant_pairs(tmp_path, n=5)
    ds = pipeline.paired_dataset(files, batch_size=5, image_size=8, load_size=None, jitter=False, flip=False,
                             num_epochs=4)
    orders = [pair_ids(a) for a, _ in ds]
    assert all(sorted(order) == [0, 1, 2, 3, 4] for order in orders)
    assert len({tuple(order) for order in orders}) > 1


def test_resumed_epochs_equal_the_uninterrupted_run(tmp_path):
    files, _ = registered_pairs(tmp_path, n=6)
    kwargs = dict(batch_size=2, image_size=24, load_size=30, seed=7)
    full = as_arrays(pipeline.paired_dataset(files, first_epoch=0, num_epochs=3, **kwargs))
    steps = 3  # 6 // 2 per epoch
    tf.random.set_seed(999)  # a different global seed must not matter
    resumed = as_arrays(pipeline.paired_dataset(files, first_epoch=2, num_epochs=1, **kwargs))
    assert len(full) == 3 * steps and len(resumed) == steps
    for (a_full, b_full), (a_resumed, b_resumed) in zip(full[2 * steps:], resumed):
        np.testing.assert_array_equal(a_full, a_resumed)
        np.testing.assert_array_equal(b_full, b_resumed)
    assert not np.array_equal(full[0][0], full[steps][0])  # epochs are not copies of each other
    other_seed = as_arrays(pipeline.paired_dataset(files, first_epoch=2, num_epochs=1, **{**kwargs, "seed": 8}))
    assert any(not np.array_equal(x[0], y[0]) for x, y in zip(resumed, other_seed))


def test_infinite_run_and_long_epochs(tmp_path):
    files = constant_pairs(tmp_path, n=3)
    ds = pipeline.paired_dataset(files, batch_size=2, image_size=8, load_size=None, jitter=False, flip=False,
                             num_epochs=None, steps_per_epoch=3)
    assert ds.cardinality() == tf.data.INFINITE_CARDINALITY
    first_epochs = [pair_ids(a) for a, _ in ds.take(6)]
    per_epoch = [sum(first_epochs[i:i + 3], []) for i in (0, 3)]
    for ids in per_epoch:  # 6 elements from 3 pairs: two fresh permutations back to back
        assert sorted(ids[:3]) == [0, 1, 2] and sorted(ids[3:]) == [0, 1, 2]


def test_partial_last_batch_stays_in_its_epoch(tmp_path):
    files = constant_pairs(tmp_path, n=5)
    ds = pipeline.paired_dataset(files, batch_size=2, image_size=8, load_size=None, jitter=False, flip=False,
                             num_epochs=2, drop_remainder=False)
    sizes = [int(a.shape[0]) for a, _ in ds]
    assert sizes == [2, 2, 1, 2, 2, 1] and len(ds) == 6


def test_file_cache_is_written_once_and_resumable(tmp_path):
    files, _ = registered_pairs(tmp_path / "data", n=6)
    cache = tmp_path / "cache" / "pairs"
    kwargs = dict(batch_size=2, image_size=24, load_size=30, seed=3, cache=str(cache))
    cache.parent.mkdir()  # a fill that crashed leaves a lock file that would block the next one
    stale_lock = pipeline.file_cache_name(files, 30, cache) + "_0.lockfile"
    open(stale_lock, "w").close()
    full = as_arrays(pipeline.paired_dataset(files, num_epochs=2, **kwargs))
    written = sorted(p.name for p in cache.parent.iterdir())
    assert any(name.endswith(".index") for name in written)
    resumed = as_arrays(pipeline.paired_dataset(files, first_epoch=1, num_epochs=1, **kwargs))
    for (a_full, _), (a_resumed, _) in zip(full[3:], resumed):
        np.testing.assert_array_equal(a_full, a_resumed)
    for a, b in full:
        np.testing.assert_allclose(b, a[..., :1], atol=1e-6)
    assert sorted(p.name for p in cache.parent.iterdir()) == written  # reused, not rewritten


def test_eval_dataset_is_ordered_and_keeps_the_last_batch(tmp_path):
    files = constant_pairs(tmp_path, n=5, size=12)
    batches = list(pipeline.eval_dataset(files, image_size=8, batch_size=2))
    assert [pair_ids(a) for a, _ in batches] == [[0, 1], [2, 3], [4]]
    assert batches[0][0].shape == (2, 8, 8, 3) and batches[0][1].shape == (2, 8, 8, 1)


def test_bad_file_fails_before_the_pipeline_is_built(tmp_path):
    files, _ = registered_pairs(tmp_path, n=3)
    with open(files.b_paths[1], "r+b") as f:
        f.truncate(60)
    with pytest.raises(DatasetError, match="01.png"):
        pipeline.paired_dataset(files, batch_size=1, image_size=24, load_size=None)


def test_argument_errors_name_the_argument(tmp_path):
    files, _ = registered_pairs(tmp_path, n=2)
    with pytest.raises(ValueError, match="load_size"):
        pipeline.paired_dataset(files, image_size=32, load_size=16, validate=False)
    with pytest.raises(ValueError, match="batch"):
        pipeline.paired_dataset(files, batch_size=3, image_size=32, validate=False)
    with pytest.raises(TypeError, match="PairedFiles"):
        pipeline.paired_dataset([("a.png", "b.png")])


def test_llvip_sample_through_the_pipeline(llvip_sample_root):
    from data_loaders.llvip import llvip

    files = llvip(llvip_sample_root).subset(range(4))
    a, b = next(iter(pipeline.eval_dataset(files, image_size=64, batch_size=4)))
    assert a.shape == (4, 64, 64, 3) and b.shape == (4, 64, 64, 1)
    full = pipeline.load_image(files.b_paths[0], files.b_spec).numpy()
    reference = np.asarray(Image.open(files.b_paths[0]))[..., 0] / 127.5 - 1
    assert full.shape == (1024, 1280, 1) and np.abs(full[..., 0] - reference).max() <= 2.5 / 127.5
