/**
 * Every check that needs no network output runs before the first step: a bad output, layer or disk
 * fails at once, with no progress printed (--json would print every step) and, where the check
 * needs no model, before the network is even loaded (the fake backend logs when it loads).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { prepareZoom } from '../../../src/node/video/zoom.js';
import { assertOneLineError, deepdream, fakeBackendFlags } from '../../support/cli.js';
import { makeClip } from '../../node/video/clips.js';

const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;

let dir = '';
let log = '';
/** The fake network, slowed down so that a check after the first step would show, logging to `log`. */
let fake: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inceptionism-fail-fast-'));
  log = join(dir, 'backend.log');
  fake = fakeBackendFlags(`kind=grid&delayMs=20&log=${encodeURIComponent(log)}`);
});
after(() => rm(dir, { recursive: true, force: true }));

/** What the fake backend logged since the last call ('load', 'create'), and a fresh log. */
async function backendEvents(): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  await rm(log, { force: true });
  return text.split('\n').flatMap((line) => (line ? [line.split(' ')[0]!] : []));
}

describe('fail fast', () => {
  it('dream: an output folder that does not exist, before the network loads', async () => {
    const output = join(dir, 'no', 'such', 'dream.png');
    assertOneLineError(
      await deepdream([CAT, '-o', output, '--max-size', '64', '--json', ...fake]),
      /^deepdream: cannot write .*dream\.png: folder .*such does not exist$/m,
    );
    assert.deepEqual(await backendEvents(), []);
  });

  it('dream: a layer the network does not have, before the first step', async () => {
    const result = await deepdream([CAT, '-o', join(dir, 'layer.png'), '--layer', 'missing', '--json', ...fake]);
    assert.notEqual(result.code, 0);
    assert.deepEqual(
      result.stdout.split('\n').flatMap((line) => (line ? [(JSON.parse(line) as { event: string }).event] : [])),
      ['start'],
    );
    assert.match(result.stderr, /^deepdream: unknown layer 'missing'\n$/);
    await backendEvents();
  });

  it('zoom: a scheduled layer the network does not have, before the first frame, leaving no work folder', async () => {
    const output = join(dir, 'schedule.mp4');
    const zoom = ['zoom', '--size', '16x16', '--frames', '3', '--steps', '1', '--json', '-o', output];
    assertOneLineError(
      await deepdream([...zoom, '--schedule', 'fake_default:1,missing:1', ...fake]),
      /^deepdream: unknown layer 'missing'$/m,
    );
    assert.deepEqual(await backendEvents(), ['load', 'create']);
    assert.ok(!(await readdir(dir)).some((name) => name.startsWith('schedule.mp4')));
  });

  it('zoom: frames that cannot fit on the disk, before the work folder is made', async () => {
    const output = join(dir, 'huge.mp4');
    const zoom = { output, frames: 10_000_000, fps: 25, size: { width: 2000, height: 2000 } };
    await assert.rejects(
      prepareZoom({
        ...zoom,
        move: { zoom: 1.02, rotate: 0, translateX: 0, translateY: 0 },
        schedule: [],
        colorLock: 0.2,
        seed: 1,
        dreamSettings: {},
      }),
      /^Error: not enough disk space for 10000000 frames of 2000x2000: they need at least 60000 GB in .*, which has \d+ GB free$/,
    );
    assert.ok(!(await readdir(dir)).some((name) => name.startsWith('huge.mp4')));
  });

  it('video: a scheduled layer the network does not have, before the first frame', async () => {
    const clip = join(dir, 'clip.mp4');
    await makeClip(clip, { seconds: 0.5, fps: 10 });
    const video = ['video', clip, '--width', '32', '--steps', '1', '--json', '-o', join(dir, 'video.mp4')];
    assertOneLineError(
      await deepdream([...video, '--schedule', 'fake_default:2,missing:2', ...fake]),
      /^deepdream: unknown layer 'missing'$/m,
    );
    assert.ok(!(await readdir(dir)).some((name) => name.startsWith('video.mp4')));
  });
});
