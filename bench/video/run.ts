/**
 * Video rendering benchmark (issue "Dream in motion"): frames per minute for a 640x360 clip at
 * the `deepdream video` defaults, and the share of the time spent outside the network (decode,
 * optical flow, warp/blend, checkpoint PNGs, encode). Target: at most 10% outside the network.
 * The clip is made here with ffmpeg (a panning test pattern with sound). BENCH_VIDEO_FRAMES
 * (default 4) sets how many frames are dreamed; the machine is shared, so keep it small.
 * OpenCV.js loading (~2 s, once per process) and the network's session compilation (one
 * warm-up frame) are timed apart and left out of the share: they do not grow with the video.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VIDEO_DREAM_DEFAULTS } from '../../src/apps/cli/commands/video.js';
import { resolveDreamOptions } from '../../src/core/dream/options.js';
import { createRgbImage } from '../../src/core/image/rgb.js';
import { createDreamBackend } from '../../src/node/dream/backend-module.js';
import { engineDreamer } from '../../src/node/video/dreamer.js';
import { runFfmpeg } from '../../src/node/video/ffmpeg.js';
import { backwardFlow } from '../../src/node/video/flow.js';
import { prepareVideo, renderVideo } from '../../src/node/video/video.js';

const FRAMES = Number(process.env.BENCH_VIDEO_FRAMES ?? 4);
const TARGET_SHARE = 0.1;

const dir = mkdtempSync(join(tmpdir(), 'bench-video-'));
try {
  const clip = join(dir, 'clip.mp4');
  const made = await runFfmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440'],
    ...['-t', '2', '-vf', 'crop=640:360:t*100:t*50', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip],
  ]);
  if (made.code !== 0) throw new Error(`cannot make the test clip: ${made.stderr.slice(-300)}`);

  let started = performance.now();
  const tiny = createRgbImage(16, 16);
  await backwardFlow(tiny, tiny);
  const openCvLoad = performance.now() - started;

  const options = resolveDreamOptions(VIDEO_DREAM_DEFAULTS);
  const backend = await createDreamBackend(options);
  const dream = engineDreamer(options, backend);
  started = performance.now();
  await dream(createRgbImage(640, 360, new Float32Array(640 * 360 * 3).fill(128)), 0, undefined);
  const warmUp = performance.now() - started;
  const video = await prepareVideo({
    input: clip,
    output: join(dir, 'dream.mp4'),
    maxFrames: FRAMES,
    blend: 0.5,
    schedule: [],
    seed: 0,
    dreamSettings: { ...options },
  });
  started = performance.now();
  const result = await renderVideo(video, dream);
  const total = performance.now() - started;
  await backend.release();

  const t = result.timings;
  const dreaming = t.dream ?? 0;
  const outside = total - dreaming;
  const stages = ['decode', 'flow', 'warp', 'checkpoint', 'encode']
    .map((s) => `${s} ${(t[s] ?? 0).toFixed(0)} ms`)
    .join(', ');
  console.log(
    `video 640x360, ${result.frames} frames, ${JSON.stringify(VIDEO_DREAM_DEFAULTS)} (model ${options.model}, layers ${JSON.stringify(options.layers)})`,
  );
  console.log(
    `  ${((result.frames / total) * 60_000).toFixed(2)} frames/min; dream ${(dreaming / result.frames / 1000).toFixed(2)} s/frame`,
  );
  console.log(
    `  outside the network: ${(outside / result.frames).toFixed(0)} ms/frame = ${((outside / total) * 100).toFixed(1)}% (target <= ${TARGET_SHARE * 100}%)`,
  );
  console.log(
    `  stages: ${stages}; not counted: OpenCV.js load ${openCvLoad.toFixed(0)} ms, warm-up frame ${warmUp.toFixed(0)} ms`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
