import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FrameDreamer } from '../../../src/node/video/dreamer.js';
import { prepareVideo, renderVideo, type VideoOptions } from '../../../src/node/video/video.js';
import { prepareZoom, renderZoom, type ZoomOptions } from '../../../src/node/video/zoom.js';
import { countFrames, durationOf, ffmpegInfo, makeClip, meanFrameChange, workFrames } from './clips.js';
import { driftingDreamer, hallucinatingDreamer } from './fakes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
let clip: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deepdream-video-'));
  clip = join(dir, 'clip.mp4');
  await makeClip(clip, { seconds: 1.5, fps: 10, audio: true });
});
after(() => rm(dir, { recursive: true, force: true }));

const videoOptions = (output: string, extra: Partial<VideoOptions> = {}): VideoOptions => ({
  input: clip,
  output,
  blend: 0.5,
  schedule: [],
  seed: 3,
  dreamSettings: { fake: 'hallucinating' },
  ...extra,
});

const zoomOptions = (output: string, extra: Partial<ZoomOptions> = {}): ZoomOptions => ({
  output,
  frames: 20,
  fps: 10,
  size: { width: 32, height: 24 },
  move: { zoom: 1.05, rotate: 2, translateX: 0.5, translateY: 0 },
  schedule: [],
  colorLock: 0.2,
  seed: 1,
  dreamSettings: { fake: 'drifting' },
  ...extra,
});

/** Aborts after `frames` frames have been dreamed and checkpointed. */
function stopAfter(frames: number): { signal: AbortSignal; onProgress: (p: { phase: string; done: number }) => void } {
  const controller = new AbortController();
  return {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.phase === 'dream' && p.done === frames) controller.abort(new Error('stopped by test'));
    },
  };
}

