"""How much of each real-data prediction's error is the camera's per-frame level and gain.

Reads the held-out predictions that ``benchmarks/real_rgb2thermal.py --predictions FILE`` writes
(uint8 ``(N, 256, 256, 1)`` arrays by contender, and ``target``) and prints, per contender, its PSNR
(the mean of per-frame PSNRs, the benchmark's score) beside the same with two oracles that see the
camera frame: the best per-frame offset (a perfect guess of the AGC level) and the best per-frame gain
and offset (level and stretch), and the mean per-frame correlation with the camera frame. If even
the oracles stay below a goal, no treatment of the level or gain alone reaches it: the structure
(the correlation) must improve::

    python benchmarks/real_headroom.py results/real_predictions.npz
"""

from __future__ import annotations

import argparse

import numpy as np


def frame_psnr(prediction: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per-frame PSNR in dB of ``(N, H, W, 1)`` arrays on the 0..255 scale."""
    mse = np.mean((prediction - target) ** 2, axis=(1, 2, 3))
    return 10.0 * np.log10(255.0**2 / np.maximum(mse, 1e-12))


def headroom(prediction, target) -> dict:
    """``psnr``, ``offset_oracle``, ``gain_offset_oracle`` (dB, means over frames) and ``correlation``."""
    p, t = np.asarray(prediction, np.float64), np.asarray(target, np.float64)
    offset = np.mean(t - p, axis=(1, 2, 3), keepdims=True)
    fitted, correlations = np.empty_like(p), []
    for i in range(len(p)):
        x, y = p[i].ravel(), t[i].ravel()
        design = np.stack([x, np.ones_like(x)], axis=1)
        coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
        fitted[i] = (design @ coefficients).reshape(p[i].shape)
        correlations.append(np.corrcoef(x, y)[0, 1] if x.std() > 0 else 0.0)
    return {"psnr": float(frame_psnr(p, t).mean()), "offset_oracle": float(frame_psnr(p + offset, t).mean()),
            "gain_offset_oracle": float(frame_psnr(fitted, t).mean()), "correlation": float(np.mean(correlations))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("predictions", help="the .npz of real_rgb2thermal.py --predictions")
    args = parser.parse_args(argv)
    with np.load(args.predictions) as stored:
        arrays = {name: stored[name] for name in stored.files}
    target = arrays.pop("target")
    print(f"{'contender':28s} {'PSNR':>6s} {'+offset oracle':>15s} {'+gain,offset oracle':>20s} {'corr':>6s}")
    for name, prediction in arrays.items():
        if prediction.shape != target.shape:
            continue  # the RGB frames, names
        row = headroom(prediction, target)
        print(f"{name:28s} {row['psnr']:6.2f} {row['offset_oracle']:15.2f} {row['gain_offset_oracle']:20.2f} "
              f"{row['correlation']:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
