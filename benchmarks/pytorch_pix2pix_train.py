"""Train the PyTorch reference pix2pix on saved crops and translate held-out frames. Not part of the package.

What the reference (junyanz/pytorch-CycleGAN-and-pix2pix, ``--model pix2pix``) does with its
defaults, on the networks of ``pytorch_pix2pix.py`` (``unet_256`` 3 -> 1 with batch norm and dropout,
the 70x70 PatchGAN on 4 channels, N(0, 0.02) initialisation): per step G translates the batch once,
D is updated on (real pair, detached fake pair) with the vanilla GAN loss (binary cross-entropy on
logits, the two terms averaged), then G on ``BCE(D(fake pair), real) + 100 * L1``; Adam(2e-4,
beta_1 0.5) for both, constant learning rate, batch 1.

Held-out frames are translated twice: as the reference's ``test.py`` does by default (the networks
left in training mode: batch norm on the frame's own statistics, dropout on) and with ``--eval``
(moving statistics, no dropout). Needs PyTorch; run by ``real_rgb2thermal.py`` in ``.venv-torch``:

    python benchmarks/pytorch_pix2pix_train.py --rgb crops_rgb.npy --ir crops_ir.npy \
        --eval-rgb eval_rgb.npy --out predictions_torch.npz --threads 2
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import torch
from pytorch_pix2pix import PatchGAN, UNet
from torch import nn


def to_tensor(images_u8: np.ndarray) -> torch.Tensor:
    """uint8 ``(N, H, W, C)`` -> float32 ``(N, C, H, W)`` in ``[-1, 1]`` (the reference's Normalize(0.5, 0.5))."""
    return torch.from_numpy(images_u8.astype(np.float32) / 127.5 - 1.0).permute(0, 3, 1, 2).contiguous()


def train(generator, discriminator, rgb, ir, log_every: int) -> list[float]:
    bce, l1 = nn.BCEWithLogitsLoss(), nn.L1Loss()
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    generator.train()
    discriminator.train()
    losses = []
    start = time.perf_counter()
    for step in range(len(rgb)):
        real_a, real_b = to_tensor(rgb[step:step + 1]), to_tensor(ir[step:step + 1])
        fake_b = generator(real_a)
        d_opt.zero_grad(set_to_none=True)
        pred_fake = discriminator(torch.cat([real_a, fake_b.detach()], 1))
        pred_real = discriminator(torch.cat([real_a, real_b], 1))
        d_loss = 0.5 * (bce(pred_fake, torch.zeros_like(pred_fake)) + bce(pred_real, torch.ones_like(pred_real)))
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        pred_fake = discriminator(torch.cat([real_a, fake_b], 1))
        g_loss = bce(pred_fake, torch.ones_like(pred_fake)) + 100.0 * l1(fake_b, real_b)
        g_loss.backward()
        g_opt.step()
        value = float(g_loss.detach())
        if not np.isfinite(value):
            raise SystemExit(f"reference pix2pix: non-finite generator loss at step {step}")
        losses.append(value)
        if log_every and (step + 1) % log_every == 0:
            print(f"  torch step {step + 1}/{len(rgb)}  g_loss {np.mean(losses[-log_every:]):.3f}  "
                  f"{time.perf_counter() - start:.0f} s", flush=True)
    return losses


@torch.no_grad()
def translate(generator, eval_rgb: np.ndarray, train_mode: bool) -> np.ndarray:
    """Held-out frames one at a time (batch 1, as ``test.py``) -> float32 ``(N, H, W, 1)`` in [-1, 1]."""
    generator.train(train_mode)
    out = [generator(to_tensor(eval_rgb[i:i + 1])).permute(0, 2, 3, 1).numpy() for i in range(len(eval_rgb))]
    return np.concatenate(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rgb", required=True, help="training crops, uint8 (steps, H, W, 3) .npy")
    parser.add_argument("--ir", required=True, help="training targets, uint8 (steps, H, W, 1) .npy")
    parser.add_argument("--eval-rgb", required=True, help="held-out frames, uint8 (N, H, W, 3) .npy")
    parser.add_argument("--out", required=True, help=".npz with 'test_mode' and 'eval_mode' predictions")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's choice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=100)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)
    rgb, ir = np.load(args.rgb, mmap_mode="r"), np.load(args.ir, mmap_mode="r")
    eval_rgb = np.load(args.eval_rgb)
    num_downs = rgb.shape[1].bit_length() - 1
    generator, discriminator = UNet(num_downs), PatchGAN()
    start = time.perf_counter()
    losses = train(generator, discriminator, rgb, ir, args.log_every)
    seconds = time.perf_counter() - start
    test_mode = translate(generator, eval_rgb, train_mode=True)
    eval_mode = translate(generator, eval_rgb, train_mode=False)
    np.savez(args.out, test_mode=test_mode, eval_mode=eval_mode)
    print(json.dumps({"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
                      "steps": len(rgb), "train_seconds": round(seconds, 1),
                      "last_100_g_loss": float(np.mean(losses[-100:]))}))


if __name__ == "__main__":
    main()