describe('deepdream video', () => {
  it('dreams every frame, keeps duration and audio, and follows motion instead of flickering', async () => {
    const flowOut = join(dir, 'flow.mp4');
    const flowResult = await renderVideo(
      await prepareVideo(videoOptions(flowOut, { keepFrames: true })),
      hallucinatingDreamer,
    );
    assert.equal(flowResult.frames, 15);
    assert.equal(await countFrames(flowOut), 15);
    const info = await ffmpegInfo(flowOut);
    assert.match(info, /Video: h264 .*yuv420p.*96x64/);
    assert.match(info, /Audio: aac/);
    assert.ok(Math.abs(durationOf(info) - 1.5) < 0.1, `duration ${durationOf(info)}`);

    const aloneOut = join(dir, 'alone.mp4');
    await renderVideo(await prepareVideo(videoOptions(aloneOut, { blend: 0, keepFrames: true })), hallucinatingDreamer);
    const withFlow = meanFrameChange(await workFrames(`${flowOut}.frames`));
    const alone = meanFrameChange(await workFrames(`${aloneOut}.frames`));
    assert.ok(
      withFlow < 0.8 * alone,
      `frame-to-frame change with flow ${withFlow.toFixed(1)} vs alone ${alone.toFixed(1)}`,
    );
  });

  it('renders a time range to WebM, re-encoding the audio to Opus, and removes its work folder', async () => {
    const out = join(dir, 'range.webm');
    const result = await renderVideo(
      await prepareVideo(videoOptions(out, { start: 0.5, end: 1.2 })),
      hallucinatingDreamer,
    );
    assert.equal(result.frames, 7);
    const info = await ffmpegInfo(out);
    assert.match(info, /Video: vp9/);
    assert.match(info, /Audio: opus/);
    assert.ok(Math.abs(durationOf(info) - 0.7) < 0.1, `duration ${durationOf(info)}`);
    await assert.rejects(stat(`${out}.frames`), { code: 'ENOENT' });
  });

  it('continues an interrupted render and produces the same bytes as an uninterrupted one', async () => {
    const whole = join(dir, 'whole.mp4');
    await renderVideo(
      await prepareVideo(videoOptions(whole, { maxFrames: 10, keepFrames: true })),
      hallucinatingDreamer,
    );
    const resumed = join(dir, 'resumed.mp4');
    const first = await prepareVideo(videoOptions(resumed, { maxFrames: 10, keepFrames: true }));
    await assert.rejects(renderVideo(first, hallucinatingDreamer, stopAfter(4)), /stopped by test/);
    await assert.rejects(stat(resumed), { code: 'ENOENT' });
    let dreamed = 0;
    const counting: FrameDreamer = (frame, index, layer) => {
      dreamed++;
      return hallucinatingDreamer(frame, index, layer);
    };
    const result = await renderVideo(
      await prepareVideo(videoOptions(resumed, { maxFrames: 10, keepFrames: true })),
      counting,
    );
    assert.equal(result.resumed, 4);
    assert.equal(dreamed, 6);
    assert.deepEqual(await readFile(resumed), await readFile(whole));
    for (const name of (await readdir(`${whole}.frames`)).filter((n) => n.endsWith('.png'))) {
      assert.deepEqual(
        await readFile(join(`${resumed}.frames`, name)),
        await readFile(join(`${whole}.frames`, name)),
        name,
      );
    }
  });

  it('gives one-line errors for bad inputs and outputs, before dreaming and without output files', async () => {
    const out = join(dir, 'err.mp4');
    await assert.rejects(
      prepareVideo(videoOptions(out, { input: join(dir, 'missing.mp4') })),
      /^Error: video not found: .*missing\.mp4$/,
    );
    const garbage = join(dir, 'garbage.mp4');
    await writeFile(garbage, 'not a video at all');
    await assert.rejects(
      prepareVideo(videoOptions(out, { input: garbage })),
      /cannot read video .*garbage\.mp4: Invalid data found/,
    );
    const truncated = join(dir, 'truncated.mp4');
    await copyFile(clip, truncated);
    await truncate(truncated, 2000);
    await assert.rejects(
      prepareVideo(videoOptions(out, { input: truncated })),
      /cannot read video .*truncated\.mp4: Invalid data found/,
    );
    const sound = join(dir, 'tone.wav');
    assert.equal(
      (await (await import('../../../src/node/video/ffmpeg.js')).runFfmpeg(['-f', 'lavfi', '-i', 'sine', '-t', '0.2', sound]))
        .code,
      0,
    );
    await assert.rejects(prepareVideo(videoOptions(out, { input: sound })), /tone\.wav has no video stream/);
    await assert.rejects(prepareVideo(videoOptions(join(dir, 'x.avi'))), /unsupported output format '\.avi'/);
    await assert.rejects(
      prepareVideo(videoOptions(join(garbage, 'x.mp4'))),
      /cannot write .*x\.mp4: .*garbage\.mp4 is not a folder/,
    );
    await assert.rejects(
      prepareVideo(videoOptions(join(dir, 'nope', 'x.mp4'))),
      /cannot write .*: folder .*nope does not exist/,
    );
    await assert.rejects(prepareVideo(videoOptions(out, { start: 5 })), {
      message: /^start must be before the end of .*clip\.mp4 at 1\.\d\ds \(got 5\)$/,
    });
    await assert.rejects(prepareVideo(videoOptions(out, { blend: 2 })), {
      message: 'blend must be a number from 0 to 1 (got 2)',
    });
    await assert.rejects(prepareVideo(videoOptions(out, { start: 1, end: 0.5 })), {
      message: 'end must be after start (got 0.5)',
    });
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.startsWith('err.mp4') || n.startsWith('x.')),
      [],
    );
  });
});

