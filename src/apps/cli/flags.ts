/**
 * The flag that sets each option, for error messages: the library and the CLI's own checks name
 * options as the library does ("tileSize"), and CLI users read the flag they type ("--tile").
 */
import type { OptionNamer } from '../../core/options/checks.js';

const FLAGS: ReadonlyMap<string, string> = new Map([
  // Dream options (DreamOptions).
  ['model', '--model'],
  ['preset', '--preset'],
  ['layers', '--layer'],
  ['channels', '--channel'],
  ['guide', '--guide'],
  ['class', '--class'],
  ['blur', '--blur'],
  ['octaves', '--octaves'],
  ['octaveScale', '--octave-scale'],
  ['steps', '--steps'],
  ['stepSize', '--step-size'],
  ['normalization', '--norm'],
  ['jitter', '--jitter'],
  ['tileSize', '--tile'],
  ['seed', '--seed'],
  // Zoom and video renders (ZoomOptions, VideoOptions, the layer schedule).
  ['frames', '--frames'],
  ['maxFrames', '--frames'],
  ['fps', '--fps'],
  ['size', '--size'],
  ['from', '--from'],
  ['move.zoom', '--zoom'],
  ['colorLock', '--color-lock'],
  ['schedule', '--schedule'],
  ['every', '--every'],
  ['blend', '--blend'],
  ['start', '--start'],
  ['end', '--end'],
  ['width', '--width'],
  ['restart', '--restart'],
  // The CLI's own settings and the studio's (`deepdream serve`).
  ['maxSize', '--max-size'],
  ['threads', '--threads'],
  ['port', '--port'],
  ['concurrency', '--concurrency'],
]);

/** Names not in the table are already flags (a parser's problem names the flag it belongs to). */
export const flagName: OptionNamer = (option) => FLAGS.get(option) ?? option;
