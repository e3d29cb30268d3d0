"""Builds the autodiff op fixtures in test/fixtures/ops/ (run with Debian's /usr/bin/python3:
torch 1.13 + onnx 1.12).

Each case is a small network exercising one op family, saved as <case>.onnx (opset 17, with
inferred value_info) and <case>.json holding the input, and the value and PyTorch autograd
gradient of the objective mean(y ** 2) with respect to the input (y: the graph output "y").
Networks torch cannot export with the wanted op are built with onnx.helper and given a
torch reference of the same computation.
"""
import json
import os
import zlib

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops')
OPSET = 17


class Lambda(torch.nn.Module):
    def __init__(self, fn, **modules):
        super().__init__()
        self.fn = fn
        for name, m in modules.items():
            self.add_module(name, m)

    def forward(self, x):
        return self.fn(self, x)


def rand(*shape):
    return torch.randn(*shape)


def conv_family():
    return Lambda(
        lambda m, x: m.c3(F.relu(m.c2(F.relu(m.c1(x))))),
        c1=torch.nn.Conv2d(3, 6, 3, padding=1),
        c2=torch.nn.Conv2d(6, 6, 3, padding=2, dilation=2, groups=3),
        c3=torch.nn.Conv2d(6, 4, (3, 2), stride=(2, 1), padding=(1, 0), bias=False),
    ), (1, 3, 9, 8)


def conv_depthwise_strided():
    return Lambda(
        lambda m, x: m.c2(F.relu(m.c1(x))),
        c1=torch.nn.Conv2d(4, 8, 3, padding=1, groups=4),
        c2=torch.nn.Conv2d(8, 5, 3, stride=2),
    ), (1, 4, 10, 10)


def conv_transpose():
    return Lambda(
        lambda m, x: m.t2(F.relu(m.t1(x))),
        t1=torch.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
        t2=torch.nn.ConvTranspose2d(6, 3, 2, stride=1),
    ), (1, 4, 5, 5)


def activations():
    return Lambda(
        lambda m, x: torch.softmax(F.leaky_relu(torch.clamp(m.c(x), -0.5, 0.8), 0.2) * 3, dim=1),
        c=torch.nn.Conv2d(3, 5, 3, padding=1),
    ), (1, 3, 6, 6)


def batchnorm():
    bn = torch.nn.BatchNorm2d(4)
    bn.running_mean.uniform_(-1, 1)
    bn.running_var.uniform_(0.5, 2)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-1, 1)
    return Lambda(lambda m, x: m.bn(torch.relu(x)), bn=bn), (1, 4, 5, 5)


def flat_cat(*parts):
    return torch.cat([p.flatten(1) for p in parts], dim=1)


def max_pools():
    return Lambda(lambda m, x: flat_cat(F.max_pool2d(x, 3, stride=2, ceil_mode=True), F.max_pool2d(x, 2))), (1, 3, 7, 7)


def max_pool_ties():
    """Coarsely quantized inputs: windows with tied maxima must send the gradient to the first one."""
    return Lambda(lambda m, x: flat_cat(F.max_pool2d(x, 3, stride=2, padding=1), F.max_pool2d(x, 2))), (1, 2, 8, 8)


def avg_pools():
    return Lambda(
        lambda m, x: flat_cat(
            F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=True),
            F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False),
            F.avg_pool2d(x, 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
            F.avg_pool2d(x, 2, stride=2, ceil_mode=True, count_include_pad=True),
            F.adaptive_avg_pool2d(x, 1),
        )
    ), (1, 2, 7, 7)


def inception_block():
    """A miniature InceptionV3 stem and mixed block: fan-out, Concat of ReLUs, pools."""
    def fn(m, x):
        h = F.max_pool2d(F.relu(m.stem(x)), 3, stride=2)
        a = F.relu(m.a(h))
        b = F.relu(m.b2(F.relu(m.b1(h))))
        p = F.relu(m.p(F.avg_pool2d(h, 3, stride=1, padding=1)))
        return torch.cat([a, b, p], dim=1)

    return Lambda(
        fn,
        stem=torch.nn.Conv2d(3, 8, 3, stride=2),
        a=torch.nn.Conv2d(8, 4, 1),
        b1=torch.nn.Conv2d(8, 6, 1),
        b2=torch.nn.Conv2d(6, 4, 3, padding=1),
        p=torch.nn.Conv2d(8, 4, 1),
    ), (1, 3, 23, 23)


def tensor_shuffles():
    def fn(m, x):
        y = m.c(x)
        a, b = torch.split(y, [2, 4], dim=1)
        b = b[:, 1:3, :, 1:].flip(3)
        a = a[:, :, :, 1:]
        z = torch.cat([a, b], dim=1).permute(0, 2, 3, 1)
        return z.reshape(1, -1, 4).flatten(1)

    return Lambda(fn, c=torch.nn.Conv2d(3, 6, 3, padding=1)), (1, 3, 6, 6)


