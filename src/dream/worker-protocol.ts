/** Messages between `dream()` (index.ts) and its worker thread (worker.ts). */
import type { RgbImage } from '../image/rgb.js';
import type { DreamProgress } from './options.js';

export type ToWorker = { type: 'abort' };

export type FromWorker =
  | { type: 'progress'; progress: DreamProgress }
  | { type: 'done'; image: RgbImage }
  | { type: 'error'; name: string; message: string };
