/**
 * The flag that sets each option, for error messages: the library names options as its types do
 * ("tileSize"); CLI users read the flag they type ("--tile"). The CLI's own checks (parsers,
 * flag combinations) name flags already.
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
  ['param', '--param'],
  // Zoom and video renders (ZoomOptions, VideoOptions, the layer schedule).
  ['frames', '--frames'],
  ['maxFrames', '--frames'],
  ['fps', '--fps'],
  ['size', '--size'],
  ['from', '--from'],
  ['move.zoom', '--zoom'],
  ['move.rotate', '--rotate'],
  ['move.translateX', '--translate'],
  ['move.translateY', '--translate'],
  ['colorLock', '--color-lock'],
  ['schedule', '--schedule'],
  ['every', '--every'],
  ['blend', '--blend'],
  ['strength', '--strength'],
  ['start', '--start'],
  ['end', '--end'],
  ['width', '--width'],
  ['preview', '--preview'],
  ['restart', '--restart'],
  // Models added by hand (AddOptions of `deepdream models add`).
  ['name', '--name'],
  ['catalogName', '--as'],
  ['prototxt', '--prototxt'],
  // Feature visualizations (VisualizeSettings) of `deepdream atlas`.
  ['batch', '--batch'],
  ['learningRate', '--learning-rate'],
  ['top', '--top'],
  // The studio's options (StudioOptions) that `deepdream serve` sets.
  ['maxSize', '--max-size'],
  ['maxZoomFrames', '--max-zoom-frames'],
  ['maxZoomSize', '--max-zoom-size'],
  ['concurrency', '--concurrency'],
  ['maxQueuedPerOwner', '--max-queued-per-owner'],
  ['keepDays', '--keep-days'],
  ['keepBytes', '--keep-bytes'],
  ['threads', '--threads'],
  ['allowedHosts', '--allowed-host'],
  ['dreamsPerMinute', '--dreams-per-minute'],
  ['requestsPerMinute', '--requests-per-minute'],
  // The Redis that `serve` queues dreams on and `worker` takes them from.
  ['redis', '--redis'],
  ['device', '--device'],
]);

/** Names not in the table are flags already. */
export const flagName: OptionNamer = (option) => FLAGS.get(option) ?? option;
