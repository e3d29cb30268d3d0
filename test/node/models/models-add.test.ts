import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import { catalogEntries, type CatalogEntry } from '../../../src/node/models/catalog.js';
import { CAFFE_IMAGENET_PREPROCESSING } from '../../../src/core/models/descriptor.js';
import { importOnnxModel } from '../../../src/core/models/onnx-import.js';
import { decodeModel } from '../../../src/core/onnx/codec.js';
import { loadModel } from '../../../src/node/models/index.js';
import { addModel, listInstalled, loadInstalledModel, removeInstalled } from '../../../src/node/models/installed.js';
import { UnreachableError } from '../../../src/node/models/download.js';
import { OptionError } from '../../../src/core/options/checks.js';
import { caffeEntry, sha1, withCatalogEntries } from '../../support/catalog.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url));
const ONNX = fixture('onnx/tiny_classifier.onnx');
const CAFFEMODEL = fixture('caffe/tiny_v1.caffemodel');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Serves files; `/cut/...` closes the socket after half the bytes on the first request. */
let server: Server;
let base: string;
const rangeHeaders: (string | undefined)[] = [];
let cutOnce = true;

before(async () => {
  server = createServer((req, res) => {
    const files: Record<string, Buffer> = {
      'tiny.onnx': ONNX,
      'tiny_v1.caffemodel': CAFFEMODEL,
      'junk.onnx': Buffer.from('not a model at all'),
    };
    const path = req.url!.replace(/^\/(cut\/)?/, '');
    const body = files[path];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    rangeHeaders.push(req.headers.range);
    const start = Number(/bytes=(\d+)-/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const part = body.subarray(start);
    res.writeHead(start > 0 ? 206 : 200, {
      'content-length': part.length,
      ...(start > 0 ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (req.url!.startsWith('/cut/') && cutOnce) {
      cutOnce = false;
      res.write(part.subarray(0, Math.floor(part.length / 2)), () => res.destroy());
      return;
    }
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  process.env['INCEPTIONISM_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'inceptionism-models-'));
  rangeHeaders.length = 0;
  cutOnce = true;
});

const descriptor = {
  preprocessing: {
    channelOrder: 'RGB' as const,
    range: [0, 1] as [number, number],
    mean: [0.485, 0.456, 0.406] as [number, number, number],
    std: [0.229, 0.224, 0.225] as [number, number, number],
  },
};

describe('deepdream models add', () => {
  it('resumes a download cut mid-way with an HTTP Range request, verifies and installs', async () => {
    const record = await addModel(`${base}/cut/tiny.onnx`, {
      descriptor,
      checksum: { algorithm: 'sha256', hex: sha256(ONNX) },
    });
    assert.equal(record.name, 'tiny');
    assert.equal(record.sha256, sha256(ONNX));
    assert.equal(rangeHeaders[0], undefined);
    assert.equal(rangeHeaders[1], `bytes=${Math.floor(ONNX.length / 2)}-`);
    const loaded = await loadModel('tiny');
    assert.equal(loaded.name, 'tiny');
    assert.deepEqual(loaded.defaultInputSize, [9, 9]);
    assert.ok(loaded.layers.some((l) => l.dreamable));
    assert.deepEqual(
      (await listInstalled()).map((r) => r.name),
      ['tiny'],
    );
  });

  it('refuses a file whose checksum differs and installs nothing', async () => {
    await assert.rejects(
      addModel(`${base}/tiny.onnx`, { descriptor, checksum: { algorithm: 'sha256', hex: '0'.repeat(64) } }),
      /has sha256 [0-9a-f]{64}, expected 0{64}; the download is corrupt .* nothing was installed/,
    );
    assert.deepEqual(await listInstalled(), []);
    assert.ok(!existsSync(join(process.env['INCEPTIONISM_CACHE_DIR']!, 'downloads', 'tiny.onnx.part')));
  });

  it('refuses a downloaded file that is not a model', async () => {
    await assert.rejects(addModel(`${base}/junk.onnx`, { descriptor }), /not an ONNX model/);
    assert.deepEqual(await listInstalled(), []);
  });

  it('converts a Caffe model given as a path with its prototxt', async () => {
    const dir = new URL('../../fixtures/caffe/', import.meta.url).pathname;
    const record = await addModel(join(dir, 'tiny_v1.caffemodel'), {
      prototxt: join(dir, 'tiny_v1.prototxt'),
      descriptor: { preprocessing: CAFFE_IMAGENET_PREPROCESSING },
    });
    assert.equal(record.format, 'caffe');
    assert.deepEqual(
      loadInstalledModel('tiny_v1').layers.map((l) => l.name),
      ['conv', 'pool'],
    );
    await removeInstalled('tiny_v1');
    assert.deepEqual(await listInstalled(), []);
    await assert.rejects(removeInstalled('tiny_v1'), /model 'tiny_v1' is not installed/);
  });

  it('refuses an unsupported Caffe layer and installs nothing', async () => {
    const dir = new URL('../../fixtures/caffe/', import.meta.url).pathname;
    const work = mkdtempSync(join(tmpdir(), 'inceptionism-proto-'));
    const prototxt = join(work, 'bad.prototxt');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(prototxt, readFileSync(join(dir, 'tiny_v1.prototxt'), 'utf8').replace('type: RELU', 'type: BNLL'));
    await assert.rejects(
      addModel(join(dir, 'tiny_v1.caffemodel'), { prototxt, descriptor }),
      /Caffe layer 'relu' has type BNLL/,
    );
    assert.deepEqual(await listInstalled(), []);
  });

  it('says where to download by hand when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const url = `http://127.0.0.1:${port}/tiny.onnx`;
    await assert.rejects(addModel(url, { descriptor }), (err: Error) => {
      assert.match(err.message, /ECONNREFUSED/);
      assert.ok(err.message.includes(`download ${url} by hand`));
      assert.match(err.message, /deepdream models add PATH/);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    const cache = process.env['INCEPTIONISM_CACHE_DIR']!;
    assert.ok(!existsSync(join(cache, 'models')) || readdirSync(join(cache, 'models')).length === 0);
  });

  it('refuses unknown names and bad install names', async () => {
    await assert.rejects(addModel('no_such_model', { descriptor }), /'no_such_model' is not a known model/);
  });
});

/** A folder holding `files` (fixture path -> name in the folder). */
function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'inceptionism-by-hand-'));
  for (const [from, name] of Object.entries(files))
    copyFileSync(new URL(`../../fixtures/${from}`, import.meta.url), join(folder, name));
  return folder;
}

describe('models added by hand', () => {
  it('recognises a catalog model by its published checksum and installs it as the catalog does', async () => {
    const entry = caffeEntry('tiny_zoo', base, CAFFEMODEL);
    const folder = folderWith({
      'caffe/tiny_v1.caffemodel': 'downloaded.caffemodel',
      'caffe/tiny_v1.prototxt': 'deploy.prototxt',
    });
    const record = await withCatalogEntries([entry], () => addModel(join(folder, 'downloaded.caffemodel')));
    assert.deepEqual(
      [record.name, record.format, record.catalogName, record.licence],
      ['tiny_zoo', 'caffe', 'tiny_zoo', 'test licence'],
    );
    const model = loadInstalledModel('tiny_zoo');
    assert.equal(model.defaultLayer, 'pool');
    const stored = JSON.parse(model.model.metadata['inceptionism.descriptor']!) as {
      preprocessing: unknown;
      recommendedLayers: unknown;
    };
    assert.deepEqual(stored.preprocessing, entry.descriptor.preprocessing);
    assert.deepEqual(stored.recommendedLayers, ['pool', 'conv']);
    assert.deepEqual(JSON.parse(model.model.metadata['inceptionism.labels']!), ['ant', 'bee', 'cat', 'dog', 'eel']);
  });

  it('stores only the part that dreams: nothing above a training-mode node, which stays listed with why', async () => {
    const path = fileURLToPath(new URL('../../fixtures/onnx/training_mode.onnx', import.meta.url));
    const record = await addModel(path, { descriptor });
    assert.equal(record.name, 'training_mode');
    const model = loadInstalledModel('training_mode');
    const imported = importOnnxModel(readFileSync(path), descriptor, 'training_mode');
    assert.deepEqual(model.layers, imported.layers);
    assert.deepEqual(
      model.model.graph.nodes.map((n) => n.opType),
      ['Conv', 'Conv'],
    );
    const stored = decodeModel(
      readFileSync(join(process.env['INCEPTIONISM_CACHE_DIR']!, 'models', 'training_mode', 'model.onnx')),
    );
    assert.deepEqual([...stored.graph.initializers.keys()].sort(), [
      '0.bias',
      '0.weight',
      'inceptionism_preprocess:bias',
      'inceptionism_preprocess:weight',
    ]);
  });

  it('names the missing prototxt of a Caffe model in one line, and installs nothing', async () => {
    const folder = folderWith({ 'caffe/tiny_v1.caffemodel': 'tiny_v1.caffemodel' });
    await assert.rejects(addModel(join(folder, 'tiny_v1.caffemodel')), {
      name: 'OptionError',
      message:
        'prototxt must name the deploy prototxt of tiny_v1.caffemodel: there is no tiny_v1.prototxt or deploy.prototxt beside it',
    });
    await withCatalogEntries([caffeEntry('tiny_zoo', base, CAFFEMODEL)], () =>
      assert.rejects(addModel(join(folder, 'tiny_v1.caffemodel')), {
        message: `prototxt must name the deploy prototxt of tiny_v1.caffemodel: there is no deploy.prototxt beside it (tiny_zoo's is ${base}/zoo/deploy.prototxt)`,
      }),
    );
    assert.deepEqual(await listInstalled(), []);
  });

  it('installs a file as the catalog entry named, refusing one whose published checksum differs', async () => {
    const places: CatalogEntry = {
      ...caffeEntry('tiny_places', base, CAFFEMODEL),
      format: 'onnx',
      files: { onnx: { url: `${base}/tiny.onnx`, checksumSource: 'none published' } },
      descriptor: { preprocessing: descriptor.preprocessing, labels: ['one', 'two'] },
    };
    const path = new URL('../../fixtures/onnx/tiny_classifier.onnx', import.meta.url).pathname;
    await withCatalogEntries([places, caffeEntry('tiny_zoo', base, CAFFEMODEL)], async () => {
      assert.equal((await addModel(path)).catalogName, undefined, 'no published checksum: not recognised');
      const record = await addModel(path, { catalogName: 'tiny_places' });
      assert.deepEqual([record.name, record.catalogName], ['tiny_places', 'tiny_places']);
      const stored = loadInstalledModel('tiny_places').model.metadata['inceptionism.descriptor']!;
      assert.deepEqual((JSON.parse(stored) as { preprocessing: unknown }).preprocessing, descriptor.preprocessing);
      await assert.rejects(addModel(path, { catalogName: 'tiny_zoo' }), {
        message: `catalogName must name the model in tiny_classifier.onnx: tiny_zoo is published with sha1 ${sha1(CAFFEMODEL)}, the file has ${sha1(ONNX)}`,
      });
      await assert.rejects(addModel(path, { catalogName: 'nope' }), (err: Error) => {
        assert.ok(err instanceof OptionError);
        assert.match(
          err.message,
          /^catalogName must be one of bvlc_googlenet, .*tiny_places, tiny_zoo \(got 'nope'\)$/,
        );
        return true;
      });
      await assert.rejects(addModel(path, { name: 'no spaces' }), {
        message: "name must be a model name of letters, digits, '_', '-' and '.' (got 'no spaces')",
      });
    });
  });

  it('reports an unreachable catalog server with the URL it tried', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const offline = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await withCatalogEntries([caffeEntry('tiny_zoo', offline, CAFFEMODEL)], () =>
      assert.rejects(addModel('tiny_zoo'), (err: Error) => {
        assert.ok(err instanceof UnreachableError);
        assert.deepEqual(
          [err.url, err.code, err.reason],
          [`${offline}/zoo/tiny_v1.caffemodel`, 'ECONNREFUSED', `cannot reach ${new URL(offline).host} (ECONNREFUSED)`],
        );
        return true;
      }),
    );
  });
});

describe('catalog', () => {
  it('lists the required models, each with a published checksum or a note that none exists', () => {
    const names = catalogEntries().map((e) => e.name);
    for (const n of [
      'bvlc_googlenet',
      'googlenet_places365',
      'onnx_googlenet',
      'onnx_inception_v1',
      'onnx_vgg19',
      'onnx_resnet50',
      'onnx_squeezenet',
    ]) {
      assert.ok(names.includes(n), n);
    }
    for (const e of catalogEntries()) {
      const main = e.files[e.format === 'onnx' ? 'onnx' : 'caffemodel']!;
      assert.match(main.url, /^https?:\/\//);
      assert.ok(main.checksumSource, `${e.name} says where its checksum comes from`);
      if (main.sha256) assert.match(main.sha256, /^[0-9a-f]{64}$/);
      if (main.sha1) assert.match(main.sha1, /^[0-9a-f]{40}$/);
    }
    assert.equal(
      catalogEntries().find((e) => e.name === 'bvlc_googlenet')!.descriptor.defaultLayer,
      'inception_4c/output',
    );
  });
});
