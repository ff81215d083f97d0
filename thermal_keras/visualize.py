"""Thermal colormaps, RGB conversion, RGB | real | generated sample grids, and atomic PNG writes.

Model images are float ``[-1, 1]`` (see the package conventions); everything here returns
``uint8`` arrays ready for PIL, TensorBoard or matplotlib's ``imshow``.
"""

import functools

import numpy as np

__all__ = ["thermal_colormap", "colorize_thermal", "to_uint8_rgb", "sample_grid"]

# "Ironbow", the palette of many thermal cameras: black, deep blue, magenta, orange, yellow,
# near-white. Control points chosen by eye for this package (no vendor's table is copied).
IRONBOW_CONTROL_POINTS = (
    (0.00, (0, 0, 0)),
    (0.15, (32, 0, 110)),
    (0.35, (150, 0, 150)),
    (0.55, (220, 60, 40)),
    (0.75, (250, 150, 0)),
    (0.90, (255, 220, 60)),
    (1.00, (255, 255, 235)),
)


@functools.lru_cache(maxsize=16)
def _colormap_table(name):
    positions = np.linspace(0.0, 1.0, 256)
    if name == "ironbow":
        stops = np.array([point for point, _ in IRONBOW_CONTROL_POINTS])
        colours = np.array([colour for _, colour in IRONBOW_CONTROL_POINTS], dtype=np.float64)
        channels = [np.interp(positions, stops, colours[:, c]) for c in range(3)]
        table = np.round(np.stack(channels, axis=-1))
    else:
        import matplotlib

        try:
            colormap = matplotlib.colormaps[name]
        except KeyError:
            raise ValueError(
                f"cmap {name!r} is neither 'ironbow' nor a matplotlib colormap (e.g. 'inferno', 'magma', 'gray')"
            ) from None
        table = np.round(colormap(positions)[:, :3] * 255.0)
    table = table.astype(np.uint8)
    table.flags.writeable = False
    return table


def thermal_colormap(name="inferno"):
    """A 256-entry colour table: ``(256, 3)`` uint8, entry 0 for the coldest value, 255 the hottest.

    ``name`` is any matplotlib colormap ("inferno", "magma", "plasma", "gray", ...) or "ironbow".
    """
    if not isinstance(name, str):
        raise ValueError(f"cmap must be a colormap name, got {name!r}")
    return _colormap_table(name).copy()


def _check_value_range(value_range):
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(f"value_range must be a (low, high) pair of numbers, got {value_range!r}") from None
    if not high > low:
        raise ValueError(f"value_range must have high > low, got {value_range!r}")
    return low, high


def _to_levels(x, value_range):
    """Maps ``value_range`` linearly onto integer levels 0..255 (clipped; NaN becomes 0)."""
    low, high = _check_value_range(value_range)
    values = np.asarray(x, dtype=np.float64)
    levels = np.round((values - low) / (high - low) * 255.0)
    return np.nan_to_num(np.clip(levels, 0, 255), nan=0.0).astype(np.uint8)


def colorize_thermal(x, value_range=(-1, 1), cmap="inferno"):
    """Thermal images to false colour.

    ``x``: ``(H, W)``, ``(H, W, 1)`` or ``(N, H, W, 1)`` float array or tensor with values in
    ``value_range`` (clipped outside). Returns uint8 ``(H, W, 3)`` or ``(N, H, W, 3)``.
    """
    values = np.asarray(x)
    if values.ndim not in (2, 3, 4) or (values.ndim > 2 and values.shape[-1] != 1):
        raise ValueError(f"thermal image must have shape (H, W), (H, W, 1) or (N, H, W, 1), got {values.shape}")
    if values.ndim > 2:
        values = values[..., 0]
    return thermal_colormap(cmap)[_to_levels(values, value_range)]


def to_uint8_rgb(x, value_range=(-1, 1)):
    """Float images in ``value_range`` (clipped) to uint8 0..255 of the same shape, e.g. ``(N, H, W, 3)``."""
    return _to_levels(x, value_range)


def _as_batch(images, name, channels):
    array = np.asarray(images)
    if array.ndim == 3:
        array = array[None]
    if array.ndim != 4 or array.shape[-1] != channels:
        raise ValueError(f"{name} must have shape (N, H, W, {channels}) or (H, W, {channels}), got {np.shape(images)}")
    return array


def sample_grid(rgb, real_thermal, fake_thermal, cmap="inferno"):
    """One row per image: RGB | real thermal | generated thermal (false colour), as one picture.

    ``rgb``: ``(N, H, W, 3)``; ``real_thermal`` and ``fake_thermal``: ``(N, H, W, 1)``; all float
    in ``[-1, 1]`` (a single image without the batch axis is accepted too).
    Returns uint8 ``(N * H, 3 * W, 3)``.
    """
    rgb = _as_batch(rgb, "rgb", 3)
    real_thermal = _as_batch(real_thermal, "real_thermal", 1)
    fake_thermal = _as_batch(fake_thermal, "fake_thermal", 1)
    if not rgb.shape[:3] == real_thermal.shape[:3] == fake_thermal.shape[:3]:
        raise ValueError(
            "rgb, real_thermal and fake_thermal must share (N, H, W), got "
            f"{rgb.shape}, {real_thermal.shape} and {fake_thermal.shape}"
        )
    columns = [to_uint8_rgb(rgb), colorize_thermal(real_thermal, cmap=cmap), colorize_thermal(fake_thermal, cmap=cmap)]
    rows = np.concatenate(columns, axis=2)  # (N, H, 3W, 3)
    count, height, width, _ = rows.shape
    return rows.reshape(count * height, width, 3)
