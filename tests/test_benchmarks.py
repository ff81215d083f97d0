"""The benchmark scripts run and report what they claim (shapes of the records, not speed: no timed tests)."""

import argparse
import math
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import bench_table  # noqa: E402
import inference  # noqa: E402
import input_pipeline  # noqa: E402
import train_step  # noqa: E402


def _positive(value):
    return isinstance(value, float) and math.isfinite(value) and value > 0


@pytest.mark.parametrize("name, size", [("pix2pix", 32), ("swift_srgan", 32)])
def test_train_step_record(name, size):
    record = train_step.time_train_step(name, size, batch=2, steps=2, warmup=0, small=True)
    assert record["model"] == name and record["batch_size"] == 2 and record["precision"] == "float32"
    assert all(_positive(record[key]) for key in ("first_call_s", "median_s", "min_s", "max_s"))
    assert record["min_s"] <= record["median_s"] <= record["max_s"]
    assert record["images_per_s"] == pytest.approx(2 / record["median_s"])


def test_inference_times_an_exported_model(tmp_path):
    path = inference.export("swift_srgan", tmp_path)
    record = inference.time_serving(path, batch=2, side=16, runs=2)
    assert record["batch_size"] == 2 and record["input_side"] == 16
    assert _positive(record["median_s"]) and record["images_per_s"] == pytest.approx(2 / record["median_s"])


def test_input_pipeline_pairs_each_fed_epoch_with_an_in_memory_one():
    args = argparse.Namespace(pairs=4, file_size=40, load_size=40, image_size=32, batch_size=1, ngf=4, rounds=2)
    result = input_pipeline.measure(args)
    assert result["steps_per_epoch"] == 4
    assert len(result["epoch_times_s"]["memory"]) == 3 * 2  # one before each fed epoch, every round
    for name in ("first", "later", "cv2"):
        assert len(result["epoch_times_s"][name]) == len(result["overheads_pct"][name]) == 2
    for key in ("epoch_in_memory_s", "epoch_pipeline_first_s", "epoch_pipeline_later_s", "epoch_cv2_loop_s",
                "step_images_per_s", "pipeline_uncached_images_per_s", "pipeline_cached_images_per_s",
                "cv2_loop_images_per_s"):
        assert _positive(result[key]), key


def test_bench_table_rows_cover_every_record():
    step = {"model": "pix2pix", "image_size": 128, "batch_size": 1, "median_s": 0.5, "images_per_s": 2.0}
    policies = [{"precision": p, "xla": x, "median_s": t} for p, x, t in
                (("float32", False, 0.1), ("float32", True, 0.15), ("mixed_float16", False, 0.4))]
    pipeline = {"steps_per_epoch": 10, "epoch_in_memory_s": 1.0, "epoch_pipeline_first_s": 1.2,
                "epoch_pipeline_later_s": 1.01, "epoch_cv2_loop_s": 1.1, "step_images_per_s": 10.0,
                "pipeline_uncached_images_per_s": 100.0, "pipeline_cached_images_per_s": 900.0,
                "cv2_loop_images_per_s": 300.0}
    serving = {"model": "unet_256", "input_side": 256, "batch_size": 8, "images_per_s": 12.0}
    rows = bench_table.table_rows({"records": [step]}, {"records": policies}, {"result": pipeline},
                                  {"records": [serving]})
    text = "\n".join(" | ".join(row) for row in rows)
    assert "4.00x float32 XLA off" in text and "1.50x float32 XLA off" in text
    assert "+20.0%" in text and "+1.0%" in text and "90.0x the step" in text
    assert "12.00 img/s" in text and len(rows) == 1 + 3 + 4 + 1 + 3 + 1


def test_bench_table_has_a_deploy_row_per_format():
    records = [{"model": "unet_256", "format": f, "input": [1, 256, 256, 3], "size_mb": s, "latency_ms": t,
                "max_diff": d, "psnr_db": p} for f, s, t, d, p in
               (("TFLite int8 (fixed 256x256)", 54.6, 812.0, 0.012, 51.3), ("ONNX", 217.9, 300.5, 4e-7, None))]
    rows = bench_table.deploy_rows({"records": records})
    assert [row[0] for row in rows] == ["deploy format"] * 2
    assert rows[0][1] == "unet_256 256² batch 1, TFLite int8 (fixed 256x256)"
    assert rows[0][2] == "812.0 ms, 54.6 MB, max diff 1.2e-02, 51.3 dB" and rows[1][2] == "300.5 ms, 217.9 MB, max diff 4.0e-07"


