/** Which layer dreams which frame: a cycle of (layer, frame count) entries. */
import { checkInteger, invalid } from '../options/checks.js';

export interface ScheduleEntry {
  layer: string;
  frames: number;
}

/** Empty: every frame uses the dream's default layer. */
export type LayerSchedule = ScheduleEntry[];

/**
 * "mixed5:100,mixed4:100,mixed3:100": each layer for that many frames, then around again. The
 * frame count follows the last colon: layer names may hold colons ("onnx::Clip_203:100").
 */
export function parseSchedule(text: string): LayerSchedule {
  return text.split(',').map((part) => {
    const match = /^\s*(\S.*?)\s*:\s*(\d+)\s*$/.exec(part);
    if (!match || Number(match[2]) < 1) {
      throw invalid('schedule', 'layer:frames entries, e.g. mixed5:100,mixed4:100', part.trim());
    }
    return { layer: match[1]!, frames: Number(match[2]) };
  });
}

/** Each layer for `every` frames, then around again. */
export function cycleLayers(layers: string[], every: number): LayerSchedule {
  checkInteger('every', every, { min: 1 });
  return layers.map((layer) => ({ layer: layer.trim(), frames: every }));
}

export function layerAt(schedule: LayerSchedule, frame: number): string | undefined {
  const cycle = schedule.reduce((sum, e) => sum + e.frames, 0);
  if (cycle === 0) return undefined;
  let position = frame % cycle;
  for (const entry of schedule) {
    if (position < entry.frames) return entry.layer;
    position -= entry.frames;
  }
  return undefined;
}

/**
 * The seed of one frame's dream, from the render's seed and the frame index (a murmur3 finaliser),
 * so a frame dreams the same whether or not the render was interrupted before it.
 */
export function frameSeed(seed: number, frame: number): number {
  let h = (seed ^ Math.imul(frame + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
