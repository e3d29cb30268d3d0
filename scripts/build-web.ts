/**
 * `npm run build:web`: the browser build. `bundleWeb` writes the dream worker, the page's device
 * module, the service worker and onnxruntime-web's WebAssembly files (what the studio serves under
 * /device/); `buildSite` adds the studio page in device-only mode and the models, a static site
 * that works from any static file host:
 *   node --import tsx scripts/build-web.ts [--out dist/site] [--models inception_v3,mobilenet_v2]
 */
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { installedModelCatalog } from '../src/apps/server/catalog.js';
import { deviceModelFiles, manifestFile } from '../src/apps/server/device-models.js';
import { presetsView } from '../src/apps/server/routes-catalog.js';
import { DEFAULT_STUDIO_OPTIONS } from '../src/apps/server/index.js';
import { DEFAULT_MAX_PIXELS } from '../src/node/image/read.js';
import { listBundledModels, loadModel } from '../src/node/models/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DEFAULT_SITE_DIR = join(ROOT, 'dist', 'site');

/** The onnxruntime-web files the two engines load at run time (WebAssembly, and WebGPU's build). */
const ORT_FILES = ['ort-wasm-simd-threaded', 'ort-wasm-simd-threaded.asyncify'].flatMap((stem) => [
  `${stem}.mjs`,
  `${stem}.wasm`,
]);

/** The code a browser needs to dream: worker.js, device.js, sw.js, their chunks and ort/. */
export async function bundleWeb(outDir: string): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: {
      worker: 'src/web/dream/worker.ts',
      device: 'src/web/page/device.ts',
      sw: 'src/web/page/isolation-worker.ts',
    },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    // onnxruntime-web without its WebAssembly inlined: the engine fetches it from ort/.
    conditions: ['onnxruntime-web-use-extern-wasm'],
    logLevel: 'warning',
  });
  const ortDir = join(outDir, 'ort');
  await mkdir(ortDir, { recursive: true });
  const ortDist = join(ROOT, 'node_modules', 'onnxruntime-web', 'dist');
  await Promise.all(ORT_FILES.map((file) => copyFile(join(ortDist, file), join(ortDir, file))));
}

export interface SiteOptions {
  outDir: string;
  /** Models to include (default: the bundled ones). */
  models?: string[];
}

/** The static site: the studio page in device-only mode, its settings (site.json), the code and the models. */
export async function buildSite({ outDir, models = listBundledModels().map((m) => m.name) }: SiteOptions) {
  await rm(outDir, { recursive: true, force: true });
  await bundleWeb(outDir);
  const publicDir = join(ROOT, 'src', 'apps', 'server', 'public');
  const page = await readFile(join(publicDir, 'index.html'), 'utf8');
  // The studio names its assets from the root (its page also answers at /s/<token>); a static
  // site may live in any folder, so there they are relative.
  const devicePage = page
    .replace('<html lang="en">', '<html lang="en" data-mode="device-only">')
    .replaceAll(/(href|src)="\/([\w.-]+\.(?:css|js))"/g, '$1="$2"');
  if (!devicePage.includes('data-mode="device-only"'))
    throw new Error('index.html: no <html lang="en"> to mark device-only');
  await writeFile(join(outDir, 'index.html'), devicePage);
  for (const file of await readdir(publicDir)) {
    if (/\.(js|css)$/.test(file)) await copyFile(join(publicDir, file), join(outDir, file));
  }

  const modelDir = join(outDir, 'models');
  await mkdir(modelDir, { recursive: true });
  const catalog = installedModelCatalog();
  const listed = (await catalog.list()).filter((m) => models.includes(m.name));
  const layers: Record<string, unknown> = {};
  for (const summary of listed) {
    const files = deviceModelFiles(await loadModel(summary.name));
    await writeFile(join(modelDir, manifestFile(summary.name)), JSON.stringify(files.manifest));
    await writeFile(join(modelDir, files.graphFile), files.graph);
    layers[summary.name] = await catalog.layers(summary.name);
  }
  const { maxSize, maxSteps, maxZoomFrames, maxZoomSize } = DEFAULT_STUDIO_OPTIONS;
  const limits = { maxSize, maxSteps, maxZoomFrames, maxZoomSize, maxPixels: DEFAULT_MAX_PIXELS };
  const presets = presetsView({
    limits,
    maxUploadBytes: DEFAULT_STUDIO_OPTIONS.maxUploadBytes,
    device: { bundle: './' },
  });
  await writeFile(join(outDir, 'site.json'), JSON.stringify({ presets, models: listed, layers }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, models: { type: 'string' } } });
  const outDir = values.out ?? DEFAULT_SITE_DIR;
  const started = performance.now();
  await buildSite({ outDir, ...(values.models !== undefined && { models: values.models.split(',') }) });
  console.log(`static site written to ${outDir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
