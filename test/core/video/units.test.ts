import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRgbImage, type RgbImage } from '../../../src/core/image/rgb.js';
import { colorStats, correctColor } from '../../../src/core/video/color.js';
import { settingsHash, workFolderFor } from '../../../src/node/video/checkpoint.js';
import { outputTarget, sequencePath } from '../../../src/node/video/output.js';
import { parseFfmpegInfo } from '../../../src/node/video/probe.js';
import { cycleLayers, frameSeed, layerAt, parseSchedule } from '../../../src/core/video/schedule.js';
import { blend, moveCamera, warpByFlow } from '../../../src/core/video/warp.js';
import { warmUpPasses, withStrength } from '../../../src/core/video/feedback.js';
import { parseTime } from '../../../src/apps/cli/commands/video.js';

/** Red ramp along x, green along y, blue constant. */
function ramp(width: number, height: number): RgbImage {
  const image = createRgbImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) image.data.set([x * 10, y * 10, 50], (y * width + x) * 3);
  }
  return image;
}

const pixel = (image: RgbImage, x: number, y: number) =>
  Array.from(image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3));

describe('layer schedule', () => {
  it('cycles layer:frames entries', () => {
    const schedule = parseSchedule('mixed5:2, mixed4:1');
    assert.deepEqual(schedule, [
      { layer: 'mixed5', frames: 2 },
      { layer: 'mixed4', frames: 1 },
    ]);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((i) => layerAt(schedule, i)),
      ['mixed5', 'mixed5', 'mixed4', 'mixed5', 'mixed5', 'mixed4'],
    );
    assert.deepEqual(
      [0, 2, 4].map((i) => layerAt(cycleLayers(['a', 'b'], 2), i)),
      ['a', 'b', 'a'],
    );
    assert.equal(layerAt([], 7), undefined);
  });

  it('takes the frame count after the last colon: layer names may hold colons', () => {
    assert.deepEqual(parseSchedule('onnx::Clip_203:5, model/conv/Conv:0 : 7,inception4c:2'), [
      { layer: 'onnx::Clip_203', frames: 5 },
      { layer: 'model/conv/Conv:0', frames: 7 },
      { layer: 'inception4c', frames: 2 },
    ]);
  });

  it('rejects malformed entries', () => {
    assert.throws(() => parseSchedule('mixed5'), {
      message: "schedule must be layer:frames entries, e.g. mixed5:100,mixed4:100 (got 'mixed5')",
    });
    assert.throws(() => parseSchedule('mixed5:2, mixed4:0'), /layer:frames .*\(got 'mixed4:0'\)$/);
    assert.throws(() => parseSchedule(':3'), /layer:frames .*\(got ':3'\)$/);
    assert.throws(() => cycleLayers(['a'], 0), { message: 'every must be an integer of at least 1 (got 0)' });
  });

  it('derives distinct, stable per-frame seeds', () => {
    const seeds = Array.from({ length: 100 }, (_, i) => frameSeed(7, i));
    assert.equal(new Set(seeds).size, 100);
    assert.equal(frameSeed(7, 3), seeds[3]);
    assert.notEqual(frameSeed(8, 3), seeds[3]);
    assert.ok(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0xffffffff));
  });
});

describe('ffmpeg probing', () => {
  it('reads size, rate, duration and audio from ffmpeg -i output', () => {
    const info = parseFfmpegInfo(
      `Input #0, mov,mp4, from 'a.mp4':\n  Duration: 00:01:02.50, start: 0.000000, bitrate: 68 kb/s\n` +
        `    Stream #0:0(und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 9 kb/s, 29.97 fps, 29.97 tbr, 30k tbn (default)\n` +
        `    Stream #0:1(eng): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo, fltp, 128 kb/s (default)\n`,
      'a.mp4',
    );
    assert.deepEqual(info, {
      videoCodec: 'h264',
      width: 1920,
      height: 1080,
      fps: 29.97,
      fpsExpr: '30000/1001',
      duration: 62.5,
      audioCodec: 'aac',
    });
  });

  it('says when there is no video stream', () => {
    assert.throws(
      () => parseFfmpegInfo('  Stream #0:0: Audio: pcm_s16le, 44100 Hz\n', 'a.wav'),
      /a.wav has no video stream/,
    );
  });
});

