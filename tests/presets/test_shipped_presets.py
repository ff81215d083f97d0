"""The shipped presets load offline in seconds and meet the numbers their model cards state."""

import time

import numpy as np
import pytest

from thermal_keras import presets
from thermal_keras.presets.checks import translation_check

PIX2PIX = "pix2pix_rgb2thermal_128"


@pytest.fixture(scope="module")
def pix2pix_preset():
    start = time.perf_counter()
    preset = presets.load_preset(PIX2PIX)
    preset.load_seconds = time.perf_counter() - start
    return preset


def test_pix2pix_preset_loads_offline_in_seconds(pix2pix_preset):
    assert pix2pix_preset.load_seconds < 30
    assert pix2pix_preset.generator.input_shape == (None, None, None, 3)
    assert pix2pix_preset.target_spec.counts_per_kelvin == 100.0


def test_pix2pix_preset_beats_both_baselines_on_every_metric_as_its_card_says(pix2pix_preset):
    report = translation_check(pix2pix_preset)
    model = report["model"]
    for baseline in ("grey_baseline", "mean_baseline"):
        other = report[baseline]
        assert model["psnr"] > other["psnr"] + 3.0, report
        assert model["ssim"] > other["ssim"] and model["uqi"] > other["uqi"], report
        assert model["temperature_mae_k"] < other["temperature_mae_k"] - 3.0, report
    recorded = pix2pix_preset.info["quick_check"]["model"]
    for metric in ("psnr", "ssim", "uqi", "temperature_mae_k"):  # the card's numbers, re-measured
        assert model[metric] == pytest.approx(recorded[metric], rel=1e-3, abs=1e-3), metric


def test_pix2pix_preset_translates_any_size(pix2pix_preset):
    from thermal_keras.export import ThermalTranslator

    rgb = np.random.default_rng(0).integers(0, 256, (100, 150, 3), dtype=np.uint8)
    out = ThermalTranslator(pix2pix_preset.path)(rgb)
    assert out["thermal_u16"].shape == (100, 150, 1) and out["celsius"].shape == (100, 150, 1)
    assert -40.5 <= out["celsius"].min() <= out["celsius"].max() <= 70.5


def test_presets_fit_the_size_budget():
    assert sum(row["size_mb"] for row in presets.list_presets()) <= 40
