"""Check every file of a :class:`~data_loaders.common.PairedFiles` (or an HR image list) before any
training starts, with the decoder that training uses.

Each file is checked in this order, and the first failing step is reported, naming the file:

1. it exists, is not empty and starts like an image format (a text file named ``.png`` fails here);
2. its content suits the decoder its name selects: training reads ``.tif``/``.tiff`` with tifffile
   and everything else with TensorFlow, which tells JPEG/PNG/BMP/GIF apart by content and has no TIFF
   decoder (a TIFF saved as ``.jpg`` fails here, not inside ``fit()``);
3. its header (Pillow, or tifffile for TIFF): one page (a multi-page TIFF is refused), 8 or 16 bits a
   sample as the side's spec says (the RGB side 8-bit), a channel count that converts to the spec's;
4. a full decode with the training decoder itself (:func:`data_loaders.decode.decode_values_now`
   runs ``decode_file_values``, the function the ``tf.data`` pipeline maps): truncated or corrupt
   files fail here, and the decoded size must agree with the header;
5. on a one-channel (thermal) side, a 3-channel file must be grey (a colour-mapped thermal image
   cannot be turned back into values).

So every file validation accepts, training decodes. Problems of all files are collected into one
:class:`~data_loaders.common.DatasetError` on one line (the first few, and how many more). Files that
passed once are remembered with their size and modification time and are not decoded again (the
training job checks before it builds the model, the pipeline checks again when it starts).

The decoder comes from :mod:`data_loaders.decode` and imports TensorFlow on first use; pass
``decode=`` to check with another function of the same signature.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

from data_loaders.common import DatasetError, ImageSpec, PairedFiles, one_line
from data_loaders.images import (
    ImageInfo,
    decoder_mismatch,
    file_format,
    is_grey,
    is_tiff,
    probe_image,
    read_head,
    read_image,
)

MAX_LISTED = 5
# Pillow, tifffile and TensorFlow's decoders release the GIL; the target machine has two cores.
DEFAULT_WORKERS = 2
# Files that passed, by (path, spec, colour_ok, decoder): (size, mtime, inode) and their header info.
_PASSED: dict[tuple, tuple] = {}
_PASSED_LIMIT = 500_000

Decoder = Callable[[str, ImageSpec], np.ndarray]


def training_decoder() -> Decoder:
    """The function training decodes files with, run on one file: float32 ``(H, W, C)`` or a
    :class:`DatasetError` naming the file (imports TensorFlow)."""
    from data_loaders.decode import decode_values_now

    return decode_values_now


def convertible_channels(spec: ImageSpec) -> tuple[int, ...]:
    """File channel counts that load as ``spec.channels``: RGB takes grey (tiled) and RGBA (alpha
    dropped); thermal takes one channel, or three that are grey (checked on the pixels)."""
    return (1, 3, 4) if spec.channels == 3 else (1, 3)


def _signature(path: str):
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns, stat.st_ino


def _colour_sample(path: str, fmt: str | None) -> np.ndarray:
    """The file's pixels for the grey test; JPEGs are decoded at 1/8 size (DCT scaling: fast)."""
    if fmt == "JPEG" and not is_tiff(path):
        from PIL import Image

        try:
            with Image.open(path) as image:
                image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
                return np.asarray(image.convert("RGB"))
        except Exception as err:  # decoded by TensorFlow already; report rather than crash
            raise DatasetError(f"{path}: cannot be decoded ({type(err).__name__}: {one_line(err)})") from err
    return read_image(path)


def _header_problems(path: str, info: ImageInfo, spec: ImageSpec, side: str) -> list[str]:
    problems = []
    if info.bit_depth is None:
        problems.append(f"{path}: {info.sample_type} samples are not supported (8-bit or 16-bit only)")
    elif info.bit_depth != spec.bit_depth:
        why = " (the RGB side must be 8-bit)" if spec.channels == 3 and side == "A" else ""
        problems.append(f"{path}: {info.bit_depth}-bit file but the {side} spec says "
                        f"{spec.bit_depth}-bit{why}")
    if info.channels not in convertible_channels(spec):
        problems.append(f"{path}: {info.channels}-channel image cannot be converted to the {side} "
                        f"spec's {spec.channels} channel(s)")
    return problems


def check_file(path, spec: ImageSpec, side: str, decode: Decoder | None = None,
               colour_ok: bool = False) -> tuple[ImageInfo | None, list[str]]:
    """Check one file against ``spec`` in the steps of the module docstring.

    Args:
        path: the file. spec: how its side is stored. side: ``"A"``/``"B"`` (or a label) for messages.
        decode: the decoder to try it with; default :func:`training_decoder`.
        colour_ok: let a colour file load as one channel (its luma) instead of requiring grey; for
            single-image sets (super-resolution with ``channels=1``), not for thermal targets.

    Returns:
        ``(info, problems)``: the header information (``None`` when unreadable) and a list of
        ``"<path>: <what is wrong>"`` lines, empty when the file is usable.
    """
    path = str(path)
    decode = decode or training_decoder()
    key = (path, spec, colour_ok, decode)
    try:
        signature = _signature(path)
    except OSError:
        signature = None
    remembered = _PASSED.get(key)
    if signature is not None and remembered is not None and remembered[0] == signature:
        return remembered[1], []
    try:
        readable = signature is not None and signature[0] > 0 and os.path.isfile(path)
        fmt = file_format(read_head(path)) if readable else None
        mismatch = decoder_mismatch(path, fmt)
        if mismatch:
            return None, [mismatch]
        info = probe_image(path)  # missing, empty, not an image, multi-page TIFF, unreadable header
    except DatasetError as err:
        return None, [str(err)]
    except OSError as err:
        return None, [f"{path}: cannot be read ({one_line(err)})"]
    problems = _header_problems(path, info, spec, side)
    if problems:
        return info, problems
    try:
        pixels = decode(path, spec)
        if pixels.shape[:2] != (info.height, info.width):
            problems.append(f"{path}: decodes to {pixels.shape[1]}x{pixels.shape[0]} but its header says "
                            f"{info.width}x{info.height}")
        elif spec.channels == 1 and info.channels == 3 and not colour_ok and not is_grey(_colour_sample(path, fmt)):
            problems.append(f"{path}: colour image where {side} expects grey thermal values "
                            "(a colour-mapped thermal image cannot be turned back into values)")
    except DatasetError as err:
        problems.append(str(err))
    if not problems and signature is not None:
        if len(_PASSED) >= _PASSED_LIMIT:
            _PASSED.clear()
        _PASSED[key] = (signature, info)
    return info, problems


