"""Fusion on real pairs: FusionGAN, STDFusionNet, averaging and the Laplacian pyramid on the TNO and
RoadScene samples, every fusion metric in both conventions, beside published rows.

Scores every pair of ``../shared/data/tno_sample`` (24) and ``../shared/data/roadscene_sample`` (169,
split "all": no shipped model trained on them), each shrunk so its longer side is at most 320 pixels
(as the preset checks do), with the nine metrics of :mod:`thermal_keras.metrics.fusion` in our
convention and in MMIF-CDDFuse's (``convention="cddfuse"``: its AG, MI in nats, Qabf and SSIM; EN, SD,
SF, SCD and VIF are the same in both). A dataset whose folder is absent is skipped with a one-line
reason, and so is STDFusionNet when no preset is shipped and no ``--stdfusionnet MODEL`` is given.

Published rows follow each table, labelled "published (different test images)": other papers'
numbers on their own test pairs of the same datasets, each with its source; they are context, not a
comparison on the same images.

    python benchmarks/fusion_real.py --json benchmarks/results/fusion_real.json     # make bench-fusion
    python benchmarks/fusion_real.py --stdfusionnet results/stdfusionnet --max-pairs 4
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
FUSIONGAN_PRESET, STDFUSIONNET_PRESET = "fusiongan_vis_ir", "stdfusionnet_vis_ir"
CONVENTIONS = {"thermal_keras": "ours", "cddfuse": "MMIF-CDDFuse utils/Evaluator.py"}
CDDFUSE_ONLY = ("AG", "MI", "Qabf", "SSIM")  # the metrics whose cddfuse convention differs from ours
PUBLISHED_LABEL = "published (different test images)"

CDDFUSE_SOURCE = ("Zhao et al., CDDFuse, CVPR 2023: the output of test_IVF.py quoted in the README of "
                  "github.com/Zhaozixiang1228/MMIF-CDDFuse ('can match the results in Table 1'); its own "
                  "evaluator (our convention=\"cddfuse\"); no AG column")
U2FUSION_SOURCE = ("U2Fusion (Xu et al., TPAMI 2020) as scored in Table I of Ma et al., STDFusionNet, IEEE TIM "
                   "2021 (20 pairs per dataset; EN, MI, VIF, SF only; SF on a 0..1 image scale, x255 for ours), "
                   "taken from the transcription in github.com/majianyu2007/STDFusionNet draft.md: a third-party "
                   "transcription, not the paper's own text")
PUBLISHED = {  # dataset -> [(method, {metric: value}, source)]
    "TNO": [("CDDFuse", {"EN": 7.12, "SD": 46.0, "SF": 13.15, "MI": 2.19, "SCD": 1.76, "VIF": 0.77, "Qabf": 0.54,
                         "SSIM": 1.03}, CDDFUSE_SOURCE),
            ("U2Fusion", {"EN": 7.0762, "MI": 1.9303, "VIF": 0.8061, "SF": 0.0493}, U2FUSION_SOURCE)],
    "RoadScene": [("CDDFuse", {"EN": 7.44, "SD": 54.67, "SF": 16.36, "MI": 2.3, "SCD": 1.81, "VIF": 0.69,
                               "Qabf": 0.52, "SSIM": 0.98}, CDDFUSE_SOURCE),
                  ("U2Fusion", {"EN": 7.1955, "MI": 2.7669, "VIF": 0.7371, "SF": 0.0499}, U2FUSION_SOURCE)],
}
MISSING_SOURCES = ("U2Fusion under CDDFuse's evaluator (its row in Table 1 of the CDDFuse paper): not found as "
                   "text; the repository shows that table only as an image (image/Quantitative_IVF.png)",)


def dataset_files(name: str, root: Path):
    """The pairs of one dataset, or ``(None, reason)`` when its folder is absent."""
    from data_loaders import roadscene, tno

    marker = root / ("ir" if name == "TNO" else roadscene.INFRARED_FOLDER)
    if not marker.is_dir():
        return None, f"{name}: skipped, no sample at {root} (it lives in ../shared/data, outside the repository)"
    files = tno.tno(root) if name == "TNO" else roadscene.roadscene(root, split="all")
    return files, None


def learned_fusers(args) -> tuple[dict, dict]:
    """``({name: fuse}, {name: reason skipped})`` of FusionGAN and STDFusionNet."""
    from thermal_keras import presets
    from thermal_keras.fusion.cli import load_fusion_generator
    from thermal_keras.fusion.evaluate import generator_fuser

    methods, skipped = {}, {}
    if FUSIONGAN_PRESET in presets.preset_names():
        methods["fusiongan"] = generator_fuser(presets.from_preset(FUSIONGAN_PRESET))
    else:
        skipped["fusiongan"] = f"no {FUSIONGAN_PRESET} preset in thermal_keras/presets"
    if args.stdfusionnet:
        methods["stdfusionnet"] = generator_fuser(load_fusion_generator(args.stdfusionnet))
    elif STDFUSIONNET_PRESET in presets.preset_names():
        methods["stdfusionnet"] = generator_fuser(presets.from_preset(STDFUSIONNET_PRESET))
    else:
        skipped["stdfusionnet"] = (f"no {STDFUSIONNET_PRESET} preset shipped and no --stdfusionnet MODEL given "
                                   f"(train one: thermal-keras presets build {STDFUSIONNET_PRESET})")
    return methods, skipped


def scores_both(fused, ir, visible_y) -> dict:
    """``{convention: {metric: value}}``; the metrics both conventions share are computed once."""
    from thermal_keras.metrics import fusion

    ours = fusion.all_metrics(fused, ir, visible_y)
    theirs = dict(ours)
    theirs.update(AG=fusion.average_gradient(fused, convention="cddfuse"),
                  MI=fusion.mutual_information(fused, ir, visible_y, convention="cddfuse"),
                  Qabf=fusion.qabf(fused, ir, visible_y, convention="cddfuse"),
                  SSIM=fusion.ssim_sum(fused, ir, visible_y, convention="cddfuse"))
    return {"thermal_keras": ours, "cddfuse": theirs}


def score_dataset(files, methods: dict, max_side: int, max_pairs: int | None, label: str) -> dict:
    """Mean scores per method and convention over the pairs of ``files`` (fused outputs rounded to 8 bits)."""
    import numpy as np

    from thermal_keras.fusion.baselines import rgb_to_ycbcr
    from thermal_keras.fusion.data import read_pair
    from thermal_keras.metrics.fusion import METRIC_NAMES

    pairs = list(zip(files.a_paths, files.b_paths))[:max_pairs]
    sums = {m: {c: dict.fromkeys(METRIC_NAMES, 0.0) for c in CONVENTIONS} for m in methods}
    for i, (visible_path, ir_path) in enumerate(pairs, start=1):
        ir, visible_rgb = read_pair(visible_path, ir_path, max_side)
        visible_y = rgb_to_ycbcr(visible_rgb)[..., 0]
        for name, fuse in methods.items():
            fused = np.rint(np.clip(fuse(ir, visible_y), 0.0, 255.0))
            for convention, values in scores_both(fused, ir, visible_y).items():
                for metric, value in values.items():
                    sums[name][convention][metric] += value
        if i % 10 == 0 or i == len(pairs):
            print(f"  {label}: {i}/{len(pairs)} pairs scored", file=sys.stderr, flush=True)
    means = {m: {c: {k: v / len(pairs) for k, v in by.items()} for c, by in conv.items()} for m, conv in sums.items()}
    return {"n_images": len(pairs), "max_side": max_side, "methods": means, "wins": wins_of(means)}


def wins_of(means: dict) -> dict:
    """``{learned method: {convention: {baseline: metrics (of 9) on which it scores higher}}}``."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    return {m: {c: {b: sum(means[m][c][k] > means[b][c][k] for k in METRIC_NAMES) for b in ("average", "pyramid")}
                for c in CONVENTIONS}
            for m in means if m not in ("average", "pyramid")}


