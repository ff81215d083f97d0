"""The pix2pix training step in PyTorch, for a side-by-side CPU timing with ours. Not part of the package.

The same networks as ``thermal_keras`` builds for ``unet_256`` (3 -> 1 channels, batch norm, dropout
0.5 in the three inner ngf*8 up blocks) and the 70x70 PatchGAN (``n_layers=3`` on 4 channels), with
the same step: G forward once, one D update on (real, detached fake), one G update with
LSGAN + 100 * L1, two Adam(2e-4, beta_1=0.5) optimizers. The parameter counts are checked against
the reference figures (54,409,857 and 2,766,657 at ngf = ndf = 64) before anything is timed.

Needs PyTorch (``pip install torch``), which the package never imports. Prints one JSON line:

    python benchmarks/pytorch_pix2pix.py --image-size 256 --batch-size 1 --steps 6
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from torch import nn

REFERENCE_COUNTS = {"generator": 54_409_857, "discriminator": 2_766_657}


def _init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.BatchNorm2d):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class UNet(nn.Module):
    """pix2pix U-Net with ``num_downs`` stride-2 levels; level ``i`` has ``ngf * min(2**i, 8)`` filters."""

    def __init__(self, num_downs=8, in_channels=3, out_channels=1, ngf=64, dropout=0.5):
        super().__init__()
        width = [ngf * min(2 ** level, 8) for level in range(num_downs)]
        self.down = nn.ModuleList()
        self.up = nn.ModuleList()
        for level in range(num_downs):
            source = in_channels if level == 0 else width[level - 1]
            parts = [] if level == 0 else [nn.LeakyReLU(0.2)]
            parts.append(nn.Conv2d(source, width[level], 4, 2, 1, bias=False))  # bias-free, as the reference
            if level not in (0, num_downs - 1):
                parts.append(nn.BatchNorm2d(width[level]))
            self.down.append(nn.Sequential(*parts))
        for level in range(num_downs):
            # Up block `level` maps level `level`'s features (doubled by the skip below the bottleneck).
            source = width[level] * (1 if level == num_downs - 1 else 2)
            if level == 0:
                parts = [nn.ReLU(), nn.ConvTranspose2d(source, out_channels, 4, 2, 1), nn.Tanh()]
            else:
                parts = [nn.ReLU(), nn.ConvTranspose2d(source, width[level - 1], 4, 2, 1, bias=False),
                         nn.BatchNorm2d(width[level - 1])]
                if dropout and 4 <= level <= num_downs - 2:
                    parts.append(nn.Dropout(dropout))
            self.up.append(nn.Sequential(*parts))
        self.apply(_init)

    def forward(self, x):
        skips = []
        for block in self.down:
            x = block(x)
            skips.append(x)
        x = self.up[-1](skips[-1])
        for level in reversed(range(len(self.up) - 1)):
            x = self.up[level](torch.cat([skips[level], x], dim=1))
        return x


class PatchGAN(nn.Module):
    """70x70 PatchGAN (``n_layers=3``): raw logits, one per patch."""

    def __init__(self, in_channels=4, ndf=64, n_layers=3):
        super().__init__()
        parts = [nn.Conv2d(in_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        channels = ndf
        for n in range(1, n_layers + 1):
            stride = 2 if n < n_layers else 1
            out = ndf * min(2 ** n, 8)
            parts += [nn.Conv2d(channels, out, 4, stride, 1, bias=False), nn.BatchNorm2d(out), nn.LeakyReLU(0.2)]
            channels = out
        parts.append(nn.Conv2d(channels, 1, 4, 1, 1))
        self.net = nn.Sequential(*parts)
        self.apply(_init)

    def forward(self, x):
        return self.net(x)


def trainable(module):
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--image-size", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--steps", type=int, default=6, help="timed steps after 2 warm-up steps")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch intra- and inter-op threads (as compare_pytorch.py gives TensorFlow); "
                             "0 keeps torch's choice")
    args = parser.parse_args()
    if args.threads:  # inter-op threads can only be set before any parallel work starts
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    torch.manual_seed(0)
    num_downs = args.image_size.bit_length() - 1
    generator, discriminator = UNet(num_downs), PatchGAN()
    if num_downs == 8:
        counts = {"generator": trainable(generator), "discriminator": trainable(discriminator)}
        if counts != REFERENCE_COUNTS:
            raise SystemExit(f"parameter counts {counts} differ from the reference {REFERENCE_COUNTS}")
    g_opt = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rgb = torch.rand(args.batch_size, 3, args.image_size, args.image_size) * 2 - 1
    thermal = torch.rand(args.batch_size, 1, args.image_size, args.image_size) * 2 - 1

    def step():
        fake = generator(rgb)
        d_opt.zero_grad(set_to_none=True)
        d_fake = discriminator(torch.cat([rgb, fake.detach()], 1))
        d_real = discriminator(torch.cat([rgb, thermal], 1))
        d_loss = 0.5 * ((d_real - 1).pow(2).mean() + d_fake.pow(2).mean())
        d_loss.backward()
        d_opt.step()
        g_opt.zero_grad(set_to_none=True)
        g_fake = discriminator(torch.cat([rgb, fake], 1))
        g_loss = (g_fake - 1).pow(2).mean() + 100.0 * (fake - thermal).abs().mean()
        g_loss.backward()
        g_opt.step()
        return float(g_loss.detach())

    start = time.perf_counter()
    step()
    first = time.perf_counter() - start
    step()
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(json.dumps({"framework": f"torch {torch.__version__}", "threads": torch.get_num_threads(),
                      "interop_threads": torch.get_num_interop_threads(),
                      "image_size": args.image_size, "batch_size": args.batch_size,
                      "first_step_s": first, "median_s": statistics.median(times),
                      "min_s": min(times), "max_s": max(times), "steps": args.steps}))


if __name__ == "__main__":
    main()
