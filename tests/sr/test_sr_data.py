"""Super-resolution data: HR folders, the NIH ChestX-ray14 layout, on-the-fly bicubic LR crops."""

import numpy as np
import pytest
from PIL import Image

from data_loaders.common import DatasetError
from data_loaders.hr_folder import hr_folder
from data_loaders.nih_chestxray import nih_chestxray
from tests.image_files import save
from thermal_keras.sr.data import (
    SKIMAGE_EVAL_NAMES,
    downscale_bicubic,
    skimage_eval_images,
    sr_dataset,
    upscale_bicubic,
)


def photo_folder(tmp_path, sizes=((80, 100), (72, 90)), grey=False):
    rng = np.random.default_rng(0)
    for i, (h, w) in enumerate(sizes):
        y, x = np.mgrid[:h, :w]
        image = (127 + 100 * np.sin(x / 7.0 + i) * np.cos(y / 5.0))[..., None] + rng.normal(0, 5, (h, w, 3))
        image = np.clip(image, 0, 255).astype(np.uint8)
        save(tmp_path / "hr" / f"img{i}.png", image[..., 0] if grey else image)
    return tmp_path / "hr"


def test_bicubic_downscale_is_antialiased_like_pil():
    rng = np.random.default_rng(1)
    image = rng.random((64, 64)).astype(np.float32)  # noise: aliasing would show most here
    ours = downscale_bicubic(image[..., None], 4).numpy()[..., 0]
    pil = np.asarray(Image.fromarray(image, mode="F").resize((16, 16), Image.BICUBIC))
    assert ours.shape == (16, 16)
    np.testing.assert_allclose(ours[2:-2, 2:-2], np.clip(pil, 0, 1)[2:-2, 2:-2], atol=2e-3)
    naive = image[1::4, 1::4]  # without antialiasing the noise survives at full strength
    assert ours.std() < 0.5 * naive.std()


def test_bicubic_round_trip_keeps_a_constant_image():
    flat = np.full((1, 32, 48, 3), 0.37, np.float32)
    np.testing.assert_allclose(upscale_bicubic(downscale_bicubic(flat, 4), 4).numpy(), flat, atol=1e-6)


def test_sr_dataset_pairs_crops_with_their_bicubic_lr(tmp_path):
    folder = hr_folder(photo_folder(tmp_path))
    assert folder.spec.channels == 3 and folder.spec.bit_depth == 8
    lr, hr = next(iter(sr_dataset(folder.paths, folder.spec, hr_size=32, scale=4, batch_size=3)))
    assert lr.shape == (3, 8, 8, 3) and hr.shape == (3, 32, 32, 3)
    assert 0.0 <= float(np.min(hr)) and float(np.max(hr)) <= 1.0 and float(np.std(hr)) > 0.05
    np.testing.assert_allclose(lr.numpy(), downscale_bicubic(hr, 4).numpy(), atol=1e-6)


def test_sr_dataset_is_seeded(tmp_path):
    folder = hr_folder(photo_folder(tmp_path))

    def first(seed):
        return next(iter(sr_dataset(folder.paths, folder.spec, hr_size=32, scale=2, batch_size=4, seed=seed)))[1]

    np.testing.assert_array_equal(first(3), first(3))
    assert not np.array_equal(first(3), first(4))


def test_gain_brightens_dark_crops(tmp_path):
    folder = hr_folder(photo_folder(tmp_path))
    args = dict(hr_size=32, scale=4, batch_size=4, flip=False)
    plain = next(iter(sr_dataset(folder.paths, folder.spec, **args)))[1].numpy()
    bright = next(iter(sr_dataset(folder.paths, folder.spec, gain=(2.0, 2.0), **args)))[1].numpy()
    np.testing.assert_allclose(bright, np.clip(plain * 2, 0, 1), atol=1e-6)


def test_too_small_images_and_bad_sizes_fail_before_work(tmp_path):
    folder = hr_folder(photo_folder(tmp_path, sizes=((80, 100), (40, 90))))
    with pytest.raises(DatasetError, match="img1.png: 90x40 is smaller"):
        sr_dataset(folder.paths, folder.spec, hr_size=48, scale=4)
    with pytest.raises(ValueError, match="multiple of scale"):
        sr_dataset(folder.paths, folder.spec, hr_size=30, scale=4)
    with pytest.raises(DatasetError, match="not found"):
        hr_folder(tmp_path / "missing")


