/**
 * runDreamJob with a zoom: photo bytes to an MP4 with its recipe, a preview per frame, and frames
 * checkpointed in the job's work folder so that a stopped zoom continues where it stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runDreamJob, type DreamJobSpec, type ZoomJobProgress } from '../../../src/apps/shared/dream-job.js';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import { ZOOM_DREAM_DEFAULTS } from '../../../src/core/options/render.js';
import { probeVideo } from '../../../src/node/video/probe.js';
import { readRenderRecipe } from '../../../src/node/video/recipe.js';
import { fakeBackendModule, photoPng } from '../server/helpers.js';

const zoomSpec = (frames: number): DreamJobSpec => ({
  name: 'photo.png',
  maxSize: 64,
  maxPixels: 1e8,
  options: resolveDreamOptions({ ...ZOOM_DREAM_DEFAULTS, steps: 1, layers: [{ name: 'a', weight: 1 }] }),
  zoom: { frames, fps: 25, move: { zoom: 1.05, rotate: 2, translateX: 0, translateY: 0 }, colorLock: 0.2 },
});

async function withFolder(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'zoom-job-'));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a zoom job renders an MP4 with its recipe, a preview per frame and frame progress', () =>
  withFolder(async (dir) => {
    const progress: ZoomJobProgress[] = [];
    const previews: Array<{ index: number; png: Buffer }> = [];
    const mp4 = await runDreamJob(
      zoomSpec(5),
      await photoPng(100, 50),
      {
        lane: 0,
        signal: new AbortController().signal,
        onProgress: (p) => progress.push(p as ZoomJobProgress),
        onPreview: (png, index) => previews.push({ index, png }),
      },
      { backendModule: fakeBackendModule() },
    );
    assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp');
    const file = join(dir, 'zoom.mp4');
    await writeFile(file, mp4);
    const info = await probeVideo(file);
    // The photo scaled to 64 px on the long side: 64x32 frames, 5 of them at 25 a second.
    assert.deepEqual([info.width, info.height, info.videoCodec, info.fps], [64, 32, 'h264', 25]);
    assert.ok(Math.abs(info.duration - 0.2) < 0.05, `duration ${info.duration}`);
    const recipe = await readRenderRecipe(file);
    assert.equal(recipe?.['kind'], 'zoom');
    assert.deepEqual(recipe?.['from'], { name: 'photo.png', bytes: (await photoPng(100, 50)).length });

    assert.deepEqual(
      progress.map((p) => [p.phase, p.frame, p.frames, p.fraction]),
      [
        ['dream', 1, 5, 0.2],
        ['dream', 2, 5, 0.4],
        ['dream', 3, 5, 0.6],
        ['dream', 4, 5, 0.8],
        ['dream', 5, 5, 1],
        ['encode', 5, 5, 1],
      ],
    );
    assert.deepEqual(
      previews.map((p) => p.index),
      [1, 2, 3, 4, 5],
    );
    const meta = await sharp(previews[0]!.png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 64, 32]);
  }));

test('a zoom stopped midway continues from the frames in its work folder', () =>
  withFolder(async (workDir) => {
    const photo = await photoPng(64, 48);
    const deps = { backendModule: fakeBackendModule() };
    const stop = new AbortController();
    const firstRun: number[] = [];
    await assert.rejects(
      runDreamJob(
        zoomSpec(6),
        photo,
        {
          lane: 0,
          signal: stop.signal,
          workDir,
          onProgress: (p) => {
            firstRun.push((p as ZoomJobProgress).frame);
            if ((p as ZoomJobProgress).frame === 3) stop.abort(new Error('stopped'));
          },
        },
        deps,
      ),
      { message: 'stopped' },
    );
    assert.deepEqual(firstRun, [1, 2, 3]);
    const frames = (await readdir(join(workDir, 'zoom.mp4.frames'))).filter((name) => name.endsWith('.png'));
    assert.deepEqual(frames, ['000000.png', '000001.png', '000002.png']);

    const previews: number[] = [];
    const resumed: number[] = [];
    const mp4 = await runDreamJob(
      zoomSpec(6),
      photo,
      {
        lane: 0,
        signal: new AbortController().signal,
        workDir,
        onProgress: (p) => resumed.push((p as ZoomJobProgress).resumed),
        onPreview: (_png, index) => previews.push(index),
      },
      deps,
    );
    // Only frames 4 to 6 were dreamed again; the output holds all 6.
    assert.deepEqual(previews, [4, 5, 6]);
    assert.deepEqual(new Set(resumed), new Set([3]), 'every report says 3 frames were taken over');
    assert.equal(mp4.subarray(4, 8).toString('latin1'), 'ftyp');
    // Done: the frames and the output are gone from the work folder.
    assert.deepEqual(await readdir(workDir), []);
  }));
