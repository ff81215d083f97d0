"""``make demo``: pix2pix RGB -> thermal on the built-in synthetic set, start to finish.

Trains for a fixed budget (small images and filters on a CPU, full size on a GPU), scores the
generator on held-out pairs against the grey-of-RGB and mean-thermal baselines, and writes to
``results/``: ``grid.png`` (RGB | real thermal | generated, in a thermal colormap), ``metrics.json``,
``saved_model/`` (uint8 RGB in, thermal out), ``generator.keras`` and the run folder ``pix2pix/``.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import numpy as np

from thermal_keras import visualize
from thermal_keras.data import pipeline
from thermal_keras.export import export_saved_model, save_keras
from thermal_keras.image_io import save_png
from thermal_keras.pix2pix import evaluate
from thermal_keras.pix2pix.config import Pix2PixConfig
from thermal_keras.pix2pix.train import train_pix2pix
from thermal_keras.precision import choose_precision, has_gpu
from thermal_keras.reports import write_report_json


def demo_config(results_dir="results", gpu: bool | None = None) -> Pix2PixConfig:
    """The demo's settings: 64² and a ~6-minute budget on 2 CPU cores, 256² for longer on a GPU."""
    gpu = has_gpu() if gpu is None else gpu
    common = dict(data="synthetic", layout="flir_v1", thermal="16bit", seed=0,
                  output_dir=str(Path(results_dir) / "pix2pix"))
    if gpu:
        return Pix2PixConfig(**common, image_size=256, load_size=286, generator="unet_256", ngf=64,
                             n_layers_d=3, batch_size=4, synthetic_train=1000, synthetic_test=100,
                             epochs=20, decay_epochs=20, sample_every=500)
    # CPU: a 6-level U-Net at 64², a 2-layer PatchGAN (34-pixel receptive field on a 64² image).
    return Pix2PixConfig(**common, image_size=64, load_size=72, generator="unet", num_downs=6, ngf=32,
                         discriminator="n_layers", ndf=32, n_layers_d=2, batch_size=4, synthetic_train=400, synthetic_test=64,
                         epochs=6, decay_epochs=4, sample_every=100)


def run_demo(results_dir="results", fresh: bool = False, config: Pix2PixConfig | None = None) -> dict:
    """Train, evaluate, export and summarise; returns the metrics report."""
    results = Path(results_dir)
    config = config or demo_config(results)
    if fresh:
        _remove_run(Path(config.output_dir))
    device = "GPU" if has_gpu() else "CPU"
    print(f"thermal-keras demo on {device}: {config.image_size}² images, generator {config.generator} "
          f"(ngf {config.ngf}), {choose_precision(config.mixed_precision)}, "
          f"{config.total_epochs} epochs of {config.synthetic_train // config.batch_size} steps")
    start = time.perf_counter()
    run = train_pix2pix(config, verbose=2)
    train_s = time.perf_counter() - start
    steps_run = (config.total_epochs - run.initial_epoch) * run.steps_per_epoch
    generator = run.model.generator

    report = dict(run.report)  # held-out scores against the grey and mean baselines
    report.update(device=device, train_seconds=round(train_s, 1), steps_this_run=steps_run,
                  total_steps=config.total_epochs * run.steps_per_epoch,
                  seconds_per_step=round(train_s / steps_run, 4) if steps_run else None,
                  config=dataclasses.asdict(config))
    results.mkdir(parents=True, exist_ok=True)
    write_report_json(results / "metrics.json", report)
    _write_grid(generator, run.eval_files, config.image_size, results / "grid.png")
    export_saved_model(generator, results / "saved_model", target_spec=run.train_files.b_spec)
    save_keras(generator, results / "generator.keras")
    print(summary(report, results))
    return report


def summary(report: dict, results: Path) -> str:
    """The one-screen summary printed at the end of the demo."""
    m, g, b = report["model"], report["grey_baseline"], report["mean_baseline"]
    beats = all(m[k] > max(g[k], b[k]) for k in ("psnr", "ssim"))
    steps = report["steps_this_run"]
    timing = (f"trained {steps} steps in {report['train_seconds']} s ({report['seconds_per_step']} s/step)"
              if steps else "training already complete in results/ (use --fresh to train again)")
    return "\n".join([
        "",
        f"== pix2pix RGB -> thermal, held-out synthetic pairs: {report['n_images']} at {report['image_size']}² ==",
        evaluate.format_report(report),
        f"model beats both baselines on PSNR and SSIM: {'yes' if beats else 'NO'}",
        timing + f" on {report['device']}",
        f"wrote {results / 'grid.png'}, {results / 'metrics.json'}, {results / 'saved_model'}, "
        f"{results / 'generator.keras'}",
    ])


def _write_grid(generator, files, image_size: int, path: Path, rows: int = 6):
    rgb, thermal = next(iter(pipeline.eval_dataset(files.subset(range(min(rows, len(files)))),
                                               image_size=image_size, batch_size=rows)))
    fake = np.clip(np.asarray(generator(rgb, training=False)), -1, 1)
    grid = visualize.sample_grid(rgb, thermal, fake)
    zoom = max(1, 256 // image_size)  # small demo images are shown enlarged, pixels kept sharp
    save_png(np.repeat(np.repeat(grid, zoom, axis=0), zoom, axis=1), path)


def _remove_run(run_dir: Path):
    import shutil

    if run_dir.exists():
        shutil.rmtree(run_dir)
