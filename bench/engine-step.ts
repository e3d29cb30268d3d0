/**
 * One engine measurement in its own process (so peak RSS is this model's alone):
 *   node --import tsx bench/engine-step.ts --model inception_v3 --layer mixed5 --size 512 --runs 5
 * Prints one JSON line: session build ms, first run ms, median step ms, median forward ms, FLOP, peak RSS.
 */
import { parseArgs } from 'node:util';
import { createActivationSession, createGradientSession } from '../src/node/runtime/engine.js';
import { countForwardFlops } from '../src/core/engine/flops.js';
import { loadModel } from '../src/node/models/index.js';
import { pruneGraph } from '../src/core/onnx/prune.js';
import { withInputShape } from '../src/core/onnx/shapes.js';
import { gradOptionsOf, medianMs, SESSION_OPTIONS } from './common.js';

const { values } = parseArgs({
  options: {
    ...SESSION_OPTIONS,
    runs: { type: 'string', default: '5' },
    warmups: { type: 'string', default: '2' },
  },
});
const size = Number(values.size);
const runs = Number(values.runs);
const warmups = Number(values.warmups);
const threads = Number(values.threads);
const tile = { height: size, width: size };

const model = await loadModel(values.model);
const graph = withInputShape(model.model.graph, model.inputName, [1, 3, size, size]);
const flops = countForwardFlops(pruneGraph(graph, [values.layer]));

const pixels = new Float32Array(3 * size * size);
for (let i = 0; i < pixels.length; i++) pixels[i] = (Math.sin(i * 0.37) * 0.5 + 0.5) * 255;

let start = performance.now();
const session = await createGradientSession(
  model,
  { terms: [{ kind: 'layer', layer: values.layer, weight: 1, reduce: 'meanSquare' }] },
  tile,
  { threads, gradient: gradOptionsOf(values) },
);
const sessionMs = performance.now() - start;
start = performance.now();
await session.run(pixels);
const firstRunMs = performance.now() - start;
const stepMs = await medianMs(() => session.run(pixels), runs, warmups);
await session.release();

const forward = await createActivationSession(model, values.layer, tile, { threads });
const forwardMs = await medianMs(() => forward.run(pixels), runs, warmups);
await forward.release();

console.log(
  JSON.stringify({
    model: values.model,
    layer: values.layer,
    size,
    sessionMs,
    firstRunMs,
    stepMs,
    forwardMs,
    flops,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
