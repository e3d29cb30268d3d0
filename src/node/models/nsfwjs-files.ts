/**
 * Reads the Keras models shipped in the nsfwjs npm package: dist/models/<name>/model.min.js
 * (a UMD module exporting {modelTopology, weightsManifest}) and group1-shard*.min.js (UMD
 * modules exporting base64 strings; concatenated, they are the weight bytes).
 * The modules are evaluated in an empty VM context: no require, no globals of this process.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import vm from 'node:vm';
import type { WeightSpec } from '../../core/convert/keras/weights.js';

export const NSFWJS_DIR_ENV = 'INCEPTIONISM_NSFWJS_DIR';

export interface TfjsModelSource {
  modelTopology: unknown;
  weightSpecs: WeightSpec[];
  /** The model file, then the weight shards in manifest order (what the cache key covers). */
  paths: string[];
}

/** The nsfwjs package root: `packageDir`, else $INCEPTIONISM_NSFWJS_DIR, else the installed package. */
export function nsfwjsPackageDir(packageDir?: string): string {
  const dir = packageDir ?? process.env[NSFWJS_DIR_ENV];
  if (dir !== undefined && dir !== '') {
    if (!existsSync(join(dir, 'package.json'))) throw missingPackage(`${dir} is not an nsfwjs package`);
    return dir;
  }
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('nsfwjs');
  } catch {
    throw missingPackage('the nsfwjs package is not installed');
  }
  // The entry lives under the package root; nested package.json files (dist/cjs) only set the module type.
  for (let d = dirname(entry); d !== dirname(d); d = dirname(d)) {
    if (existsSync(join(d, 'dist', 'models')) && existsSync(join(d, 'package.json'))) return d;
  }
  throw missingPackage(`no package.json above ${entry}`);
}

const missingPackage = (what: string): Error =>
  new Error(`${what}; the bundled models come from it: run \`npm install\` in the inceptionism directory`);

/** Reads and parses one model's topology and weight manifest; the weight shards are not read (see readWeightBytes). */
export async function readTfjsModel(packageDir: string, modelName: string): Promise<TfjsModelSource> {
  const dir = join(packageDir, 'dist', 'models', modelName);
  const modelPath = join(dir, 'model.min.js');
  const modelBytes = await readSource(modelPath);
  // Re-created in this realm: objects from the VM context have foreign prototypes (Array, Object).
  const exported: unknown = JSON.parse(JSON.stringify(evaluateUmd(modelPath, modelBytes)) ?? 'null');
  const manifest = (exported as { weightsManifest?: unknown } | undefined)?.weightsManifest;
  const modelTopology = (exported as { modelTopology?: unknown } | undefined)?.modelTopology;
  if (!Array.isArray(manifest) || modelTopology === undefined)
    throw corrupt(modelPath, 'it lacks modelTopology or weightsManifest');
  const shardNames: string[] = [];
  const weightSpecs: WeightSpec[] = [];
  for (const group of manifest as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw corrupt(modelPath, 'malformed weightsManifest');
    shardNames.push(...(group.paths as string[]));
    weightSpecs.push(...(group.weights as unknown[]).map((spec) => checkSpec(spec, modelPath)));
  }
  const paths = [modelPath];
  for (const shard of shardNames) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\'))
      throw corrupt(modelPath, `bad shard name ${shard}`);
    paths.push(join(dir, `${shard}.min.js`));
  }
  return { modelTopology, weightSpecs, paths };
}

/** The raw contents of the model's files, in `source.paths` order. */
export function readSourceFiles(source: TfjsModelSource): Promise<Buffer[]> {
  return Promise.all(source.paths.map(readSource));
}

/** The weight bytes: each shard's base64 string decoded, in order (`files` as from readSourceFiles). */
export function decodeWeightBytes(source: TfjsModelSource, files: Buffer[]): Buffer {
  return Buffer.concat(
    source.paths.slice(1).map((path, i) => {
      const bytes = files[i + 1]!;
      const text = evaluateUmd(path, bytes);
      // Buffer.from(..., 'base64') skips invalid characters silently, so check first.
      if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
        throw corrupt(path, 'it does not export a base64 string');
      }
      return Buffer.from(text, 'base64');
    }),
  );
}

function checkSpec(spec: unknown, modelPath: string): WeightSpec {
  const s = spec as Partial<WeightSpec> | undefined;
  const shapeOk = Array.isArray(s?.shape) && s.shape.every((d) => Number.isInteger(d) && d >= 0);
  if (typeof s?.name !== 'string' || !shapeOk || typeof s.dtype !== 'string') {
    throw corrupt(modelPath, `malformed weight spec ${JSON.stringify(spec)?.slice(0, 200)}`);
  }
  return s as WeightSpec;
}

async function readSource(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      `cannot read nsfwjs model file ${path} (${code ?? String(err)}); reinstall it with \`npm install\``,
    );
  }
}

function evaluateUmd(path: string, bytes: Buffer): unknown {
  const module = { exports: {} as unknown };
  try {
    vm.runInNewContext(
      bytes.toString('utf8'),
      { module, exports: module.exports },
      { filename: path, timeout: 10_000 },
    );
  } catch (err) {
    throw corrupt(path, (err as Error).message);
  }
  return module.exports;
}

const corrupt = (path: string, why: string): Error =>
  new Error(`nsfwjs model file ${path} is corrupt (${why}); reinstall it with \`npm install\``);
