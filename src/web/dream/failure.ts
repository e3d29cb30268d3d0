/**
 * A failed dream told in one line. Memory and GPU failures surface from onnxruntime-web and the
 * browser in many wordings; they are named for what the person can do about them.
 */

export const OUT_OF_MEMORY =
  'this device ran out of memory for a dream this size: choose a smaller size, or close other tabs';
export const DEVICE_LOST =
  'the graphics device was lost (a driver reset, or another program took its memory): dream again';
export const WORKER_STOPPED = 'the dream stopped unexpectedly (out of memory?): dream again, perhaps at a smaller size';

const MEMORY =
  /out of memory|bad_alloc|\bOOM\b|cannot enlarge memory|maximum memory size|allocation failed|failed to allocate/i;
const LOST = /device (is |was |has been )?lost|GPUDeviceLostInfo|DEVICE_REMOVED/i;

export function failureMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  if (MEMORY.test(text)) return OUT_OF_MEMORY;
  if (LOST.test(text)) return DEVICE_LOST;
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]!.trim() || 'the dream failed';
}
