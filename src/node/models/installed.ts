/**
 * Models the user installed with `deepdream models add`: each is a converted .onnx file (the
 * preprocessing inside, descriptor in its metadata) plus a record of where it came from, in
 * `${INCEPTIONISM_CACHE_DIR or XDG_CACHE_HOME/inceptionism}/models/<name>/`.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { encodeModel } from '../../core/onnx/codec.js';
import { CACHE_DIR_ENV, userCacheDir } from './cache.js';
import { type CatalogEntry, type CatalogFile, findCatalogEntry } from './catalog.js';
import { type ModelDescriptor, IDENTITY_PREPROCESSING } from '../../core/models/descriptor.js';
import { readLabelSet } from './descriptor.js';
import { type Checksum, download, fileDigest } from './download.js';
import { importCaffeModel, importOnnxModel, loadImportedModel } from '../../core/models/onnx-import.js';
import type { LoadedModel } from '../../core/models/types.js';

export interface InstallRecord {
  name: string;
  source: string;
  format: 'onnx' | 'caffe';
  sha256: string;
  licence?: string;
  installedAt: string;
}

function cacheBaseDir(): string {
  return process.env[CACHE_DIR_ENV] || userCacheDir();
}

const modelsDir = (): string => join(cacheBaseDir(), 'models');
const downloadsDir = (): string => join(cacheBaseDir(), 'downloads');
const modelDir = (name: string): string => join(modelsDir(), name);
const MODEL_FILE = 'model.onnx';
const RECORD_FILE = 'source.json';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkName(name: string): string {
  if (!NAME.test(name))
    throw new Error(`'${name}' is not a valid model name (letters, digits, '_', '-', '.'); choose one with --name`);
  return name;
}

export async function listInstalled(): Promise<InstallRecord[]> {
  const names = await readdir(modelsDir()).catch(() => [] as string[]);
  const records: InstallRecord[] = [];
  for (const name of names.sort()) {
    const text = await readFile(join(modelDir(name), RECORD_FILE), 'utf8').catch(() => undefined);
    if (text) records.push(JSON.parse(text) as InstallRecord);
  }
  return records;
}

export async function isInstalled(name: string): Promise<boolean> {
  return NAME.test(name) && (await listInstalled()).some((r) => r.name === name);
}

/** Loads an installed model by name (the hook for loadModel). */
export function loadInstalledModel(name: string): LoadedModel {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(modelDir(checkName(name)), MODEL_FILE));
  } catch {
    throw new Error(
      `model '${name}' is not installed; see 'deepdream models' for the list, 'deepdream models add ${name}' to install it`,
    );
  }
  return loadImportedModel(bytes, name);
}

export async function removeInstalled(name: string): Promise<void> {
  if (!(await isInstalled(name)))
    throw new Error(`model '${name}' is not installed; 'deepdream models' lists the installed ones`);
  await rm(modelDir(name), { recursive: true, force: true });
}

