/** The real `deepdream` executable, run as a child process (dreams use a fake network). */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readImage } from '../../../src/node/image/read.js';
import { readRecipe } from '../../../src/node/image/recipe.js';
import { assertOneLineError, deepdream, fakeBackendFlags } from '../../support/cli.js';

/** Dreams in these tests use the fake network. */
const FAKE_BACKEND = fakeBackendFlags();
const CAT = new URL('../../../examples/cat.jpg', import.meta.url).pathname;

describe('deepdream CLI', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('--help shows usage, options, subcommands and examples', async () => {
    const { code, stdout } = await deepdream(['--help']);
    assert.equal(code, 0);
    for (const text of [
      'Usage: deepdream',
      '--layer <name[:weight]>',
      '--from-noise <WxH>',
      'layers',
      'recipe <file>',
      'Examples:',
    ]) {
      assert.ok(stdout.includes(text), text);
    }
  });

  it('--version prints the version from package.json', async () => {
    assert.deepEqual(await deepdream(['--version']), { code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('refuses bad flags and values with one line', async () => {
    assertOneLineError(await deepdream(['--bogus']), /^deepdream: unknown option '--bogus'$/m);
    assertOneLineError(
      await deepdream([CAT, '-o', 'x.png', '--steps', '5000']),
      /^deepdream: --steps must be an integer from 1 to 1000 \(got 5000\)$/m,
    );
  });

  it('reports unreadable photos and unwritable outputs in one line, leaving no file', async () => {
    const text = join(dir, 'text.jpg');
    await writeFile(text, 'not a photo');
    assertOneLineError(
      await deepdream([text, '-o', join(dir, 'a.png'), ...FAKE_BACKEND]),
      /cannot read .*text\.jpg: not a supported image \(corrupt or truncated\?\)/,
    );
    assertOneLineError(
      await deepdream([
        CAT,
        '-o',
        join(dir, 'no', 'such', 'folder.png'),
        '--max-size',
        '64',
        '--steps',
        '1',
        '-q',
        ...FAKE_BACKEND,
      ]),
      /cannot write .*folder\.png: folder .*such does not exist/,
    );
    assert.deepEqual(await readdir(dir), ['text.jpg']);
  });

  it('prints a stack trace only with DEEPDREAM_DEBUG=1', async () => {
    const { code, stderr } = await deepdream(['missing.jpg', '-o', 'x.png'], { DEEPDREAM_DEBUG: '1' });
    assert.notEqual(code, 0);
    assert.match(stderr, /cannot read missing\.jpg: no such file\n\s+at /);
  });

  it('dreams a photo, embeds the recipe and reproduces the dream from it', async () => {
    const first = join(dir, 'first.png');
    const run = await deepdream([
      CAT,
      '-o',
      first,
      '--max-size',
      '96',
      '--octaves',
      '2',
      '--steps',
      '2',
      '--layer',
      'mixed3',
      '--layer',
      'mixed5:1.5',
      '--seed',
      '7',
      ...FAKE_BACKEND,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /cat\.jpg: wrote .*first\.png in /, 'plain progress lines when piped');
    const dreamed = await readImage(first);
    assert.deepEqual([dreamed.width, dreamed.height], [96, 64]);
    const original = await readImage(CAT, { maxSize: 96 });
    assert.notDeepEqual(dreamed.image.data, original.image.data, 'the dream changed the photo');

    const recipe = await readRecipe(first);
    assert.deepEqual(recipe?.input, { name: 'cat.jpg', bytes: 27237 });
    assert.equal(recipe?.maxSize, 96);
    assert.equal(recipe?.version, '0.1.0');
    assert.deepEqual((recipe?.options as Record<string, unknown>).layers, [
      { name: 'mixed3', weight: 1 },
      { name: 'mixed5', weight: 1.5 },
    ]);
    assert.equal((recipe?.options as Record<string, unknown>).seed, 7);

    const printed = await deepdream(['recipe', first]);
    assert.equal(printed.code, 0);
    assert.deepEqual(JSON.parse(printed.stdout), recipe);

    const again = join(dir, 'again.png');
    const rerun = await deepdream([CAT, '-o', again, '--recipe-from', first, '--quiet', ...FAKE_BACKEND]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(rerun.stderr, '', '--quiet prints nothing');
    assert.deepEqual((await readImage(again)).image.data, dreamed.image.data);
    assert.deepEqual(await readRecipe(again), recipe);
  });

  it('records the octave count that followed the photo size, so --recipe-from repeats it', async () => {
    // cat.jpg is 451 px wide: two octaves fewer than the 4 of a 1024-px photo.
    const first = join(dir, 'octaves.png');
    const run = await deepdream([CAT, '-o', first, '--max-size', '0', '--steps', '1', '-q', ...FAKE_BACKEND]);
    assert.equal(run.code, 0, run.stderr);
    const recipe = await readRecipe(first);
    assert.equal((recipe?.options as Record<string, unknown>).octaves, 2);
    // A 200-px dream would get 1 octave; the recipe's count wins.
    const again = join(dir, 'octaves-again.png');
    const rerunArgs = [CAT, '-o', again, '--recipe-from', first, '--max-size', '200', '-q'];
    const rerun = await deepdream([...rerunArgs, ...FAKE_BACKEND]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.equal(((await readRecipe(again))?.options as Record<string, unknown>).octaves, 2);
  });

  it('dreams from noise with JSON progress lines', async () => {
    const out = join(dir, 'noise.webp');
    const { code, stdout, stderr } = await deepdream([
      '--from-noise',
      '80x48',
      '-o',
      out,
      '--octaves',
      '1',
      '--steps',
      '2',
      '--json',
      ...FAKE_BACKEND,
    ]);
    assert.equal(code, 0, stderr);
    const events = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; step?: number });
    assert.deepEqual(
      events.map((e) => `${e.event}${e.step ?? ''}`),
      ['start', 'progress1', 'progress2', 'done'],
    );
    const { width, height } = await readImage(out);
    assert.deepEqual([width, height], [80, 48]);
    assert.deepEqual((await readRecipe(out))?.input, { noise: { width: 80, height: 48 } });
  });

  it('dreams and zooms with the backend of --backend-module, or of DEEPDREAM_BACKEND_MODULE', async () => {
    const refusing = new URL('../../support/fake-backend-module.ts?kind=fail', import.meta.url).href;
    const noise = ['--from-noise', '16x16', '-o', join(dir, 'refused.png'), '-q'];
    const refused = /^deepdream: fake backend refused: no such model$/m;
    assertOneLineError(await deepdream([...noise, '--backend-module', refusing]), refused);
    assertOneLineError(await deepdream(noise, { DEEPDREAM_BACKEND_MODULE: refusing }), refused);
    const zoom = ['zoom', '--size', '16x16', '--frames', '1', '-o', join(dir, 'refused.gif'), '-q'];
    assertOneLineError(await deepdream([...zoom, '--backend-module', refusing]), refused);
  });

  it('lists the layers of a bundled model', async () => {
    const { code, stdout, stderr } = await deepdream(['layers', '--model', 'mobilenet_v2', '--json']);
    assert.equal(code, 0, stderr);
    const layers = JSON.parse(stdout) as { name: string; dreamable: boolean; channels: number; shape: number[] }[];
    const expand = layers.find((l) => l.name === 'block_6_expand_relu');
    assert.deepEqual(expand && { dreamable: expand.dreamable, channels: expand.channels }, {
      dreamable: true,
      channels: 192,
    });
    assert.ok(layers.some((l) => !l.dreamable));
    assertOneLineError(await deepdream(['layers', '--model', 'nope']), /unknown model 'nope'/);
  });
});
