"""Writes test/fixtures/onnx/torchvision/: torchvision's GoogLeNet, VGG16, ResNet50, MobileNetV2
and MobileNetV3-Small exported to ONNX as a user would export them (eval mode, module-scoped
node names), at 1/8 of their width with a 10-class head, and without their weights: every float
initializer of more than MAX_KEPT values becomes a graph input of the same shape, which the tests
fill with seeded random values (test/support/torchvision-fixtures.ts). The graphs are real
exports (ops, attributes, names, ceil-mode pools, fixed or dynamic input sizes); only the
numbers are not.

    /usr/bin/python3 scripts/make_torchvision_fixtures.py           # the committed fixtures
    /usr/bin/python3 scripts/make_torchvision_fixtures.py --full DIR  # full-width exports with
                                                                     # torchvision's random init

Needs Debian's python3-torch, python3-torchvision and python3-onnx.
"""
import argparse
import os

import onnx
import torch
import torch.nn as nn
import torchvision

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, 'test', 'fixtures', 'onnx', 'torchvision')
WIDTH_DIVISOR = 8
CLASSES = 10
MAX_KEPT = 16
SIZE = 224

# name: (constructor, opset, whether height and width are dynamic axes)
NETWORKS = {
    'googlenet': (lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True), 13, True),
    'vgg16': (lambda: torchvision.models.vgg16(weights=None), 13, False),
    'resnet50': (lambda: torchvision.models.resnet50(weights=None), 17, False),
    'mobilenet_v2': (lambda: torchvision.models.mobilenet_v2(weights=None), 15, True),
    'mobilenet_v3_small': (lambda: torchvision.models.mobilenet_v3_small(weights=None), 17, True),
}


def narrow(model, divisor, classes):
    """Divides every channel count but the image's 3 by `divisor`; the last Linear gets `classes` outputs."""
    def width(n):
        return n if n == 3 else n // divisor

    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                groups = 1 if child.groups == 1 else width(child.groups)
                new = nn.Conv2d(width(child.in_channels), width(child.out_channels), child.kernel_size,
                                child.stride, child.padding, child.dilation, groups, child.bias is not None)
            elif isinstance(child, nn.BatchNorm2d):
                new = nn.BatchNorm2d(width(child.num_features), eps=child.eps)
            elif isinstance(child, nn.Linear):
                out = classes if child.out_features == 1000 else width(child.out_features)
                new = nn.Linear(child.in_features // divisor, out, child.bias is not None)
            else:
                continue
            setattr(parent, name, new)
    return model


def export(model, path, opset, dynamic):
    model.eval()
    axes = {'input': {2: 'height', 3: 'width'}} if dynamic else None
    torch.onnx.export(model, torch.zeros(1, 3, SIZE, SIZE), path, opset_version=opset,
                      input_names=['input'], output_names=['logits'], dynamic_axes=axes)


def strip_weights(path):
    """Float initializers become graph inputs of the same shape: the graph without its numbers."""
    model = onnx.load(path)
    graph = model.graph
    kept = []
    for tensor in graph.initializer:
        count = 1
        for d in tensor.dims:
            count *= d
        if tensor.data_type == onnx.TensorProto.FLOAT and count > MAX_KEPT:
            graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, list(tensor.dims)))
        else:
            kept.append(tensor)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    model.producer_name = 'scripts/make_torchvision_fixtures.py (weights stripped)'
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--full', metavar='DIR', help='write full-width exports with weights to DIR instead')
    args = parser.parse_args()
    torch.manual_seed(0)
    out_dir = args.full or OUT_DIR
    os.makedirs(out_dir, exist_ok=True)
    for name, (build, opset, dynamic) in NETWORKS.items():
        path = os.path.join(out_dir, f'{name}.onnx')
        if args.full:
            export(build(), path, opset, dynamic)
        else:
            export(narrow(build(), WIDTH_DIVISOR, CLASSES), path, opset, dynamic)
            strip_weights(path)
        print(f'{path}: {os.path.getsize(path)} bytes')


if __name__ == '__main__':
    main()
