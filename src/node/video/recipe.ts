/**
 * A render's recipe travels with its output, as the still image's does in XMP: MP4 and WebM keep
 * it in the container's `comment` tag, a GIF in a comment extension, and a PNG sequence in
 * recipe.json beside its frames (the frames stay byte for byte the checkpoints).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Recipe } from '../image/recipe.js';
import { readInputFile } from '../image/files.js';
import { ffmpegErrorLine, runFfmpeg } from './ffmpeg.js';
import { FRAME_PATTERN, KIND_BY_EXTENSION } from './output.js';

/** The file a PNG sequence's recipe is kept in, in the sequence's folder. */
export const SEQUENCE_RECIPE = 'recipe.json';

/** The ffmpeg output options that store the recipe in an MP4 or WebM file. */
export function recipeMetadataArgs(recipe: Recipe): string[] {
  return ['-metadata', `comment=${JSON.stringify(recipe)}`];
}

/** The recipe as JSON text for a PNG sequence's recipe.json. */
export const recipeJson = (recipe: Recipe): string => `${JSON.stringify(recipe, null, 2)}\n`;

// ---------------------------------------------------------------- GIF comment extension

const EXTENSION = 0x21;
const COMMENT_LABEL = 0xfe;
const IMAGE = 0x2c;
const TRAILER = 0x3b;

/**
 * The GIF with the recipe in a comment extension just before the trailer, where no decoder minds it
 * (the loop extension must stay first). GIF comments are 7-bit ASCII, so the JSON escapes the rest.
 */
export function gifWithRecipe(gif: Buffer, recipe: Recipe): Buffer {
  if (gif.at(-1) !== TRAILER) throw new Error('the GIF ffmpeg wrote has no trailer');
  const text = Buffer.from(
    JSON.stringify(recipe).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'ascii',
  );
  const blocks: Buffer[] = [Buffer.from([EXTENSION, COMMENT_LABEL])];
  for (let at = 0; at < text.length; at += 255) {
    const block = text.subarray(at, at + 255);
    blocks.push(Buffer.from([block.length]), block);
  }
  blocks.push(Buffer.from([0]));
  return Buffer.concat([gif.subarray(0, -1), ...blocks, gif.subarray(-1)]);
}

/** The text of a GIF's comment extensions, joined; undefined when it has none. Throws for a damaged GIF. */
export function gifComment(gif: Buffer): string | undefined {
  if (gif.length < 13 || !/^GIF8[79]a$/.test(gif.toString('latin1', 0, 6))) throw new Error('not a GIF file');
  const colorTable = (flags: number): number => (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  let at = 13 + colorTable(gif[10]!);
  const comments: Buffer[] = [];
  /** Skips data sub-blocks from `at`; returns their bytes. */
  const subBlocks = (): Buffer[] => {
    const parts: Buffer[] = [];
    for (let size = gif[at++]; size !== undefined && size > 0; size = gif[at++]) {
      parts.push(gif.subarray(at, at + size));
      at += size;
    }
    return parts;
  };
  while (at < gif.length) {
    const block = gif[at++];
    if (block === TRAILER) break;
    if (block === EXTENSION) {
      const label = gif[at++];
      const parts = subBlocks();
      if (label === COMMENT_LABEL) comments.push(...parts);
    } else if (block === IMAGE) {
      at += 9 + colorTable(gif[at + 8]!) + 1; // descriptor, local colour table, LZW code size
      subBlocks();
    } else {
      throw new Error('damaged GIF file');
    }
  }
  return comments.length > 0 ? Buffer.concat(comments).toString('latin1') : undefined;
}

// ---------------------------------------------------------------- reading

/** The global tags of ffmpeg's ffmetadata text, keys in lower case (backslash escapes "=;#\" and newlines). */
export function ffmetadataTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const [, entry = ''] of text.matchAll(/((?:[^\\\n]|\\[\s\S])*)\n?/g)) {
    if (entry.startsWith('[')) break; // stream and chapter sections follow the global tags
    if (entry === '' || entry.startsWith(';') || entry.startsWith('#')) continue;
    const pair = /^((?:[^\\=]|\\[\s\S])*)=([\s\S]*)$/.exec(entry);
    if (!pair) continue;
    const unescape = (s: string) => s.replace(/\\([\s\S])/g, '$1');
    tags.set(unescape(pair[1]!).toLowerCase(), unescape(pair[2]!));
  }
  return tags;
}

/** The recipe in JSON text, or undefined when the text is not a JSON object (someone else's comment). */
function recipeFromText(text: string | undefined): Recipe | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Recipe) : undefined;
  } catch {
    return undefined;
  }
}

/** Where the recipe of a render output is kept, or undefined when `path` names no render output. */
async function recipePlace(path: string): Promise<{ kind: 'container' | 'gif' | 'json'; file: string } | undefined> {
  if (FRAME_PATTERN.test(basename(path))) return { kind: 'json', file: join(dirname(path), SEQUENCE_RECIPE) };
  if ((await stat(path).catch(() => undefined))?.isDirectory())
    return { kind: 'json', file: join(path, SEQUENCE_RECIPE) };
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return { kind: 'json', file: path };
  const kind = KIND_BY_EXTENSION[ext];
  if (kind === 'gif') return { kind: 'gif', file: path };
  return kind ? { kind: 'container', file: path } : undefined;
}

/** Whether `path` names a render output (a video, a GIF, a PNG sequence or its recipe.json). */
export const isRenderOutput = async (path: string): Promise<boolean> => (await recipePlace(path)) !== undefined;

/**
 * The recipe of a render output: an MP4, WebM or GIF file, a PNG sequence (its folder, its name
 * pattern or its recipe.json). Undefined when the output carries none.
 */
export async function readRenderRecipe(path: string): Promise<Recipe | undefined> {
  const place = await recipePlace(path);
  if (!place) throw new Error(`${path} is not a render output (.mp4 .mov .m4v .webm .gif, or a PNG sequence)`);
  if (place.kind === 'json') {
    const text = await readFile(place.file, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const recipe = recipeFromText(text);
    if (!recipe) throw new Error(`cannot read the recipe in ${place.file}: not a JSON object`);
    return recipe;
  }
  if (place.kind === 'gif') {
    try {
      return recipeFromText(gifComment(await readInputFile(place.file)));
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
  }
  if (!(await stat(place.file).catch(() => undefined))?.isFile()) throw new Error(`cannot read ${path}: no such file`);
  const { code, stdout, stderr } = await runFfmpeg(['-v', 'error', '-i', place.file, '-f', 'ffmetadata', 'pipe:1']);
  if (code !== 0) throw new Error(`cannot read video ${path}: ${ffmpegErrorLine(stderr).replace(`${path}: `, '')}`);
  return recipeFromText(ffmetadataTags(stdout).get('comment'));
}
