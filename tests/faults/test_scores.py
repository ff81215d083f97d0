"""Honest numbers (issue 31): ``evaluate --real --fake`` reads 16-bit files as 16-bit and scores each
pair on its own range, refuses a pair that mixes bit depths before scoring, and every score file
(``metrics.json``, ``evaluate --json``) is strict JSON even where a score is infinite."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tifffile
from fault_tools import TINY_TRAIN
from image_files import save
from skimage import metrics as skm

SIZE = 24


def strict_json(path):
    """``path`` parsed by a strict JSON parser: the bare tokens ``Infinity``, ``-Infinity`` and ``NaN``
    that Python's ``json`` writes by default (and reads back) are refused."""
    def refuse(token):
        raise ValueError(f"{path} is not strict JSON: it holds the bare token {token}")
    return json.loads(path.read_text(), parse_constant=refuse)


def _pair(seed, channels):
    """An 8-bit image and a noisy copy, ``(SIZE, SIZE)`` grey or ``(SIZE, SIZE, 3)`` colour."""
    rng = np.random.default_rng(seed)
    shape = (SIZE, SIZE) if channels == 1 else (SIZE, SIZE, 3)
    real = rng.integers(0, 256, shape)
    return real.astype(np.uint8), np.clip(real + rng.integers(-25, 26, shape), 0, 255).astype(np.uint8)


def _folders(root, bits16):
    """A grey and a colour pair: 8-bit PNGs, or the same values x257 as 16-bit (grey PNG, colour
    TIFF); returns ``(real, fake, expected 8-bit PSNR from scikit-image)``."""
    psnrs = []
    for i, channels in enumerate((1, 3)):
        real, fake = _pair(i, channels)
        psnrs.append(skm.peak_signal_noise_ratio(real, fake, data_range=255))
        suffix = ".tif" if bits16 and channels == 3 else ".png"
        for folder, image in (("real", real), ("fake", fake)):
            save(root / folder / f"{i}{suffix}", image.astype(np.uint16) * 257 if bits16 else image)
    return root / "real", root / "fake", float(np.mean(psnrs))


def test_16_bit_copies_score_like_their_8_bit_originals(tmp_path, run_cli):
    scores = {}
    for name, bits16 in (("8-bit", False), ("16-bit", True)):
        real, fake, expected_psnr = _folders(tmp_path / name, bits16)
        out = tmp_path / f"{name}.json"
        outcome = run_cli(["evaluate", "--real", real, "--fake", fake, "--weights", "none", "--json", out],
                          watch=tmp_path / name)
        assert outcome.code == 0, outcome.err
        scores[name] = strict_json(out)["paired"]
        assert scores[name]["psnr"] == pytest.approx(expected_psnr, abs=1e-3)
    eight, sixteen = scores["8-bit"], scores["16-bit"]
    assert eight["bit_depths"] == [8] and sixteen["bit_depths"] == [16]
    for key in ("mse", "rmse", "psnr", "ssim", "uqi"):
        assert sixteen[key] == pytest.approx(eight[key], rel=1e-5, abs=1e-7), key
    assert 0.5 < sixteen["ssim"] < 1


def test_a_pair_that_mixes_bit_depths_is_refused_before_scoring(tmp_path, run_cli, monkeypatch):
    from thermal_keras.pix2pix import evaluate

    def no_scoring(*_):
        raise AssertionError("a pair was scored before the bit depths were checked")

    monkeypatch.setattr(evaluate, "image_metrics", no_scoring)
    real, fake, _ = _folders(tmp_path / "data", bits16=False)
    mixed = fake / "1.tif"  # the second pair's fake side, stored x257 as 16-bit
    (fake / "1.png").unlink()
    tifffile.imwrite(mixed, _pair(1, 3)[1].astype(np.uint16) * 257)
    out = tmp_path / "scores.json"
    outcome = run_cli(["evaluate", "--real", real, "--fake", fake, "--weights", "none", "--json", out],
                      watch=tmp_path)
    assert outcome.code == 2
    line = outcome.error_line
    assert line.startswith("thermal-keras evaluate: error: ")
    assert f"{real / '1.png'} is 8-bit and {mixed} is 16-bit" in line, line
    assert not out.exists()


def test_identical_folders_write_strict_json_with_the_infinite_psnr_named(tmp_path, run_cli):
    real, _, _ = _folders(tmp_path / "data", bits16=False)
    out = tmp_path / "scores.json"
    outcome = run_cli(["evaluate", "--real", real, "--fake", real, "--weights", "none", "--json", out])
    assert outcome.code == 0, outcome.err
    report = strict_json(out)
    assert report["paired"]["psnr"] is None and report["paired"]["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert report["non_finite"] == {"paired.psnr": "inf"}


def _constant_target_dataset(root, level=255):
    """Pairs whose 8-bit thermal targets are all one grey level: the mean image predicts them exactly."""
    for split, n in (("train", 8), ("test", 4)):
        for i in range(n):
            save(root / split / "A" / f"{i}.png", np.random.default_rng(i).integers(0, 256, (36, 36, 3), np.uint8))
            save(root / split / "B" / f"{i}.png", np.full((36, 36), level, np.uint8))
    return root


def test_constant_targets_give_a_strict_metrics_json(tmp_path, run_cli):
    data = _constant_target_dataset(tmp_path / "data")
    run = tmp_path / "run"
    outcome = run_cli(["train", "pix2pix", *TINY_TRAIN, "--layout", "paired", "--data", data,
                       "--eval-split", "test", "--output-dir", run])
    assert outcome.code == 0, outcome.err
    trained = strict_json(run / "metrics.json")
    assert trained["mean_baseline"]["psnr"] is None  # infinite: the mean image is the target
    assert trained["non_finite"]["mean_baseline.psnr"] == "inf"
    assert all(np.isfinite(v) for v in trained["model"].values())
    out = tmp_path / "again.json"
    outcome = run_cli(["evaluate", "--run", run, "--json", out])  # rewrites metrics.json, writes --json
    assert outcome.code == 0, outcome.err
    again = strict_json(run / "metrics.json")
    assert again == strict_json(out) and again["non_finite"]["mean_baseline.psnr"] == "inf"