describe('deepdream zoom', () => {
  it('holds brightness and colour over a long run of a drifting dream', async () => {
    const locked = await renderZoom(
      await prepareZoom(zoomOptions(join(dir, 'locked/'), { frames: 300 })),
      driftingDreamer,
    );
    assert.equal((await readdir(join(dir, 'locked'))).filter((n) => n.endsWith('.png')).length, 300);
    assert.ok(locked.maxDrift.luminance < 20, `luminance drift ${locked.maxDrift.luminance}`);
    assert.ok(locked.maxDrift.saturation < 0.05, `saturation drift ${locked.maxDrift.saturation}`);
    // Without the lock the same dream runs away: the measure has to see it.
    const free = await renderZoom(
      await prepareZoom(zoomOptions(join(dir, 'free/'), { frames: 100, colorLock: 0 })),
      driftingDreamer,
    );
    assert.ok(free.maxDrift.luminance > 60, `unlocked luminance drift ${free.maxDrift.luminance}`);
  });

  it('reports drift and speed with every frame', async () => {
    const seen: Array<{ done: number; luminance?: number; fpm?: number }> = [];
    await renderZoom(await prepareZoom(zoomOptions(join(dir, 'progress.gif'), { frames: 5 })), driftingDreamer, {
      onProgress: (p) =>
        seen.push({
          done: p.done,
          ...(p.color && { luminance: p.color.luminance }),
          ...(p.framesPerMinute && { fpm: p.framesPerMinute }),
        }),
    });
    assert.deepEqual(
      seen.map((s) => s.done),
      [1, 2, 3, 4, 5, 5],
    );
    assert.ok(seen.slice(0, 5).every((s) => s.luminance! > 0 && s.fpm! > 0));
    assert.match(await ffmpegInfo(join(dir, 'progress.gif')), /Video: gif/);
  });

  it('continues after an interruption with the same frames, and refuses other settings', async () => {
    const whole = join(dir, 'zwhole.mp4');
    await renderZoom(await prepareZoom(zoomOptions(whole)), driftingDreamer);
    const resumed = join(dir, 'zresumed.mp4');
    await assert.rejects(
      renderZoom(await prepareZoom(zoomOptions(resumed)), driftingDreamer, stopAfter(7)),
      /stopped by test/,
    );
    await assert.rejects(prepareZoom(zoomOptions(resumed, { seed: 2 })), {
      message: `restart is needed to replace the render with other settings in ${resumed}.frames (or delete that folder)`,
    });
    const result = await renderZoom(await prepareZoom(zoomOptions(resumed)), driftingDreamer);
    assert.equal(result.resumed, 7);
    assert.deepEqual(await readFile(resumed), await readFile(whole));
  });

  it('survives being killed: the CLI continues where it stopped', async () => {
    const fake = `${new URL('../../support/fake-backend-module.ts', import.meta.url).href}?kind=grid&delayMs=5`;
    const args = ['zoom', '--size', '48x32', '--frames', '12', '--octaves', '1', '--steps', '2', '--json'];
    args.push('--backend-module', fake);
    const cli = (out: string, onLine?: (line: string, kill: () => void) => void) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [join(root, 'bin/deepdream.js'), ...args, '-o', out], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let buffered = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) onLine?.(line, () => child.kill('SIGKILL'));
        });
        child.on('close', (code) => resolve(code));
      });
    const whole = join(dir, 'cli-whole.mp4');
    const killed = join(dir, 'cli-killed.mp4');
    const [wholeCode, killedCode] = await Promise.all([
      cli(whole),
      cli(killed, (line, kill) => {
        if ((JSON.parse(line) as { done?: number }).done === 5) kill();
      }),
    ]);
    assert.equal(wholeCode, 0);
    assert.equal(killedCode, null); // killed by the signal
    await assert.rejects(stat(killed), { code: 'ENOENT' });
    const events: Array<{ event: string; resumed?: number }> = [];
    assert.equal(await cli(killed, (line) => events.push(JSON.parse(line))), 0);
    assert.ok((events.at(-1)?.resumed ?? 0) >= 5, JSON.stringify(events.at(-1)));
    assert.deepEqual(await readFile(killed), await readFile(whole));
  });
});
