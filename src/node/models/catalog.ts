/**
 * Known downloadable models: official URL, published checksum (never one computed here),
 * licence, and the descriptor (preprocessing, recommended layers, labels) to import them with.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type ModelDescriptor, parseDescriptor } from '../../core/models/descriptor.js';
import type { Checksum } from './download.js';

export interface CatalogFile {
  url: string;
  /** Published checksums; an entry has at most the ones its source publishes. */
  sha1?: string;
  sha256?: string;
  size?: number;
  /** Where the checksum was published (or that none was). */
  checksumSource?: string;
}

export interface CatalogEntry {
  name: string;
  description: string;
  format: 'onnx' | 'caffe';
  licence: string;
  homepage: string;
  /** onnx: { onnx }; caffe: { caffemodel, prototxt }. */
  files: Record<string, CatalogFile>;
  descriptor: ModelDescriptor;
}

let entries: CatalogEntry[] | undefined;

export function catalogEntries(): CatalogEntry[] {
  if (!entries) {
    const raw = JSON.parse(readFileSync(new URL('./catalog.json', import.meta.url), 'utf8')) as Record<
      string,
      Omit<CatalogEntry, 'name' | 'descriptor'> & { descriptor: unknown }
    >;
    entries = Object.entries(raw).map(([name, e]) => ({
      ...e,
      name,
      descriptor: parseDescriptor(e.descriptor, `catalog entry ${name}`),
    }));
  }
  return entries;
}

export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return catalogEntries().find((e) => e.name === name);
}

/** The model file of an entry (its weights): the .onnx, or the .caffemodel. */
export const mainFile = (entry: CatalogEntry): CatalogFile =>
  entry.files[entry.format === 'onnx' ? 'onnx' : 'caffemodel']!;

/** The checksum published for a file, the strongest one when there are several. */
export function catalogChecksum(file: CatalogFile): Checksum | undefined {
  if (file.sha256) return { algorithm: 'sha256', hex: file.sha256 };
  if (file.sha1) return { algorithm: 'sha1', hex: file.sha1 };
  return undefined;
}

/** The name a file downloaded from `url` gets. */
export const fileNameOf = (url: string): string => basename(new URL(url).pathname) || 'download';
