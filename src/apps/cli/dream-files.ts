/** Which output file each input photo goes to: one file to a file, or many (or a folder) to a folder. */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { isOutputImagePath, OUTPUT_EXTENSIONS } from '../../node/image/formats.js';

/** A photo and the file its dream goes to. */
export interface DreamFile {
  /** The photo to dream; absent when dreaming from noise. */
  input?: string;
  output: string;
}

/** Extensions of the photos picked up from an input folder. */
const INPUT_EXTENSIONS: ReadonlySet<string> = new Set([...OUTPUT_EXTENSIONS, '.gif']);

/**
 * Expands folders, checks every path and creates the output folder when needed. Dreams of several
 * photos keep each photo's name and format (PNG for formats we do not write, e.g. GIF).
 */
export async function planDreamFiles(inputs: readonly string[], output: string): Promise<DreamFile[]> {
  if (inputs.length === 0) return [{ output: checkedOutputFile(output) }];
  const expanded = await expandInputs(inputs);
  const single = inputs.length === 1 && expanded.fromFolder === false;
  if (single && !(await isFolder(output)) && !/[/\\]$/.test(output)) {
    const files = [{ input: expanded.files[0] as string, output: checkedOutputFile(output) }];
    checkCollisions(files);
    return files;
  }
  await ensureFolder(output, single);
  const files = expanded.files.map((input) => ({ input, output: join(output, outputName(input)) }));
  checkCollisions(files);
  return files;
}

async function expandInputs(inputs: readonly string[]): Promise<{ files: string[]; fromFolder: boolean }> {
  const files: string[] = [];
  let fromFolder = false;
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new Error(`cannot read ${input}: no such file`);
    if (!info.isDirectory()) {
      files.push(input);
      continue;
    }
    fromFolder = true;
    const photos = (await readdir(input, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && INPUT_EXTENSIONS.has(extname(entry.name).toLowerCase()))
      .map((entry) => join(input, entry.name))
      .sort();
    if (photos.length === 0)
      throw new Error(`no photos in folder ${input} (looked for ${[...INPUT_EXTENSIONS].join(' ')})`);
    files.push(...photos);
  }
  return { files, fromFolder };
}

function checkedOutputFile(output: string): string {
  if (!isOutputImagePath(output)) {
    throw new Error(`cannot write ${output}: unknown image extension (use ${OUTPUT_EXTENSIONS.join(', ')})`);
  }
  return output;
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function ensureFolder(output: string, single: boolean): Promise<void> {
  const info = await stat(output).catch(() => undefined);
  if (info?.isDirectory()) return;
  if (info || (!single && isOutputImagePath(output))) {
    throw new Error(`-o ${output} must be a folder when dreaming several photos`);
  }
  await mkdir(output, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot create folder ${output}: ${err.code === 'EACCES' ? 'permission denied' : err.message}`);
  });
}

function outputName(input: string): string {
  const extension = extname(input);
  return isOutputImagePath(input) ? basename(input) : `${basename(input, extension)}.png`;
}

function checkCollisions(files: readonly DreamFile[]): void {
  const seen = new Map<string, string>();
  for (const { input, output } of files) {
    const key = resolve(output);
    if (key === resolve(input as string))
      throw new Error(`the dream of ${input} would overwrite it: choose another -o folder`);
    const other = seen.get(key);
    if (other) throw new Error(`${other} and ${input} would both be written to ${output}`);
    seen.set(key, input as string);
  }
}
