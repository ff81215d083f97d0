"""benchmarks/real_headroom.py: the level and gain oracles recover exactly what they claim to."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from real_headroom import frame_psnr, headroom  # noqa: E402


def _frames(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (3, 16, 16, 1)).astype(np.float64)


def test_an_offset_costs_its_psnr_and_the_offset_oracle_removes_it():
    target = _frames()
    row = headroom(target - 10.0, target)
    np.testing.assert_allclose(row["psnr"], 10 * np.log10(255.0**2 / 100.0), rtol=1e-9)  # 28.13 dB
    assert row["offset_oracle"] > 100 and row["gain_offset_oracle"] > 100  # exact: only the 1e-12 floor
    np.testing.assert_allclose(row["correlation"], 1.0)


def test_a_gain_needs_the_gain_oracle():
    target = _frames(1)
    row = headroom(0.5 * target + 3.0, target)
    assert row["psnr"] < row["offset_oracle"] < 60 < row["gain_offset_oracle"]


def test_an_unrelated_prediction_is_no_better_than_each_frames_mean_under_the_gain_oracle():
    """With no correlation, the best gain is about 0, so the oracle predicts each frame's mean level."""
    target, other = _frames(2), _frames(3)
    row = headroom(other, target)
    frame_means = np.broadcast_to(target.mean(axis=(1, 2, 3), keepdims=True), target.shape)
    assert abs(row["correlation"]) < 0.2
    assert abs(row["gain_offset_oracle"] - frame_psnr(frame_means, target).mean()) < 0.3
