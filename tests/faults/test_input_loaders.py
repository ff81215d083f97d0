"""The dataset loaders and validation called directly: each bad file is named in one DatasetError, a
file changed after it passed is checked again, and the held-out split is checked too."""

from __future__ import annotations

from pathlib import Path

from bad_datasets import SIZE, cut, dataset, grey, hr_dir, pairs, rgb, write_pairs
from image_files import save
import numpy as np
from PIL import Image
import pytest
import tifffile

from data_loaders import validate
from data_loaders.common import DatasetError
from data_loaders.hr_folder import hr_folder
from data_loaders.images import probe_image, read_image
from data_loaders.llvip import llvip
from data_loaders.paired import paired_folder
from data_loaders.tno import tno
from thermal_keras.data import pipeline
from thermal_keras.data.sources import check_before_training, load_split, train_and_eval_pairs


def test_validation_uses_the_training_decoder():
    assert validate.training_decoder() is pipeline.decode_values_now


def test_a_decoder_failure_is_reported_with_the_file(tmp_path):
    a, b = save(tmp_path / "A/0.png", rgb()), save(tmp_path / "B/0.png", grey())

    def refuses(path, spec):
        raise DatasetError(f"{path}: refused by the decoder under test")

    with pytest.raises(DatasetError, match=r"A/0.png: refused by the decoder under test"):
        validate.validate_pairs(pairs([a], [b]), decode=refuses)


def test_a_file_changed_after_passing_is_checked_again(tmp_path):
    a, b = save(tmp_path / "A/0.png", rgb()), save(tmp_path / "B/0.png", grey())
    files = pairs([a], [b])
    validate.validate_pairs(files)
    cut(Path(b), 0.4)
    with pytest.raises(DatasetError, match=r"B/0.png: .*truncated"):
        validate.validate_pairs(files)


def test_probe_and_read_refuse_a_multi_page_tiff(tmp_path):
    path = save(tmp_path / "stack.tif", np.zeros((64, SIZE, SIZE), np.uint16))
    for reader in (probe_image, read_image):
        with pytest.raises(DatasetError, match=r"stack.tif: multi-page TIFF \(64 pages\)"):
            reader(path)


def test_planar_rgb_tiff_reads_samples_last(tmp_path):
    image = rgb(3)
    path = tmp_path / "planar.tif"
    tifffile.imwrite(path, np.moveaxis(image, -1, 0), photometric="rgb", planarconfig="separate")
    info = probe_image(path)
    assert (info.width, info.height, info.channels) == (SIZE, SIZE, 3)
    np.testing.assert_array_equal(read_image(path), image)


def test_paired_folder_refuses_a_colour_target_unless_asked(tmp_path):
    write_pairs(tmp_path)
    save(tmp_path / "B/0.png", rgb(3))
    with pytest.raises(DatasetError, match=r"B/0.png: 3-channel colour image on the thermal"):
        paired_folder(tmp_path)
    assert paired_folder(tmp_path, b_channels=None).b_spec.channels == 3


def test_load_split_names_a_missing_split_folder(tmp_path):
    root = dataset(tmp_path)
    with pytest.raises(DatasetError, match=r"data/val: split folder for split 'val' not found \(beside it: train\)"):
        load_split(root, "paired", "val")
    assert len(load_split(root, "paired", "train")) == 4


def test_train_and_eval_pairs_checks_the_held_out_split(tmp_path):
    from thermal_keras.pix2pix.config import Pix2PixConfig

    root = dataset(tmp_path, splits=("train", "test"))
    config = Pix2PixConfig(data=str(root), layout="paired", eval_split="test", image_size=32, load_size=0)
    train, held_out = train_and_eval_pairs(config)
    assert (len(train), len(held_out)) == (4, 4)
    cut(root / "test/A/3.png", 0.5)
    with pytest.raises(DatasetError, match=r"held-out split 'test': .*test/A/3.png"):
        train_and_eval_pairs(config)
    assert len(train_and_eval_pairs(config, check=False)[1]) == 4  # the listing alone does not decode


def test_check_before_training_applies_the_crop_rule_only_without_resize(tmp_path):
    import types

    folder = tmp_path / "small"
    save(folder / "A/0.png", rgb(0, 24, 24))
    save(folder / "B/0.png", grey(0, 24, 24))
    files = paired_folder(folder)
    config = types.SimpleNamespace(image_size=32, load_size=0, eval_split="test", train_split="train")
    with pytest.raises(DatasetError, match=r"A/0.png: 24x24 is smaller than the 32x32 crop"):
        check_before_training(config, files)
    held_out = paired_folder(write_pairs(tmp_path / "held_out", n=1))
    check_before_training(types.SimpleNamespace(**{**vars(config), "load_size": 36}), files, held_out)


def test_hr_folder_validates_every_file(tmp_path):
    root = hr_dir(tmp_path)
    assert len(hr_folder(root)) == 3
    cut(root / "1.png", 0.5)
    with pytest.raises(DatasetError, match=r"hr/1.png: .*truncated"):
        hr_folder(root)
    assert len(hr_folder(root, validate=False)) == 3


def test_tno_bmp_infrared_is_accepted_and_decodes(tmp_path):
    for folder in ("ir", "vi"):
        (tmp_path / folder).mkdir()
    for i in range(2):
        Image.fromarray(grey(i)).save(tmp_path / "ir" / f"{i}.bmp")
        Image.fromarray(grey(i + 10)).save(tmp_path / "vi" / f"{i}.bmp")
    files = tno(tmp_path)
    pipeline.check_files(files, image_size=32, load_size=None)
    a, b = next(iter(pipeline.eval_dataset(files, image_size=SIZE, batch_size=2, validate=False)))
    expected = np.stack([grey(0), grey(1)])[..., None] / 127.5 - 1
    np.testing.assert_allclose(b.numpy(), expected, atol=1e-6)


def test_llvip_loader_then_validation_names_the_infrared_file(tmp_path):
    for i in range(2):
        save(tmp_path / "visible/test" / f"{i:06d}.jpg", rgb(i))
        save(tmp_path / "infrared/test" / f"{i:06d}.jpg", np.repeat(grey(i)[..., None], 3, -1))
    files = llvip(tmp_path, split="test")
    pipeline.check_files(files, image_size=32, load_size=None)
    cut(tmp_path / "infrared/test/000001.jpg", 0.5)
    with pytest.raises(DatasetError, match=r"infrared/test/000001.jpg: .*truncated"):
        pipeline.check_files(files, image_size=32, load_size=None)
