"""Writes test/fixtures/onnx-node/: the cases of ONNX's backend node test suite (Debian's
python3-onnx, onnx.backend.test.case.node) for the ops the gradient pass has rules for, in the
suite's own layout: <case>/model.onnx and <case>/test_data_set_0/{input,output}_<i>.pb.

    /usr/bin/python3 scripts/onnx-node-tests.py

Debian's package ships the case generators, not the generated data, so this runs them as
`onnx.backend.test.cmd_tools generate-data` does, for these ops only, with numpy seeded per module
(some cases draw random inputs). Cases whose data exceed MAX_BYTES (3-D pools of 750 kB), cases of
other types than TYPES (uint8, int8, sequences, optionals; int32 ones become float32 twins) and the `_expanded` function bodies
are left out. test/core/onnx/node-suite.test.ts checks every case.
"""
import importlib
import os
import shutil
from types import SimpleNamespace

import numpy as np

# The case modules of onnx 1.12 use numpy aliases that numpy 1.24 removed.
for alias, builtin in (('float', float), ('int', int), ('bool', bool), ('object', object)):
    if alias not in np.__dict__:
        setattr(np, alias, builtin)

import onnx  # noqa: E402
import onnx.backend.test.case.node as node_cases  # noqa: E402
from onnx import TensorProto, numpy_helper  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'onnx-node')
MAX_BYTES = 64 * 1024
# What dreams compute with: float tensors, int64 parameters (axes, pads, shapes) and bool flags.
TYPES = {TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL}
# op type -> the module of onnx.backend.test.case.node that holds its cases
OPS = {
    'Add': 'add', 'AveragePool': 'averagepool', 'BatchNormalization': 'batchnorm', 'Clip': 'clip',
    'Concat': 'concat', 'Conv': 'conv', 'ConvTranspose': 'convtranspose', 'Div': 'div', 'Dropout': 'dropout',
    'Flatten': 'flatten', 'Gemm': 'gemm', 'GlobalAveragePool': 'globalaveragepool', 'HardSigmoid': 'hardsigmoid',
    'HardSwish': 'hardswish', 'Identity': 'identity', 'LRN': 'lrn', 'LeakyRelu': 'leakyrelu', 'MatMul': 'matmul',
    'MaxPool': 'maxpool', 'Mul': 'mul', 'Pad': 'pad', 'ReduceMean': 'reducemean', 'ReduceSum': 'reducesum',
    'ReduceSumSquare': 'reducesumsquare', 'Relu': 'relu', 'Reshape': 'reshape', 'Sigmoid': 'sigmoid',
    'Slice': 'slice', 'Softmax': 'softmax', 'Split': 'split', 'Squeeze': 'squeeze', 'Sub': 'sub', 'Sum': 'sum',
    'Tanh': 'tanh', 'Transpose': 'transpose', 'Unsqueeze': 'unsqueeze',
}


def as_float32(case):
    """The case with its int32 tensors as float32 (the suite pads int32 maps in edge and reflect
    mode; dreams pad float ones), named <case>_float32; None when it has none."""
    values = list(case.model.graph.input) + list(case.model.graph.output)
    if not any(v.type.tensor_type.elem_type == TensorProto.INT32 for v in values):
        return None
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    for v in list(model.graph.input) + list(model.graph.output):
        if v.type.tensor_type.elem_type == TensorProto.INT32:
            v.type.tensor_type.elem_type = TensorProto.FLOAT
    convert = [[np.asarray(a).astype(np.float32) if np.asarray(a).dtype == np.int32 else a for a in part]
               for part in case.data_sets[0]]
    return SimpleNamespace(name=f'{case.name}_float32', model=model, data_sets=[convert])


def write_case(case):
    directory = os.path.join(OUT, case.name)
    data = os.path.join(directory, 'test_data_set_0')
    # A name the suite generates twice holds the last one's data, as cmd_tools writes it.
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(data)
    with open(os.path.join(directory, 'model.onnx'), 'wb') as f:
        f.write(case.model.SerializeToString())
    inputs, outputs = case.data_sets[0]
    for kind, values, infos in (('input', inputs, case.model.graph.input), ('output', outputs, case.model.graph.output)):
        for i, value in enumerate(values):
            with open(os.path.join(data, f'{kind}_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(np.asarray(value), infos[i].name).SerializeToString())


def main():
    for module in sorted(set(OPS.values())):
        np.random.seed(0)
        importlib.import_module(f'onnx.backend.test.case.node.{module}')
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    kept = set()
    for case in node_cases._NodeTestCases:
        case = as_float32(case) or case
        ops = [n.op_type for n in case.model.graph.node]
        if case.name.endswith('_expanded') or len(ops) != 1 or ops[0] not in OPS:
            continue
        values = list(case.model.graph.input) + list(case.model.graph.output)
        if not all(v.type.HasField('tensor_type') and v.type.tensor_type.elem_type in TYPES for v in values):
            continue
        size = sum(np.asarray(v).nbytes for part in case.data_sets[0] for v in part)
        if size > MAX_BYTES:
            continue
        write_case(case)
        kept.add(case.name)
    print(f'{len(kept)} cases in {OUT}')


if __name__ == '__main__':
    main()
