"""Forward FLOP count of the Keras trunks (convolution MACs x 2; the trunks have no matmul),
measured on the PyTorch reference with forward hooks, so it follows the real output shapes.

    /usr/bin/python3 bench/torch/flops.py inception_v3 mixed5 512        # one count, JSON
    /usr/bin/python3 bench/torch/flops.py --table                        # rewrite flops.json

flops.json is the committed table the TypeScript benchmarks read (no PyTorch in CI).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from torch_keras import build_model  # noqa: E402

TABLE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'flops.json')
TABLE = {'inception_v3': ['mixed3', 'mixed5'], 'mobilenet_v2': ['block_6_project_BN', 'block_10_project_BN']}
TABLE_SIZES = [224, 299, 512]


def count_forward_flops(net, height, width):
    """2 x multiply-accumulates of every convolution of `net` (a torch_keras.KerasTrunk) on a
    [1, 3, height, width] input."""
    macs = []

    def hook(layer, _inputs, output):
        weight = layer.weight  # OIHW with I = input channels per group
        macs.append(output.numel() * weight.shape[1] * weight.shape[2] * weight.shape[3])

    handles = [layer.register_forward_hook(hook) for layer in net.layers if layer.kind in ('Conv2D', 'DepthwiseConv2D')]
    try:
        with torch.no_grad():
            net(torch.zeros(1, 3, height, width))
    finally:
        for handle in handles:
            handle.remove()
    return 2 * sum(macs)


def model_flops(model, layer, height, width):
    return count_forward_flops(build_model(model, [layer]), height, width)


def write_table():
    table = {'unit': 'FLOP of one forward pass, convolutions only (2 x MACs), input [1, 3, size, size]',
             'madeBy': 'bench/torch/flops.py --table', 'counts': {}}
    for model, layers in TABLE.items():
        for layer in layers:
            net = build_model(model, [layer])
            table['counts'][f'{model}/{layer}'] = {str(size): count_forward_flops(net, size, size) for size in TABLE_SIZES}
    with open(TABLE_PATH, 'w') as f:
        json.dump(table, f, indent=1)
        f.write('\n')
    print(json.dumps(table['counts']))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('model', nargs='?')
    parser.add_argument('layer', nargs='?')
    parser.add_argument('size', nargs='?', type=int)
    parser.add_argument('--table', action='store_true', help='rewrite flops.json')
    args = parser.parse_args()
    if args.table:
        write_table()
        return
    if not (args.model and args.layer and args.size):
        parser.error('give model, layer and size, or --table')
    flops = model_flops(args.model, args.layer, args.size, args.size)
    print(json.dumps({'model': args.model, 'layer': args.layer, 'size': args.size, 'flops': flops}))


if __name__ == '__main__':
    main()
