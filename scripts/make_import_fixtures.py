"""Writes importer fixtures to test/fixtures/onnx/ (run with Debian's /usr/bin/python3: torch 1.13 +
onnx 1.12):

- opset8_ir3.onnx: an IR version 3, opset 8 network as old exporters wrote them (initializers also
  listed as graph inputs, one that no node reads; Pad, Split, Slice, Squeeze, Unsqueeze, ReduceSum and Clip with their
  parameters as attributes; Softmax over axes 1.. of 4-D and 3-D tensors whose rank only the
  declared outputs tell). ONNX Runtime runs it as it is: the tests compare the upgraded model
  with it.
- training_mode.onnx: a small PyTorch network exported in training mode (BatchNormalization
  with training_mode=1 and its running statistics, Dropout with training_mode true).
"""
import os

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx')


def opset8_ir3():
    rng = np.random.default_rng(8)
    inits = {
        'w1': rng.standard_normal((8, 3, 3, 3)).astype(np.float32) * 0.3,
        'b1': rng.standard_normal(8).astype(np.float32) * 0.1,
        'w2': rng.standard_normal((6, 6, 1, 1)).astype(np.float32) * 0.3,
    }
    nodes = [
        helper.make_node('Conv', ['image', 'w1', 'b1'], ['c1'], name='conv1', kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node('Clip', ['c1'], ['r1'], name='relu6', min=0.0, max=6.0),
        helper.make_node('Pad', ['r1'], ['p1'], name='pad', mode='reflect', pads=[0, 0, 1, 2, 0, 0, 2, 1]),
        helper.make_node('Split', ['p1'], ['s1', 's2'], name='split', axis=1, split=[3, 5]),
        helper.make_node('Slice', ['s2'], ['sl'], name='slice', starts=[1, 0], ends=[4, 100], axes=[1, 3]),
        helper.make_node('Concat', ['s1', 'sl'], ['cat'], name='concat', axis=1),
        helper.make_node('Conv', ['cat', 'w2'], ['c2'], name='conv2', kernel_shape=[1, 1]),
        helper.make_node('GlobalAveragePool', ['c2'], ['gap'], name='gap'),
        helper.make_node('Softmax', ['gap'], ['prob'], name='softmax4d', axis=1),
        helper.make_node('ReduceSum', ['c2'], ['rows'], name='rowsum', axes=[3], keepdims=0),
        helper.make_node('Unsqueeze', ['rows'], ['rows4'], name='unsqueeze', axes=[0]),
        helper.make_node('Squeeze', ['rows4'], ['rows3'], name='squeeze', axes=[0]),
        helper.make_node('Softmax', ['rows3'], ['rowprob'], name='softmax3d', axis=1),
    ]
    # Old exporters left initializers no node reads (ORT then needs them listed as inputs).
    inits['unused_shape'] = np.array([1, -1], dtype=np.int64)
    graph = helper.make_graph(
        nodes, 'opset8_ir3',
        [helper.make_tensor_value_info('image', TensorProto.FLOAT, [1, 3, 8, 7])]
        + [helper.make_tensor_value_info(k, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[v.dtype], list(v.shape))
           for k, v in inits.items()],
        [helper.make_tensor_value_info('prob', TensorProto.FLOAT, [1, 6, 1, 1]),
         helper.make_tensor_value_info('rowprob', TensorProto.FLOAT, [1, 6, 11])],
        [numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 8)], producer_name='old-exporter')
    model.ir_version = 3
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(OUT, 'opset8_ir3.onnx'))


def training_mode():
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
        torch.nn.Conv2d(4, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Conv2d(4, 2, 1),
    )
    net.train()
    torch.onnx.export(net, torch.zeros(1, 3, 16, 16), os.path.join(OUT, 'training_mode.onnx'), opset_version=14,
                      input_names=['input'], output_names=['features'], training=torch.onnx.TrainingMode.TRAINING,
                      do_constant_folding=False)


if __name__ == '__main__':
    opset8_ir3()
    training_mode()
