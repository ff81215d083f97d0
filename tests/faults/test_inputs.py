"""Input faults ("Never lose a user's data", "Two decoders"): every bad dataset is refused before
training with one line that names the file and says what is wrong, exit status 2, no run folder and
no config.json written, and no file that was there before changed.

Validation decodes with the function training maps (``pipeline.decode_values_now`` runs
``decode_file_values``), so the properties at the end check both directions: what validation
accepts, the training pipeline decodes to the expected values; the decoder faults it refuses, the
unvalidated training pipeline fails on too.

Datasets are tiny (40x40 images, four pairs) and written here with PIL, tifffile and numpy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
import tifffile
from image_files import save
from PIL import Image

from data_loaders import validate
from data_loaders.common import RGB_SPEC, THERMAL_8BIT_SPEC, DatasetError, ImageSpec, PairedFiles
from data_loaders.hr_folder import hr_folder
from data_loaders.images import probe_image, read_image
from data_loaders.llvip import llvip
from data_loaders.paired import paired_folder
from data_loaders.tno import tno
from thermal_keras.data import pipeline
from thermal_keras.data.sources import check_before_training, load_split, train_and_eval_pairs

SIZE = 40
THERMAL_16 = ImageSpec(channels=1, bit_depth=16, value_range=(20000, 40000))
PIX2PIX = ["train", "pix2pix", "--layout", "paired", "--image-size", "32", "--load-size", "0",
           "--generator", "unet", "--num-downs", "5", "--ngf", "4", "--ndf", "4",
           "--discriminator", "n_layers", "--n-layers-d", "1", "--batch-size", "2", "--epochs", "1",
           "--decay-epochs", "0", "--eval-split", ""]
SRGAN = ["train", "srgan", "--hr-size", "32", "--scale", "4", "--batch-size", "2", "--num-channels", "4",
         "--num-blocks", "1", "--pretrain-steps", "1", "--gan-steps", "0", "--steps-per-epoch", "1",
         "--perceptual", "", "--eval-data", ""]
FUSION = ["train", "fusiongan", "--layout", "paired", "--image-size", "32", "--load-size", "0",
          "--ngf", "4", "--ndf", "4", "--epochs", "1", "--batch-size", "2", "--eval-split", ""]


# --- tiny images and datasets -------------------------------------------------------------------

def rgb(seed=0, h=SIZE, w=SIZE):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def grey(seed=0, h=SIZE, w=SIZE):
    return np.random.default_rng(seed + 100).integers(0, 256, (h, w), dtype=np.uint8)


def counts(seed=0, h=SIZE, w=SIZE):
    return np.random.default_rng(seed + 200).integers(20000, 40000, (h, w), dtype=np.uint16)


def write_pairs(folder: Path, n=4, b16=False, a_ext="png", b_ext="png", first=0):
    for i in range(first, first + n):
        save(folder / "A" / f"{i}.{a_ext}", rgb(i))
        save(folder / "B" / f"{i}.{b_ext}", counts(i) if b16 else grey(i))
    return folder


def dataset(tmp_path, splits=("train",), **kwargs) -> Path:
    root = tmp_path / "data"
    for split in splits:
        write_pairs(root / split, **kwargs)
    return root


def cut(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: max(1, int(len(data) * keep))])
    return path


def replace(old: Path, new: Path, array, **kwargs) -> Path:
    """Remove ``old`` and write ``array`` to ``new`` (its format by ``new``'s name, see ``save``)."""
    old.unlink()
    save(new, array, **kwargs)
    return new


def tiff_bytes_at(path: Path, array) -> Path:
    """TIFF content under ``path``'s name, whatever its extension."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        tifffile.imwrite(f, array)
    return path


def png_bytes_at(path: Path, array) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, format="PNG")
    return path


def save_la(path: Path, seed=0) -> Path:
    Image.fromarray(np.stack([grey(seed), np.full((SIZE, SIZE), 255, np.uint8)], -1), mode="LA").save(path)
    return path


# --- the CLI faults -----------------------------------------------------------------------------
# Each builder writes a dataset below tmp_path and returns (data root, fragments the one error
# line must hold, extra arguments). Fragments always include the offending file or folder.

def f_tiff_named_jpg_target(tmp_path):
    root = dataset(tmp_path)
    (root / "train/B/1.png").unlink()
    bad = tiff_bytes_at(root / "train/B/1.jpg", grey(1))
    return root, [str(bad), "TIFF data in a file named .jpg", "rename it to .tif"], []


def f_tiff_named_png_input(tmp_path):
    root = dataset(tmp_path)
    bad = tiff_bytes_at(root / "train/A/2.png", rgb(2))
    return root, [str(bad), "TIFF data in a file named .png", "no TIFF decoder"], []


def f_png_named_tif_target(tmp_path):
    root = dataset(tmp_path)
    (root / "train/B/3.png").unlink()
    bad = png_bytes_at(root / "train/B/3.tif", grey(3))
    return root, [str(bad), "PNG data in a file named .tif", "rename it to .png"], []


def f_jpeg_named_tiff_input(tmp_path):
    root = dataset(tmp_path)
    (root / "train/A/0.png").unlink()
    bad = root / "train/A/0.tiff"
    Image.fromarray(rgb(0)).save(bad, format="JPEG")
    return root, [str(bad), "JPEG data in a file named .tiff", "rename it to .jpg"], []


def f_multipage_tiff_64(tmp_path):
    root = dataset(tmp_path)
    (root / "train/B/2.png").unlink()
    bad = save(root / "train/B/2.tif", np.zeros((64, SIZE, SIZE), np.uint8))
    return root, [bad, "multi-page TIFF (64 pages): save one page per file"], []


def f_multipage_tiff_appended(tmp_path):
    root = dataset(tmp_path)
    (root / "train/B/1.png").unlink()
    bad = root / "train/B/1.tiff"
    tifffile.imwrite(bad, grey(1))
    tifffile.imwrite(bad, grey(5), append=True)
    return root, [str(bad), "multi-page TIFF (2 pages)"], []


def f_multipage_tiff_first_16bit(tmp_path):
    root = dataset(tmp_path, b16=True, b_ext="tif")
    bad = save(root / "train/B/0.tif", np.stack([counts(i) for i in range(5)]))
    return root, [bad, "multi-page TIFF (5 pages)"], []


def f_colour_target_first(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/B/0.png", rgb(7))
    return root, [bad, "3-channel colour image on the thermal (B) side"], []


def f_colour_target_later(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/B/2.png", rgb(7))
    return root, [bad, "colour image where B expects grey thermal values"], []


def f_colour_jpeg_target(tmp_path):
    root = dataset(tmp_path, b_ext="jpg")
    bad = save(root / "train/B/3.jpg", rgb(8), quality=95)
    return root, [bad, "colour image where B expects grey"], []


def f_rgba_target(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/B/1.png", np.concatenate([rgb(1), np.full((SIZE, SIZE, 1), 255, np.uint8)], -1))
    return root, [bad, "4-channel image cannot be converted to the B spec's 1 channel(s)"], []


def f_grey_alpha_target(tmp_path):
    root = dataset(tmp_path)
    bad = save_la(root / "train/B/2.png", 2)
    return root, [str(bad), "2-channel image cannot be converted to the B spec's 1 channel(s)"], []


def f_grey_alpha_input(tmp_path):
    root = dataset(tmp_path)
    bad = save_la(root / "train/A/1.png", 1)
    return root, [str(bad), "2-channel image cannot be converted to the A spec's 3 channel(s)"], []


def f_truncated_png_input(tmp_path):
    root = dataset(tmp_path)
    bad = cut(root / "train/A/1.png")
    return root, [str(bad), "truncated"], []


def f_truncated_jpeg_target(tmp_path):
    root = dataset(tmp_path, b_ext="jpg")
    bad = cut(root / "train/B/2.jpg", 0.6)
    return root, [str(bad), "truncated"], []


def f_jpeg_without_end_marker(tmp_path):
    root = dataset(tmp_path, a_ext="jpg")
    bad = root / "train/A/3.jpg"
    bad.write_bytes(bad.read_bytes()[:-2])
    return root, [str(bad), "JPEG end marker is missing"], []


def f_truncated_tiff_target(tmp_path):
    root = dataset(tmp_path, b16=True, b_ext="tiff")
    bad = cut(root / "train/B/3.tiff", 0.5)
    return root, [str(bad), "cannot be decoded", "it looks truncated"], []


def f_png_header_only(tmp_path):
    root = dataset(tmp_path)
    bad = cut(root / "train/B/1.png", 0.0)
    bad.write_bytes((root / "train/B/0.png").read_bytes()[:40])
    return root, [str(bad), "not a readable image", "the PNG end chunk is missing"], []


def f_empty_input(tmp_path):
    root = dataset(tmp_path)
    bad = root / "train/A/2.png"
    bad.write_bytes(b"")
    return root, [str(bad), "empty file (0 bytes)"], []


def f_empty_target(tmp_path):
    root = dataset(tmp_path)
    bad = root / "train/B/3.png"
    bad.write_bytes(b"")
    return root, [str(bad), "empty file (0 bytes)"], []


def f_text_named_png(tmp_path):
    root = dataset(tmp_path)
    bad = root / "train/A/1.png"
    bad.write_text("see the README for the real images\n")
    return root, [str(bad), "not a readable image: text, not image data", "see the README"], []


def f_text_named_jpg_target(tmp_path):
    root = dataset(tmp_path, b_ext="jpg")
    bad = root / "train/B/2.jpg"
    bad.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0\n")
    return root, [str(bad), "a Git LFS pointer, not the image (run git lfs pull)"], []


def f_binary_junk_named_png(tmp_path):
    root = dataset(tmp_path)
    bad = root / "train/B/0.png"
    bad.write_bytes(bytes(range(200, 256)) * 4)
    return root, [str(bad), "no image format starts with bytes c8 c9"], []


def f_sizes_differ_input_larger(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/A/2.png", rgb(2, 48, 48))
    return root, [bad, "is 48x48 but its pair", str(root / "train/B/2.png"), "40x40"], []


def f_sizes_differ_with_resize(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/B/1.png", grey(1, 40, 56))
    return root, [str(root / "train/A/1.png"), "is 40x40 but its pair", bad, "56x40"], ["--load-size", "36"]


def f_smaller_than_crop(tmp_path):
    root = dataset(tmp_path)
    a = save(root / "train/A/3.png", rgb(3, 24, 24))
    save(root / "train/B/3.png", grey(3, 24, 24))
    return root, [a, "24x24 is smaller than the 32x32 crop", "set load_size"], []


def f_narrower_than_crop(tmp_path):
    root = dataset(tmp_path)
    save(root / "train/A/0.png", rgb(0, 40, 20))
    b = save(root / "train/B/0.png", grey(0, 40, 20))
    return root, [b, "20x40 is smaller than the 32x32 crop"], []


def f_16bit_png_on_8bit_target(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/B/2.png", counts(2))
    return root, [bad, "16-bit file but the B spec says 8-bit"], []


def f_8bit_png_on_16bit_target(tmp_path):
    root = dataset(tmp_path, b16=True)
    bad = save(root / "train/B/3.png", grey(3))
    return root, [bad, "8-bit file but the B spec says 16-bit"], []


def f_8bit_tiff_on_16bit_target(tmp_path):
    root = dataset(tmp_path, b16=True, b_ext="tif")
    bad = save(root / "train/B/1.tif", grey(1))
    return root, [bad, "8-bit file but the B spec says 16-bit"], []


def f_16bit_png_input(tmp_path):
    root = dataset(tmp_path)
    bad = save(root / "train/A/1.png", counts(1))
    return root, [bad, "16-bit file but the A spec says 8-bit (the RGB side must be 8-bit)"], []


def f_16bit_rgb_tiff_input(tmp_path):
    root = dataset(tmp_path)
    (root / "train/A/2.png").unlink()
    bad = save(root / "train/A/2.tiff", rgb(2).astype(np.uint16) * 257)
    return root, [bad, "the RGB side must be 8-bit"], []


def f_float_tiff_target(tmp_path):
    root = dataset(tmp_path)
    (root / "train/B/3.png").unlink()
    bad = save(root / "train/B/3.tiff", np.full((SIZE, SIZE), 300.0, np.float32))
    return root, [bad, "float32 samples are not supported"], []


def f_missing_eval_split(tmp_path):
    root = dataset(tmp_path)
    return root, [str(root / "test"), "split folder for split 'test' not found", "beside it: train"], \
        ["--eval-split", "test"]


def f_missing_train_split(tmp_path):
    root = dataset(tmp_path, splits=("val",))
    return root, [str(root / "train"), "not found (beside it: val)"], []


def f_flat_dataset_eval_is_train(tmp_path):
    root = tmp_path / "data"
    write_pairs(root)
    return root, [str(root), "held-out split 'test' is the training split itself"], ["--eval-split", "test"]


def f_missing_target_folder(tmp_path):
    root = dataset(tmp_path)
    for path in (root / "train/B").iterdir():
        path.unlink()
    (root / "train/B").rmdir()
    return root, [str(root / "train/B"), "B folder not found"], []


def f_no_images_in_input_folder(tmp_path):
    root = dataset(tmp_path)
    for path in (root / "train/A").iterdir():
        path.unlink()
    (root / "train/A/notes.txt").write_text("images to follow")
    return root, [str(root / "train/A"), "A folder holds no images"], []


def f_unpaired_input(tmp_path):
    root = dataset(tmp_path)
    extra = save(root / "train/A/extra.png", rgb(9))
    return root, [extra, "has no partner named extra.*", "have no partner with the same name"], []


def f_unpaired_target(tmp_path):
    root = dataset(tmp_path)
    (root / "train/A/1.png").unlink()
    return root, [str(root / "train/B/1.png"), "has no partner named 1.*"], []


def f_duplicate_names(tmp_path):
    root = dataset(tmp_path)
    save(root / "train/B/2.jpg", grey(2))
    return root, [str(root / "train/B/2"), "two files share the name '2'"], []


def f_garbage_dataset_json(tmp_path):
    root = dataset(tmp_path)
    (root / "dataset.json").write_text("{b: 16-bit, range 0..65535")
    return root, [str(root / "dataset.json"), "not readable JSON"], []


def f_binary_dataset_json(tmp_path):
    root = dataset(tmp_path)
    (root / "dataset.json").write_bytes(b"\xff\xfe\x00garbage")
    return root, [str(root / "dataset.json"), "not readable JSON"], []


def f_dataset_json_not_an_object(tmp_path):
    root = dataset(tmp_path)
    (root / "dataset.json").write_text("[1, 2, 3]")
    return root, [str(root / "dataset.json"), "expected a JSON object", "list"], []


def f_dataset_json_bad_spec(tmp_path):
    root = dataset(tmp_path, b16=True)
    (root / "dataset.json").write_text(json.dumps({"b": {"channels": 1, "bit_depth": 12}}))
    return root, [str(root / "dataset.json"), "not an image spec", "bit_depth must be 8 or 16"], []


def f_dataset_json_in_split_garbage(tmp_path):
    root = dataset(tmp_path)
    (root / "train/dataset.json").write_text("not json at all")
    return root, [str(root / "train/dataset.json"), "not readable JSON"], []


def f_held_out_truncated(tmp_path):
    root = dataset(tmp_path, splits=("train", "test"))
    bad = cut(root / "test/B/3.png", 0.3)
    return root, ["held-out split 'test'", str(bad), "truncated"], ["--eval-split", "test"]


def f_held_out_late_text_file(tmp_path):
    root = dataset(tmp_path)
    write_pairs(root / "test", n=12)
    bad = root / "test/A/11.png"
    bad.write_text("oops")
    return root, ["held-out split 'test'", str(bad), "text, not image data"], ["--eval-split", "test"]


def f_held_out_colour_target(tmp_path):
    root = dataset(tmp_path, splits=("train", "test"))
    bad = save(root / "test/B/2.png", rgb(4))
    return root, ["held-out split 'test'", bad, "colour image where B expects grey"], ["--eval-split", "test"]


def f_held_out_sizes_differ(tmp_path):
    root = dataset(tmp_path, splits=("train", "test"))
    bad = save(root / "test/A/1.png", rgb(1, 64, 64))
    return root, ["held-out split 'test'", bad, "is 64x64 but its pair"], ["--eval-split", "test"]


def f_held_out_tiff_named_jpg(tmp_path):
    root = dataset(tmp_path, splits=("train", "test"))
    (root / "test/A/0.png").unlink()
    bad = tiff_bytes_at(root / "test/A/0.jpg", rgb(0))
    return root, ["held-out split 'test'", str(bad), "TIFF data in a file named .jpg"], ["--eval-split", "test"]


def f_held_out_unpaired(tmp_path):
    root = dataset(tmp_path, splits=("train", "test"))
    extra = save(root / "test/B/9.png", grey(9))
    return root, [extra, "has no partner named 9.*"], ["--eval-split", "test"]


def f_dataset_folder_missing(tmp_path):
    return tmp_path / "nowhere", [str(tmp_path / "nowhere"), "dataset folder not found"], []


def f_many_problems_one_line(tmp_path):
    root = dataset(tmp_path, n=8)
    for i in range(7):
        (root / f"train/A/{i}.png").write_bytes(b"")
    return root, ["7 problem(s) in 8 pairs", str(root / "train/A/0.png"), "... and 2 more"], []


def f_llvip_missing_split(tmp_path):
    root = tmp_path / "data"
    for i in range(2):
        save(root / "visible/train" / f"{i:06d}.jpg", rgb(i))
        save(root / "infrared/train" / f"{i:06d}.jpg", np.repeat(grey(i)[..., None], 3, -1))
    return root, [str(root / "visible/test"), "LLVIP visible folder not found (beside it: train)"], \
        ["--layout", "llvip", "--eval-split", "test"]


def f_llvip_colour_infrared(tmp_path):
    root = tmp_path / "data"
    for i in range(2):
        save(root / "visible/train" / f"{i:06d}.jpg", rgb(i))
        save(root / "infrared/train" / f"{i:06d}.jpg", np.repeat(grey(i)[..., None], 3, -1))
    bad = save(root / "infrared/train/000001.jpg", rgb(5), quality=95)
    return root, [bad, "colour image where B expects grey"], ["--layout", "llvip"]


def f_llvip_tiff_named_jpg(tmp_path):
    root = tmp_path / "data"
    for i in range(2):
        save(root / "visible/train" / f"{i:06d}.jpg", rgb(i))
        save(root / "infrared/train" / f"{i:06d}.jpg", np.repeat(grey(i)[..., None], 3, -1))
    bad = tiff_bytes_at(root / "infrared/train/000000.jpg", grey(0))
    return root, [str(bad), "TIFF data in a file named .jpg"], ["--layout", "llvip"]


def write_flir_v1(root, n=3):
    for i in range(n):
        save(root / "train/RGB" / f"FLIR_{i:05d}.jpg", rgb(i))
        save(root / "train/thermal_8_bit" / f"FLIR_{i:05d}.jpeg", grey(i))
        save(root / "train/thermal_16_bit" / f"FLIR_{i:05d}.tiff", counts(i))


def f_flir_v1_multipage_counts(tmp_path):
    root = tmp_path / "data"
    write_flir_v1(root)
    bad = save(root / "train/thermal_16_bit/FLIR_00001.tiff", np.stack([counts(1)] * 6))
    return root, [bad, "multi-page TIFF (6 pages)"], ["--layout", "flir_v1", "--thermal", "16bit"]


def f_flir_v1_png_named_tiff(tmp_path):
    root = tmp_path / "data"
    write_flir_v1(root)
    bad = png_bytes_at(root / "train/thermal_16_bit/FLIR_00002.tiff", counts(2))
    return root, [str(bad), "PNG data in a file named .tiff"], ["--layout", "flir_v1", "--thermal", "16bit"]


def f_flir_v1_garbage_dataset_json(tmp_path):
    root = tmp_path / "data"
    write_flir_v1(root)
    (root / "dataset.json").write_text("<html>404</html>")
    return root, [str(root / "dataset.json"), "not readable JSON"], ["--layout", "flir_v1"]


def f_flir_v1_truncated_thermal(tmp_path):
    root = tmp_path / "data"
    write_flir_v1(root)
    bad = cut(root / "train/thermal_8_bit/FLIR_00002.jpeg", 0.5)
    return root, [str(bad), "truncated"], ["--layout", "flir_v1", "--thermal", "8bit"]


PIX2PIX_FAULTS = [
    f_tiff_named_jpg_target, f_tiff_named_png_input, f_png_named_tif_target, f_jpeg_named_tiff_input,
    f_multipage_tiff_64, f_multipage_tiff_appended, f_multipage_tiff_first_16bit,
    f_colour_target_first, f_colour_target_later, f_colour_jpeg_target, f_rgba_target,
    f_grey_alpha_target, f_grey_alpha_input,
    f_truncated_png_input, f_truncated_jpeg_target, f_jpeg_without_end_marker, f_truncated_tiff_target,
    f_png_header_only, f_empty_input, f_empty_target, f_text_named_png, f_text_named_jpg_target,
    f_binary_junk_named_png,
    f_sizes_differ_input_larger, f_sizes_differ_with_resize, f_smaller_than_crop, f_narrower_than_crop,
    f_16bit_png_on_8bit_target, f_8bit_png_on_16bit_target, f_8bit_tiff_on_16bit_target,
    f_16bit_png_input, f_16bit_rgb_tiff_input, f_float_tiff_target,
    f_missing_eval_split, f_missing_train_split, f_flat_dataset_eval_is_train, f_missing_target_folder,
    f_no_images_in_input_folder, f_unpaired_input, f_unpaired_target, f_duplicate_names,
    f_garbage_dataset_json, f_binary_dataset_json, f_dataset_json_not_an_object, f_dataset_json_bad_spec,
    f_dataset_json_in_split_garbage,
    f_held_out_truncated, f_held_out_late_text_file, f_held_out_colour_target, f_held_out_sizes_differ,
    f_held_out_tiff_named_jpg, f_held_out_unpaired,
    f_dataset_folder_missing, f_many_problems_one_line,
    f_llvip_missing_split, f_llvip_colour_infrared, f_llvip_tiff_named_jpg,
    f_flir_v1_multipage_counts, f_flir_v1_png_named_tiff, f_flir_v1_garbage_dataset_json,
    f_flir_v1_truncated_thermal,
]


def assert_refused(outcome, out: Path, fragments, command="train"):
    line = outcome.error_line  # exactly one stderr line, no traceback
    assert outcome.code == 2, outcome.err
    assert line.startswith(f"thermal-keras {command}: error: "), line
    for fragment in fragments:
        assert str(fragment) in line, f"{fragment!r} not in {line!r}"
    assert not out.exists(), "a run folder was created for input that cannot train"
    return line


@pytest.mark.parametrize("build", PIX2PIX_FAULTS, ids=lambda f: f.__name__[2:])
def test_pix2pix_refuses_bad_input_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments, extra = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out, *extra], watch=tmp_path)
    assert_refused(outcome, out, fragments)
    assert not list(tmp_path.rglob("config.json"))


def test_the_clean_dataset_trains(tmp_path, run_cli):
    """The control: the same tiny dataset and options, unbroken, train and write the run folder."""
    root = dataset(tmp_path, splits=("train", "test"))
    out = tmp_path / "run"
    outcome = run_cli([*PIX2PIX, "--data", root, "--output-dir", out, "--eval-split", "test"], watch=tmp_path)
    assert outcome.code == 0, outcome.err
    assert (out / "config.json").is_file() and (out / "generator.keras").is_file()


# --- super-resolution and fusion: their load_data refuses the same faults ------------------------

def hr_dir(tmp_path, n=3, size=SIZE):
    root = tmp_path / "hr"
    for i in range(n):
        save(root / f"{i}.png", rgb(i, size, size))
    return root


def s_truncated(tmp_path):
    root = hr_dir(tmp_path)
    bad = cut(root / "2.png")
    return root, [str(bad), "truncated"]


def s_tiff_named_jpg(tmp_path):
    root = hr_dir(tmp_path)
    bad = tiff_bytes_at(root / "3.jpg", rgb(3))
    return root, [str(bad), "TIFF data in a file named .jpg"]


def s_multipage(tmp_path):
    root = hr_dir(tmp_path)
    bad = save(root / "4.tif", np.stack([rgb(4)] * 2))
    return root, [bad, "multi-page TIFF (2 pages)"]


def s_smaller_than_crop(tmp_path):
    root = hr_dir(tmp_path)
    bad = save(root / "1.png", rgb(1, 24, 40))
    return root, [bad, "40x24 is smaller than"]


def s_empty_folder(tmp_path):
    root = tmp_path / "hr"
    root.mkdir()
    return root, [str(root), "holds no images"]


def s_text_as_first_image(tmp_path):
    root = hr_dir(tmp_path)
    (root / "0.png").write_text("placeholder")
    return root, [str(root / "0.png"), "text, not image data"]


def s_16bit_among_8bit(tmp_path):
    root = hr_dir(tmp_path)
    bad = save(root / "2.png", counts(2))
    return root, [bad, "16-bit file but the image spec says 8-bit"]


SR_FAULTS = [s_truncated, s_tiff_named_jpg, s_multipage, s_smaller_than_crop, s_empty_folder,
             s_text_as_first_image, s_16bit_among_8bit]


@pytest.mark.parametrize("build", SR_FAULTS, ids=lambda f: f.__name__[2:])
def test_srgan_refuses_bad_hr_images_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*SRGAN, "--data", root, "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, fragments)


@pytest.mark.parametrize("build", [f_colour_target_first, f_unpaired_input, f_garbage_dataset_json,
                                   f_missing_target_folder], ids=lambda f: f.__name__[2:])
def test_fusiongan_refuses_bad_pairs_before_the_run_folder(build, tmp_path, run_cli):
    root, fragments, _ = build(tmp_path)
    out = tmp_path / "run"
    outcome = run_cli([*FUSION, "--data", root / "train", "--output-dir", out], watch=tmp_path)
    assert_refused(outcome, out, fragments)


# --- the loader functions, directly -------------------------------------------------------------

def pairs(a_paths, b_paths, b_spec=THERMAL_8BIT_SPEC, aligned=True):
    return PairedFiles(tuple(map(str, a_paths)), tuple(map(str, b_paths)), a_spec=RGB_SPEC, b_spec=b_spec,
                       source="fixture", aligned=aligned)


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


# --- the two directions of "one decoder" --------------------------------------------------------

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
