"""Writes the small Caffe and ONNX networks under test/fixtures/{caffe,onnx} and their reference
activations and input gradients.

No Caffe is involved: the prototxt files are written here by hand, the .caffemodel files are
protobuf-encoded directly (field numbers from BVLC caffe.proto), and the references come from a
PyTorch implementation of Caffe's layer semantics (ceil-mode pooling that drops a window
starting in the padding, AVE pooling dividing by the window clipped to the padded input,
LRN, BatchNorm with its scale factor blob). Run with /usr/bin/python3 (torch 1.13, onnx 1.12):

    /usr/bin/python3 scripts/make_caffe_fixtures.py
"""
import base64
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
CAFFE_DIR = os.path.join(ROOT, 'caffe')
ONNX_DIR = os.path.join(ROOT, 'onnx')
torch.manual_seed(7)
np.random.seed(7)

# ------------------------------------------------------------------ protobuf encoding


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number, wire, payload):
    return varint((number << 3) | wire) + payload


def length_delimited(number, data):
    return field(number, 2, varint(len(data)) + data)


def blob_proto(array, legacy):
    """BlobProto: data = 5 (packed float); shape = 7 (BlobShape.dim = 1, packed int64) or legacy num/channels/height/width = 1..4."""
    a = np.ascontiguousarray(array, dtype='<f4')
    out = b''
    if legacy:
        dims = [1] * (4 - a.ndim) + list(a.shape)
        for i, d in enumerate(dims):
            out += field(i + 1, 0, varint(d))
    else:
        out += length_delimited(7, length_delimited(1, b''.join(varint(d) for d in a.shape)))
    out += length_delimited(5, a.tobytes())
    return out


def caffemodel(name, layers, v1):
    """NetParameter: name = 1, layer = 100 (LayerParameter: name 1, type 2, blobs 7) or layers = 2 (V1: name 4, type 5, blobs 6)."""
    out = length_delimited(1, name.encode())
    for layer_name, blobs in layers:
        if v1:
            body = length_delimited(4, layer_name.encode()) + field(5, 0, varint(4))
            body += b''.join(length_delimited(6, blob_proto(b, legacy=True)) for b in blobs)
            out += length_delimited(2, body)
        else:
            body = length_delimited(1, layer_name.encode()) + length_delimited(2, b'Layer')
            body += b''.join(length_delimited(7, blob_proto(b, legacy=False)) for b in blobs)
            out += length_delimited(100, body)
    return out


# ------------------------------------------------------------------ Caffe semantics in PyTorch


def pooled_size(size, k, s, p):
    out = int(math.ceil((size + 2 * p - k) / s)) + 1
    if p > 0 and (out - 1) * s >= size + p:
        out -= 1
    return out


def caffe_pool(x, method, k, s, p):
    _, _, h, w = x.shape
    oh, ow = pooled_size(h, k, s, p), pooled_size(w, k, s, p)
    rows = []
    for i in range(oh):
        cols = []
        for j in range(ow):
            hs, ws = i * s - p, j * s - p
            if method == 'MAX':
                he, we = min(hs + k, h), min(ws + k, w)
                hs, ws = max(hs, 0), max(ws, 0)
                cols.append(x[:, :, hs:he, ws:we].amax(dim=(2, 3)))
            else:
                he, we = min(hs + k, h + p), min(ws + k, w + p)
                count = (he - hs) * (we - ws)
                hs, ws, he, we = max(hs, 0), max(ws, 0), min(he, h), min(we, w)
                cols.append(x[:, :, hs:he, ws:we].sum(dim=(2, 3)) / count)
        rows.append(torch.stack(cols, dim=-1))
    return torch.stack(rows, dim=-2)


