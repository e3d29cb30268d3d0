/** The bundled-model registry: layer lists, refusals, cache behaviour. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CACHE_DIR_ENV } from '../../../src/node/models/cache.js';
import { modelBackend } from '../../../src/core/dream/model-backend.js';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import { findLayer } from '../../../src/core/models/layers.js';
import { nodeRuntime } from '../../../src/node/runtime/ort.js';
import { listBundledModels, loadModel, type LoadedModel } from '../../../src/node/models/index.js';
import { decodeModel, encodeModel } from '../../../src/core/onnx/codec.js';
import { runOrt, testPixels } from '../../core/convert/keras/keras-harness.js';

let cacheDir: string;
let inception: LoadedModel;
before(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'models-cache-'));
  inception = await loadModel('inception_v3', { cacheDir });
});
after(() => rmSync(cacheDir, { recursive: true, force: true }));

const cacheFile = (name: string): string => {
  const files = readdirSync(cacheDir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.onnx'));
  assert.equal(files.length, 1, `one cached ${name}: ${readdirSync(cacheDir).join(', ')}`);
  return join(cacheDir, files[0]!);
};

test('the bundled models are listed', async () => {
  assert.deepStrictEqual(
    listBundledModels().map(({ name, defaultLayer, deepestLayer }) => [name, defaultLayer, deepestLayer]),
    [
      ['inception_v3', 'mixed4', 'mixed5'],
      ['mobilenet_v2', 'block_6_expand_relu', 'block_10_project_BN'],
    ],
  );
  await assert.rejects(
    loadModel('googlenet'),
    /^Error: unknown model 'googlenet'; bundled models: inception_v3, mobilenet_v2; `deepdream models` lists installed and downloadable ones$/,
  );
  await assert.rejects(
    loadModel('bvlc_googlenet'),
    /^Error: model 'bvlc_googlenet' is not installed yet; install it with: deepdream models add bvlc_googlenet$/,
  );
});

test('InceptionV3 offers its frozen layers up to mixed5 and refuses the retrained ones', () => {
  assert.equal(inception.inputName, 'image');
  assert.deepStrictEqual(inception.defaultInputSize, [299, 299]);
  assert.equal(inception.minInputSize, 43);
  assert.equal(inception.defaultLayer, 'mixed4');
  const byName = new Map(inception.layers.map((l) => [l.name, l]));
  assert.equal(inception.layers.length, 318);
  assert.deepStrictEqual(byName.get('mixed3'), {
    name: 'mixed3',
    shape: [768, 17, 17],
    channels: 768,
    dreamable: true,
  });
  assert.deepStrictEqual(byName.get('activation_1')?.shape, [32, 149, 149]);
  for (const name of [
    'mixed0',
    'mixed1',
    'mixed2',
    'mixed4',
    'mixed5',
    'activation_49',
    'batch_normalization_12',
    'average_pooling2d_1',
  ]) {
    assert.equal(byName.get(name)?.dreamable, true, name);
  }
  for (const name of ['conv2d_55', 'activation_55', 'mixed6', 'mixed10', 'dense_3']) {
    assert.equal(byName.get(name)?.dreamable, false, name);
    assert.match(byName.get(name)!.reason!, /retrained for a content \(NSFW\) classifier, which is refused/);
  }
  assert.deepStrictEqual(byName.get('dense_3')?.shape, [5]);
  assert.equal(byName.get('conv2d_1')?.reason, 'folded into batch_normalization_1 (its BatchNormalization)');
  // Every dreamable layer is a tensor of the graph; nothing above the cut is.
  const tensors = new Set(inception.model.graph.nodes.flatMap((n) => n.outputs));
  for (const layer of inception.layers)
    assert.equal(tensors.has(layer.name), layer.dreamable || layer.name === 'input_1', layer.name);
});

test('findLayer returns dreamable layers and explains every refusal', () => {
  assert.equal(findLayer(inception, 'mixed4').channels, 768);
  assert.throws(
    () => findLayer(inception, 'mixed6'),
    /^Error: layer 'mixed6' of inception_v3 cannot be dreamed: it belongs to the part retrained for a content \(NSFW\) classifier, which is refused/,
  );
  assert.throws(() => findLayer(inception, 'conv2d_1'), /cannot be dreamed: folded into batch_normalization_1/);
  assert.throws(() => findLayer(inception, 'input_1'), /cannot be dreamed: it is the \(preprocessed\) input image/);
  assert.throws(
    () => findLayer(inception, 'inception_4c'),
    /^Error: model inception_v3 has no layer 'inception_4c'; `deepdream layers --model inception_v3` lists all 114$/,
  );
  assert.throws(
    () => findLayer(inception, 'mixd5'),
    /^Error: model inception_v3 has no layer 'mixd5'; similar: mixed0, mixed1, mixed2, mixed3, mixed4, mixed5 \(`deepdream layers --model inception_v3` lists all 114\)$/,
  );
});

test('the model is cached by content hash, and the cached file is what later loads return', async () => {
  const path = cacheFile('inception_v3');
  assert.match(path, /inception_v3-[0-9a-f]{16}\.onnx$/);
  assert.deepStrictEqual(
    readdirSync(cacheDir).filter((f) => f.endsWith('.tmp')),
    [],
    'no temporary files left',
  );
  const cached = decodeModel(readFileSync(path));
  cached.metadata['marker'] = 'from cache';
  writeFileSync(path, encodeModel(cached));
  const again = await loadModel('inception_v3', { cacheDir });
  assert.equal(again.model.metadata['marker'], 'from cache');
  assert.deepStrictEqual(again.layers, inception.layers);
});

test('an unreadable cache file is converted again and replaced; the env var sets the cache dir', async () => {
  const dir = join(cacheDir, 'from-env');
  process.env[CACHE_DIR_ENV] = dir;
  try {
    await loadModel('mobilenet_v2');
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.onnx'));
    assert.match(file!, /^mobilenet_v2-[0-9a-f]{16}\.onnx$/);
    const good = readFileSync(join(dir, file!));
    writeFileSync(join(dir, file!), 'not onnx');
    const model = await loadModel('mobilenet_v2');
    assert.deepStrictEqual(readFileSync(join(dir, file!)), good);
    assert.deepStrictEqual(
      model.model.graph.outputs.map((o) => o.name),
      ['block_10_project_BN'],
    );
  } finally {
    delete process.env[CACHE_DIR_ENV];
  }
});

test('the looks dream MobileNetV2 a third up, at its default layer and at its top', async () => {
  const mobilenet = await loadModel('mobilenet_v2', { cacheDir });
  const layers = (preset: string) =>
    modelBackend(mobilenet, nodeRuntime)
      .resolveLayers(resolveDreamOptions({ model: 'mobilenet_v2', preset }).layers)
      .map((l) => l.name);
  assert.deepStrictEqual(layers('textures'), ['block_3_project_BN']);
  assert.deepStrictEqual(layers('eyes'), ['block_6_expand_relu']);
  assert.deepStrictEqual(layers('objects'), ['block_10_project_BN']);
});

test('MobileNetV2 runs at its minimum input size and offers layers up to block_10_project_BN', async () => {
  const mobilenet = await loadModel('mobilenet_v2', { cacheDir });
  assert.equal(mobilenet.minInputSize, 16);
  assert.deepStrictEqual(mobilenet.defaultInputSize, [224, 224]);
  assert.deepStrictEqual(findLayer(mobilenet, 'block_10_project_BN').shape, [96, 14, 14]);
  assert.equal(findLayer(mobilenet, 'block_2_add').channels, 24);
  assert.throws(() => findLayer(mobilenet, 'block_11_expand'), /retrained for a content/);
  assert.throws(() => findLayer(mobilenet, 'Conv1_pad'), /zero padding folded into Conv1/);
  const size = mobilenet.minInputSize;
  const [out] = await runOrt(mobilenet.model, ['block_10_project_BN'], testPixels(size, size, 3), size, size);
  assert.deepStrictEqual(out!.dims, [1, 96, 1, 1]);
});
