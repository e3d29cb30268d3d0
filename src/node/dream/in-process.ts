/** `dreamInProcess()`: a dream on the calling thread, on the engine with the options' model unless given a backend. */
import type { DreamBackend } from '../../core/dream/backend.js';
import { checkDreamInput, dreamImage, type DreamControl } from '../../core/dream/dream-image.js';
import { chooseDevice, type Device } from '../runtime/device.js';
import { createModelBackend } from './model-backend.js';
import type { DreamOptionsInput } from '../../core/dream/options.js';
import type { RgbImage } from '../../core/image/rgb.js';

export interface DreamDeps {
  /**
   * Where gradients come from; the caller keeps ownership (sessions can be reused across calls,
   * e.g. video frames). Default: the engine with `options.model`, released when the dream ends.
   */
  backend?: DreamBackend;
  /** ORT intra-op threads of the default backend (default 2). An execution setting, not part of the recipe. */
  threads?: number;
  /** Where the default backend runs (default cpu; see chooseDevice). An execution setting, like threads. */
  device?: Device;
}

export async function dreamInProcess(
  image: RgbImage,
  input: DreamOptionsInput,
  control: DreamControl = {},
  deps: DreamDeps = {},
): Promise<RgbImage> {
  if (deps.backend) return dreamImage(image, input, deps.backend, control);
  // Bad input fails before the model loads.
  const options = checkDreamInput(image, input);
  control.signal?.throwIfAborted();
  const { device } = await chooseDevice(deps.device ?? 'cpu');
  const backend = await createModelBackend(options.model, {
    device,
    ...(deps.threads !== undefined && { threads: deps.threads }),
  });
  try {
    return await dreamImage(image, options, backend, control, { releaseSessions: true });
  } finally {
    await backend.release();
  }
}
