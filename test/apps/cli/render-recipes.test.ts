/** Zooms and videos carry their recipe, and `--recipe-from` renders the same frames again. */
import assert from 'node:assert/strict';
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readRecipeFile } from '../../../src/apps/shared/recipe.js';
import { assertOneLineError, deepdream, fakeBackendFlags } from '../../support/cli.js';
import { countFrames, makeClip } from '../../node/video/clips.js';

const FAKE_BACKEND = fakeBackendFlags();
const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inceptionism-render-recipes-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** Runs deepdream and expects success with nothing printed (-q). */
async function quietly(args: string[]): Promise<void> {
  const run = await deepdream([...args, '-q', ...FAKE_BACKEND]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, '');
}

/** What `deepdream recipe PATH` prints. */
async function printedRecipe(path: string): Promise<Record<string, unknown>> {
  const printed = await deepdream(['recipe', path]);
  assert.equal(printed.code, 0, printed.stderr);
  return JSON.parse(printed.stdout) as Record<string, unknown>;
}

/** The PNG frames a render kept in its work folder (--keep-frames). */
async function keptFrames(output: string): Promise<Buffer[]> {
  const folder = `${output}.frames`;
  const names = (await readdir(folder)).filter((n) => n.endsWith('.png')).sort();
  return Promise.all(names.map((n) => readFile(join(folder, n))));
}

describe('render recipes', () => {
  it('are embedded in a zoom MP4, printed by `deepdream recipe`, and reproduce the zoom byte for byte', async () => {
    const first = join(dir, 'zoom.mp4');
    const zoom = ['zoom', '--size', '32x24', '--frames', '4', '--zoom', '1.05', '--rotate', '2', '--seed', '9'];
    await quietly([...zoom, '--octaves', '1', '--steps', '2', '--color-lock', '0.5', '--keep-frames', '-o', first]);
    const recipe = await printedRecipe(first);
    assert.equal(recipe['kind'], 'zoom');
    assert.deepEqual(recipe['settings'], {
      colorLock: 0.5,
      fps: 25,
      frames: 4,
      move: { zoom: 1.05, rotate: 2, translateX: 0, translateY: 0 },
      schedule: [],
      size: { width: 32, height: 24 },
    });
    const options = recipe['options'] as Record<string, unknown>;
    assert.deepEqual([options['octaves'], options['steps'], options['seed']], [1, 2, 9]);

    // No flag but the output: every setting comes from the recipe, not from the flags' defaults.
    const again = join(dir, 'again.mp4');
    await quietly(['zoom', '--recipe-from', first, '--keep-frames', '-o', again]);
    assert.deepEqual(await keptFrames(again), await keptFrames(first));
    assert.deepEqual(await readFile(again), await readFile(first));
    assert.deepEqual(await readRecipeFile(again), recipe);
  });

  it('are kept by GIF, WebM and PNG sequence outputs, and flags typed override them', async () => {
    const first = join(dir, 'first.gif');
    await quietly(['zoom', '--size', '24x16', '--frames', '3', '--octaves', '1', '--steps', '1', '-o', first]);
    const recipe = await readRecipeFile(first);
    assert.equal((recipe['settings'] as { frames: number }).frames, 3);

    const webm = join(dir, 'shorter.webm');
    await quietly(['zoom', '--recipe-from', first, '--frames', '2', '--zoom', '1.1', '-o', webm]);
    assert.equal(await countFrames(webm), 2);
    const overridden = await readRecipeFile(webm);
    assert.deepEqual(overridden['settings'], {
      ...(recipe['settings'] as object),
      frames: 2,
      move: { zoom: 1.1, rotate: 0, translateX: 0, translateY: 0 },
    });
    assert.deepEqual(overridden['options'], recipe['options']);

    const sequence = join(dir, 'sequence');
    await quietly(['zoom', '--recipe-from', webm, '-o', `${sequence}/`]);
    assert.deepEqual((await readdir(sequence)).sort(), ['000000.png', '000001.png', 'recipe.json']);
    for (const path of [sequence, join(sequence, '%06d.png'), join(sequence, 'recipe.json')]) {
      assert.deepEqual(await readRecipeFile(path), overridden, path);
    }
  });

  it('of a zoom from a photo ask for the photo again', async () => {
    const first = join(dir, 'cat-zoom.gif');
    await quietly(['zoom', '--from', CAT, '--size', '24x16', '--frames', '1', '--steps', '1', '-o', first]);
    assert.deepEqual((await readRecipeFile(first))['from'], { name: 'cat.jpg', bytes: 27237 });
    assertOneLineError(
      await deepdream(['zoom', '--recipe-from', first, '-o', join(dir, 'x.gif'), ...FAKE_BACKEND]),
      /^deepdream: the recipe zooms from the photo cat\.jpg: pass it with --from$/m,
    );
    const again = join(dir, 'cat-again.gif');
    await quietly(['zoom', '--recipe-from', first, '--from', CAT, '-o', again]);
    assert.deepEqual(await readFile(again), await readFile(first));
  });

  it('of a video reproduce its frames from the same clip', async () => {
    const clip = join(dir, 'clip.mp4');
    await makeClip(clip, { seconds: 0.6, fps: 10 });
    const first = join(dir, 'video.mp4');
    await quietly(['video', clip, '--width', '32', '--frames', '4', '--blend', '0.3', '--steps', '1', '-o', first]);
    const recipe = await readRecipeFile(first);
    assert.equal(recipe['kind'], 'video');
    assert.deepEqual(recipe['input'], { name: 'clip.mp4', bytes: (await readFile(clip)).length });
    assert.deepEqual(recipe['settings'], { blend: 0.3, maxFrames: 4, preview: false, schedule: [], width: 32 });
    const again = join(dir, 'video-again.mp4');
    await quietly(['video', clip, '--recipe-from', first, '-o', again]);
    assert.deepEqual(await readFile(again), await readFile(first));
  });

  it('are refused by the other commands, in one line', async () => {
    const zoom = join(dir, 'kind.gif');
    await quietly(['zoom', '--size', '16x16', '--frames', '1', '--steps', '1', '-o', zoom]);
    assertOneLineError(
      await deepdream([CAT, '-o', join(dir, 'still.png'), '--recipe-from', zoom, ...FAKE_BACKEND]),
      /kind\.gif holds the recipe of a zoom, not of a still dream$/m,
    );
    const still = join(dir, 'still.png');
    await quietly(['--from-noise', '16x16', '--steps', '1', '-o', still]);
    assertOneLineError(
      await deepdream(['zoom', '--recipe-from', still, '-o', join(dir, 'y.gif'), ...FAKE_BACKEND]),
      /still\.png holds the recipe of a still dream, not of a zoom$/m,
    );
    assertOneLineError(
      await deepdream(['video', CAT, '--recipe-from', zoom, '-o', join(dir, 'z.gif'), ...FAKE_BACKEND]),
      /kind\.gif holds the recipe of a zoom, not of a video$/m,
    );
  });
});
