/**
 * Known downloadable models: official URL, published checksum (never one computed here),
 * licence, and the descriptor (preprocessing, recommended layers, labels) to import them with.
 */
import { readFileSync } from 'node:fs';
import { type ModelDescriptor, parseDescriptor } from '../../core/models/descriptor.js';

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
