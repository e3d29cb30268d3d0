import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkVideoOptions,
  checkZoomOptions,
  type VideoValues,
  type ZoomValues,
} from '../../../src/core/options/render.js';

const zoom: ZoomValues = { frames: 100, fps: 25, move: { zoom: 1.02 }, colorLock: 0.2 };
const video: VideoValues = { blend: 0.5 };

describe('render options', () => {
  it('accept the defaults and the edges of each range', () => {
    checkZoomOptions(zoom);
    checkZoomOptions({ frames: 1, fps: 240, move: { zoom: 1.99 }, colorLock: 1 });
    checkVideoOptions(video);
    checkVideoOptions({ blend: 0, start: 0, end: 0.1, maxFrames: 1, width: 8 });
    checkVideoOptions({ blend: 1, start: 2.5, width: 8192 });
  });

  it('refuse bad zoom values, naming the ZoomOptions field', () => {
    const cases: [Partial<ZoomValues>, string][] = [
      [{ frames: 0 }, 'frames must be an integer of at least 1 (got 0)'],
      [{ frames: 2.5 }, 'frames must be an integer of at least 1 (got 2.5)'],
      [{ fps: 0 }, 'fps must be a number over 0 and at most 240 (got 0)'],
      [{ fps: 241 }, 'fps must be a number over 0 and at most 240 (got 241)'],
      [{ move: { zoom: 0.5 } }, 'move.zoom must be a number over 0.5 and under 2 (got 0.5)'],
      [{ move: { zoom: 2 } }, 'move.zoom must be a number over 0.5 and under 2 (got 2)'],
      [{ colorLock: 1.5 }, 'colorLock must be a number from 0 to 1 (got 1.5)'],
      [{ colorLock: -0.1 }, 'colorLock must be a number from 0 to 1 (got -0.1)'],
    ];
    for (const [values, message] of cases) {
      assert.throws(() => checkZoomOptions({ ...zoom, ...values }), { name: 'OptionError', message });
    }
  });

  it('refuse bad video values, naming the VideoOptions field', () => {
    const cases: [Partial<VideoValues>, string][] = [
      [{ blend: 2 }, 'blend must be a number from 0 to 1 (got 2)'],
      [{ blend: Number.NaN }, 'blend must be a number from 0 to 1 (got NaN)'],
      [{ start: -1 }, 'start must be a number of at least 0 (got -1)'],
      [{ start: 3, end: 3 }, 'end must be after start (got 3)'],
      [{ end: 0 }, 'end must be after start (got 0)'],
      [{ maxFrames: 0 }, 'maxFrames must be an integer of at least 1 (got 0)'],
      [{ width: 7 }, 'width must be an integer from 8 to 8192 (got 7)'],
      [{ width: 100.5 }, 'width must be an integer from 8 to 8192 (got 100.5)'],
    ];
    for (const [values, message] of cases) {
      assert.throws(() => checkVideoOptions({ ...video, ...values }), { name: 'OptionError', message });
    }
  });
});
