import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { planDreamFiles } from '../../../src/apps/cli/dream-files.js';

describe('planDreamFiles', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inceptionism-dream-files-'));
    await mkdir(join(dir, 'photos'));
    for (const name of ['b.jpg', 'a.png', 'c.GIF', 'notes.txt']) await writeFile(join(dir, 'photos', name), 'x');
    await mkdir(join(dir, 'empty'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sends one photo to one output file', async () => {
    const input = join(dir, 'photos', 'a.png');
    assert.deepEqual(await planDreamFiles([input], join(dir, 'out.webp')), [{ input, output: join(dir, 'out.webp') }]);
    await assert.rejects(
      planDreamFiles([input], join(dir, 'out.bmp')),
      /cannot write .*out\.bmp: unknown image extension/,
    );
    await assert.rejects(planDreamFiles([input], input), /would overwrite it/);
  });

  it('sends one photo into an existing folder or one named with a trailing slash', async () => {
    const input = join(dir, 'photos', 'b.jpg');
    assert.deepEqual(await planDreamFiles([input], join(dir, 'empty')), [
      { input, output: join(dir, 'empty', 'b.jpg') },
    ]);
    const made = join(dir, 'made') + '/';
    assert.deepEqual(await planDreamFiles([input], made), [{ input, output: join(made, 'b.jpg') }]);
    assert.ok((await stat(made)).isDirectory());
  });

  it('sends a folder of photos into an output folder, keeping names, GIF as PNG', async () => {
    const out = join(dir, 'dreams');
    const files = await planDreamFiles([join(dir, 'photos')], out);
    assert.deepEqual(files, [
      { input: join(dir, 'photos', 'a.png'), output: join(out, 'a.png') },
      { input: join(dir, 'photos', 'b.jpg'), output: join(out, 'b.jpg') },
      { input: join(dir, 'photos', 'c.GIF'), output: join(out, 'c.png') },
    ]);
    assert.ok((await stat(out)).isDirectory());
  });

  it('refuses what cannot work, before any dreaming', async () => {
    const photos = join(dir, 'photos');
    await assert.rejects(
      planDreamFiles([join(dir, 'missing.jpg')], join(dir, 'o.png')),
      /cannot read .*missing\.jpg: no such file/,
    );
    await assert.rejects(planDreamFiles([join(dir, 'empty')], join(dir, 'o')), /no photos in folder .*empty/);
    await assert.rejects(
      planDreamFiles([photos], join(dir, 'one.png')),
      /must be a folder when dreaming several photos/,
    );
    await assert.rejects(
      planDreamFiles([join(photos, 'a.png'), join(photos, 'b.jpg')], join(photos, 'notes.txt')),
      /must be a folder/,
    );
    await mkdir(join(dir, 'p2'));
    await writeFile(join(dir, 'p2', 'a.gif'), 'x');
    await assert.rejects(
      planDreamFiles([photos, join(dir, 'p2')], join(dir, 'clash')),
      /a\.png and .*a\.gif would both be written/,
    );
  });

  it('plans a single output for a dream from noise', async () => {
    assert.deepEqual(await planDreamFiles([], 'noise.png'), [{ output: 'noise.png' }]);
    await assert.rejects(planDreamFiles([], 'noise'), /unknown image extension/);
  });
});
