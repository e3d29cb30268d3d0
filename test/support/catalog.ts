/** Catalog entries for tests, served on loopback: the real catalog's files are on the internet. */
import { createHash } from 'node:crypto';
import { catalogEntries, type CatalogEntry } from '../../src/node/models/catalog.js';

export const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/** Runs `work` with `entries` in the catalog, as if catalog.json listed them. */
export async function withCatalogEntries<T>(entries: CatalogEntry[], work: () => Promise<T>): Promise<T> {
  const catalog = catalogEntries();
  catalog.push(...entries);
  try {
    return await work();
  } finally {
    catalog.splice(catalog.length - entries.length, entries.length);
  }
}

/** A Caffe entry like bvlc_googlenet: the caffemodel (published sha1 of `caffemodel`) and deploy.prototxt at `base`. */
export function caffeEntry(name: string, base: string, caffemodel: Uint8Array): CatalogEntry {
  return {
    name,
    description: 'a tiny Caffe classifier',
    format: 'caffe',
    licence: 'test licence',
    homepage: base,
    files: {
      caffemodel: { url: `${base}/zoo/tiny_v1.caffemodel`, sha1: sha1(caffemodel), checksumSource: 'test' },
      prototxt: { url: `${base}/zoo/deploy.prototxt` },
    },
    descriptor: {
      preprocessing: { channelOrder: 'BGR', range: [0, 255], mean: [104, 117, 123], std: [1, 1, 1] },
      defaultLayer: 'pool',
      recommendedLayers: ['pool', 'conv'],
      logits: 'fc',
      labels: ['ant', 'bee', 'cat', 'dog', 'eel'],
    },
  };
}
