/**
 * A running dream's intermediate images through Redis: the worker keeps the latest one under the
 * dream's preview key and announces it on the preview channel; the studio reads the key when told.
 * Only the latest image matters, so one overwritten or announced while nobody listened is skipped.
 */
import type { Redis } from 'ioredis';
import { EXPIRY_SECONDS, PREVIEW_CHANNEL, previewKey } from './protocol.js';

export interface StoredPreview {
  png: Buffer;
  /** The octave or frame it shows, as runDreamJob numbered it. */
  index: number;
  /** Different for every image stored under the key. */
  seq: number;
}

/** Stores `png` as dream `id`'s latest preview and announces it, in one transaction. */
export async function publishPreview(redis: Redis, id: string, png: Buffer, index: number): Promise<void> {
  const key = previewKey(id);
  await redis
    .multi()
    .hset(key, { png, index: String(index) })
    .hincrby(key, 'seq', 1)
    .expire(key, EXPIRY_SECONDS.preview)
    .publish(PREVIEW_CHANNEL, id)
    .exec();
}

/** Dream `id`'s latest preview; undefined when there is none (yet, or any more). */
export async function readPreview(redis: Redis, id: string): Promise<StoredPreview | undefined> {
  const [png, index, seq] = await redis.hmgetBuffer(previewKey(id), 'png', 'index', 'seq');
  if (!png || !index || !seq) return undefined;
  return { png, index: Number(index.toString()), seq: Number(seq.toString()) };
}
