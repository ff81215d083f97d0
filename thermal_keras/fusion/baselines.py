"""Classical visible/infrared fusion to compare learned fusion against, and the colour helpers.

* ``average_fusion``: ``(IR + VIS) / 2`` per pixel.
* ``pyramid_fusion``: Laplacian pyramids of both images (Burt & Adelson's 5-tap binomial filter);
  each detail coefficient taken from the source with the larger absolute value ("max-abs"), the
  coarsest (base) level averaged, then the pyramid collapsed. Edges of either source survive at full
  contrast where averaging would halve them.

Images are NumPy grey arrays ``(H, W)`` of any float range (0..255 in the CLI and notebooks);
outputs have the inputs' range and shape, float64. Colour: fusion works on the luma ``Y``; the
fused colour image takes the visible image's chroma (YCbCr, ITU-R BT.601 full range as in JPEG):
:func:`rgb_to_ycbcr`, :func:`ycbcr_to_rgb`, :func:`colour_from_visible`.
"""

from __future__ import annotations

import numpy as np

BINOMIAL_5 = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0
RGB_TO_YCBCR = np.array([[0.299, 0.587, 0.114],
                         [-0.168736, -0.331264, 0.5],
                         [0.5, -0.418688, -0.081312]])
CHROMA_OFFSET = np.array([0.0, 128.0, 128.0])


def _grey_pair(ir, visible):
    a, b = np.asarray(ir, np.float64), np.asarray(visible, np.float64)
    a, b = (x[..., 0] if x.ndim == 3 and x.shape[-1] == 1 else x for x in (a, b))
    if a.ndim != 2 or a.shape != b.shape:
        raise ValueError(f"ir and visible must be grey images (H, W) of one size, got {np.shape(ir)} "
                         f"and {np.shape(visible)}")
    return a, b


def average_fusion(ir, visible) -> np.ndarray:
    """``(ir + visible) / 2``, float64 ``(H, W)``."""
    a, b = _grey_pair(ir, visible)
    return 0.5 * (a + b)


def _blur(image):
    """Separable 5-tap binomial low-pass with mirrored borders."""
    padded = np.pad(image, 2, mode="reflect")
    rows = sum(w * padded[:, i:i + image.shape[1]] for i, w in enumerate(BINOMIAL_5))
    return sum(w * rows[i:i + image.shape[0], :] for i, w in enumerate(BINOMIAL_5))


def _reduce(image):
    return _blur(image)[::2, ::2]


def _expand(image, shape):
    """Upsample to ``shape`` by zero insertion and a ×4 binomial blur (keeps the mean level)."""
    up = np.zeros(shape)
    up[::2, ::2] = image[:(shape[0] + 1) // 2, :(shape[1] + 1) // 2]
    return 4.0 * _blur(up)


def max_pyramid_levels(shape) -> int:
    """Most levels (details + base) for which every level keeps at least 3 pixels a side."""
    levels, side = 1, min(shape)
    while (side + 1) // 2 >= 3:
        side = (side + 1) // 2
        levels += 1
    return levels


def laplacian_pyramid(image, levels: int = 4) -> list[np.ndarray]:
    """``levels`` arrays: ``levels - 1`` detail levels (finest first) and the low-pass base last.

    ``reconstruct_pyramid(laplacian_pyramid(x))`` returns ``x`` up to rounding, for any size.
    """
    current = np.asarray(image, np.float64)
    if current.ndim != 2:
        raise ValueError(f"image must be grey (H, W), got shape {current.shape}")
    if not 1 <= levels <= max_pyramid_levels(current.shape):
        raise ValueError(f"levels must be 1..{max_pyramid_levels(current.shape)} for a {current.shape} image, "
                         f"got {levels}")
    pyramid = []
    for _ in range(levels - 1):
        smaller = _reduce(current)
        pyramid.append(current - _expand(smaller, current.shape))
        current = smaller
    return pyramid + [current]


def reconstruct_pyramid(pyramid) -> np.ndarray:
    """Collapse a Laplacian pyramid (finest detail first, base last) back into an image."""
    image = pyramid[-1]
    for detail in reversed(pyramid[:-1]):
        image = detail + _expand(image, detail.shape)
    return image


def pyramid_fusion(ir, visible, levels: int = 4) -> np.ndarray:
    """Laplacian-pyramid fusion: max-abs detail selection, averaged base; float64 ``(H, W)``.

    ``levels`` is capped at what the image size allows (:func:`max_pyramid_levels`).
    """
    a, b = _grey_pair(ir, visible)
    levels = min(levels, max_pyramid_levels(a.shape))
    pyramid_a, pyramid_b = laplacian_pyramid(a, levels), laplacian_pyramid(b, levels)
    details = [np.where(np.abs(da) >= np.abs(db), da, db) for da, db in zip(pyramid_a[:-1], pyramid_b[:-1])]
    return reconstruct_pyramid(details + [0.5 * (pyramid_a[-1] + pyramid_b[-1])])


BASELINES = {"average": average_fusion, "pyramid": pyramid_fusion}


def rgb_to_ycbcr(rgb) -> np.ndarray:
    """``(H, W, 3)`` RGB on 0..255 -> float64 YCbCr on 0..255 (BT.601 full range, JPEG's)."""
    return np.asarray(rgb, np.float64) @ RGB_TO_YCBCR.T + CHROMA_OFFSET


def ycbcr_to_rgb(ycbcr) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`; float64, not clipped."""
    return (np.asarray(ycbcr, np.float64) - CHROMA_OFFSET) @ np.linalg.inv(RGB_TO_YCBCR).T


def colour_from_visible(fused_y, visible_rgb) -> np.ndarray:
    """Fused luma ``(H, W)`` (0..255) + the visible image's chroma -> uint8 RGB ``(H, W, 3)``."""
    ycbcr = rgb_to_ycbcr(visible_rgb)
    fused_y = np.asarray(fused_y, np.float64)
    if fused_y.shape != ycbcr.shape[:2]:
        raise ValueError(f"fused_y {fused_y.shape} and visible_rgb {np.shape(visible_rgb)} differ in size")
    ycbcr[..., 0] = fused_y
    return np.clip(np.rint(ycbcr_to_rgb(ycbcr)), 0, 255).astype(np.uint8)
