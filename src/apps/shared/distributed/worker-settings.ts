/**
 * What `deepdream worker` is started with: shared by the command line, which reads the flags, and
 * the worker app, which runs with them (apps do not import each other).
 */
import type { OrtDevice } from '../../../node/runtime/device.js';

export interface DreamWorkerSettings {
  /** The Redis the studio (`deepdream serve --redis`) queues its dreams on. */
  redis: string;
  /** Dreams run at once, each in its own dream thread. */
  concurrency: number;
  /** ORT threads per dream. */
  threads?: number;
  /** Where ONNX Runtime runs the network (default cpu). */
  device?: OrtDevice;
  /** Module exporting `createBackend` to dream with instead of the engine. */
  backendModule?: string;
  /** Receives one line per dream taken and finished, and per Redis outage. */
  log: (line: string) => void;
}
