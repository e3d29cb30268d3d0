"""PyTorch peer of the end-to-end benchmark: the DeepDream the CLI runs (src/dream), on one image.

    /usr/bin/python3 bench/torch/dream.py IMAGE [--layer mixed5] [--out result.png]

Google's notebook algorithm, laid out like src/dream so that the work is the same: octave sizes
round(size / 1.4^k) of the image (k = octaves-1 .. 0, dropping those below the network's minimum
input), each resized from the source, plus the detail dreamed so far; 10 steps per octave of:
gradient of mean(act^2) at `layer`, divided by mean |g|, times the step size 1.5, added and
clipped to 0..255. The gradient is computed on the fewest equal tiles of at most 512 pixels a side, whose grid is
rolled over the image (a torus) every step: by 0..tile-1 along a side split into tiles, else by
-jitter..jitter; ceil(side / tile) tiles per side, each pixel's gradient from exactly one tile.
Rolls come from the same seeded generator (mulberry32) as the CLI.
Prints one JSON line with the seconds spent dreaming (model loading excluded).
IMAGE is anything PIL reads (PNG, JPEG, PPM).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from torch_keras import FROZEN_TOP, build_model  # noqa: E402


def mulberry32(seed):
    """Floats in [0, 1), the sequence of src/dream/random.ts createRandom(seed)."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def next_float():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), state | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) / 4294967296

    return next_float


def random_int(random, low, high):
    return low + math.floor(random() * (high - low + 1))


def axis_roll(random, size, tile, jitter):
    shift = random_int(random, 0, tile - 1) if size > tile else random_int(random, -jitter, jitter)
    return shift % size


class TiledGradient:
    """d mean(act^2) / d image, tile by tile over the rolled tile grid."""

    def __init__(self, net, layer, tile, jitter, random):
        self.net, self.layer, self.tile, self.jitter, self.random = net, layer, tile, jitter, random
        self.calls = 0

    def windows(self, size, tile, roll):
        count = math.ceil(size / tile)
        for k in range(count):
            owned = tile if k < count - 1 else size - (count - 1) * tile
            yield (roll + k * tile + torch.arange(tile)) % size, owned

    def __call__(self, image):
        height, width = image.shape[2:]
        # The fewest equal tiles of at most `tile` per side, as src/core/dream/tiles.ts tileShapeFor.
        th, tw = (math.ceil(size / math.ceil(size / self.tile)) for size in (height, width))
        roll_x = axis_roll(self.random, width, tw, self.jitter)
        roll_y = axis_roll(self.random, height, th, self.jitter)
        grad = torch.zeros_like(image)
        for rows, owned_rows in self.windows(height, th, roll_y):
            for cols, owned_cols in self.windows(width, tw, roll_x):
                patch = image[:, :, rows][:, :, :, cols].requires_grad_(True)
                act = self.net(patch)[self.layer]
                (g,) = torch.autograd.grad((act * act).mean(), patch)
                grad[:, :, rows[:owned_rows, None], cols[None, :owned_cols]] += g[:, :, :owned_rows, :owned_cols]
                self.calls += 1
        return grad


def resize(image, height, width):
    if tuple(image.shape[2:]) == (height, width):
        return image.clone()
    return F.interpolate(image, size=(height, width), mode='bilinear', align_corners=False, antialias=True)


# Smallest input side of each whole frozen trunk, as the CLI's model registry derives it from the
# Keras topology (test/node/models/registry.test.ts checks these): known, like the CLI, not searched for
# by trial forward passes, which would add ~0.8 s to this peer's time.
MIN_INPUT_SIZE = {'inception_v3': 43, 'mobilenet_v2': 16}


def octave_sizes(height, width, octaves, scale, min_side):
    sizes = []
    for k in range(octaves - 1, 0, -1):
        size = (round(height / scale ** k), round(width / scale ** k))
        if min(size) >= min_side:
            sizes.append(size)
    return sizes + [(height, width)]


def deepdream(source, gradient, min_side, octaves=4, octave_scale=1.4, steps=10, step_size=1.5):
    detail = None
    for height, width in octave_sizes(*source.shape[2:], octaves, octave_scale, min_side):
        base = resize(source, height, width)
        dreamed = base.clone() if detail is None else base + resize(detail, height, width)
        for _ in range(steps):
            g = gradient(dreamed)
            dreamed = (dreamed + step_size / (g.abs().mean() + 1e-8) * g).clamp_(0, 255)
        detail = dreamed - base
    return dreamed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('image')
    parser.add_argument('--model', choices=sorted(FROZEN_TOP), default='inception_v3')
    parser.add_argument('--layer', help='Keras layer (default: the top of the frozen trunk)')
    parser.add_argument('--octaves', type=int, default=4)
    parser.add_argument('--octave-scale', type=float, default=1.4)
    parser.add_argument('--steps', type=int, default=10)
    parser.add_argument('--step-size', type=float, default=1.5)
    parser.add_argument('--jitter', type=int, default=32)
    parser.add_argument('--tile', type=int, default=512)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--out', help='write the dream as PNG')
    args = parser.parse_args()
    layer = args.layer or FROZEN_TOP[args.model]
    torch.set_num_threads(args.threads)

    pixels = np.asarray(Image.open(args.image).convert('RGB'), dtype=np.float32)
    image = torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).contiguous()
    start = time.perf_counter()
    net = build_model(args.model, [layer], fold_bn=True)
    # The CLI's minimum input is that of the whole trunk, whichever layer is dreamed.
    min_side = MIN_INPUT_SIZE[args.model]
    if min(image.shape[2:]) < min_side:
        raise SystemExit(f'image {image.shape[3]}x{image.shape[2]} is smaller than the network minimum {min_side}')
    gradient = TiledGradient(net, layer, args.tile, args.jitter, mulberry32(args.seed))
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    result = deepdream(image, gradient, min_side, args.octaves, args.octave_scale, args.steps, args.step_size)
    seconds = time.perf_counter() - start
    if args.out:
        out = result[0].permute(1, 2, 0).round().to(torch.uint8).numpy()
        Image.fromarray(out).save(args.out)
    print(json.dumps({'seconds': seconds, 'load_seconds': load_seconds, 'model': args.model, 'layer': layer,
                      'width': image.shape[3], 'height': image.shape[2], 'octaves': args.octaves,
                      'steps': args.steps, 'tile': args.tile, 'gradient_calls': gradient.calls,
                      'threads': args.threads, 'torch': torch.__version__}))


if __name__ == '__main__':
    main()
