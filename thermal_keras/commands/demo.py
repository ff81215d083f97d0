"""``thermal-keras demo``: pix2pix trained, evaluated and exported on the built-in synthetic set
(:func:`thermal_keras.demo.run_demo`)::

    thermal-keras demo
    thermal-keras demo --results my_results --fresh
"""

from __future__ import annotations


def register(commands, train_models) -> dict:
    demo = commands.add_parser("demo", help="train, evaluate and export pix2pix on the synthetic set")
    demo.add_argument("--results", default="results", help="output folder (default: results)")
    demo.add_argument("--fresh", action="store_true", help="discard a previous demo run and train again")
    return {"demo": demo_command}


def demo_command(args) -> int:
    from thermal_keras.demo import run_demo

    report = run_demo(args.results, fresh=args.fresh)
    return 0 if report else 1