def test_grey_folders_give_one_channel(tmp_path):
    folder = hr_folder(photo_folder(tmp_path, grey=True))
    assert folder.spec.channels == 1
    lr, _ = next(iter(sr_dataset(folder.paths, folder.spec, hr_size=32, scale=2, batch_size=2)))
    assert lr.shape == (2, 16, 16, 1)


def test_16_bit_thermal_from_the_synthetic_set_uses_its_count_range(tmp_path):
    from data_loaders import synthetic
    from data_loaders.images import read_image

    root = synthetic.write_dataset(tmp_path / "syn", splits={"train": 2}, size=48, layout="flir_v1")
    folder = hr_folder(root / "train" / "thermal_16_bit")
    spec = folder.spec
    assert (spec.channels, spec.bit_depth) == (1, 16) and folder.extras["value_range_from"] == "dataset.json"
    _, hr = next(iter(sr_dataset(folder.paths[:1], spec, hr_size=48, scale=4, batch_size=1, flip=False)))
    low, high = spec.value_range
    expected = np.clip((read_image(folder.paths[0]).astype(np.float64) - low) / (high - low), 0, 1)
    np.testing.assert_allclose(hr.numpy()[0], expected, atol=1e-5)


def nih_root(tmp_path):
    root = tmp_path / "nih"
    names = ["00000001_000.png", "00000002_000.png", "00000003_001.png"]
    for i, name in enumerate(names):
        save(root / f"images_00{i % 2 + 1}" / "images" / name, np.full((40, 40), 50 * i, np.uint8))
    (root / "train_val_list.txt").write_text("00000001_000.png\n00000003_001.png\n")
    (root / "test_list.txt").write_text("00000002_000.png\n00000009_000.png\n")
    (root / "Data_Entry_2017_v2020.csv").write_text(
        "Image Index,Finding Labels,Follow-up #\n00000001_000.png,No Finding,0\n"
        "00000002_000.png,Effusion|Mass,0\n00000003_001.png,Mass,1\n")
    return root


def test_nih_layout_reads_the_official_split(tmp_path):
    root = nih_root(tmp_path)
    train = nih_chestxray(root, "train")
    assert [p.split("/")[-1] for p in train.paths] == ["00000001_000.png", "00000003_001.png"]
    assert train.spec.channels == 1 and train.spec.bit_depth == 8
    assert [p.split("/")[-1] for p in nih_chestxray(root, "train", finding="Mass").paths] == ["00000003_001.png"]


def test_nih_missing_listed_images_are_an_error_or_skipped(tmp_path):
    root = nih_root(tmp_path)
    with pytest.raises(DatasetError, match="test_list.txt: 1 listed image"):
        nih_chestxray(root, "test")
    assert len(nih_chestxray(root, "test", on_missing="skip")) == 1
    with pytest.raises(ValueError, match="split"):
        nih_chestxray(root, "val")


def test_llvip_visible_photographs_feed_the_sr_pipeline(llvip_sample_root):
    folder = hr_folder(llvip_sample_root / "visible" / "train", min_size=96)
    assert len(folder) == 32 and folder.spec.channels == 3
    lr, hr = next(iter(sr_dataset(folder.paths[:2], folder.spec, hr_size=96, scale=4, batch_size=2)))
    assert lr.shape == (2, 24, 24, 3) and hr.shape == (2, 96, 96, 3)


def test_skimage_eval_set_is_offline_and_cut_to_the_scale():
    images = skimage_eval_images(scale=4)
    assert list(images) == list(SKIMAGE_EVAL_NAMES)
    for image in images.values():
        assert image.shape[0] % 4 == 0 and image.shape[1] % 4 == 0 and image.shape[2] == 3
        assert image.dtype == np.float32 and 0 <= image.min() and image.max() <= 1
    assert skimage_eval_images(("chelsea",), channels=1, scale=8)["chelsea"].shape == (296, 448, 1)
