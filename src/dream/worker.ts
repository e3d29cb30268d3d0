/** Worker-thread side of `dream()` (index.ts): runs dreamInProcess and reports over the port. */
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendFactory, DreamBackend } from './backend.js';
import { dreamInProcess } from './dream-in-process.js';
import type { DreamOptions } from './options.js';
import type { RgbImage } from '../image/rgb.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

export interface WorkerInput {
  image: RgbImage;
  options: DreamOptions;
  backendModule?: string;
  threads?: number;
}

const port = parentPort;
if (!port) throw new Error('dream worker must run in a worker thread');
const { image, options, backendModule, threads } = workerData as WorkerInput;
const controller = new AbortController();
port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') controller.abort();
});
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  let backend: DreamBackend | undefined;
  if (backendModule) {
    const { createBackend } = (await import(backendModule)) as { createBackend: BackendFactory };
    backend = await createBackend(options);
  }
  try {
    const result = await dreamInProcess(
      image,
      options,
      { signal: controller.signal, onProgress: (progress) => post({ type: 'progress', progress }) },
      backend ? { backend } : { ...(threads !== undefined && { threads }) },
    );
    post({ type: 'done', image: result }, [result.data.buffer as ArrayBuffer]);
  } finally {
    await backend?.release();
  }
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  post({ type: 'error', name, message });
}
