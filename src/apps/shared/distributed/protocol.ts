/**
 * What the studio and its workers agree on in Redis: the BullMQ queue, the keys that carry a
 * dream's photo, latest intermediate image and result, the cancel and preview channels, and how
 * quickly a dead worker's job is taken over.
 */
import type { DreamJobSpec } from '../dream-job.js';

/** The BullMQ queue of studio dreams; a job's id is the dream's id. */
export const DREAM_QUEUE = 'inceptionism-dreams';

/** A job's data: the photo's bytes wait under their own key, so the job hash stays small. */
export interface DreamJobData {
  spec: DreamJobSpec;
  photoKey: string;
}

/** What a finished job returns: the result (PNG or MP4) waits under its own key for the studio to take it. */
export interface DreamJobResult {
  resultKey: string;
  bytes: number;
}

const KEY_PREFIX = 'inceptionism:dream';
export const photoKey = (id: string): string => `${KEY_PREFIX}:${id}:photo`;
export const resultKey = (id: string): string => `${KEY_PREFIX}:${id}:result`;
/**
 * A hash holding the dream's latest intermediate image: `png`, its `index` (octave or frame) and
 * `seq`, which every new image increments, so a reader hands on each image once.
 */
export const previewKey = (id: string): string => `${KEY_PREFIX}:${id}:preview`;
/** Pub/sub channel: a message is the id of a dream whose preview key holds a new image. */
export const PREVIEW_CHANNEL = `${KEY_PREFIX}:preview`;
/** Set when the studio cancels a dream, so a worker that takes its job later refuses it. */
export const cancelledKey = (id: string): string => `${KEY_PREFIX}:${id}:cancelled`;
/** Pub/sub channel: a message is the id of a dream to stop wherever it runs. */
export const CANCEL_CHANNEL = `${KEY_PREFIX}:cancel`;

/**
 * Keys and finished jobs expire by themselves, so nothing is left behind by a studio that went
 * away for good; the studio deletes them as soon as it has taken the outcome.
 */
export const EXPIRY_SECONDS = {
  photo: 7 * 24 * 3600,
  preview: 24 * 3600,
  result: 24 * 3600,
  cancelled: 3600,
  job: 24 * 3600,
} as const;

/**
 * A worker holds its job's lock for `lockDuration` and renews it every half of that; every
 * `stalledInterval` each worker looks for jobs whose lock ran out (their worker died) and puts
 * them back in line. So a job of a worker killed mid-dream starts again on another worker within
 * about lockDuration + stalledInterval (7 s), and one that dies more than `maxStalledCount` times
 * fails. The lock renews from the worker's main thread, which the dream (in its own thread) leaves free.
 */
export const WORKER_LOCKS = { lockDuration: 5000, stalledInterval: 2000, maxStalledCount: 3 } as const;

/** The one-line reason a job reports when the studio cancelled it. */
export const CANCELLED = 'cancelled';