/** Writes the converted model and its record; the directory appears whole or not at all. */
async function store(loaded: LoadedModel, record: InstallRecord): Promise<void> {
  await mkdir(modelsDir(), { recursive: true });
  const temp = join(modelsDir(), `.${record.name}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temp);
  try {
    await writeFile(join(temp, MODEL_FILE), encodeModel(loaded.model));
    await writeFile(join(temp, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
    await rm(modelDir(record.name), { recursive: true, force: true });
    await rename(temp, modelDir(record.name));
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

export interface AddOptions {
  /** Name to install under (default: catalog name or file name). */
  name?: string;
  /** Preprocessing and layers for URL/PATH sources (catalog entries carry their own). */
  descriptor?: ModelDescriptor;
  /** Caffe deploy prototxt for a .caffemodel given as URL or PATH. */
  prototxt?: string;
  /** Expected checksum for URL sources. */
  checksum?: Checksum;
  onProgress?: (file: string, received: number, total: number | undefined) => void;
  /** Told about a download without a published checksum (its computed SHA-256). */
  onUnverified?: (url: string, sha256: string) => void;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

function catalogChecksum(file: CatalogFile): Checksum | undefined {
  if (file.sha256) return { algorithm: 'sha256', hex: file.sha256 };
  if (file.sha1) return { algorithm: 'sha1', hex: file.sha1 };
  return undefined;
}

/** Downloads (resumably, verified) into the downloads folder; returns the local path. */
async function fetchFile(url: string, checksum: Checksum | undefined, opts: AddOptions): Promise<string> {
  const dest = join(downloadsDir(), `${basename(new URL(url).pathname) || 'download'}`);
  await download(url, dest, {
    ...(checksum ? { checksum } : {}),
    onProgress: (r, t) => opts.onProgress?.(basename(dest), r, t),
  });
  if (!checksum) opts.onUnverified?.(url, await fileDigest(dest, 'sha256'));
  return dest;
}

async function readSource(
  source: string,
  checksum: Checksum | undefined,
  opts: AddOptions,
): Promise<{ path: string; bytes: Buffer; downloaded: boolean }> {
  const downloaded = isUrl(source);
  const path = downloaded ? await fetchFile(source, checksum, opts) : source;
  try {
    return { path, bytes: await readFile(path), downloaded };
  } catch {
    throw new Error(
      `cannot read ${path}; give an existing .onnx or .caffemodel file, a URL, or a catalog name ('deepdream models' lists them)`,
    );
  }
}

/** A downloaded file that does not convert is of no use: delete it with the error. */
async function discardingDownloadsOnError<T>(work: () => T): Promise<T> {
  try {
    return work();
  } catch (err) {
    await rm(downloadsDir(), { recursive: true, force: true });
    throw err;
  }
}

function convert(
  format: 'onnx' | 'caffe',
  bytes: Buffer,
  prototxt: string | undefined,
  descriptor: ModelDescriptor,
  name: string,
): LoadedModel {
  if (format === 'onnx') return importOnnxModel(bytes, descriptor, name, readLabelSet);
  if (prototxt === undefined) throw new Error('a .caffemodel needs its deploy prototxt: pass --prototxt FILE');
  return importCaffeModel(prototxt, bytes, descriptor, name, readLabelSet);
}

async function installCatalogEntry(entry: CatalogEntry, opts: AddOptions): Promise<InstallRecord> {
  const main = entry.files[entry.format === 'onnx' ? 'onnx' : 'caffemodel']!;
  const source = await readSource(main.url, catalogChecksum(main), opts);
  const prototxtFile = entry.files['prototxt'];
  const prototxt = prototxtFile
    ? (await readSource(prototxtFile.url, undefined, { ...opts, onUnverified: () => undefined })).bytes.toString('utf8')
    : undefined;
  const name = checkName(opts.name ?? entry.name);
  const loaded = await discardingDownloadsOnError(() =>
    convert(entry.format, source.bytes, prototxt, entry.descriptor, name),
  );
  const record: InstallRecord = {
    name,
    source: main.url,
    format: entry.format,
    sha256: await fileDigest(source.path, 'sha256'),
    licence: entry.licence,
    installedAt: new Date().toISOString(),
  };
  await store(loaded, record);
  await rm(downloadsDir(), { recursive: true, force: true });
  return record;
}

/**
 * Installs a catalog model by name, or a model file by URL or local path (.onnx, or .caffemodel
 * with --prototxt). Nothing is installed unless download, checksum and conversion all succeed.
 */
export async function addModel(source: string, opts: AddOptions = {}): Promise<InstallRecord> {
  const entry = !isUrl(source) ? findCatalogEntry(source) : undefined;
  if (entry) return installCatalogEntry(entry, opts);
  if (!isUrl(source) && !/[./\\]/.test(source)) {
    throw new Error(`'${source}' is not a known model ('deepdream models' lists them), a URL or a file path`);
  }
  const { path, bytes, downloaded } = await readSource(source, opts.checksum, opts);
  const fileName = isUrl(source) ? basename(new URL(source).pathname) : basename(source);
  const format = extname(fileName).toLowerCase() === '.caffemodel' ? 'caffe' : 'onnx';
  const prototxt =
    opts.prototxt === undefined
      ? undefined
      : await readFile(opts.prototxt, 'utf8').catch(() => {
          throw new Error(`cannot read the prototxt ${opts.prototxt}`);
        });
  const name = checkName(opts.name ?? fileName.replace(/\.(onnx|caffemodel)$/i, ''));
  const loaded = await discardingDownloadsOnError(() =>
    convert(format, bytes, prototxt, opts.descriptor ?? { preprocessing: IDENTITY_PREPROCESSING }, name),
  );
  const record: InstallRecord = {
    name,
    source,
    format,
    sha256: await fileDigest(path, 'sha256'),
    installedAt: new Date().toISOString(),
  };
  await store(loaded, record);
  if (downloaded) await rm(downloadsDir(), { recursive: true, force: true });
  return record;
}