def caffe_lrn(x, n, alpha, beta, k):
    sq = F.pad(x * x, (0, 0, 0, 0, (n - 1) // 2, n - 1 - (n - 1) // 2))
    windows = sum(sq[:, c:c + x.shape[1]] for c in range(n))
    return x / (k + alpha / n * windows) ** beta


def conv(x, w, b, stride=1, pad=(0, 0), dilation=1, group=1):
    return F.conv2d(x, w, b, stride=stride, padding=pad, dilation=dilation, groups=group)


def rnd(*shape, scale=0.3):
    return (torch.randn(*shape) * scale).float()


def b64(t):
    return base64.b64encode(np.ascontiguousarray(t.detach().numpy(), dtype='<f4').tobytes()).decode()


def tensor_json(t):
    return {'dims': list(t.shape), 'data': b64(t)}


def caffe_input(image):
    """RGB 0..255 image -> the Caffe blob: BGR minus the ImageNet mean."""
    mean = torch.tensor([104.0, 117.0, 123.0]).view(1, 3, 1, 1)
    return image.flip(1) - mean


def gradient(image, forward, objective):
    x = image.clone().requires_grad_(True)
    blobs = forward(caffe_input(x) if objective[0] == 'caffe' else x)
    objective[1](blobs).backward()
    return x.grad


# ------------------------------------------------------------------ Caffe net 1: inception-like, current format

TINY_INCEPTION = '''name: "TinyInception"
layer { name: "data" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 23 dim: 23 } } }
layer {
  name: "conv1/3x3_s2" type: "Convolution" bottom: "data" top: "conv1/3x3_s2"
  param { lr_mult: 1 decay_mult: 1 }
  convolution_param { num_output: 8 kernel_size: 3 stride: 2 pad: 1 weight_filler { type: "xavier" } }
}
layer { name: "conv1/relu_3x3" type: "ReLU" bottom: "conv1/3x3_s2" top: "conv1/3x3_s2" }
layer { name: "pool1/3x3_s2" type: "Pooling" bottom: "conv1/3x3_s2" top: "pool1/3x3_s2"
  pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
layer { name: "pool1/norm1" type: "LRN" bottom: "pool1/3x3_s2" top: "pool1/norm1"
  lrn_param { local_size: 5 alpha: 0.5 beta: 0.75 k: 2 } }
layer { name: "mix/1x1" type: "Convolution" bottom: "pool1/norm1" top: "mix/1x1"
  convolution_param { num_output: 4 kernel_size: 1 } }
layer { name: "mix/relu_1x1" type: "ReLU" bottom: "mix/1x1" top: "mix/1x1" }
layer { name: "mix/3x1" type: "Convolution" bottom: "pool1/norm1" top: "mix/3x1"
  convolution_param { num_output: 6 kernel_h: 3 kernel_w: 1 pad_h: 1 pad_w: 0 group: 2 } }
layer { name: "mix/dilated" type: "Convolution" bottom: "pool1/norm1" top: "mix/dilated"
  convolution_param { num_output: 4 kernel_size: 3 pad: 2 dilation: 2 bias_term: false } }
layer { name: "mix/pool" type: "Pooling" bottom: "pool1/norm1" top: "mix/pool"
  pooling_param { pool: AVE kernel_size: 3 stride: 1 pad: 1 } }
layer { name: "mix/output" type: "Concat" bottom: "mix/1x1" bottom: "mix/3x1" bottom: "mix/dilated" bottom: "mix/pool" top: "mix/output" }
layer { name: "mix/bn" type: "BatchNorm" bottom: "mix/output" top: "mix/output" batch_norm_param { use_global_stats: true } }
layer { name: "mix/scale" type: "Scale" bottom: "mix/output" top: "mix/output" scale_param { bias_term: true } }
layer { name: "mix/leaky" type: "ReLU" bottom: "mix/output" top: "mix/output" relu_param { negative_slope: 0.1 } }
layer { name: "branch_a" type: "Convolution" bottom: "mix/output" top: "branch_a" convolution_param { num_output: 6 kernel_size: 1 } }
layer { name: "branch_b" type: "Convolution" bottom: "mix/output" top: "branch_b" convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
layer { name: "sum" type: "Eltwise" bottom: "branch_a" bottom: "branch_b" top: "sum"
  eltwise_param { operation: SUM coeff: 1 coeff: -0.5 } }
layer { name: "prod" type: "Eltwise" bottom: "branch_a" bottom: "branch_b" top: "prod" eltwise_param { operation: PROD } }
layer { name: "max" type: "Eltwise" bottom: "branch_a" bottom: "branch_b" top: "max" eltwise_param { operation: MAX } }
layer { name: "merge" type: "Concat" bottom: "sum" bottom: "prod" bottom: "max" top: "merge" }
layer { name: "shrink" type: "Convolution" bottom: "merge" top: "shrink" convolution_param { num_output: 5 kernel_size: 2 } }
# Pools whose last window would start in the padding: Caffe drops it.
layer { name: "pool_drop" type: "Pooling" bottom: "shrink" top: "pool_drop" pooling_param { pool: MAX kernel_size: 2 stride: 2 pad: 1 } }
layer { name: "pool_drop_ave" type: "Pooling" bottom: "shrink" top: "pool_drop_ave" pooling_param { pool: AVE kernel_size: 2 stride: 2 pad: 1 } }
# AVE pool with a clipped last window.
layer { name: "pool2" type: "Pooling" bottom: "merge" top: "pool2" pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
layer { name: "pool2/drop" type: "Dropout" bottom: "pool2" top: "pool2" dropout_param { dropout_ratio: 0.4 } }
layer { name: "loss3/classifier" type: "InnerProduct" bottom: "pool2" top: "loss3/classifier" inner_product_param { num_output: 10 } }
layer { name: "prob" type: "Softmax" bottom: "loss3/classifier" top: "prob" }
'''


def tiny_inception():
    p = {
        'conv1/3x3_s2': [rnd(8, 3, 3, 3, scale=0.02), rnd(8)],
        'mix/1x1': [rnd(4, 8, 1, 1), rnd(4)],
        'mix/3x1': [rnd(6, 4, 3, 1), rnd(6)],
        'mix/dilated': [rnd(4, 8, 3, 3)],
        'mix/bn': [rnd(22), torch.rand(22) + 0.5, torch.tensor([2.0])],
        'mix/scale': [torch.rand(22) + 0.5, rnd(22)],
        'branch_a': [rnd(6, 22, 1, 1), rnd(6)],
        'branch_b': [rnd(6, 22, 3, 3, scale=0.1), rnd(6)],
        'shrink': [rnd(5, 18, 2, 2), rnd(5)],
        'loss3/classifier': [rnd(10, 18 * 4 * 4), rnd(10)],
    }

    def forward(data):
        b = {}
        b['conv1/3x3_s2'] = F.relu(conv(data, *p['conv1/3x3_s2'], stride=2, pad=(1, 1)))
        b['pool1/3x3_s2'] = caffe_pool(b['conv1/3x3_s2'], 'MAX', 3, 2, 0)
        b['pool1/norm1'] = caffe_lrn(b['pool1/3x3_s2'], 5, 0.5, 0.75, 2.0)
        x = b['pool1/norm1']
        b['mix/1x1'] = F.relu(conv(x, *p['mix/1x1']))
        b['mix/3x1'] = conv(x, *p['mix/3x1'], pad=(1, 0), group=2)
        b['mix/dilated'] = conv(x, p['mix/dilated'][0], None, pad=(2, 2), dilation=2)
        b['mix/pool'] = caffe_pool(x, 'AVE', 3, 1, 1)
        m = torch.cat([b['mix/1x1'], b['mix/3x1'], b['mix/dilated'], b['mix/pool']], dim=1)
        mean, var, factor = p['mix/bn']
        m = (m - (mean / factor).view(1, -1, 1, 1)) / torch.sqrt((var / factor).view(1, -1, 1, 1) + 1e-5)
        gamma, beta = p['mix/scale']
        m = m * gamma.view(1, -1, 1, 1) + beta.view(1, -1, 1, 1)
        b['mix/output'] = F.leaky_relu(m, 0.1)
        b['branch_a'] = conv(b['mix/output'], *p['branch_a'])
        b['branch_b'] = conv(b['mix/output'], *p['branch_b'], pad=(1, 1))
        b['sum'] = b['branch_a'] - 0.5 * b['branch_b']
        b['prod'] = b['branch_a'] * b['branch_b']
        b['max'] = torch.maximum(b['branch_a'], b['branch_b'])
        b['merge'] = torch.cat([b['sum'], b['prod'], b['max']], dim=1)
        b['shrink'] = conv(b['merge'], *p['shrink'])
        b['pool_drop'] = caffe_pool(b['shrink'], 'MAX', 2, 2, 1)
        b['pool_drop_ave'] = caffe_pool(b['shrink'], 'AVE', 2, 2, 1)
        b['pool2'] = caffe_pool(b['merge'], 'AVE', 3, 2, 1)
        b['loss3/classifier'] = b['pool2'].flatten(1) @ p['loss3/classifier'][0].T + p['loss3/classifier'][1]
        b['prob'] = torch.softmax(b['loss3/classifier'], dim=1)
        return b

    return p, forward


# ------------------------------------------------------------------ Caffe net 2: V1 layers, legacy input and blobs

TINY_V1 = '''name: "TinyV1"
input: "data"
input_dim: 1
input_dim: 3
input_dim: 16
input_dim: 16
layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv" blobs_lr: 1 convolution_param { num_output: 4 kernel_size: 5 } }
layers { name: "relu" type: RELU bottom: "conv" top: "conv" }
layers { name: "pool" type: POOLING bottom: "conv" top: "pool" pooling_param { pool: AVE kernel_size: 3 stride: 2 } }
layers { name: "fc" type: INNER_PRODUCT bottom: "pool" top: "fc" inner_product_param { num_output: 5 } }
layers { name: "prob" type: SOFTMAX bottom: "fc" top: "prob" }
'''


def tiny_v1():
    p = {'conv': [rnd(4, 3, 5, 5, scale=0.01), rnd(4)], 'fc': [rnd(5, 4 * 6 * 6), rnd(5)]}

    def forward(data):
        b = {}
        b['conv'] = F.relu(conv(data, *p['conv']))
        b['pool'] = caffe_pool(b['conv'], 'AVE', 3, 2, 0)
        b['fc'] = b['pool'].flatten(1) @ p['fc'][0].T + p['fc'][1]
        b['prob'] = torch.softmax(b['fc'], dim=1)
        return b

    return p, forward


def write_caffe(name, prototxt, params, forward, size, v1, objectives):
    os.makedirs(CAFFE_DIR, exist_ok=True)
    with open(os.path.join(CAFFE_DIR, f'{name}.prototxt'), 'w') as f:
        f.write(prototxt)
    with open(os.path.join(CAFFE_DIR, f'{name}.caffemodel'), 'wb') as f:
        f.write(caffemodel(name, list(params.items()), v1))
    image = torch.rand(1, 3, size, size) * 255
    with torch.no_grad():
        blobs = forward(caffe_input(image))
    grads = {}
    for layer, reduce, channel in objectives:
        def objective(b, layer=layer, reduce=reduce, channel=channel):
            v = b[layer] if channel is None else b[layer][:, channel]
            return (v * v).mean() if reduce == 'meanSquare' else v.mean()
        grads[f'{layer}|{reduce}|{channel}'] = tensor_json(gradient(image, forward, ('caffe', objective)))
    ref = {'image': tensor_json(image), 'blobs': {k: tensor_json(v) for k, v in blobs.items()}, 'gradients': grads}
    with open(os.path.join(CAFFE_DIR, f'{name}.reference.json'), 'w') as f:
        json.dump(ref, f)


# ------------------------------------------------------------------ ONNX networks from torch.onnx


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(8)
        self.a = torch.nn.Conv2d(8, 4, 1)
        self.b = torch.nn.Conv2d(8, 4, 3, padding=1)
        self.fc = torch.nn.Linear(8 * 5 * 5, 7)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2, ceil_mode=True)
        x = torch.cat([F.relu(self.a(x)), F.relu(self.b(x))], dim=1)
        x = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        self.trunk = x
        return torch.softmax(self.fc(x.flatten(1)), dim=1)


class Nhwc(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 6, 3)

    def forward(self, x):
        return F.relu(self.conv(x.permute(0, 3, 1, 2)))


class AbsFirst(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return F.relu(self.conv(torch.abs(x)))


TORCH_MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
TORCH_STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def export(module, example, name, opset, input_name):
    import onnx
    module.eval()
    path = os.path.join(ONNX_DIR, f'{name}.onnx')
    torch.onnx.export(module, example, path, opset_version=opset, input_names=[input_name], output_names=['output'])
    return onnx.load(path)


def write_onnx():
    os.makedirs(ONNX_DIR, exist_ok=True)
    net = Classifier()
    with torch.no_grad():
        net.bn.running_mean.copy_(torch.randn(8) * 0.1)
        net.bn.running_var.copy_(torch.rand(8) + 0.5)
    model = export(net, torch.randn(1, 3, 9, 9), 'tiny_classifier', 9, 'input')
    concat = next(n.output[0] for n in model.graph.node if n.op_type == 'Concat')
    image = torch.rand(1, 3, 9, 9) * 255
    preprocess = lambda img: (img / 255 - TORCH_MEAN) / TORCH_STD
    x = image.clone().requires_grad_(True)
    probs = net(preprocess(x))
    trunk = net.trunk
    (trunk * trunk).mean().backward()
    ref = {
        'image': tensor_json(image),
        'concat': concat,
        'blobs': {'output': tensor_json(probs), 'trunk': tensor_json(trunk)},
        'gradients': {'trunk|meanSquare|None': tensor_json(x.grad)},
    }
    with open(os.path.join(ONNX_DIR, 'tiny_classifier.reference.json'), 'w') as f:
        json.dump(ref, f)

    nhwc = Nhwc()
    export(nhwc, torch.randn(1, 12, 10, 3), 'tiny_nhwc', 13, 'pixels')
    image = torch.rand(1, 3, 12, 10) * 255
    with torch.no_grad():
        out = nhwc((image / 255).permute(0, 2, 3, 1))
    with open(os.path.join(ONNX_DIR, 'tiny_nhwc.reference.json'), 'w') as f:
        json.dump({'image': tensor_json(image), 'blobs': {'output': tensor_json(out)}}, f)

    export(AbsFirst(), torch.randn(1, 3, 8, 8), 'abs_first', 13, 'input')


def main():
    params, forward = tiny_inception()
    write_caffe('tiny_inception', TINY_INCEPTION, params, forward, 23, False, [
        ('mix/output', 'meanSquare', None),
        ('merge', 'meanSquare', None),
        ('loss3/classifier', 'mean', 3),
    ])
    params, forward = tiny_v1()
    write_caffe('tiny_v1', TINY_V1, params, forward, 16, True, [('pool', 'meanSquare', None)])
    write_onnx()


if __name__ == '__main__':
    main()
