"""Sim-to-real: fine-tune the synthetic pix2pix preset on real LLVIP pairs, against training from scratch.

Real pairs: the LLVIP sample in ../shared (32 registered visible/infrared frames of one street
camera, mostly at night; non-commercial research licence: read in place, never copied, never used
for shipped weights). The first 24 frames by name train, the last 8 (010025–010030, 010101, 010102)
are held out; all come from the same camera, so the held-out score measures new people and
positions in a known view, not new places.

Every variant trains the same U-Net (pix2pix_rgb2thermal_128's architecture) for the same number of
steps on 128² crops of the frames resized to 144², on LLVIP's 8-bit infrared, and is scored on the
held-out frames at 128² (PSNR, SSIM, UQI on [0, 1]) beside three baselines that need no training:
the grey of the RGB frame, the mean training infrared frame and a constant mid-grey (128).

    python benchmarks/sim_to_real_llvip.py --steps 600 --json benchmarks/results/sim_to_real_llvip.json

Variants (``--variants`` picks some): ``scratch``; ``preset`` (all layers, lr 2e-4); ``preset_low_lr``
(lr 5e-5); ``preset_frozen_encoder`` (down-sampling half frozen); ``preset_exposure`` and
``scratch_exposure`` (random exposure of the RGB input, gain and gamma in [1/2, 2]).
"""

import argparse
import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

import numpy as np  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "llvip_sample"
PRESET = "pix2pix_rgb2thermal_128"
VARIANTS = {
    "scratch": {},
    "preset": {"init_from": PRESET},
    "preset_low_lr": {"init_from": PRESET, "lr": 5e-5},
    "preset_frozen_encoder": {"init_from": PRESET, "freeze": "down"},
    "preset_exposure": {"init_from": PRESET, "exposure_jitter": 1.0},
    "scratch_exposure": {"exposure_jitter": 1.0},
}


def split_sample(source: Path, out: Path, held_out: int) -> Path:
    """An LLVIP-layout folder of symbolic links: the first frames as ``train``, the last ``held_out`` as ``test``."""
    names = sorted(p.name for p in (source / "visible" / "train").iterdir())
    for side in ("visible", "infrared"):
        for split, chosen in (("train", names[:-held_out]), ("test", names[-held_out:])):
            folder = out / side / split
            folder.mkdir(parents=True)
            for name in chosen:
                (folder / name).symlink_to((source / side / "train" / name).resolve())
    return out


def constant_baseline(report_files, image_size: int) -> dict:
    """Scores of a constant mid-grey (128 of 255) prediction."""
    from thermal_keras.data import pipeline
    from thermal_keras.pix2pix.evaluate import image_metrics

    targets = np.concatenate([b.numpy() for _, b in pipeline.eval_dataset(report_files, image_size, 16)])
    return image_metrics((targets + 1) / 2, np.full_like(targets, 128 / 255))


def run_variant(name: str, data: Path, out: Path, steps: int, seed: int) -> dict:
    import keras

    from thermal_keras import presets
    from thermal_keras.pix2pix.config import Pix2PixConfig
    from thermal_keras.pix2pix.train import train_pix2pix

    base = presets.read_info(presets.PRESET_ROOT / PRESET)["run_config"]
    arch = {k: base[k] for k in ("generator", "num_downs", "ngf", "ndf", "discriminator", "n_layers_d", "norm")}
    epochs = max(1, steps // 6)  # 24 frames, batch 4: 6 steps an epoch
    config = Pix2PixConfig(**arch, data=str(data), layout="llvip", thermal="8bit", image_size=128, load_size=144,
                           batch_size=4, epochs=epochs // 2, decay_epochs=epochs - epochs // 2, seed=seed,
                           sample_every=10**6, output_dir=str(out / name), resume=False)
    config = dataclasses.replace(config, **VARIANTS[name])
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    run = train_pix2pix(config, verbose=0)
    report = dict(run.report)
    report["train_seconds"] = round(time.perf_counter() - start, 1)
    report["steps"] = epochs * 6
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SAMPLE), help="the LLVIP sample (visible/train, infrared/train)")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--held-out", type=int, default=8)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if not (Path(args.data) / "visible" / "train").is_dir():
        raise SystemExit(f"{args.data}: no LLVIP sample here (visible/train, infrared/train)")

    from benchmarks_common import environment, write_json

    from data_loaders import llvip

    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = split_sample(Path(args.data), Path(tmp) / "llvip", args.held_out)
        for name in args.variants:
            results[name] = run_variant(name, data, Path(tmp) / "runs", args.steps, args.seed)
            m = results[name]["model"]
            print(f"{name:24} PSNR {m['psnr']:6.2f}  SSIM {m['ssim']:.3f}  UQI {m['uqi']:.3f}  "
                  f"({results[name]['train_seconds']:.0f} s)", flush=True)
        first = results[args.variants[0]]
        baselines = {"grey of RGB": first["grey_baseline"], "mean training frame": first["mean_baseline"],
                     "constant 128": constant_baseline(llvip.llvip(data, "test"), 128)}
    print(f"\n{'':24}{'PSNR':>8}{'SSIM':>8}{'UQI':>8}   ({args.held_out} held-out frames at 128², "
          f"{first['steps']} steps of batch 4)")
    for name, scores in [*((n, r["model"]) for n, r in results.items()), *baselines.items()]:
        print(f"{name:24}{scores['psnr']:8.2f}{scores['ssim']:8.3f}{scores['uqi']:8.3f}")
    if args.json:
        write_json(args.json, {"environment": environment(), "args": vars(args), "baselines": baselines,
                               "variants": {n: {k: r[k] for k in ("model", "train_seconds", "steps")}
                                            for n, r in results.items()}})


if __name__ == "__main__":
    main()
