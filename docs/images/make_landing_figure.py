"""Draws docs/images/synthetic_pairs.png: built-in synthetic scenes, RGB above apparent temperature.

Run from the repository root: ``.venv/bin/python docs/images/make_landing_figure.py``.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from data_loaders.synthetic import generate_pairs  # noqa: E402

pairs = generate_pairs(4, size=192, seed=12)  # sun, night street, clouds, a snowy night seen from above
celsius = pairs["thermal_u16"][..., 0].astype(np.float32) / 100.0 - 273.15  # apparent temperature
low, high = np.percentile(celsius, [1, 99])
fig, axes = plt.subplots(2, 4, figsize=(12, 6.4), dpi=110, constrained_layout=True)
for i in range(4):
    axes[0, i].imshow(pairs["rgb"][i])
    when = "day" if pairs["is_day"][i] else "night"
    axes[0, i].set_title(f"{when}, air {pairs['air_c'][i]:.0f} °C, cloud cover {pairs['cloud'][i]:.0%}", fontsize=11)
    image = axes[1, i].imshow(celsius[i], cmap="inferno", vmin=low, vmax=high)
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
axes[0, 0].set_ylabel("RGB camera", fontsize=11)
axes[1, 0].set_ylabel("thermal camera", fontsize=11)
fig.colorbar(image, ax=axes[1, :], shrink=0.9, label="apparent temperature (°C)")
fig.suptitle("The built-in synthetic set: registered RGB / long-wave infrared pairs (seeded, no download)",
             fontsize=12)
out = Path(__file__).with_name("synthetic_pairs.png")
fig.savefig(out)
print(f"wrote {out}")