def test_real_rgb2thermal_smoke_on_a_few_roadscene_frames(tmp_path):
    """Two steps of a tiny pix2pix on 3 frames of each split: the table, baselines and JSON come out."""
    import json
    import subprocess

    sample = REPO_ROOT.parent / "shared" / "data" / "roadscene_sample"
    if not (sample / "crop_LR_visible").is_dir():
        pytest.skip(f"RoadScene sample not found at {sample} (it lives in ../shared, outside the repo)")
    out = tmp_path / "real.json"
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "real_rgb2thermal.py"), "--data",
                             str(sample), "--steps", "2", "--variants", "tiny", "--max-frames", "3", "--json", str(out),
                             "--predictions", str(tmp_path / "p.npz")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "3 training frames, 3 held-out frames" in result.stdout
    record = json.loads(out.read_text())
    assert set(record["results"]) == {"grey of RGB", "inverted grey", "mean training frame", "constant 128", "tiny",
                                      "tiny +flip"}
    for scores in (r["scores"] for r in record["results"].values()):
        assert set(scores) == {"psnr", "ssim", "uqi", "mae_levels"} and all(math.isfinite(v) for v in scores.values())
    figure = tmp_path / "figure.png"
    drawn = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "real_figure.py"), str(tmp_path / "p.npz"),
                            "--contender", "tiny", "--frames", "2", "--out", str(figure)], capture_output=True, text=True)
    assert drawn.returncode == 0, drawn.stderr[-2000:]
    assert figure.stat().st_size > 10_000


def test_real_rgb2thermal_skips_with_a_reason_without_the_data(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "real_rgb2thermal.py"), "--data",
                             str(tmp_path), "--steps", "2"], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "holds no RoadScene frames" in result.stderr


def test_fusion_real_smoke_on_two_pairs_of_each_dataset(tmp_path):
    """Two pairs of each real sample, a tiny STDFusionNet given by file: both conventions, wins and the
    published rows come out; a dataset without its folder is skipped with a reason."""
    import json
    import subprocess

    from thermal_keras.models import build_generator

    shared = REPO_ROOT.parent / "shared" / "data"
    tno, road = shared / "tno_sample", shared / "roadscene_sample"
    if not (tno / "ir").is_dir() and not (road / "cropinfrared").is_dir():
        pytest.skip(f"neither the TNO nor the RoadScene sample is under {shared} (they live in ../shared)")
    generator = tmp_path / "std.keras"
    build_generator("stdfusionnet", width=2).save(generator)
    out = tmp_path / "fusion.json"
    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "fusion_real.py"), "--max-pairs", "2",
                             "--max-side", "96", "--stdfusionnet", str(generator), "--json", str(out)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads(out.read_text())
    for name, folder in (("TNO", tno / "ir"), ("RoadScene", road / "cropinfrared")):
        if not folder.is_dir():
            assert name in record["skipped_datasets"] and f"{name}: skipped" in result.stdout
            continue
        data = record["datasets"][name]
        assert data["n_images"] == 2 and {"average", "pyramid", "stdfusionnet"} <= set(data["methods"])
        for by_convention in data["methods"].values():
            assert set(by_convention) == {"thermal_keras", "cddfuse"}
            assert all(len(s) == 9 and all(math.isfinite(v) for v in s.values()) for s in by_convention.values())
        assert set(data["wins"]["stdfusionnet"]["cddfuse"]) == {"average", "pyramid"}
        assert f"{name} sample: 2 pairs" in result.stdout
    assert "published (different test images):" in result.stdout and "MMIF-CDDFuse" in result.stdout
    assert {row["method"] for row in record["published"]["TNO"]} == {"CDDFuse", "U2Fusion"}


def test_fusion_real_skips_absent_datasets_with_a_reason(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "fusion_real.py"), "--tno",
                             str(tmp_path / "none"), "--roadscene", str(tmp_path / "none")],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "TNO: skipped, no sample at" in result.stdout and "RoadScene: skipped, no sample at" in result.stdout


def test_reference_rows_are_reused_only_from_a_run_of_the_same_protocol(tmp_path):
    import json

    import real_rgb2thermal

    from data_loaders import roadscene

    record = {"args": {"steps": 1014, "seed": 0, "max_frames": 0},
              "split": {"train": 138, "test": 31, "held_out_runs": roadscene.held_out_runs_text()},
              "results": {"reference": {"scores": {"psnr": 15.0}}, "recipe": {"scores": {"psnr": 16.0}}}}
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(record))
    args = argparse.Namespace(steps=1014, seed=0, max_frames=0)
    rows = real_rgb2thermal.reference_rows(str(path), args, 138, 31)
    assert set(rows) == {"reference"} and rows["reference"]["from"] == str(path)
    with pytest.raises(SystemExit, match="earlier.json: its steps is 1014, this run's 500"):
        real_rgb2thermal.reference_rows(str(path), argparse.Namespace(steps=500, seed=0, max_frames=0), 138, 31)
    record["results"] = {"recipe": {"scores": {"psnr": 16.0}}}
    path.write_text(json.dumps(record))
    with pytest.raises(SystemExit, match="no reference rows"):
        real_rgb2thermal.reference_rows(str(path), args, 138, 31)