def linear_algebra():
    def fn(m, x):
        h = torch.flatten(x, 1)
        g = m.fc(h)
        w = torch.matmul(x.reshape(1, 3, 4, 4), m.w)
        s = x.mean(dim=(2, 3), keepdim=True)
        e = (x * s - x / 3.0 + s) / (s * s + 1.0) - 2.0 * s
        return torch.cat([g, w.reshape(1, -1), e.reshape(1, -1), (h * 0.5).sum(1, keepdim=True)], dim=1)

    return Lambda(fn, fc=torch.nn.Linear(48, 7)), (1, 3, 4, 4)


def hard_activations():
    """MobileNetV3's activations: HardSwish after a Conv, HardSigmoid gating the channels."""
    def fn(m, x):
        h = F.hardswish(m.c1(x) * 2.5)
        return h * F.hardsigmoid(m.c2(h) * 3)

    return Lambda(fn, c1=torch.nn.Conv2d(3, 4, 3, padding=1), c2=torch.nn.Conv2d(4, 4, 1)), (1, 3, 7, 7)


def pad_modes():
    """Style-transfer nets pad by reflection; replicate pads export as edge mode."""
    def fn(m, x):
        h = m.c(F.pad(x, (1, 2, 3, 1), mode='reflect'))
        return F.pad(h, (2, 0, 1, 3), mode='replicate')

    return Lambda(fn, c=torch.nn.Conv2d(3, 4, 3)), (1, 3, 6, 5)


def strided_slices():
    """YOLOv5's Focus: every second pixel in four phases, concatenated on channels."""
    def fn(m, x):
        focus = torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], dim=1)
        return m.c(focus)[:, 1::3, :, 1::2]

    return Lambda(fn, c=torch.nn.Conv2d(12, 8, 1)), (1, 3, 10, 8)


TORCH_CASES = {
    'conv_family': conv_family,
    'conv_depthwise_strided': conv_depthwise_strided,
    'conv_transpose': conv_transpose,
    'activations': activations,
    'batchnorm': batchnorm,
    'max_pools': max_pools,
    'max_pool_ties': max_pool_ties,
    'avg_pools': avg_pools,
    'tensor_shuffles': tensor_shuffles,
    'inception_block': inception_block,
}


def export(module, shape, name):
    x = torch.round(rand(*shape)) if name == 'max_pool_ties' else rand(*shape)
    path = os.path.join(OUT, name + '.onnx')
    torch.onnx.export(module, (x,), path, opset_version=OPSET, input_names=['image'], output_names=['y'],
                      do_constant_folding=True)
    return x, onnx.load(path)


def helper_model(name, nodes, shape, out_shape, inits):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info('image', TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, list(out_shape))],
        [numpy_helper.from_array(v.numpy(), k) for k, v in inits.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)])


def lrn_case():
    x = rand(1, 6, 4, 4)
    model = helper_model('lrn', [helper.make_node('LRN', ['image'], ['y'], size=3, alpha=0.3, beta=0.75, bias=1.5)],
                         x.shape, x.shape, {})
    return x, model, lambda t: F.local_response_norm(t, 3, alpha=0.3, beta=0.75, k=1.5)


def auto_pad_case():
    x = rand(1, 3, 8, 7)
    w = rand(4, 3, 3, 3) * 0.3
    nodes = [
        helper.make_node('Conv', ['image', 'w'], ['a'], auto_pad='SAME_UPPER', strides=[2, 2]),
        helper.make_node('Conv', ['a', 'w2'], ['y'], auto_pad='SAME_LOWER', strides=[1, 1], kernel_shape=[2, 2]),
    ]
    w2 = rand(2, 4, 2, 2) * 0.3
    model = helper_model('auto_pad', nodes, x.shape, (1, 2, 4, 4), {'w': w, 'w2': w2})

    def ref(t):
        a = F.conv2d(F.pad(t, (1, 1, 0, 1)), w, stride=2)  # 7 wide: total pad 2; 8 high: total pad 1
        return F.conv2d(F.pad(a, (1, 0, 1, 0)), w2)

    return x, model, ref


def sum_dropout_case():
    x = rand(1, 2, 3, 3)
    c = rand(1, 2, 1, 3)
    nodes = [
        helper.make_node('Identity', ['image'], ['i']),
        helper.make_node('Dropout', ['i'], ['d']),
        helper.make_node('Sum', ['image', 'd', 'c'], ['s']),
        helper.make_node('Mul', ['s', 'i'], ['y']),
    ]
    model = helper_model('sum_dropout', nodes, x.shape, x.shape, {'c': c})
    return x, model, lambda t: (t + t + c) * t


