/**
 * The browser side of the web bench, a module worker (bundled by run.ts): one gradient step of the
 * engine on onnxruntime-web, loading a served model, or converting nsfwjs's Keras files in the
 * browser. Each request gets one reply with its figures; each engine needs a fresh worker (threads
 * are global to onnxruntime-web).
 */
import { convertKeras } from '../../src/core/convert/keras/convert.js';
import { parseTopology } from '../../src/core/convert/keras/topology.js';
import { KerasWeights, type WeightSpec } from '../../src/core/convert/keras/weights.js';
import { createGradientSession } from '../../src/core/engine/index.js';
import { encodeModel } from '../../src/core/onnx/codec.js';
import { fetchModel } from '../../src/web/models/fetch-model.js';
import { importOrt, webRuntime } from '../../src/web/runtime/ort-web.js';

export type BenchRequest =
  | { type: 'step'; manifest: string; layer: string; size: number; threads: number; runs: number }
  | { type: 'load'; manifest: string }
  | { type: 'convert'; modelDir: string; cutLayer: string };

async function step({ manifest, layer, size, threads, runs }: Extract<BenchRequest, { type: 'step' }>) {
  const engine = { backend: 'wasm' as const, threads, notices: [] };
  const runtime = webRuntime(await importOrt(engine), engine, new URL('ort/', self.location.href).href);
  const { model } = await fetchModel(manifest);
  const pixels = new Float32Array(3 * size * size).map((_, i) => (Math.sin(i * 0.37) * 0.5 + 0.5) * 255);
  const objective = { terms: [{ kind: 'layer' as const, layer, weight: 1, reduce: 'meanSquare' as const }] };
  let started = performance.now();
  const session = await createGradientSession(model, objective, { height: size, width: size }, runtime);
  const sessionMs = performance.now() - started;
  started = performance.now();
  await session.run(pixels);
  const firstRunMs = performance.now() - started;
  await session.run(pixels);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    started = performance.now();
    await session.run(pixels);
    times.push(performance.now() - started);
  }
  await session.release();
  times.sort((a, b) => a - b);
  return { sessionMs, firstRunMs, stepMs: times[Math.floor(times.length / 2)]! };
}

async function load({ manifest }: Extract<BenchRequest, { type: 'load' }>) {
  const started = performance.now();
  const { cached } = await fetchModel(manifest);
  return { ms: performance.now() - started, cached };
}

/** nsfwjs's files are UMD modules: model.min.js exports {modelTopology, weightsManifest}, each shard a base64 string. */
async function convert({ modelDir, cutLayer }: Extract<BenchRequest, { type: 'convert' }>) {
  let started = performance.now();
  const umd = async (file: string): Promise<unknown> => {
    const text = await (await fetch(new URL(file, modelDir))).text();
    const module = { exports: {} as unknown };
    new Function('module', 'exports', text)(module, module.exports);
    return module.exports;
  };
  const { modelTopology, weightsManifest } = (await umd('model.min.js')) as {
    modelTopology: unknown;
    weightsManifest: { paths: string[]; weights: WeightSpec[] }[];
  };
  const shards = await Promise.all(weightsManifest.flatMap((g) => g.paths).map((p) => umd(`${p}.min.js`)));
  const decoded = (shards as string[]).map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  const bytes = new Uint8Array(decoded.reduce((n, d) => n + d.length, 0));
  decoded.reduce((offset, d) => (bytes.set(d, offset), offset + d.length), 0);
  const downloadMs = performance.now() - started;
  started = performance.now();
  const weights = new KerasWeights(
    weightsManifest.flatMap((g) => g.weights),
    bytes,
  );
  const { model } = convertKeras(parseTopology(modelTopology), weights, { lastLayer: cutLayer });
  const convertMs = performance.now() - started;
  return { downloadMs, convertMs, weightBytes: bytes.length, onnxBytes: encodeModel(model).length };
}

self.onmessage = async (event: MessageEvent<BenchRequest>) => {
  const request = event.data;
  try {
    const result =
      request.type === 'step'
        ? await step(request)
        : request.type === 'load'
          ? await load(request)
          : await convert(request);
    self.postMessage({ result });
  } catch (err) {
    self.postMessage({ error: String((err as Error).stack ?? err) });
  }
};
