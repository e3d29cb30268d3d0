"""Independent PyTorch reference for the nsfwjs Keras models (InceptionV3, MobileNetV2).

Reads the tfjs layers model shipped by nsfwjs (model.min.js + group1-shard*.min.js), dequantizes
the uint8 weights and evaluates the Keras graph with torch ops up to the requested layers.
Tensors are NCHW inside; the module takes RGB pixels 0..255 [1, 3, H, W] and applies the Keras
preprocessing (x / 127.5 - 1) itself. Only the frozen ImageNet trunk is supported: the layers
above (Flatten, Dense, Dropout) are refused.

Usage as a library (run with /usr/bin/python3, Debian torch 1.13):
    net = build_model('inception_v3', ['mixed5'])          # float32, like tfjs
    acts = net(pixels)                                      # {'mixed5': tensor}
"""
import base64
import json
import os
import re
import subprocess

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS_DIR = os.path.join(REPO_ROOT, 'node_modules', 'nsfwjs', 'dist', 'models')
MODEL_NAMES = ('inception_v3', 'mobilenet_v2')
# Highest layer of the frozen ImageNet part; nothing above is ever built.
FROZEN_TOP = {'inception_v3': 'mixed5', 'mobilenet_v2': 'block_10_project_BN'}


def model_dir(model):
    if model not in MODEL_NAMES:
        raise ValueError(f'unknown model {model!r}, expected one of {", ".join(MODEL_NAMES)}')
    return os.path.join(MODELS_DIR, model)


