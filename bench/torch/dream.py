"""PyTorch peer of the end-to-end benchmark: the DeepDream of Google's notebook on one image.

    /usr/bin/python3 bench/torch/dream.py IMAGE [--layer mixed5] [--out result.png]

Algorithm (google/deepdream dream.ipynb): an octave pyramid (octave_n 4, scale 1.4, bilinear);
from the smallest octave up, the image is base + detail carried over from the previous octave,
and gets `steps` gradient-ascent steps: random roll by up to `jitter` pixels, gradient of
mean(act^2) at `layer`, step of step_size / mean(|g|) * g, roll back, clip to 0..255.
The gradient is computed in tiles of at most `tile` x `tile` pixels (one tile per dimension when
the image fits; otherwise ceil(n / tile) tiles evenly spaced, overlaps summed), like the engine.
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


def tile_starts(size, tile):
    """Offsets of ceil(size / tile) tiles of length min(tile, size) covering 0..size evenly."""
    tile = min(tile, size)
    count = math.ceil(size / tile)
    if count == 1:
        return [0], tile
    return [round(i * (size - tile) / (count - 1)) for i in range(count)], tile


class TiledGradient:
    def __init__(self, net, layer, tile):
        self.net, self.layer, self.tile = net, layer, tile
        self.calls = 0

    def __call__(self, image):
        grad = torch.zeros_like(image)
        ys, th = tile_starts(image.shape[2], self.tile)
        xs, tw = tile_starts(image.shape[3], self.tile)
        for y in ys:
            for x in xs:
                patch = image[:, :, y:y + th, x:x + tw].clone().requires_grad_(True)
                act = self.net(patch)[self.layer]
                (g,) = torch.autograd.grad((act * act).mean(), patch)
                grad[:, :, y:y + th, x:x + tw] += g
                self.calls += 1
        return grad


def resize(image, height, width):
    return F.interpolate(image, size=(height, width), mode='bilinear', align_corners=False)


def deepdream(image, gradient, rng, octaves=4, octave_scale=1.4, steps=10, step_size=1.5, jitter=32):
    pyramid = [image]
    for _ in range(octaves - 1):
        h, w = pyramid[-1].shape[2:]
        pyramid.append(resize(pyramid[-1], round(h / octave_scale), round(w / octave_scale)))
    detail = torch.zeros_like(pyramid[-1])
    for base in reversed(pyramid):
        h, w = base.shape[2:]
        if detail.shape[2:] != base.shape[2:]:
            detail = resize(detail, h, w)
        current = base + detail
        for _ in range(steps):
            oy, ox = (int(v) for v in rng.integers(-jitter, jitter + 1, 2))
            rolled = torch.roll(current, (oy, ox), (2, 3))
            g = gradient(rolled)
            rolled += step_size / (g.abs().mean() + 1e-8) * g
            current = torch.roll(rolled, (-oy, -ox), (2, 3)).clamp_(0, 255)
        detail = current - base
    return current


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
    gradient = TiledGradient(build_model(args.model, [layer], fold_bn=True), layer, args.tile)
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    result = deepdream(image, gradient, np.random.default_rng(args.seed), args.octaves, args.octave_scale,
                       args.steps, args.step_size, args.jitter)
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