describe('outputs', () => {
  it('chooses the format from the name', () => {
    assert.equal(outputTarget('a.mp4').kind, 'mp4');
    assert.equal(outputTarget('a.WEBM').kind, 'webm');
    assert.equal(outputTarget('a.gif').kind, 'gif');
    assert.deepEqual(outputTarget('out/f_%04d.png'), {
      kind: 'png',
      path: 'out/f_%04d.png',
      pattern: 'out/f_%04d.png',
    });
    assert.deepEqual(outputTarget('out/'), { kind: 'png', path: 'out/', pattern: 'out/%06d.png' });
    assert.throws(() => outputTarget('a.avi'), /unsupported output format '.avi'/);
    assert.throws(() => outputTarget('a_%03d.jpg'), /must end in .png/);
  });

  it('numbers sequence files and names work folders', () => {
    assert.equal(sequencePath('out/f_%04d.png', 12), 'out/f_0012.png');
    assert.equal(sequencePath('out/%d.png', 12), 'out/12.png');
    assert.equal(workFolderFor('a/b.mp4'), 'a/b.mp4.frames');
    assert.equal(workFolderFor('frames/'), 'frames.frames');
    assert.equal(workFolderFor('a.mp4', true), 'a.mp4.preview.frames');
  });

  it('hashes settings independently of key order', () => {
    assert.equal(settingsHash({ a: 1, b: { c: 2, d: 3 } }), settingsHash({ b: { d: 3, c: 2 }, a: 1 }));
    assert.notEqual(settingsHash({ a: 1 }), settingsHash({ a: 2 }));
  });

  it('parses times', () => {
    assert.equal(parseTime('12.5'), 12.5);
    assert.equal(parseTime('1:02.5'), 62.5);
    assert.equal(parseTime('1:00:00'), 3600);
    assert.throws(() => parseTime('abc'), {
      message: "must be seconds (12.5) or a time (1:02.5, 0:01:02.5) (got 'abc')",
    });
  });
});

describe('warps', () => {
  it('leaves a frame unchanged for a still camera', () => {
    const image = ramp(9, 7);
    assert.deepEqual(moveCamera(image, { zoom: 1, rotate: 0, translateX: 0, translateY: 0 }).data, image.data);
  });

  it('zooms about the centre and translates', () => {
    const image = ramp(9, 7);
    const zoomed = moveCamera(image, { zoom: 2, rotate: 0, translateX: 0, translateY: 0 });
    assert.deepEqual(pixel(zoomed, 4, 3), pixel(image, 4, 3));
    assert.deepEqual(pixel(zoomed, 6, 3), [50, 30, 50]); // 2 px right of centre shows 1 px right
    const moved = moveCamera(image, { zoom: 1, rotate: 0, translateX: 2, translateY: 1 });
    assert.deepEqual(pixel(moved, 5, 4), pixel(image, 3, 3));
  });

  it('rotates clockwise', () => {
    const image = ramp(9, 9);
    const turned = moveCamera(image, { zoom: 1, rotate: 90, translateX: 0, translateY: 0 });
    // Clockwise by 90 degrees: what was above the centre is now right of it.
    assert.deepEqual(pixel(turned, 6, 4).map(Math.round), pixel(image, 4, 2));
  });

  it('pulls pixels along a flow field', () => {
    const image = ramp(8, 6);
    const flow = new Float32Array(8 * 6 * 2).map((_, i) => (i % 2 === 0 ? -1 : 0.5));
    const warped = warpByFlow(image, flow);
    assert.deepEqual(pixel(warped, 4, 2), [30, 25, 50]);
    assert.throws(() => warpByFlow(image, new Float32Array(3)), /flow field has 3 values/);
    assert.deepEqual(pixel(blend(warped, image, 0.25), 4, 2), [37.5, 21.25, 50]);
  });
});

describe('colour lock', () => {
  it('measures luminance and saturation', () => {
    const grey = createRgbImage(2, 1, Float32Array.from([100, 100, 100, 100, 100, 100]));
    assert.deepEqual(colorStats(grey), { mean: [100, 100, 100], std: [0, 0, 0], luminance: 100, saturation: 0 });
    const red = createRgbImage(1, 1, Float32Array.from([200, 100, 100]));
    assert.equal(colorStats(red).saturation, 0.5);
  });

  it('moves channel means and spreads part way to the reference', () => {
    const reference = colorStats(ramp(10, 10));
    const bright = ramp(10, 10);
    for (let i = 0; i < bright.data.length; i++) bright.data[i] = bright.data[i]! * 1.5 + 40;
    const before = colorStats(bright);
    const after = colorStats(correctColor(bright, before, reference, 0.5));
    for (let k = 0; k < 3; k++) {
      assert.ok(Math.abs(after.mean[k]! - (before.mean[k]! + reference.mean[k]!) / 2) < 1e-3);
    }
    assert.ok(Math.abs(after.std[0]! - (before.std[0]! + reference.std[0]!) / 2) < 1e-3);
  });
});

describe('the dream of a video builds up through the blend', () => {
  it('warms the first frame up to 90% of what the blend builds, in at most 10 dreams', () => {
    assert.deepEqual([0, 0.3, 0.5, 0.6, 0.8, 0.95, 1].map(warmUpPasses), [1, 2, 4, 5, 10, 10, 10]);
    for (const b of [0.3, 0.5, 0.6]) assert.ok(1 - b ** warmUpPasses(b) >= 0.9, `blend ${b}`);
  });

  it("scales the dream's change by the strength", () => {
    const input = ramp(3, 2);
    const dreamed = createRgbImage(
      3,
      2,
      input.data.map((v) => v + 4),
    );
    assert.equal(withStrength(input, dreamed, 1), dreamed);
    assert.deepEqual(pixel(withStrength(input, dreamed, 2.5), 1, 1), [20, 20, 60]);
    assert.deepEqual(pixel(withStrength(input, dreamed, 0.5), 1, 1), [12, 12, 52]);
  });
});
