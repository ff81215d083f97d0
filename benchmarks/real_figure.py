"""The figure of docs/real_data.md: held-out RoadScene frames, RGB | generated | camera | error.

Reads the ``--predictions`` file of ``real_rgb2thermal.py`` (uint8 held-out frames and each
contender's 8-bit predictions) and draws at most 8 frames, evenly spaced over the held-out runs,
with ``thermal_keras.figures.translation_figure`` (shared scale per row, colorbars in 8-bit levels).
The frames are RoadScene's (FLIR ADAS): research use, attributed in the title. Not part of the package.

    python benchmarks/real_figure.py results/real_predictions.npz --contender recipe \
        --out docs/images/real_data_heldout.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ATTRIBUTION = "Held-out RoadScene frames (Xu et al., FusionDN/U2Fusion; from FLIR ADAS, research use)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("predictions", help=".npz written by real_rgb2thermal.py --predictions")
    parser.add_argument("--contender", default="recipe", help="whose predictions to draw")
    parser.add_argument("--frames", type=int, default=6, help="frames to draw (at most 8)")
    parser.add_argument("--out", required=True, help="PNG to write")
    args = parser.parse_args()
    if not 1 <= args.frames <= 8:
        raise SystemExit(f"--frames {args.frames}: draw 1 to 8 frames")
    with np.load(args.predictions) as saved:
        if args.contender not in saved:
            raise SystemExit(f"{args.predictions}: no predictions of {args.contender!r} "
                             f"(has {', '.join(k for k in saved.files if k not in ('names', 'target', 'rgb'))})")
        names, rgb, target, generated = (saved[k] for k in ("names", "rgb", "target", args.contender))
    import matplotlib

    matplotlib.use("Agg")
    from thermal_keras.figures import translation_figure

    chosen = np.linspace(0, len(names) - 1, min(args.frames, len(names))).round().astype(int)
    fig = translation_figure(rgb[chosen], generated[chosen].astype(np.float32), target[chosen].astype(np.float32),
                             units="8-bit level", row_labels=[str(n) for n in names[chosen]],
                             titles=("RGB input", f"generated ({args.contender})", "thermal camera",
                                     "|generated - camera|"))
    fig.suptitle(ATTRIBUTION, fontsize=9)
    out = Path(args.out)
    tmp = out.with_name(f".{out.name}.tmp.png")
    fig.savefig(tmp, dpi=100)
    tmp.replace(out)
    print(f"wrote {out} ({len(chosen)} frames of {args.contender})")


if __name__ == "__main__":
    main()
