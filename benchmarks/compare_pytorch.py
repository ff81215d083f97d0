"""Our pix2pix train step against the same step in PyTorch, side by side in one run. Not a test.

Runs, in alternation for ``--rounds`` rounds so that changes in machine load hit every contender
alike, one subprocess per contender and batch size:

- ``thermal-keras``: ``benchmarks/train_step.py --models pix2pix`` (unet_256 3->1 + 70x70 PatchGAN);
- ``baseline`` (optional, ``--baseline-src DIR``): the same script with ``DIR`` (a checkout of an
  older commit) first on ``PYTHONPATH`` and ``TF_ENABLE_ONEDNN_OPTS`` unset, so oneDNN is what
  TensorFlow picks by itself on this CPU, as it was before the package set it: before/after;
- ``pytorch``: ``benchmarks/pytorch_pix2pix.py`` with ``--torch-python`` (a separate environment:
  ``make bench-torch`` makes ``.venv-torch``; the package never depends on PyTorch).

Prints the median step time of each contender (median over rounds of each run's median) and the
TF/PyTorch ratio per batch size; ``--json`` keeps every run.

    python benchmarks/compare_pytorch.py --batch-size 1 4 --rounds 3 \
        --torch-python .venv-torch/bin/python [--baseline-src /tmp/before]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _last_json_line(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"no JSON result in the output:\n{text[-2000:]}")


def run_keras(python: str, batch: int, size: int, steps: int, threads: int, src: str | None = None) -> dict:
    """One ``train_step.py`` run with ``threads`` TensorFlow threads; ``src`` puts an older package
    checkout first on the path and leaves oneDNN to TensorFlow (as before the package set it)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    if src:
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env.pop("TF_ENABLE_ONEDNN_OPTS", None)
        env["THERMAL_KERAS_BENCH_ONEDNN"] = "default"  # else train_step.py would set it to 1 again
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "r.json"
        subprocess.run([python, str(HERE / "train_step.py"), "--models", "pix2pix", "--image-size", str(size),
                        "--batch-size", str(batch), "--steps", str(steps), "--threads", str(threads),
                        "--json", str(out)],
                       env=env, check=True, capture_output=True, text=True)
        result = json.loads(out.read_text())
    return {**result["records"][0], "environment": result["environment"]}


def run_torch(python: str, batch: int, size: int, steps: int, threads: int) -> dict:
    done = subprocess.run([python, str(HERE / "pytorch_pix2pix.py"), "--image-size", str(size),
                           "--batch-size", str(batch), "--steps", str(steps), "--threads", str(threads)],
                          check=True, capture_output=True, text=True)
    return _last_json_line(done.stdout)


def thread_counts(result: dict) -> str:
    """The thread counts a run reports: TensorFlow's intra/inter-op setting, or torch's."""
    if "environment" in result:
        env = result["environment"]
        return f"intra {env.get('intra_op_threads')}, inter {env.get('inter_op_threads')}"
    return f"intra {result.get('threads')}, inter {result.get('interop_threads')}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=6, help="timed steps per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--python", default=sys.executable, help="interpreter with thermal-keras")
    parser.add_argument("--torch-python", default=".venv-torch/bin/python", help="interpreter with torch")
    parser.add_argument("--baseline-src", default="", help="older checkout to time as 'baseline'")
    parser.add_argument("--threads", type=int, default=os.cpu_count(),
                        help="intra- and inter-op threads on both sides (default: every CPU)")
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    if not Path(args.torch_python).exists():
        sys.exit(f"{args.torch_python} not found: `make bench-torch` creates .venv-torch with PyTorch")
    if args.baseline_src and not (Path(args.baseline_src) / "thermal_keras").is_dir():
        sys.exit(f"--baseline-src {args.baseline_src} has no thermal_keras/ folder")

    contenders = {"thermal-keras": lambda b: run_keras(args.python, b, args.image_size, args.steps, args.threads)}
    if args.baseline_src:
        contenders["baseline"] = lambda b: run_keras(args.python, b, args.image_size, args.steps, args.threads,
                                                     args.baseline_src)
    contenders["pytorch"] = lambda b: run_torch(args.torch_python, b, args.image_size, args.steps, args.threads)
    runs = {name: {b: [] for b in args.batch_size} for name in contenders}
    for round_index in range(args.rounds):
        for batch in args.batch_size:
            for name, run in contenders.items():
                result = run(batch)
                runs[name][batch].append(result)
                print(f"round {round_index + 1} batch {batch} {name:<14} {result['median_s']:.3f} s/step",
                      flush=True)

    print(f"\npix2pix train step, {args.image_size}², median of {args.rounds} runs x {args.steps} steps "
          f"(load average now {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs)")
    for name in contenders:
        first = runs[name][args.batch_size[0]][0]
        on = first.get("environment", {}).get("onednn_enabled")
        onednn = "" if name == "pytorch" else f"oneDNN {'on' if on else 'off'}, "
        print(f"{name}: {onednn}threads {thread_counts(first)}")
    print(f"{'batch':>5} " + " ".join(f"{name:>14}" for name in contenders) + "   TF/PyTorch"
          + ("   baseline/PyTorch" if args.baseline_src else ""))
    summary = {}
    for batch in args.batch_size:
        medians = {name: statistics.median(r["median_s"] for r in runs[name][batch]) for name in contenders}
        summary[batch] = medians
        row = f"{batch:>5} " + " ".join(f"{medians[name]:>12.3f} s" for name in contenders)
        row += f"   {medians['thermal-keras'] / medians['pytorch']:10.2f}"
        if args.baseline_src:
            row += f"   {medians['baseline'] / medians['pytorch']:18.2f}"
        print(row)
    if args.json:
        sys.path.insert(0, str(HERE))
        from benchmarks_common import write_json

        threads = {name: thread_counts(runs[name][args.batch_size[0]][0]) for name in contenders}
        write_json(args.json, {"summary": summary, "threads_requested": args.threads, "threads": threads,
                               "runs": runs})


if __name__ == "__main__":
    main()
