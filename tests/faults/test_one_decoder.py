"""The two directions of "one decoder": validation decodes with the function training maps
(``pipeline.decode_values_now`` runs ``decode_file_values``), so what validation accepts, the training
pipeline decodes to the expected values, and the decoder faults it refuses, the unvalidated training
pipeline fails on too."""

from __future__ import annotations

from pathlib import Path

from bad_datasets import SIZE, THERMAL_16, counts, cut, grey, pairs, png_bytes_at, rgb, tiff_bytes_at
from image_files import save
import numpy as np
from PIL import Image
import pytest
import tensorflow as tf
import tifffile

from data_loaders import validate
from data_loaders.common import DatasetError, PairedFiles
from thermal_keras.data import pipeline


def _decode_all(files: PairedFiles):
    """Every pair through the unvalidated training pipeline (no resize, no jitter, in order)."""
    batches = pipeline.eval_dataset(files, image_size=SIZE, batch_size=len(files), validate=False)
    return next(iter(batches))


def accepted_png_named_jpg(tmp_path):
    a = png_bytes_at(tmp_path / "A/0.jpg", rgb(0))
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), rgb(0), grey(0)[..., None]


def accepted_grey_input(tmp_path):
    a = save(tmp_path / "A/0.png", grey(5))
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), np.repeat(grey(5)[..., None], 3, -1), \
        grey(0)[..., None]


def accepted_rgba_input(tmp_path):
    a = save(tmp_path / "A/0.png", np.concatenate([rgb(1), np.full((SIZE, SIZE, 1), 9, np.uint8)], -1))
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), rgb(1), grey(0)[..., None]


def accepted_three_channel_grey_target(tmp_path):
    b = save(tmp_path / "B/0.png", np.repeat(grey(2)[..., None], 3, -1))
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b]), rgb(0), grey(2)[..., None]


def accepted_grey_bmp_target(tmp_path):
    b = tmp_path / "B/0.bmp"
    b.parent.mkdir(parents=True)
    Image.fromarray(grey(3)).save(b)
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b]), rgb(0), grey(3)[..., None]


def accepted_rgb_bmp_grey_target(tmp_path):
    b = tmp_path / "B/0.bmp"
    b.parent.mkdir(parents=True)
    Image.fromarray(np.repeat(grey(4)[..., None], 3, -1)).save(b)
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b]), rgb(0), grey(4)[..., None]


def accepted_16bit_png_target(tmp_path):
    b = save(tmp_path / "B/0.png", counts(5))
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b], THERMAL_16), rgb(0), counts(5)[..., None]


def accepted_16bit_tiff_target(tmp_path):
    b = save(tmp_path / "B/0.tiff", counts(6))
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b], THERMAL_16), rgb(0), counts(6)[..., None]


def accepted_planar_rgb_tiff_input(tmp_path):
    a = tmp_path / "A/0.tif"
    a.parent.mkdir(parents=True)
    tifffile.imwrite(a, np.moveaxis(rgb(7), -1, 0), photometric="rgb", planarconfig="separate")
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), rgb(7), grey(0)[..., None]


ACCEPTED = [accepted_png_named_jpg, accepted_grey_input, accepted_rgba_input,
            accepted_three_channel_grey_target, accepted_grey_bmp_target, accepted_rgb_bmp_grey_target,
            accepted_16bit_png_target, accepted_16bit_tiff_target, accepted_planar_rgb_tiff_input]


@pytest.mark.parametrize("build", ACCEPTED, ids=lambda f: f.__name__[9:])
def test_what_validation_accepts_training_decodes_exactly(build, tmp_path):
    files, a_values, b_values = build(tmp_path)
    validate.validate_pairs(files)
    a, b = _decode_all(files)
    np.testing.assert_allclose(pipeline.to_file_values(a[0], files.a_spec).numpy(), a_values, atol=2e-3)
    np.testing.assert_allclose(pipeline.to_file_values(b[0], files.b_spec).numpy(), b_values,
                               atol=2e-3 * (257 if files.b_spec.bit_depth == 16 else 1))


def refused_tiff_named_jpg(tmp_path):
    a = tiff_bytes_at(tmp_path / "A/0.jpg", rgb(0))
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), "TIFF data in a file named .jpg"


def refused_jpeg_without_end_marker(tmp_path):
    a = Path(save(tmp_path / "A/0.jpg", rgb(0)))
    a.write_bytes(a.read_bytes()[:-2])
    return pairs([a], [save(tmp_path / "B/0.png", grey(0))]), "JPEG end marker is missing"


def refused_truncated_16bit_png(tmp_path):
    b = cut(Path(save(tmp_path / "B/0.png", counts(1))), 0.7)
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b], THERMAL_16), "truncated"


def refused_png_named_tiff(tmp_path):
    b = png_bytes_at(tmp_path / "B/0.tiff", grey(0))
    return pairs([save(tmp_path / "A/0.png", rgb(0))], [b]), "PNG data in a file named .tiff"


@pytest.mark.parametrize("build", [refused_tiff_named_jpg, refused_jpeg_without_end_marker,
                                   refused_truncated_16bit_png, refused_png_named_tiff],
                         ids=lambda f: f.__name__[8:])
def test_what_validation_refuses_training_cannot_decode(build, tmp_path):
    files, why = build(tmp_path)
    with pytest.raises(DatasetError) as refused:
        validate.validate_pairs(files)
    message = str(refused.value)
    assert "\n" not in message and why in message
    assert any(path in message for path in files.a_paths + files.b_paths)
    with pytest.raises((tf.errors.OpError, DatasetError)):  # unvalidated, training fails on it too
        _decode_all(files)
