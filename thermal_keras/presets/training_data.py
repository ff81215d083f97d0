"""The image folders the super-resolution recipes train and are scored on.

Only data the repository may redistribute: the built-in synthetic set (thermal 8-bit AGC frames for
the single-channel preset, RGB frames for the colour one) and photographs bundled with scikit-image
(public-domain or CC0 images that ship inside the package, no download). The photographs are split
by name: those in :data:`SKIMAGE_HELD_OUT` are only ever scored on, never trained on.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

# scikit-image photographs used for training; grey ones for the 1-channel preset, colour for RGB.
SKIMAGE_TRAIN_GREY = ("brick", "grass", "gravel", "coins", "moon", "page", "text", "cell")
SKIMAGE_TRAIN_RGB = ("immunohistochemistry", "retina")
# Scored on, never trained on (the SR evaluation set of thermal_keras.sr.data, without its stereo twin).
SKIMAGE_HELD_OUT = ("astronaut", "camera", "chelsea", "coffee", "rocket", "motorcycle", "hubble_deep_field")
TRAIN_SEED, HELD_OUT_SEED = 0, 1  # synthetic-set seeds: training frames and held-out frames never overlap


def skimage_photo(name: str, channels: int) -> np.ndarray:
    """A bundled scikit-image photograph as uint8 ``(H, W, channels)`` (colour -> BT.601 luma for 1)."""
    import skimage.data

    from thermal_keras.luma import luma

    image = skimage.data.stereo_motorcycle()[0] if name == "motorcycle" else getattr(skimage.data, name)()
    image = np.asarray(image)
    if image.dtype == bool:
        image = image.astype(np.uint8) * 255
    if image.ndim == 2:
        image = image[..., None]
    image = image[..., :3]
    if channels == 1 and image.shape[-1] == 3:
        image = np.clip(np.rint(luma(image)), 0, 255)
    elif channels == 3 and image.shape[-1] == 1:
        image = np.repeat(image, 3, axis=-1)
    return image.astype(np.uint8)


def synthetic_frames(n: int, size: int, seed: int, channels: int) -> np.ndarray:
    """``n`` synthetic frames, uint8 ``(n, size, size, channels)``: thermal AGC video (1) or RGB (3)."""
    from data_loaders import synthetic

    pairs = synthetic.generate_pairs(n, size=size, seed=seed)
    return pairs["thermal_u8"] if channels == 1 else pairs["rgb"]


def write_sr_folders(root, channels: int, n_train: int = 400, n_held_out: int = 16, size: int = 256) -> Path:
    """Write ``root/train`` and ``root/held_out`` PNG folders for an SR recipe; returns ``root``.

    ``train``: ``n_train`` synthetic frames (seed :data:`TRAIN_SEED`) and the scikit-image training
    photographs of the kind; ``held_out``: ``n_held_out`` synthetic frames of another seed and the
    :data:`SKIMAGE_HELD_OUT` photographs. An existing, complete ``root`` is reused (written atomically).
    """
    from data_loaders.files import atomic_dir
    from thermal_keras.image_io import save_png

    root = Path(root)
    if (root / "train").is_dir() and (root / "held_out").is_dir():
        return root
    photos = SKIMAGE_TRAIN_GREY if channels == 1 else SKIMAGE_TRAIN_RGB
    with atomic_dir(root) as tmp:
        for split, frames, names in (("train", synthetic_frames(n_train, size, TRAIN_SEED, channels), photos),
                                     ("held_out", synthetic_frames(n_held_out, size, HELD_OUT_SEED, channels),
                                      SKIMAGE_HELD_OUT)):
            folder = tmp / split
            folder.mkdir(parents=True)
            for i, frame in enumerate(frames):
                save_png(frame, folder / f"synthetic_{i:04d}.png")
            for name in names:
                save_png(skimage_photo(name, channels), folder / f"skimage_{name}.png")
    return root
