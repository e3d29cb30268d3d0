/** runDreamJob: a studio job from photo bytes to its PNG, with a preview after each octave. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { runDreamJob, type DreamJobSpec } from '../../../src/apps/shared/dream-job.js';
import { resolveDreamOptions } from '../../../src/core/dream/options.js';
import { photoPng, fakeBackendModule } from '../server/helpers.js';

function spec(options: Parameters<typeof resolveDreamOptions>[0], maxSize = 1024): DreamJobSpec {
  return { name: 'photo.png', maxSize, maxPixels: 1e8, options: resolveDreamOptions(options) };
}

async function previewsOf(
  job: DreamJobSpec,
  photo: Buffer,
  deps: Parameters<typeof runDreamJob>[3],
): Promise<{ result: Buffer; previews: Array<{ octave: number; format?: string; width?: number; height?: number }> }> {
  const previews: Array<{ octave: number; png: Buffer }> = [];
  const result = await runDreamJob(
    job,
    photo,
    {
      onProgress: () => undefined,
      signal: new AbortController().signal,
      lane: 0,
      onPreview: (png, octave) => previews.push({ octave, png }),
    },
    deps,
  );
  const described = await Promise.all(
    previews.map(async ({ octave, png }) => {
      const { format, width, height } = await sharp(png).metadata();
      return { octave, format, width, height };
    }),
  );
  return { result, previews: described };
}

test('a job hands on a PNG preview after each octave but the last, at the dreamed size', async () => {
  const job = spec({ octaves: 3, steps: 2, layers: [{ name: 'a', weight: 1 }] });
  const { result, previews } = await previewsOf(job, await photoPng(300, 200), {
    backendModule: fakeBackendModule('kind=grid'),
  });
  assert.deepEqual(previews, [
    { octave: 1, format: 'png', width: 300, height: 200 },
    { octave: 2, format: 'png', width: 300, height: 200 },
  ]);
  assert.deepEqual(
    await sharp(result)
      .metadata()
      .then((m) => [m.format, m.width, m.height]),
    ['png', 300, 200],
  );
});

test('previews of a large dream are at most 512 px on the long side, in its shape', async () => {
  const job = spec({ octaves: 2, steps: 1, layers: [{ name: 'a', weight: 1 }] }, 800);
  const { previews } = await previewsOf(job, await photoPng(800, 400), {
    backendModule: fakeBackendModule('kind=zero'),
  });
  assert.deepEqual(previews, [{ octave: 1, format: 'png', width: 512, height: 256 }]);
});

test('a job on the real engine previews its first octave', async () => {
  const job = spec({ octaves: 2, steps: 1, layers: [{ name: 'mixed0', weight: 1 }] });
  const { previews } = await previewsOf(job, await photoPng(120, 90), { threads: 1 });
  assert.deepEqual(previews, [{ octave: 1, format: 'png', width: 120, height: 90 }]);
});
