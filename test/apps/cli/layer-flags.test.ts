/** `--layer` values against an installed model whose layer names hold colons. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseLayerFlags } from '../../../src/apps/cli/layer-flags.js';
import { IDENTITY_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { encodeModel } from '../../../src/core/onnx/codec.js';
import { DEFAULT_IR_VERSION, DEFAULT_OPSET, emptyGraph, floatTensor, GraphBuilder } from '../../../src/core/onnx/ir.js';
import { addModel } from '../../../src/node/models/installed.js';

/** x -> Conv "conv/Conv:0" -> Relu "onnx::Relu_7" -> Relu "relu" -> Relu "relu:2", as exporters name tensors. */
function colonNamedModel(): Uint8Array {
  const graph = emptyGraph('colons');
  graph.inputs.push({ name: 'x', dataType: 'float32', shape: [1, 3, 8, 8] });
  const b = new GraphBuilder(graph);
  const w = b.constant('w', floatTensor([2, 3, 1, 1], [1, 0, 0, 0, 1, 0]));
  let value = 'x';
  for (const [op, name] of [
    ['Conv', 'conv/Conv:0'],
    ['Relu', 'onnx::Relu_7'],
    ['Relu', 'relu'],
    ['Relu', 'relu:2'],
  ] as const) {
    graph.nodes.push({
      opType: op,
      name,
      inputs: op === 'Conv' ? [value, w] : [value],
      outputs: [name],
      attributes: {},
    });
    value = name;
  }
  graph.outputs.push({ name: value, dataType: 'float32', shape: [1, 2, 8, 8] });
  return encodeModel({
    graph,
    opsetVersion: DEFAULT_OPSET,
    irVersion: DEFAULT_IR_VERSION,
    producerName: 't',
    metadata: {},
  });
}

describe('--layer values', () => {
  const savedCache = process.env['INCEPTIONISM_CACHE_DIR'];
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inceptionism-layer-flags-'));
    process.env['INCEPTIONISM_CACHE_DIR'] = dir;
    const file = join(dir, 'colons.onnx');
    writeFileSync(file, colonNamedModel());
    await addModel(file, { descriptor: { preprocessing: IDENTITY_PREPROCESSING } });
  });
  after(() => {
    if (savedCache === undefined) delete process.env['INCEPTIONISM_CACHE_DIR'];
    else process.env['INCEPTIONISM_CACHE_DIR'] = savedCache;
  });

  it('are whole names where the model has them, else name:weight', async () => {
    assert.deepEqual(await parseLayerFlags(['conv/Conv:0', 'onnx::Relu_7:0.5', 'relu:2', 'relu:3'], 'colons'), [
      { name: 'conv/Conv:0', weight: 1 },
      { name: 'onnx::Relu_7', weight: 0.5 },
      { name: 'relu:2', weight: 1 },
      { name: 'relu', weight: 3 },
    ]);
  });

  it('name the flag when a value is neither', async () => {
    await assert.rejects(parseLayerFlags(['onnx::Relu_8'], 'colons'), {
      message: "--layer must be a layer name with a number as :weight (got 'onnx::Relu_8')",
    });
  });

  it('split as typed for a backend module, which knows its own names', async () => {
    assert.deepEqual(await parseLayerFlags(['relu:2'], 'colons', 'fake-backend.ts'), [{ name: 'relu', weight: 2 }]);
  });
});
