"""Check every file of a :class:`~data_loaders.common.PairedFiles` before any training starts.

Pure Python (Pillow and tifffile): each file is decoded in full, so a truncated JPEG fails here with
its name rather than in the middle of an epoch. All problems are collected and raised as one
:class:`~data_loaders.common.DatasetError` that lists the first few with their paths and the total.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from data_loaders.common import (
    DatasetError,
    ImageInfo,
    ImageSpec,
    PairedFiles,
    is_grey,
    probe_image,
    read_image,
)

MAX_LISTED = 8
# Pillow and tifffile release the GIL while decoding; the target machine has two cores.
DEFAULT_WORKERS = 2


def convertible_channels(spec: ImageSpec) -> tuple[int, ...]:
    """File channel counts that load as ``spec.channels``: RGB takes grey (tiled) and RGBA (alpha
    dropped); thermal takes one channel, or three that are grey (checked on the pixels)."""
    return (1, 3, 4) if spec.channels == 3 else (1, 3)


def check_file(path: str, spec: ImageSpec, side: str) -> tuple[ImageInfo | None, list[str]]:
    """Decode one file and compare it with ``spec``.

    Returns:
        ``(info, problems)``: the header information (``None`` when unreadable) and a list of
        ``"<path>: <what is wrong>"`` lines, empty when the file is usable.
    """
    try:
        info = probe_image(path)
        pixels = read_image(path)
    except DatasetError as err:
        return None, [str(err)]
    problems = []
    if info.bit_depth is None:
        problems.append(f"{path}: {info.sample_type} samples are not supported (8-bit or 16-bit only)")
    elif info.bit_depth != spec.bit_depth:
        why = " (the RGB side must be 8-bit)" if spec.channels == 3 else ""
        problems.append(f"{path}: {info.bit_depth}-bit file but the {side} spec says "
                        f"{spec.bit_depth}-bit{why}")
    if info.channels not in convertible_channels(spec):
        problems.append(f"{path}: {info.channels}-channel image cannot be converted to the {side} "
                        f"spec's {spec.channels} channel(s)")
    elif spec.channels == 1 and info.channels == 3 and not is_grey(pixels):
        problems.append(f"{path}: colour image where {side} expects grey thermal values "
                        "(a colour-mapped thermal image cannot be turned back into values)")
    if pixels.shape[:2] != (info.height, info.width):
        problems.append(f"{path}: decodes to {pixels.shape[1]}x{pixels.shape[0]} but its header says "
                        f"{info.width}x{info.height}")
    return info, problems


def _check_pair(index: int, files: PairedFiles, min_size: int | None, sizes_must_match: bool):
    a_path, b_path = files.a_paths[index], files.b_paths[index]
    a_info, problems = check_file(a_path, files.a_spec, "A")
    b_info, b_problems = check_file(b_path, files.b_spec, "B")
    problems += b_problems
    for path, info in ((a_path, a_info), (b_path, b_info)):
        if info is not None and min_size and min(info.width, info.height) < min_size:
            problems.append(f"{path}: {info.width}x{info.height} is smaller than the "
                            f"{min_size}x{min_size} crop (set load_size to resize first)")
    both_read = a_info is not None and b_info is not None
    if sizes_must_match and both_read and (a_info.width, a_info.height) != (b_info.width, b_info.height):
        problems.append(f"{a_path} is {a_info.width}x{a_info.height} but its pair {b_path} is "
                        f"{b_info.width}x{b_info.height}")
    return a_info, b_info, problems


def validate_pairs(files: PairedFiles, min_size: int | None = None, sizes_must_match: bool = True,
                   workers: int = DEFAULT_WORKERS) -> list[tuple[ImageInfo, ImageInfo]]:
    """Decode and check every pair; raise one :class:`DatasetError` listing what is wrong.

    Checks: files exist and decode completely (truncated or corrupt files fail), bit depth matches
    each side's spec (and A, the RGB side, is 8-bit), channel counts can be converted, both images
    are at least ``min_size`` on their shorter side when given (use it when no resize precedes the
    crop), and the two images of a pair have the same size when ``sizes_must_match``.

    Args:
        files: the pairs to check.
        min_size: smallest allowed height and width in pixels, or ``None``.
        sizes_must_match: require ``A`` and ``B`` of a pair to have the same width and height.
        workers: decoding threads.

    Returns:
        ``[(a_info, b_info), ...]``, one header summary per pair, in order.

    Raises:
        DatasetError: with the total number of problems and the first few, each naming its file.
    """
    if files.a_spec.bit_depth != 8:
        raise DatasetError(f"{files.source or 'dataset'}: the A (RGB) side must be 8-bit, its spec says "
                           f"{files.a_spec.bit_depth}-bit ({files.a_paths[0]})")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        results = list(pool.map(lambda i: _check_pair(i, files, min_size, sizes_must_match),
                                range(len(files))))
    problems = [line for _, _, lines in results for line in lines]
    if problems:
        shown = "\n  ".join(problems[:MAX_LISTED])
        more = f"\n  ... and {len(problems) - MAX_LISTED} more" if len(problems) > MAX_LISTED else ""
        raise DatasetError(f"{files.source or 'dataset'}: {len(problems)} problem(s) in {len(files)} "
                           f"pairs:\n  {shown}{more}")
    return [(a, b) for a, b, _ in results]
