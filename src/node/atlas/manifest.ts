/**
 * The atlas manifest (manifest.json in the atlas folder): every layer rendered there, with its
 * settings, cache key and one image per channel. Several runs (other layers, other models) add to
 * one manifest; the page shows them all.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LayerLook } from '../../core/visualize/layer.js';
import type { ImageSettings } from '../../core/visualize/settings.js';
import { writeFileAtomic } from '../image/files.js';

export const MANIFEST_FILE = 'manifest.json';

export interface AtlasChannel {
  channel: number;
  /** Path of the PNG, relative to the atlas folder. */
  image: string;
}

export interface AtlasLayer {
  model: string;
  layer: string;
  /** C x H x W at the model's default input size. */
  shape: number[];
  look: LayerLook;
  /** What the images depend on: the model's weights up to the layer, the layer and the settings. */
  key: string;
  settings: ImageSettings;
  /** Rendered channels, in increasing order. */
  channels: AtlasChannel[];
}

export interface AtlasManifest {
  program: 'inceptionism';
  /** Version of this file's layout. */
  format: 1;
  layers: AtlasLayer[];
}

/** The folder's manifest, or an empty one when there is none yet. */
export async function readManifest(folder: string): Promise<AtlasManifest> {
  const path = join(folder, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { program: 'inceptionism', format: 1, layers: [] };
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = parseJson(text) as Partial<AtlasManifest> | undefined;
  if (parsed?.program !== 'inceptionism' || parsed.format !== 1 || !Array.isArray(parsed.layers))
    throw new Error(`${path} is not an atlas manifest of this version: choose another output folder`);
  return { program: 'inceptionism', format: 1, layers: parsed.layers };
}

/** `manifest` with `entry` in place of the entry of the same model and layer (layers keep their order). */
export function withLayer(manifest: AtlasManifest, entry: AtlasLayer): AtlasManifest {
  const layers = [...manifest.layers];
  const at = layers.findIndex((l) => l.model === entry.model && l.layer === entry.layer);
  if (at >= 0) layers[at] = entry;
  else layers.push(entry);
  return { ...manifest, layers };
}

export async function writeManifest(folder: string, manifest: AtlasManifest): Promise<void> {
  await writeFileAtomic(join(folder, MANIFEST_FILE), Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
