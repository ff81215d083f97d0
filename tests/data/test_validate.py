"""validate_pairs: every bad input gives one DatasetError that names the file, before training."""

from pathlib import Path

import numpy as np
import pytest
from image_files import save
from PIL import Image

from data_loaders.common import RGB_SPEC, DatasetError, ImageSpec, PairedFiles
from data_loaders.validate import MAX_LISTED, check_file, validate_pairs

THERMAL_16 = ImageSpec(channels=1, bit_depth=16, value_range=(0, 65535))
THERMAL_8 = ImageSpec(channels=1, bit_depth=8)


def rgb(h=32, w=32, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def grey(h=32, w=32, seed=0):
    return rgb(h, w, seed)[..., 0]


def pairs(a_paths, b_paths, b_spec=THERMAL_8, a_spec=RGB_SPEC):
    return PairedFiles(tuple(a_paths), tuple(b_paths), a_spec=a_spec, b_spec=b_spec, source="fixture")


def good_pair(tmp_path, name="good", b_spec=THERMAL_8):
    a = save(tmp_path / "A" / f"{name}.png", rgb())
    target = grey() if b_spec.bit_depth == 8 else grey().astype(np.uint16) * 200
    b = save(tmp_path / "B" / f"{name}.png", target)
    return a, b


def assert_rejected(files, *names, **kwargs):
    with pytest.raises(DatasetError) as err:
        validate_pairs(files, **kwargs)
    for name in names:
        assert name in str(err.value)
    return str(err.value)


def test_good_pairs_pass_and_report_sizes(tmp_path):
    a, b = good_pair(tmp_path)
    a16, b16 = good_pair(tmp_path / "sixteen", b_spec=THERMAL_16)
    infos = validate_pairs(pairs([a], [b]))
    assert [(i.width, i.height, i.channels) for i in infos[0]] == [(32, 32, 3), (32, 32, 1)]
    validate_pairs(pairs([a16], [b16], b_spec=THERMAL_16))


def test_missing_file_is_named(tmp_path):
    a, _ = good_pair(tmp_path)
    assert_rejected(pairs([a], [str(tmp_path / "B" / "gone.png")]), "gone.png", "not found")


def test_truncated_jpeg_is_named(tmp_path):
    a, b = good_pair(tmp_path)
    broken = save(tmp_path / "A" / "broken.jpg", rgb(64, 64), quality=95)
    data = Path(broken).read_bytes()
    Path(broken).write_bytes(data[: len(data) // 2])
    assert_rejected(pairs([a, broken], [b, b]), "broken.jpg", "truncated")


def test_truncated_tiff_is_named(tmp_path):
    a, _ = good_pair(tmp_path)
    broken = save(tmp_path / "B" / "cut.tiff", grey(64, 64).astype(np.uint16) * 200)
    data = Path(broken).read_bytes()
    Path(broken).write_bytes(data[: len(data) // 2])
    assert_rejected(pairs([a], [broken], b_spec=THERMAL_16), "cut.tiff", "cannot be decoded")


def test_not_an_image_is_named(tmp_path):
    a, _ = good_pair(tmp_path)
    junk = tmp_path / "B" / "junk.png"
    junk.write_bytes(b"this is not a png")
    assert_rejected(pairs([a], [str(junk)]), "junk.png", "not a readable image")


def test_8bit_file_where_16bit_is_expected(tmp_path):
    a, b8 = good_pair(tmp_path)
    message = assert_rejected(pairs([a], [b8], b_spec=THERMAL_16), "good.png")
    assert "8-bit file but the B spec says 16-bit" in message


def test_16bit_file_where_8bit_is_expected(tmp_path):
    a, _ = good_pair(tmp_path)
    b16 = save(tmp_path / "B" / "deep.tiff", grey().astype(np.uint16) * 200)
    assert_rejected(pairs([a], [b16]), "deep.tiff", "16-bit file but the B spec says 8-bit")


def test_rgb_side_must_be_8bit(tmp_path):
    _, b = good_pair(tmp_path)
    a16 = save(tmp_path / "A" / "rgb16.tiff", rgb().astype(np.uint16) * 200)
    assert_rejected(pairs([a16], [b]), "rgb16.tiff", "RGB side must be 8-bit")


def test_unsupported_sample_type(tmp_path):
    a, _ = good_pair(tmp_path)
    floats = save(tmp_path / "B" / "kelvin.tiff", np.full((32, 32), 300.0, np.float32))
    assert_rejected(pairs([a], [floats]), "kelvin.tiff", "float32")


def test_colour_image_cannot_become_one_thermal_channel(tmp_path):
    a, _ = good_pair(tmp_path)
    colour = save(tmp_path / "B" / "ironbow.png", rgb(seed=5))
    assert_rejected(pairs([a], [colour]), "ironbow.png", "colour image")
    grey3 = save(tmp_path / "B" / "grey3.jpg", np.repeat(grey()[..., None], 3, -1), quality=90)
    assert check_file(grey3, THERMAL_8, "B")[1] == []  # 3-channel grey is convertible


def test_two_channel_image_cannot_become_thermal_or_rgb(tmp_path):
    a, _ = good_pair(tmp_path)
    grey_alpha = np.stack([grey(), np.full((32, 32), 255, np.uint8)], -1)
    la = tmp_path / "B" / "la.png"
    Image.fromarray(grey_alpha, mode="LA").save(la)
    assert_rejected(pairs([a], [str(la)]), "la.png", "2-channel image cannot be converted")
    assert_rejected(pairs([str(la)], [str(la)]), "la.png", "to the A spec's 3 channel")


def test_image_smaller_than_the_crop(tmp_path):
    a = save(tmp_path / "A" / "small.png", rgb(20, 40))
    b = save(tmp_path / "B" / "small.png", grey(20, 40))
    assert_rejected(pairs([a], [b]), "small.png", "smaller than the 32x32 crop", min_size=32)
    validate_pairs(pairs([a], [b]), min_size=20)


def test_pair_sizes_must_match_when_asked(tmp_path):
    a = save(tmp_path / "A" / "wide.png", rgb(32, 48))
    b = save(tmp_path / "B" / "narrow.png", grey(32, 32))
    assert_rejected(pairs([a], [b]), "wide.png", "narrow.png", "48x32", "32x32")
    validate_pairs(pairs([a], [b]), sizes_must_match=False)


def test_problems_are_collected_into_one_error_with_the_total(tmp_path):
    a, b = good_pair(tmp_path)
    bad = [str(tmp_path / "B" / f"missing{i:02d}.png") for i in range(MAX_LISTED + 3)]
    message = assert_rejected(pairs([a] * (len(bad) + 1), [b] + bad), "missing00.png", "fixture")
    assert f"{len(bad)} problem(s) in {len(bad) + 1} pairs" in message
    assert "... and 3 more" in message
    assert "missing10.png" not in message  # only the first few are listed
