/**
 * Models the user installed with `deepdream models add`: each is a converted .onnx file (the
 * preprocessing inside, descriptor in its metadata) plus a record of where it came from, in
 * `${INCEPTIONISM_CACHE_DIR or XDG_CACHE_HOME/inceptionism}/models/<name>/`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { encodeModel } from '../../core/onnx/codec.js';
import { checkOneOf, must, OptionError } from '../../core/options/checks.js';
import { CACHE_DIR_ENV, userCacheDir } from './cache.js';
import {
  type CatalogEntry,
  catalogEntries,
  catalogChecksum,
  fileNameOf,
  findCatalogEntry,
  mainFile,
} from './catalog.js';
import { type ModelDescriptor, IDENTITY_PREPROCESSING } from '../../core/models/descriptor.js';
import { readLabelSet } from './descriptor.js';
import { type Checksum, download, fileDigest } from './download.js';
import { importCaffeModel, importOnnxModel, loadImportedModel } from '../../core/models/onnx-import.js';
import { dreamablePart } from '../../core/models/onnx-layers.js';
import type { LoadedModel } from '../../core/models/types.js';

export interface InstallRecord {
  name: string;
  source: string;
  format: 'onnx' | 'caffe';
  sha256: string;
  licence?: string;
  /** The catalog entry the model file is (recognised by its checksum, or named): installed with its descriptor. */
  catalogName?: string;
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
  if (!NAME.test(name)) {
    throw new OptionError('name', must("be a model name of letters, digits, '_', '-' and '.'", name));
  }
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

/**
 * Writes the dreamable part of the converted model and its record; the directory appears whole
 * or not at all.
 */