def read_model_json(model):
    """{modelTopology, weightsManifest} of model.min.js. The file is a UMD module holding a JS
    object literal (not JSON), so Node evaluates it and serialises the export."""
    path = os.path.join(model_dir(model), 'model.min.js')
    out = subprocess.run(['node', '-e', 'process.stdout.write(JSON.stringify(require(process.argv[1])))', path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def read_weight_bytes(model, paths):
    """Each shard module returns one base64 string: the longest string literal in the file."""
    chunks = []
    for name in paths:
        with open(os.path.join(model_dir(model), name + '.min.js'), encoding='ascii') as f:
            text = f.read()
        literal = max(re.findall(r'"([A-Za-z0-9+/=]+)"', text), key=len)
        chunks.append(base64.b64decode(literal))
    return b''.join(chunks)


def dequantize_weights(manifest, data, exact=False):
    """name -> float64 array. Like tfjs, value = q * scale + min computed in double and stored as
    float32 unless `exact`, which keeps the double values."""
    weights = {}
    offset = 0
    for group in manifest:
        for spec in group['weights']:
            count = int(np.prod(spec['shape'], dtype=np.int64))
            quant = spec.get('quantization')
            if spec['dtype'] != 'float32' or not quant or quant['dtype'] != 'uint8':
                raise ValueError(f'weight {spec["name"]}: only uint8-quantized float32 is supported')
            q = np.frombuffer(data, dtype=np.uint8, count=count, offset=offset).astype(np.float64)
            offset += count
            values = q * quant['scale'] + quant['min']
            if not exact:
                values = values.astype(np.float32).astype(np.float64)
            weights[spec['name']] = values.reshape(spec['shape'])
    if offset != len(data):
        raise ValueError(f'weights manifest covers {offset} bytes, shards hold {len(data)}')
    return weights


def load_keras_model(model, exact_weights=False):
    """(layers, weights): the Keras layer configs in topological order and name -> array."""
    spec = read_model_json(model)
    manifest = spec['weightsManifest']
    data = read_weight_bytes(model, [p for group in manifest for p in group['paths']])
    layers = spec['modelTopology']['model_config']['config']['layers']
    return layers, dequantize_weights(manifest, data, exact_weights)


def tf_same_pads(size, kernel, stride):
    """(before, after) padding of TF 'same': the odd pixel goes after (bottom/right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def split_same_pads(x, kernel, stride):
    """TF 'same' padding as (symmetric part for the op itself, leftover (left, right, top, bottom)
    for an explicit F.pad, None when there is none). Stride 1 with odd kernels is symmetric."""
    top, bottom = tf_same_pads(x.shape[2], kernel[0], stride[0])
    left, right = tf_same_pads(x.shape[3], kernel[1], stride[1])
    symmetric = (min(top, bottom), min(left, right))
    extra = (left - symmetric[1], right - symmetric[1], top - symmetric[0], bottom - symmetric[0])
    return symmetric, extra if any(extra) else None


def pad_same(x, kernel, stride, value=0.0):
    top, bottom = tf_same_pads(x.shape[2], kernel[0], stride[0])
    left, right = tf_same_pads(x.shape[3], kernel[1], stride[1])
    return F.pad(x, (left, right, top, bottom), value=value)


def avg_pool_same_exclude_pad(x, kernel, stride):
    """TF 'same' average pooling: padded cells do not count in the divisor."""
    symmetric, extra = split_same_pads(x, kernel, stride)
    if extra is None:
        return F.avg_pool2d(x, kernel, stride, padding=symmetric, count_include_pad=False)
    ones = torch.ones_like(x[:, :1])
    total = F.avg_pool2d(pad_same(x, kernel, stride), kernel, stride)
    count = F.avg_pool2d(pad_same(ones, kernel, stride), kernel, stride)
    return total / count


class KerasLayer(nn.Module):
    """One Keras layer. Parameters are buffers: the reference only differentiates the input."""

    def __init__(self, layer, weights, dtype, fold_bn_into=None):
        super().__init__()
        self.name = layer['name']
        self.kind = layer['class_name']
        self.config = layer['config']
        self.inputs = [node[0] for node in layer['inbound_nodes'][0]] if layer['inbound_nodes'] else []
        cfg = self.config
        get = lambda key: torch.tensor(weights[f'{self.name}/{key}'], dtype=dtype)
        if self.kind == 'Conv2D':
            self.register_buffer('weight', get('kernel').permute(3, 2, 0, 1).contiguous())  # HWIO -> OIHW
            self.register_buffer('bias', get('bias') if cfg['use_bias'] else None)
        elif self.kind == 'DepthwiseConv2D':
            kernel = get('depthwise_kernel')  # [kh, kw, C, multiplier]; output channel c * m + j
            kh, kw, channels, mult = kernel.shape
            self.register_buffer('weight', kernel.permute(2, 3, 0, 1).reshape(channels * mult, 1, kh, kw).contiguous())
            self.register_buffer('bias', get('depthwise_bias') if cfg['use_bias'] else None)
        elif self.kind == 'BatchNormalization':
            mean, var = get('moving_mean'), get('moving_variance')
            gamma = get('gamma') if cfg['scale'] else torch.ones_like(mean)
            beta = get('beta') if cfg['center'] else torch.zeros_like(mean)
            scale = gamma / torch.sqrt(var + cfg['epsilon'])
            self.register_buffer('scale', scale)
            self.register_buffer('shift', beta - mean * scale)
        self.folded = False

    def fold_into(self, conv):
        """Fold this BatchNormalization into the preceding convolution (same numbers, fewer ops)."""
        conv.weight = conv.weight * self.scale.view(-1, 1, 1, 1)
        conv.bias = self.shift + (conv.bias * self.scale if conv.bias is not None else 0)
        self.folded = True

    def forward(self, *xs):
        cfg, kind = self.config, self.kind
        x = xs[0]
        if kind in ('Conv2D', 'DepthwiseConv2D'):
            if cfg['dilation_rate'] != [1, 1]:
                raise ValueError(f'{self.name}: dilated convolution is not supported')
            kernel, stride = cfg['kernel_size'], cfg['strides']
            padding = (0, 0)
            if cfg['padding'] == 'same':
                padding, extra = split_same_pads(x, kernel, stride)
                if extra is not None:
                    x = F.pad(x, extra)
            groups = x.shape[1] if kind == 'DepthwiseConv2D' else 1
            y = F.conv2d(x, self.weight, self.bias, stride, padding, groups=groups)
            return activation(y, cfg['activation'], self.name)
        if kind == 'BatchNormalization':
            if self.folded:
                return x
            return x * self.scale.view(1, -1, 1, 1) + self.shift.view(1, -1, 1, 1)
        if kind == 'Activation':
            return activation(x, cfg['activation'], self.name)
        if kind == 'ReLU':
            if cfg.get('negative_slope', 0) != 0 or cfg.get('threshold', 0) != 0:
                raise ValueError(f'{self.name}: only plain ReLU with max_value is supported')
            return torch.clamp(x, 0, cfg['max_value']) if cfg.get('max_value') is not None else F.relu(x)
        if kind == 'ZeroPadding2D':
            (top, bottom), (left, right) = cfg['padding']
            return F.pad(x, (left, right, top, bottom))
        if kind in ('MaxPooling2D', 'AveragePooling2D'):
            kernel, stride = cfg['pool_size'], cfg['strides']
            if kind == 'MaxPooling2D':
                if cfg['padding'] == 'same':
                    x = pad_same(x, kernel, stride, value=float('-inf'))
                return F.max_pool2d(x, kernel, stride)
            if cfg['padding'] == 'same':
                return avg_pool_same_exclude_pad(x, kernel, stride)
            return F.avg_pool2d(x, kernel, stride)
        if kind == 'Concatenate':
            if cfg['axis'] not in (3, -1):
                raise ValueError(f'{self.name}: only channel concatenation is supported')
            return torch.cat(xs, dim=1)
        if kind == 'Add':
            return sum(xs[1:], xs[0])
        raise ValueError(f'{self.name}: layer type {kind} is not supported (frozen trunk only)')


def activation(x, name, layer):
    if name == 'linear':
        return x
    if name == 'relu':
        return F.relu(x)
    raise ValueError(f'{layer}: activation {name} is not supported')


class KerasTrunk(nn.Module):
    """The Keras graph cut at `outputs`; forward(pixels 0..255 NCHW) -> {layer name: activation}."""

    def __init__(self, layers, weights, outputs, dtype=torch.float32, fold_bn=False):
        super().__init__()
        by_name = {layer['name']: layer for layer in layers}
        for name in outputs:
            if name not in by_name:
                raise ValueError(f'unknown layer {name!r}')
        needed = set()
        stack = list(outputs)
        while stack:
            name = stack.pop()
            if name in needed:
                continue
            needed.add(name)
            stack.extend(node[0] for node in (by_name[name]['inbound_nodes'] or [[]])[0])
        ordered = [layer for layer in layers if layer['name'] in needed]
        self.input_name = next(l['name'] for l in ordered if l['class_name'] == 'InputLayer')
        self.layers = nn.ModuleList(KerasLayer(l, weights, dtype) for l in ordered if l['class_name'] != 'InputLayer')
        self.outputs = list(outputs)
        if fold_bn:
            self._fold_batch_norms()

    def _fold_batch_norms(self):
        producers = {layer.name: layer for layer in self.layers}
        consumers = {}
        for layer in self.layers:
            for name in layer.inputs:
                consumers[name] = consumers.get(name, 0) + 1
        for layer in self.layers:
            if layer.kind != 'BatchNormalization':
                continue
            conv = producers.get(layer.inputs[0])
            # Only a linear conv whose sole reader is this BN (and which is not itself an output).
            if (conv is not None and conv.kind in ('Conv2D', 'DepthwiseConv2D')
                    and conv.config['activation'] == 'linear' and consumers[conv.name] == 1
                    and conv.name not in self.outputs):
                layer.fold_into(conv)

    def forward(self, pixels):
        values = {self.input_name: pixels / 127.5 - 1.0}
        for layer in self.layers:
            values[layer.name] = layer(*(values[name] for name in layer.inputs))
        return {name: values[name] for name in self.outputs}


def build_model(model, outputs, dtype=torch.float32, fold_bn=False, exact_weights=False):
    """Torch module for `model` ('inception_v3' | 'mobilenet_v2') returning the named activations.
    `dtype` is the arithmetic precision; weights are the float32 values tfjs uses unless
    `exact_weights` (the undequantized double values, for checking)."""
    layers, weights = load_keras_model(model, exact_weights)
    order = [layer['name'] for layer in layers]
    top = order.index(FROZEN_TOP[model])
    for name in outputs:
        if name in order and order.index(name) > top:
            raise ValueError(f'{model}: layer {name} is above the frozen trunk (top: {FROZEN_TOP[model]})')
    net = KerasTrunk(layers, weights, outputs, dtype, fold_bn)
    return net.eval()
