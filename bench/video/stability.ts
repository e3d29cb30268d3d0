/**
 * Frame-to-frame stability of `deepdream video`: the mean absolute change between consecutive
 * dreamed frames (0..255 per value; lower is steadier), with the dream carried along the optical
 * flow (--blend 0.5) and with every frame dreamed alone (--blend 0). Measured on a 96x64 panning
 * test pattern (the render tests' clip, 15 frames) with the tests' hallucinating fake dreamer, and
 * with the network at the `video` defaults on a 160x90 clip panning 1 px per frame, so that
 * flicker rather than motion makes the change (BENCH_STABILITY_FRAMES frames, default 12; the
 * machine is shared, so keep it small).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIDEO_DREAM_DEFAULTS } from '../../src/apps/cli/commands/video.js';
import { resolveDreamOptions } from '../../src/core/dream/options.js';
import { createDreamBackend } from '../../src/node/dream/backend-module.js';
import { engineDreamer, type FrameDreamer } from '../../src/node/video/dreamer.js';
import { runFfmpeg } from '../../src/node/video/ffmpeg.js';
import { prepareVideo, renderVideo } from '../../src/node/video/video.js';
import { makeClip, meanFrameChange, workFrames } from '../../test/node/video/clips.js';
import { hallucinatingDreamer } from '../../test/node/video/fakes.js';

const FRAMES = Number(process.env.BENCH_STABILITY_FRAMES ?? 12);

const dir = mkdtempSync(join(tmpdir(), 'bench-stability-'));
let renders = 0;

/** Mean frame change of the clip dreamed at `blend`. */
async function frameChange(clip: string, dream: FrameDreamer, blend: number, maxFrames?: number): Promise<number> {
  const output = join(dir, `dream-${++renders}.mp4`);
  const video = await prepareVideo({
    input: clip,
    output,
    blend,
    schedule: [],
    seed: 3,
    dreamSettings: {},
    keepFrames: true,
    ...(maxFrames !== undefined && { maxFrames }),
  });
  await renderVideo(video, dream);
  return meanFrameChange(await workFrames(`${output}.frames`));
}

async function report(label: string, clip: string, dream: FrameDreamer, maxFrames?: number): Promise<void> {
  const flow = await frameChange(clip, dream, 0.5, maxFrames);
  const alone = await frameChange(clip, dream, 0, maxFrames);
  console.log(
    `${label}: frame change ${flow.toFixed(1)} with flow, ${alone.toFixed(1)} alone (${(flow / alone).toFixed(2)})`,
  );
}

try {
  const testClip = join(dir, 'test-clip.mp4');
  await makeClip(testClip, { seconds: 1.5, fps: 10 });
  await report('fake dreamer, 96x64, 15 frames', testClip, hallucinatingDreamer);

  const clip = join(dir, 'clip.mp4');
  const made = await runFfmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=10', '-t', String(FRAMES / 10 + 0.5)],
    ...['-vf', 'crop=160:90:t*10:t*5', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip],
  ]);
  if (made.code !== 0) throw new Error(`cannot make the test clip: ${made.stderr.slice(-300)}`);
  const options = resolveDreamOptions(VIDEO_DREAM_DEFAULTS);
  const backend = await createDreamBackend(options);
  try {
    await report(`network, 160x90, ${FRAMES} frames`, clip, engineDreamer(options, backend), FRAMES);
  } finally {
    await backend.release();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