def _too_small(path, info, min_size, what="crop") -> list[str]:
    if info is not None and min_size and min(info.width, info.height) < min_size:
        return [f"{path}: {info.width}x{info.height} is smaller than the {min_size}x{min_size} {what}"
                + (" (set load_size to resize first)" if what == "crop" else "")]
    return []


def _check_pair(index: int, files: PairedFiles, min_size: int | None, sizes_must_match: bool, decode):
    a_path, b_path = files.a_paths[index], files.b_paths[index]
    a_info, problems = check_file(a_path, files.a_spec, "A", decode)
    b_info, b_problems = check_file(b_path, files.b_spec, "B", decode)
    problems += b_problems
    for path, info in ((a_path, a_info), (b_path, b_info)):
        problems += _too_small(path, info, min_size)
    both_read = a_info is not None and b_info is not None
    if sizes_must_match and both_read and (a_info.width, a_info.height) != (b_info.width, b_info.height):
        problems.append(f"{a_path} is {a_info.width}x{a_info.height} but its pair {b_path} is "
                        f"{b_info.width}x{b_info.height} (registered pairs must have one size)")
    return a_info, b_info, problems


def _raise_collected(source: str, problems: list[str], checked: int, unit: str):
    shown = "; ".join(problems[:MAX_LISTED])
    more = f"; ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
    raise DatasetError(f"{source}: {len(problems)} problem(s) in {checked} {unit}: {shown}{more}")


def validate_pairs(files: PairedFiles, min_size: int | None = None, sizes_must_match: bool = True,
                   workers: int = DEFAULT_WORKERS,
                   decode: Decoder | None = None) -> list[tuple[ImageInfo, ImageInfo]]:
    """Check every pair as training will read it; raise one :class:`DatasetError` listing what is wrong.

    Checks each file as :func:`check_file` says (exists, is not empty, content suits its name's
    decoder, one page, bit depth and channels fit the side's spec, decodes completely with the
    training decoder, grey where the side is thermal), then that both images are at least
    ``min_size`` on their shorter side when given (use it when no resize precedes the crop), and that
    the two images of a pair have the same size when ``sizes_must_match``.

    Args:
        files: the pairs to check.
        min_size: smallest allowed height and width in pixels, or ``None``.
        sizes_must_match: require ``A`` and ``B`` of a pair to have the same width and height.
        workers: decoding threads.
        decode: the decoder (default :func:`training_decoder`).

    Returns:
        ``[(a_info, b_info), ...]``, one header summary per pair, in order.

    Raises:
        DatasetError: one line with the total number of problems and the first few, each naming
            its file.
    """
    if files.a_spec.bit_depth != 8:
        raise DatasetError(f"{files.source or 'dataset'}: the A (RGB) side must be 8-bit, its spec says "
                           f"{files.a_spec.bit_depth}-bit ({files.a_paths[0]})")
    decode = decode or training_decoder()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda i: _check_pair(i, files, min_size, sizes_must_match, decode),
                                range(len(files))))
    problems = [line for _, _, lines in results for line in lines]
    if problems:
        _raise_collected(files.source or "dataset", problems, len(files), "pairs")
    return [(a, b) for a, b, _ in results]


def validate_images(paths, spec: ImageSpec, min_size: int | None = None, source: str = "",
                    colour_ok: bool = True, workers: int = DEFAULT_WORKERS,
                    decode: Decoder | None = None) -> list[ImageInfo]:
    """:func:`validate_pairs` for a list of single images (super-resolution HR sets).

    Args:
        paths: the files. spec: how they are stored.
        min_size: smallest allowed height and width (the HR crop), or ``None``.
        source: a label for the message. colour_ok: see :func:`check_file` (default: colour files
            may load as one luma channel). workers, decode: as for :func:`validate_pairs`.

    Returns:
        One :class:`ImageInfo` per file, in order.
    """
    paths = [str(p) for p in paths]
    decode = decode or training_decoder()

    def one(path):
        info, problems = check_file(path, spec, "image", decode, colour_ok=colour_ok)
        return info, problems + _too_small(path, info, min_size, "HR crop")

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(one, paths))
    problems = [line for _, lines in results for line in lines]
    if problems:
        _raise_collected(source or "images", problems, len(paths), "files")
    return [info for info, _ in results]
