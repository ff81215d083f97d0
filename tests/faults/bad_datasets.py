"""Tiny datasets for the input-fault tests: 40x40 images written with PIL, tifffile and numpy, and
one builder per fault.

Each ``f_*`` builder writes a paired dataset below ``tmp_path`` and returns (data root, fragments the
one error line must hold, extra CLI arguments); each ``s_*`` builder writes a folder of HR images and
returns (folder, fragments). Fragments always include the offending file or folder.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from image_files import save
import numpy as np
from PIL import Image
import tifffile

from data_loaders.common import RGB_SPEC, THERMAL_8BIT_SPEC, ImageSpec, PairedFiles


SIZE = 40
THERMAL_16 = ImageSpec(channels=1, bit_depth=16, value_range=(20000, 40000))


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


# --- the pix2pix faults (f_*) --------------------------------------------------------------------
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
    return root, [str(bad), "not a readable image: text, not image data"], []


def f_text_named_jpg_target(tmp_path):
    root = dataset(tmp_path, b_ext="jpg")
    bad = root / "train/B/2.jpg"
    bad.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:0\n")
    return root, [str(bad), "a Git LFS pointer, not the image (run git lfs pull)"], []


def f_binary_junk_named_png(tmp_path):
    root = dataset(tmp_path)
    bad = root / "train/B/0.png"
    bad.write_bytes(bytes(range(200, 256)) * 4)
    return root, [str(bad), "binary data in no image format this reads"], []


# Entries that are named like images but are no files (issue 31): named, never skipped or blamed on
# their partner. Text a frame links to is never quoted (tests/faults/test_messages.py checks that).

def f_link_to_a_text_file(tmp_path):
    root = dataset(tmp_path, n=6)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:$6$hunter2:20228:0:99999:7:::\n")
    bad = root / "train/A/1.png"
    bad.unlink()
    bad.symlink_to(secret)
    return root, [str(bad), "not a readable image: text, not image data"], []


def f_dangling_links_on_both_sides(tmp_path):
    root = dataset(tmp_path, n=6)
    for side in "AB":
        (root / f"train/{side}/1.png").unlink()
        (root / f"train/{side}/1.png").symlink_to(tmp_path / "gone" / f"{side}1.png")
    return root, [str(root / "train/A/1.png"), "a broken symbolic link"], []


def _dangling_link(tmp_path, frame: str):
    """A 6-pair dataset whose ``frame`` (e.g. ``train/A/4.png``) is a link to a file that does not exist."""
    root = dataset(tmp_path, n=6)
    bad = root / frame
    bad.unlink()
    bad.symlink_to(tmp_path / "gone.png")
    return root, [str(bad), "a broken symbolic link"], []


def f_dangling_link_input(tmp_path):
    return _dangling_link(tmp_path, "train/A/4.png")


def f_dangling_link_target(tmp_path):
    return _dangling_link(tmp_path, "train/B/2.png")


def f_folder_named_like_an_input(tmp_path):
    root = dataset(tmp_path, n=6)
    bad = root / "train/A/3.png"
    bad.unlink()
    bad.mkdir()
    return root, [str(bad), "a folder, though named like an image"], []


def f_non_utf8_file_names(tmp_path):
    root = dataset(tmp_path)
    name = os.fsdecode(b"caf\xe9") + ".png"  # Latin-1 bytes: not UTF-8
    for side in "AB":
        (root / f"train/{side}/1.png").rename(root / f"train/{side}" / name)
    shown = os.fsencode(root / "train/A" / name).decode("utf-8", errors="backslashreplace")
    return root, [shown, "caf\\xe9.png", "the file name is not valid UTF-8"], []


def f_constant_16bit_targets(tmp_path):
    root = dataset(tmp_path, b16=True)
    for i in range(4):
        save(root / f"train/B/{i}.png", np.full((SIZE, SIZE), 30000, np.uint16))
    return root, [str(root / "train/B"), "every 16-bit value in the 4 file(s) sampled is 30000",
                  "no count range can be told from the data", "dataset.json"], []


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
    f_link_to_a_text_file, f_dangling_links_on_both_sides, f_dangling_link_input, f_dangling_link_target,
    f_folder_named_like_an_input, f_non_utf8_file_names, f_constant_16bit_targets,
]


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


def pairs(a_paths, b_paths, b_spec=THERMAL_8BIT_SPEC, aligned=True):
    return PairedFiles(tuple(map(str, a_paths)), tuple(map(str, b_paths)), a_spec=RGB_SPEC, b_spec=b_spec,
                       source="fixture", aligned=aligned)
