"""``thermal-keras synthetic OUT``: write the built-in synthetic RGB/thermal set as a dataset folder."""

from __future__ import annotations


def register(commands, train_models) -> dict:
    synth = commands.add_parser("synthetic", help="write the built-in synthetic set as a dataset folder")
    synth.add_argument("out", help="folder to create")
    synth.add_argument("--layout", default="flir_v1", choices=("flir_v1", "paired", "llvip"))
    synth.add_argument("--size", type=int, default=64, help="image side in pixels (default: 64)")
    synth.add_argument("--train", type=int, default=200, help="training pairs (default: 200)")
    synth.add_argument("--test", type=int, default=40, help="held-out pairs (default: 40)")
    synth.add_argument("--seed", type=int, default=0)
    return {"synthetic": synthetic_command}


def synthetic_command(args) -> int:
    from data_loaders import synthetic

    root = synthetic.write_dataset(args.out, splits={"train": args.train, "test": args.test},
                                   size=args.size, seed=args.seed, layout=args.layout)
    print(f"wrote {root}")
    return 0