async function store(loaded: LoadedModel, record: InstallRecord): Promise<void> {
  await mkdir(modelsDir(), { recursive: true });
  const temp = join(modelsDir(), `.${record.name}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temp);
  try {
    await writeFile(join(temp, MODEL_FILE), encodeModel(dreamablePart(loaded)));
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
  /**
   * Preprocessing, layers and labels for URL/PATH sources. Default: the catalog entry's when the
   * file is a catalog model (see catalogName), else the identity preprocessing.
   */
  descriptor?: ModelDescriptor;
  /**
   * The catalog entry a URL/PATH source is, for files the catalog publishes no checksum of (files
   * with a published checksum are recognised by it): its descriptor is installed with it.
   */
  catalogName?: string;
  /** Caffe deploy prototxt for a .caffemodel given as URL or PATH (default: the one beside a PATH). */
  prototxt?: string;
  /** Expected checksum for URL sources. */
  checksum?: Checksum;
  onProgress?: (file: string, received: number, total: number | undefined) => void;
  /** Told about a download without a published checksum (its computed SHA-256). */
  onUnverified?: (url: string, sha256: string) => void;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** Downloads (resumably, verified) into the downloads folder; returns the local path. */
async function fetchFile(url: string, checksum: Checksum | undefined, opts: AddOptions): Promise<string> {
  const dest = join(downloadsDir(), fileNameOf(url));
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

/** A model in ONNX, or in Caffe with its deploy prototxt. */
type ModelFiles = { format: 'onnx'; bytes: Buffer } | { format: 'caffe'; bytes: Buffer; prototxt: string };

function convert(files: ModelFiles, descriptor: ModelDescriptor, name: string): LoadedModel {
  if (files.format === 'onnx') return importOnnxModel(files.bytes, descriptor, name, readLabelSet);
  return importCaffeModel(files.prototxt, files.bytes, descriptor, name, readLabelSet);
}

async function installCatalogEntry(entry: CatalogEntry, opts: AddOptions): Promise<InstallRecord> {
  const main = mainFile(entry);
  const source = await readSource(main.url, catalogChecksum(main), opts);
  const prototxtFile = entry.files['prototxt'];
  const files: ModelFiles =
    entry.format === 'onnx'
      ? { format: 'onnx', bytes: source.bytes }
      : {
          format: 'caffe',
          bytes: source.bytes,
          prototxt: (
            await readSource(prototxtFile!.url, undefined, { ...opts, onUnverified: () => undefined })
          ).bytes.toString('utf8'),
        };
  const name = checkName(opts.name ?? entry.name);
  const loaded = await discardingDownloadsOnError(() => convert(files, entry.descriptor, name));
  const record: InstallRecord = {
    name,
    source: main.url,
    format: entry.format,
    sha256: await fileDigest(source.path, 'sha256'),
    licence: entry.licence,
    catalogName: entry.name,
    installedAt: new Date().toISOString(),
  };
  await store(loaded, record);
  await rm(downloadsDir(), { recursive: true, force: true });
  return record;
}

/**
 * Installs a catalog model by name, or a model file by URL or local path (.onnx, or .caffemodel
 * with its deploy prototxt). A file the catalog knows (by its published checksum, or named with
 * `catalogName`) is installed as the catalog installs it: under its name, with its descriptor.
 * Nothing is installed unless download, checksum and conversion all succeed.
 */
export async function addModel(source: string, opts: AddOptions = {}): Promise<InstallRecord> {
  const entry = !isUrl(source) ? findCatalogEntry(source) : undefined;
  if (entry) return installCatalogEntry(entry, opts);
  if (!isUrl(source) && !/[./\\]/.test(source)) {
    throw new Error(`'${source}' is not a known model ('deepdream models' lists them), a URL or a file path`);
  }
  const { bytes, downloaded } = await readSource(source, opts.checksum, opts);
  const fileName = isUrl(source) ? fileNameOf(source) : basename(source);
  const sha256 = digest(bytes, 'sha256');
  const known = catalogEntryOf(bytes, fileName, opts.catalogName);
  const name = checkName(opts.name ?? known?.name ?? fileName.replace(/\.(onnx|caffemodel)$/i, ''));
  const format = known?.format ?? (extname(fileName).toLowerCase() === '.caffemodel' ? 'caffe' : 'onnx');
  const files: ModelFiles =
    format === 'onnx'
      ? { format, bytes }
      : { format, bytes, prototxt: await readPrototxt(isUrl(source) ? undefined : source, opts.prototxt, known) };
  const descriptor = opts.descriptor ?? known?.descriptor ?? { preprocessing: IDENTITY_PREPROCESSING };
  const loaded = await discardingDownloadsOnError(() => convert(files, descriptor, name));
  const record: InstallRecord = {
    name,
    source,
    format,
    sha256,
    ...(known && { licence: known.licence }),
    ...(known && !opts.descriptor && { catalogName: known.name }),
    installedAt: new Date().toISOString(),
  };
  await store(loaded, record);
  if (downloaded) await rm(downloadsDir(), { recursive: true, force: true });
  return record;
}

const digest = (bytes: Buffer, algorithm: Checksum['algorithm']): string =>
  createHash(algorithm).update(bytes).digest('hex');

/** Whether `bytes` are the file a checksum was published for. */
const matches = (bytes: Buffer, checksum: Checksum): boolean =>
  digest(bytes, checksum.algorithm) === checksum.hex.toLowerCase();

/** The catalog entry a model file is: the one named, else the one whose published checksum it has. */
function catalogEntryOf(bytes: Buffer, fileName: string, catalogName: string | undefined): CatalogEntry | undefined {
  if (catalogName === undefined) {
    return catalogEntries().find((e) => {
      const checksum = catalogChecksum(mainFile(e));
      return checksum !== undefined && matches(bytes, checksum);
    });
  }
  const entry = findCatalogEntry(
    checkOneOf(
      'catalogName',
      catalogName,
      catalogEntries().map((e) => e.name),
    ),
  )!;
  const checksum = catalogChecksum(mainFile(entry));
  if (checksum && !matches(bytes, checksum)) {
    throw new OptionError(
      'catalogName',
      `must name the model in ${fileName}: ${entry.name} is published with ${checksum.algorithm} ${checksum.hex}, the file has ${digest(bytes, checksum.algorithm)}`,
    );
  }
  return entry;
}

/**
 * A Caffe model's deploy prototxt: the file given, else the one beside the model file (named as
 * the catalog entry's, or after the model, or deploy.prototxt).
 */
async function readPrototxt(
  modelPath: string | undefined,
  given: string | undefined,
  known: CatalogEntry | undefined,
): Promise<string> {
  if (given !== undefined) {
    return readFile(given, 'utf8').catch(() => {
      throw new Error(`cannot read the prototxt ${given}`);
    });
  }
  const catalogFile = known?.files['prototxt'];
  let missing = 'the downloaded .caffemodel';
  if (modelPath !== undefined) {
    const names = catalogFile
      ? [fileNameOf(catalogFile.url)]
      : [`${basename(modelPath, extname(modelPath))}.prototxt`, 'deploy.prototxt'];
    for (const name of names) {
      const text = await readFile(join(dirname(modelPath), name), 'utf8').catch(() => undefined);
      if (text !== undefined) return text;
    }
    missing = `${basename(modelPath)}: there is no ${names.join(' or ')} beside it`;
  }
  const from = catalogFile ? ` (${known!.name}'s is ${catalogFile.url})` : '';
  throw new OptionError('prototxt', must(`name the deploy prototxt of ${missing}${from}`));
}
