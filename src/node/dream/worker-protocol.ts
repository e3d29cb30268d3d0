/**
 * Messages between the dream queue (dream-worker.ts) and its long-lived worker thread (worker.ts).
 * The worker serves one request at a time; every request gets exactly one final reply with its id.
 */
import type { RgbImage } from '../../core/image/rgb.js';
import type { DreamOptions, DreamProgress } from '../../core/dream/options.js';
import type { OrtDevice } from '../runtime/device.js';

/** The worker's `workerData`: fixed for its whole life (the pool keeps one worker per setup). */
export interface WorkerSetup {
  /** File URL of a module exporting `createBackend`; absent: the engine. */
  backendModule?: string;
  /** ORT intra-op threads of the engine. */
  threads?: number;
  /** Where the engine runs (probed already; default cpu). */
  device?: OrtDevice;
  /** Which of the caller's parallel workers this is (see WorkerDreamDeps.lane). */
  lane?: number;
}

export type ToWorker =
  /**
   * `keepSessions`: leave this dream's compiled sessions for later dreams (see WorkerDreamDeps).
   * `octaveImages`: send the image after each octave (DreamControl.onOctave), only when the caller wants it.
   */
  | { type: 'dream'; id: number; image: RgbImage; options: DreamOptions; keepSessions: boolean; octaveImages: boolean }
  /** Load the options' model and nothing else; replied to with `ready`, even when loading fails. */
  | { type: 'warm-up'; id: number; options: DreamOptions }
  | { type: 'abort'; id: number };

export type FromWorker =
  | { type: 'progress'; id: number; progress: DreamProgress }
  | { type: 'octave'; id: number; image: RgbImage; octave: number }
  | { type: 'done'; id: number; image: RgbImage }
  | { type: 'error'; id: number; name: string; message: string }
  | { type: 'ready'; id: number };
