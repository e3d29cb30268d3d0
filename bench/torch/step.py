"""PyTorch peer of the engine benchmark: one gradient step (forward to `layer`, backward of
mean(act^2) to the input pixels) on a [1, 3, size, size] input, float32, 2 threads.

    /usr/bin/python3 bench/torch/step.py --model inception_v3 --layer mixed5 --size 512 --runs 5

Prints one JSON line: median (and min) ms of the step and of the forward alone, over `runs` after
warm-ups, and the forward FLOP count. BatchNorm is folded into the convolutions unless --no-fold.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from torch_keras import FROZEN_TOP, build_model  # noqa: E402
from flops import count_forward_flops  # noqa: E402


def timings_ms(fn, runs, warmups):
    """(median, min) wall ms; the min is the better figure on a machine shared with others."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', choices=sorted(FROZEN_TOP), default='inception_v3')
    parser.add_argument('--layer', help='Keras layer (default: the top of the frozen trunk)')
    parser.add_argument('--size', type=int, default=512)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--warmups', type=int, default=2)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--no-fold', dest='fold', action='store_false', help='keep BatchNorm as its own op')
    args = parser.parse_args()
    layer = args.layer or FROZEN_TOP[args.model]
    torch.set_num_threads(args.threads)
    net = build_model(args.model, [layer], fold_bn=args.fold)
    pixels = torch.rand(1, 3, args.size, args.size, generator=torch.Generator().manual_seed(0)) * 255

    def step():
        x = pixels.clone().requires_grad_(True)
        act = net(x)[layer]
        torch.autograd.grad((act * act).mean(), x)

    def forward():
        with torch.no_grad():
            net(pixels)

    step_ms, step_min_ms = timings_ms(step, args.runs, args.warmups)
    forward_ms, forward_min_ms = timings_ms(forward, args.runs, args.warmups)
    result = {
        'ms': step_ms, 'min_ms': step_min_ms, 'forward_ms': forward_ms, 'forward_min_ms': forward_min_ms,
        'model': args.model, 'layer': layer, 'size': args.size, 'fold_bn': args.fold,
        'threads': args.threads, 'runs': args.runs, 'load_average': os.getloadavg()[0],
        'forward_flops': count_forward_flops(net, args.size, args.size),
        'torch': torch.__version__,
    }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