def _row(name: str, values: dict, width: int, as_published: bool = False) -> str:
    """One table row; ``as_published`` prints each number with the digits its source gave."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    def cell(k):
        if k not in values:
            return f"{'—':>8}"
        return f"{values[k]!s:>8}" if as_published else f"{values[k]:8.3f}"
    return f"{name:{width}}" + "".join(cell(k) for k in METRIC_NAMES)


def format_dataset(name: str, result: dict) -> str:
    """The printed table of one dataset: both conventions, the wins, the published rows and their sources."""
    from thermal_keras.metrics.fusion import METRIC_NAMES

    width = 14
    head = f"{'':{width}}" + "".join(f"{k:>8}" for k in METRIC_NAMES)
    lines = [f"{name} sample: {result['n_images']} pairs, longer side at most {result['max_side']} pixels"]
    for convention, label in CONVENTIONS.items():
        lines += [f"convention {convention} ({label})", head]
        lines += [_row(m, by[convention], width) for m, by in result["methods"].items()]
    for method, by in result["wins"].items():
        lines.append(f"{method} beats averaging on " + ", ".join(f"{by[c]['average']}/9 ({c})" for c in CONVENTIONS)
                     + "; the pyramid on " + ", ".join(f"{by[c]['pyramid']}/9 ({c})" for c in CONVENTIONS))
    sources = []
    lines += [f"{PUBLISHED_LABEL}:", head]
    for method, values, source in PUBLISHED.get(name, []):
        if source not in sources:
            sources.append(source)
        lines.append(_row(method, values, width, as_published=True) + f"  [{sources.index(source) + 1}]")
    lines += [f"  [{i}] {source}" for i, source in enumerate(sources, start=1)]
    lines += [f"  missing: {text}" for text in MISSING_SOURCES]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tno", default=str(SHARED / "tno_sample"), help="TNO-style folder (ir/, vi/)")
    parser.add_argument("--roadscene", default=str(SHARED / "roadscene_sample"), help="RoadScene folder")
    parser.add_argument("--stdfusionnet", default=None,
                        help="STDFusionNet run folder, generator .keras file or preset folder (default: the "
                             f"{STDFUSIONNET_PRESET} preset when shipped)")
    parser.add_argument("--max-side", type=int, default=320, help="shrink pairs to this longer side")
    parser.add_argument("--max-pairs", type=int, default=None, help="score only the first N pairs of each dataset")
    parser.add_argument("--json", default=None, help="write every score here too")
    args = parser.parse_args(argv)
    if args.max_side < 41 or (args.max_pairs is not None and args.max_pairs < 1):
        parser.error("--max-side must be at least 41 (VIF's coarsest scale) and --max-pairs at least 1")
    from thermal_keras.fusion.baselines import BASELINES

    start = time.perf_counter()
    learned, skipped = learned_fusers(args)
    methods = {**learned, **BASELINES}
    for name, reason in skipped.items():
        print(f"{name}: skipped, {reason}")
    results, skipped_data = {}, {}
    for name, root in (("TNO", Path(args.tno)), ("RoadScene", Path(args.roadscene))):
        files, reason = dataset_files(name, root)
        if files is None:
            print(reason)
            skipped_data[name] = reason
            continue
        results[name] = score_dataset(files, methods, args.max_side, args.max_pairs, name)
        print(format_dataset(name, results[name]) + "\n", flush=True)
    if args.json:
        sys.path.insert(0, str(HERE))
        from benchmarks_common import environment, write_json

        published = {d: [{"method": m, "label": PUBLISHED_LABEL, "scores": v, "source": s} for m, v, s in rows]
                     for d, rows in PUBLISHED.items()}
        write_json(args.json, {"benchmark": "fusion_real", "datasets": results, "skipped_datasets": skipped_data,
                               "skipped_methods": skipped, "conventions": CONVENTIONS, "published": published,
                               "missing_published_sources": list(MISSING_SOURCES),
                               "seconds": round(time.perf_counter() - start, 1), "environment": environment()})
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
