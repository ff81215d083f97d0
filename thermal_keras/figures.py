"""Figures that show a model's result beside its input and the truth, for the notebooks and docs.

Each function takes NumPy arrays and returns a ``matplotlib.figure.Figure`` (it does not show or
save it). Panels that are compared share one colour scale and one colorbar with units; difference
maps get their own colorbar. Default resolution 100 dpi, panels about 2.4 inches wide.

* :func:`translation_figure`: RGB | generated thermal | camera thermal | |generated - camera|.
* :func:`held_out_translation_figure`: the same for a generator on three frames of held-out 8-bit
  pairs (the brightest, a middle one and the darkest), read through the evaluation pipeline.
* :func:`super_resolution_figure`: LR | bicubic | model | HR, a zoomed crop of each, and the
  difference of bicubic and model to HR.
* :func:`fusion_figure`: visible | infrared | one column per fusion method.
* :func:`sample_grid_figure`: a training sample grid (:class:`~thermal_keras.training.SampleGridCallback`)
  shown large, titled with its step count in words, with the colour bar of its false colour.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

PANEL_INCHES = 2.4
DPI = 100


def _figure(rows: int, cols: int, dpi: int, extra_width: float = 0.9):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(rows, cols, figsize=(cols * PANEL_INCHES + extra_width, rows * PANEL_INCHES),
                             dpi=dpi, squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.set_xticks([])
        ax.set_yticks([])
    return fig, axes


def _grey(images, name) -> np.ndarray:
    """``(N, H, W)`` float64 from ``(N, H, W)`` or ``(N, H, W, 1)``."""
    array = np.asarray(images, np.float64)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 3:
        raise ValueError(f"{name}: expected (N, H, W) or (N, H, W, 1), got shape {np.shape(images)}")
    return array


def _shared_range(*images) -> tuple[float, float]:
    """One display range for images compared side by side: lowest 1st to highest 99th percentile."""
    ranges = np.array([np.percentile(image, [1, 99]) for image in images])
    return float(ranges[:, 0].min()), float(ranges[:, 1].max())


def translation_figure(rgb, generated, camera, units: str = "°C", titles=None, row_labels=None,
                       cmap: str = "inferno", dpi: int = DPI):
    """RGB inputs beside generated and camera thermal images, and their absolute difference.

    Args:
        rgb: ``(N, H, W, 3)`` uint8.
        generated, camera: ``(N, H, W)`` or ``(N, H, W, 1)`` in ``units`` (e.g. °C, or 8-bit levels).
        units: label of the thermal colorbars; the difference colorbar uses the same unit (written
            "K" for °C, since a temperature difference is in kelvin).
        titles: four column titles; row_labels: ``N`` labels written left of each row.

    Returns:
        The figure. In each row the generated and camera images share one scale (from the lower of
        their 1st to the higher of their 99th percentiles) and one colorbar; the difference maps of
        all rows share one scale.
    """
    rgb = np.asarray(rgb)
    generated, camera = _grey(generated, "generated"), _grey(camera, "camera")
    if not (rgb.ndim == 4 and rgb.shape[-1] == 3 and rgb.shape[:3] == generated.shape == camera.shape):
        raise ValueError(f"rgb (N, H, W, 3), generated and camera (N, H, W) must agree, got {rgb.shape}, "
                         f"{generated.shape}, {camera.shape}")
    titles = titles or ("RGB input", "generated", "thermal camera", "|generated - camera|")
    error = np.abs(generated - camera)
    top_error = max(float(np.percentile(error, 99)), 1e-6)
    label = f"apparent temperature ({units})" if units == "°C" else units
    error_units = "K" if units == "°C" else units
    n = len(rgb)
    fig, axes = _figure(n, 4, dpi, extra_width=1.6)
    for row in range(n):
        low, high = _shared_range(generated[row], camera[row])
        axes[row, 0].imshow(rgb[row])
        scale = axes[row, 1].imshow(generated[row], cmap=cmap, vmin=low, vmax=high)
        axes[row, 2].imshow(camera[row], cmap=cmap, vmin=low, vmax=high)
        fig.colorbar(scale, ax=axes[row, 1:3], shrink=0.9, label=label)
        diff = axes[row, 3].imshow(error[row], cmap="magma", vmin=0, vmax=top_error)
        if row_labels is not None:
            axes[row, 0].set_ylabel(row_labels[row])
    for ax, title in zip(axes[0], titles):
        ax.set_title(title)
    fig.colorbar(diff, ax=axes[:, 3], shrink=0.6, label=f"absolute difference ({error_units})")
    return fig


def held_out_translation_figure(generator, files, image_size: int, keep_aspect: bool = True, title=None,
                                dpi: int = DPI):
    """:func:`translation_figure` of ``generator`` on three held-out pairs of ``files`` (a
    ``PairedFiles`` of RGB / 8-bit thermal): the brightest RGB frame, the middle one and the darkest
    (a night scene, where there is one), each read as training scores them (``eval_dataset``: shorter
    side to ``image_size``, centre square), in 8-bit levels; rows labelled with the file names.

    ``generator``: RGB ``(N, S, S, 3)`` in ``[-1, 1]`` -> ``(N, S, S, 1)`` in ``[-1, 1]``.
    """
    from thermal_keras.data.pipeline import eval_dataset

    rgb, camera = [], []
    for a, b in eval_dataset(files, image_size=image_size, batch_size=16, keep_aspect=keep_aspect):
        rgb.append(a.numpy())
        camera.append(b.numpy())
    rgb, camera = np.concatenate(rgb), np.concatenate(camera)
    order = np.argsort(rgb.mean(axis=(1, 2, 3)))
    rows = list(dict.fromkeys([int(order[-1]), int(order[len(order) // 2]), int(order[0])]))
    generated = np.clip(np.asarray(generator(rgb[rows], training=False), np.float32), -1.0, 1.0)

    def levels(x):
        return (np.asarray(x, np.float64)[..., 0] + 1.0) * 127.5

    fig = translation_figure(np.rint((rgb[rows] + 1.0) * 127.5).astype(np.uint8), levels(generated),
                             levels(camera[rows]), units="8-bit AGC level",
                             row_labels=[Path(files.a_paths[k]).stem for k in rows], dpi=dpi)
    if title:
        fig.suptitle(title)
    return fig


def super_resolution_figure(lr, bicubic, model, hr, box=None, units: str = "grey level, 0-255",
                            cmap: str = "gray", model_name: str = "model", dpi: int = DPI):
    """One image super-resolved: full frames, zoomed crops and the errors of bicubic and the model.

    Args:
        lr: ``(h, w)`` or ``(h, w, 1)`` low-resolution input; bicubic, model, hr: ``(H, W)`` or
            ``(H, W, 1)`` with ``H = s * h``, all on the same value scale (``units``).
        box: ``(top, left, size)`` of the zoomed square in HR pixels; default: the quarter of the HR
            image with the most detail (largest gradient energy).

    Returns:
        A 3 x 4 figure: row 1 LR (nearest-neighbour enlarged) | bicubic | model | HR with the crop
        outlined; row 2 the crops; row 3 ``|bicubic - HR|``, ``|model - HR|`` on one scale, with the
        PSNR of each (peak = the HR range) in the titles.
    """
    import matplotlib.patches as patches

    lr, bicubic, model, hr = (_grey(np.asarray(x)[None], name)[0]
                              for x, name in ((lr, "lr"), (bicubic, "bicubic"), (model, "model"), (hr, "hr")))
    if not (bicubic.shape == model.shape == hr.shape) or hr.shape[0] % lr.shape[0] or hr.shape[1] % lr.shape[1]:
        raise ValueError(f"bicubic, model and hr must share one shape, a multiple of lr's; got {bicubic.shape}, "
                         f"{model.shape}, {hr.shape} and lr {lr.shape}")
    scale = hr.shape[0] // lr.shape[0]
    if box is None:
        box = detailed_square(hr, hr.shape[0] // 4)
    top, left, size = box
    low, high = float(hr.min()), float(hr.max())
    peak = max(high - low, 1e-6)
    enlarged = np.kron(lr, np.ones((scale, scale)))
    frames = {f"LR input ({lr.shape[1]}×{lr.shape[0]})": enlarged, "bicubic": bicubic, model_name: model,
              f"HR ({hr.shape[1]}×{hr.shape[0]})": hr}
    fig, axes = _figure(3, 4, dpi)
    for col, (title, image) in enumerate(frames.items()):
        shown = axes[0, col].imshow(image, cmap=cmap, vmin=low, vmax=high)
        axes[0, col].add_patch(patches.Rectangle((left - 0.5, top - 0.5), size, size, fill=False, color="cyan", lw=1.2))
        axes[0, col].set_title(title)
        axes[1, col].imshow(image[top:top + size, left:left + size], cmap=cmap, vmin=low, vmax=high)
        axes[1, col].set_title(f"zoom ×{max(1, round(hr.shape[0] / size))}")
    errors = {"bicubic": np.abs(bicubic - hr), model_name: np.abs(model - hr)}
    top_error = max(float(np.percentile(np.concatenate([e.ravel() for e in errors.values()]), 99.5)), 1e-6)
    for col, (name, error) in enumerate(errors.items()):
        psnr = 10 * np.log10(peak ** 2 / max(float(np.mean(error ** 2)), 1e-12))
        diff = axes[2, col + 1].imshow(error, cmap="magma", vmin=0, vmax=top_error)
        axes[2, col + 1].set_title(f"|{name} - HR|\nPSNR {psnr:.2f} dB")
    for col in (0, 3):
        axes[2, col].axis("off")
    fig.colorbar(shown, ax=axes[:2, :], shrink=0.8, label=units)
    fig.colorbar(diff, ax=axes[2, :], shrink=0.8, label=f"|error| ({units})")
    return fig


def detailed_square(image, size: int) -> tuple[int, int, int]:
    """``(top, left, size)`` of the ``size``-pixel square, on a half-size grid, with the largest
    gradient energy of ``image`` ``(H, W)``."""
    image = np.asarray(image, np.float64)
    gy, gx = np.gradient(image)
    energy = gx ** 2 + gy ** 2
    step = max(size // 2, 1)
    best, where = -1.0, (0, 0)
    for top in range(0, image.shape[0] - size + 1, step):
        for left in range(0, image.shape[1] - size + 1, step):
            value = energy[top:top + size, left:left + size].sum()
            if value > best:
                best, where = value, (top, left)
    return where[0], where[1], size


def fusion_figure(visible_rgb, infrared, fused: dict, titles=None, dpi: int = DPI):
    """Visible | infrared | each fused image, one row per pair.

    Args:
        visible_rgb: ``(N, H, W, 3)`` uint8; infrared: ``(N, H, W)`` or ``(N, H, W, 1)`` on 0..255
            (8-bit infrared levels, shown with a colorbar in that unit).
        fused: ``{method: (N, H, W)}`` grey fused images on 0..255, shown on the same grey scale.
        titles: row labels (e.g. "night", "day").
    """
    visible_rgb = np.asarray(visible_rgb)
    if visible_rgb.dtype != np.uint8:  # 0..255 floats, as the fusion readers return them
        visible_rgb = np.clip(np.rint(visible_rgb), 0, 255).astype(np.uint8)
    infrared = _grey(infrared, "infrared")
    fused = {name: _grey(images, name) for name, images in fused.items()}
    n = len(visible_rgb)
    if infrared.shape[0] != n or any(images.shape != infrared.shape for images in fused.values()):
        raise ValueError("visible, infrared and every fused set need the same N, H and W")
    fig, axes = _figure(n, 2 + len(fused), dpi)
    for row in range(n):
        axes[row, 0].imshow(visible_rgb[row])
        ir = axes[row, 1].imshow(infrared[row], cmap="inferno", vmin=0, vmax=255)
        for col, images in enumerate(fused.values(), start=2):
            grey = axes[row, col].imshow(images[row], cmap="gray", vmin=0, vmax=255)
        if titles is not None:
            axes[row, 0].set_ylabel(titles[row])
    for ax, title in zip(axes[0], ["visible", "infrared", *fused]):
        ax.set_title(title)
    fig.colorbar(ir, ax=axes[:, 1], shrink=0.8, label="infrared level (8-bit)")
    if fused:
        fig.colorbar(grey, ax=axes[:, 2:], shrink=0.8, label="fused grey level (8-bit)")
    return fig


SAMPLE_GRID_COLUMNS = ("RGB input", "thermal camera", "generated")


def _grid_and_step(grid, step):
    """The grid as uint8 ``(H, W, 3)`` and its step (given, else read from a ``step_NNNNNN.png`` name)."""
    if isinstance(grid, (str, Path)):
        from PIL import Image

        path = Path(grid)
        if step is None:
            found = re.fullmatch(r"step_(\d+)", path.stem)
            if not found:
                raise ValueError(f"sample grid {path}: its name is not step_NNNNNN.png; give step=")
            step = int(found.group(1))
        with Image.open(path) as image:
            grid = np.asarray(image.convert("RGB"))
    elif step is None:
        raise ValueError("sample_grid_figure: give step= with a grid array (only a step_NNNNNN.png name carries it)")
    grid = np.asarray(grid)
    if grid.dtype != np.uint8 or grid.ndim != 3 or grid.shape[-1] != 3 or grid.shape[1] % 3:
        raise ValueError(f"sample grid: expected uint8 (N * H, 3 * W, 3), got {grid.dtype} {grid.shape}")
    return grid, int(step)


def sample_grid_figure(grid, step=None, value_range=(-1.0, 1.0), units: str = "model thermal value, -1 to 1",
                       cmap: str = "inferno", title: str = "after {step:,} training steps", rows=None,
                       columns=SAMPLE_GRID_COLUMNS, dpi: int = DPI):
    """A sample grid written during training, shown large with the colour bar of its thermal columns.

    Args:
        grid: a :class:`~thermal_keras.training.SampleGridCallback` PNG (its name ``step_NNNNNN.png``
            gives the step) or the grid itself, uint8 ``(N * H, 3 * W, 3)``: one row per preview image,
            RGB | camera thermal | generated thermal, the two thermal columns in false colour ``cmap``
            over the model's ``[-1, 1]`` (:func:`thermal_keras.visualize.sample_grid`).
        step: generator steps done when the grid was written; default: read from the file name.
        value_range: the values that the model's -1 and 1 stand for, in ``units`` (e.g. the °C of the
            data's count range, or 0 and 255 for 8-bit frames): the colour bar's ends.
        title: the figure's title, formatted with ``step``.
        rows: preview images in the grid; default: square panels (``H == W``).
        columns: the three column titles.

    Returns:
        An ``N x 3`` figure with panels ``PANEL_INCHES`` wide and one colour bar, in ``units``, shared
        by both thermal columns (they use one scale: ``cmap`` over ``value_range``).
    """
    import matplotlib
    import matplotlib.colors

    from thermal_keras.visualize import thermal_colormap

    grid, step = _grid_and_step(grid, step)
    width = grid.shape[1] // 3
    rows = grid.shape[0] // width if rows is None else int(rows)
    if rows < 1 or grid.shape[0] % rows:
        raise ValueError(f"sample grid of shape {grid.shape}: cannot split it into {rows} rows of 3 panels; give rows=")
    height = grid.shape[0] // rows
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must have high > low, got {value_range!r}")
    fig, axes = _figure(rows, 3, dpi, extra_width=1.2)
    for row in range(rows):
        for col in range(3):
            axes[row, col].imshow(grid[row * height:(row + 1) * height, col * width:(col + 1) * width])
    for ax, column in zip(axes[0], columns):
        ax.set_title(column)
    colours = matplotlib.colors.ListedColormap(thermal_colormap(cmap) / 255.0, name=cmap)
    scale = matplotlib.cm.ScalarMappable(matplotlib.colors.Normalize(low, high), colours)
    fig.colorbar(scale, ax=axes[:, 1:], shrink=0.8, label=units)
    fig.suptitle(title.format(step=step))
    return fig
