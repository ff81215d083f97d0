"""FusionGAN vs the average and Laplacian-pyramid baselines on the LLVIP sample (../shared/data).

Trains a narrow FusionGAN on the first 24 of the 32 pairs (random 64² crops of images resized to
256², full-state options otherwise as the reference: λ 100, ξ 5, two D steps per G step) and prints
the fusion metric table on the 8 held-out pairs, shrunk to 320×256. CPU-sized: see --help.

    python benchmarks/fusion_llvip_sample.py --steps 300 --ngf 16
"""

import argparse
import dataclasses
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402

from thermal_keras.fusion.config import FusionGANConfig  # noqa: E402
from thermal_keras.fusion.data import fusion_dataset, load_fusion_split  # noqa: E402
from thermal_keras.fusion.evaluate import format_fusion_table, fusers, fusion_table  # noqa: E402
from thermal_keras.fusion.train import build_fusiongan  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "llvip_sample"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(SAMPLE))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--ngf", type=int, default=16)
    parser.add_argument("--image-size", type=int, default=64)
    parser.add_argument("--load-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--held-out", type=int, default=8)
    parser.add_argument("--max-side", type=int, default=320)
    parser.add_argument("--json", default=None, help="write the table here too")
    args = parser.parse_args()

    keras.utils.set_random_seed(0)
    files = load_fusion_split(args.data, "llvip", "train")
    train = files.subset(range(len(files) - args.held_out))
    held_out = files.subset(range(len(files) - args.held_out, len(files)))
    config = dataclasses.replace(FusionGANConfig(), ngf=args.ngf, ndf=args.ngf,
                                 image_size=args.image_size, jit_compile="off")
    model = build_fusiongan(config)
    steps_per_epoch = max(1, len(train) // args.batch_size)
    epochs = max(1, args.steps // steps_per_epoch)
    dataset = fusion_dataset(train, batch_size=args.batch_size, image_size=args.image_size,
                                         load_size=args.load_size, num_epochs=epochs,
                                         steps_per_epoch=steps_per_epoch)
    start = time.time()
    model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, verbose=2, shuffle=False)
    seconds = time.time() - start
    table = fusion_table(held_out, fusers(model.generator), max_side=args.max_side)
    print(f"{epochs * steps_per_epoch} steps of batch {args.batch_size} in {seconds:.0f} s; "
          f"{table['n_images']} held-out pairs at {table['size'][1]}x{table['size'][0]}")
    print(format_fusion_table(table))
    if args.json:
        Path(args.json).write_text(json.dumps({**table, "train_seconds": seconds, "args": vars(args)}, indent=2))


if __name__ == "__main__":
    main()