def pad_case():
    x = rand(1, 2, 4, 5)
    nodes = [
        helper.make_node('Pad', ['image', 'pads'], ['p'], mode='constant'),
        helper.make_node('Slice', ['p', 'starts', 'ends', 'axes', 'steps'], ['y']),
    ]
    pads = torch.tensor([0, 0, 2, -1, 0, 0, 1, 2])
    slicing = {'starts': torch.tensor([-1, 1]), 'ends': torch.tensor([-100, 6]), 'axes': torch.tensor([2, 3]),
               'steps': torch.tensor([-1, 1])}
    model = helper_model('pad', nodes, x.shape, (1, 2, 7, 5), {'pads': pads, **slicing})
    return x, model, lambda t: F.pad(t, (-1, 2, 2, 1)).flip(2)[:, :, :, 1:6]


def slice_negative_steps_case():
    """Steps -2 and -3 from clamped starts: rows 6, 4, 2, 0 and columns 7, 4, 1."""
    x = rand(1, 2, 7, 9)
    nodes = [helper.make_node('Slice', ['image', 'starts', 'ends', 'axes', 'steps'], ['y'])]
    slicing = {'starts': torch.tensor([100, 7]), 'ends': torch.tensor([-100, 0]), 'axes': torch.tensor([2, 3]),
               'steps': torch.tensor([-2, -3])}
    model = helper_model('slice_negative_steps', nodes, x.shape, (1, 2, 4, 3), slicing)
    return x, model, lambda t: t[:, :, [6, 4, 2, 0]][:, :, :, [7, 4, 1]]


def conv_transpose_shapes_case():
    """ConvTranspose sized by output_shape (odd crop first) and by SAME_UPPER (odd crop last)."""
    x = rand(1, 2, 3, 4)
    w1 = rand(2, 3, 3, 3) * 0.5
    w2 = rand(3, 2, 3, 4) * 0.5
    nodes = [
        helper.make_node('ConvTranspose', ['image', 'w1'], ['a'], strides=[2, 2], output_shape=[6, 8]),
        helper.make_node('ConvTranspose', ['a', 'w2'], ['y'], strides=[2, 3], auto_pad='SAME_UPPER'),
    ]
    model = helper_model('conv_transpose_shapes', nodes, x.shape, (1, 2, 12, 24), {'w1': w1, 'w2': w2})

    def ref(t):
        a = F.conv_transpose2d(t, w1, stride=2)[:, :, 1:7, 1:9]  # full 7x9: crop 1 (rows), 1 (columns) first
        return F.conv_transpose2d(a, w2, stride=(2, 3))[:, :, 0:12, 0:24]  # full 13x25: crops 1 last

    return x, model, ref


HELPER_CASES = {'pad': pad_case, 'lrn': lrn_case, 'auto_pad': auto_pad_case, 'sum_dropout': sum_dropout_case}


# Cases seeded by their own name, so that each one's numbers do not depend on the others.
SEEDED_TORCH_CASES = {'hard_activations': hard_activations, 'pad_modes': pad_modes, 'strided_slices': strided_slices}
SEEDED_HELPER_CASES = {'slice_negative_steps': slice_negative_steps_case,
                       'conv_transpose_shapes': conv_transpose_shapes_case}


def save(name, model, x, fn):
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, name + '.onnx'))
    xg = x.clone().requires_grad_(True)
    y = fn(xg)
    objective = (y ** 2).mean()
    objective.backward()
    record = {
        'layer': 'y',
        'input': {'dims': list(x.shape), 'data': [float(v) for v in x.flatten()]},
        'objective': float(objective),
        'gradient': [float(v) for v in xg.grad.flatten()],
    }
    with open(os.path.join(OUT, name + '.json'), 'w') as f:
        json.dump(record, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name, make in TORCH_CASES.items():
        module, shape = make()
        module.eval()
        x, model = export(module, shape, name)
        save(name, model, x, module)
    for name, make in HELPER_CASES.items():
        x, model, fn = make()
        save(name, model, x, fn)
    torch.manual_seed(1)
    module, shape = linear_algebra()
    module.w = torch.randn(4, 5)
    module.eval()
    x, model = export(module, shape, 'linear_algebra')
    save('linear_algebra', model, x, module)
    for name, make in SEEDED_TORCH_CASES.items():
        torch.manual_seed(zlib.crc32(name.encode()))
        module, shape = make()
        module.eval()
        x, model = export(module, shape, name)
        save(name, model, x, module)
    for name, make in SEEDED_HELPER_CASES.items():
        torch.manual_seed(zlib.crc32(name.encode()))
        x, model, fn = make()
        save(name, model, x, fn)


if __name__ == '__main__':
    main()
