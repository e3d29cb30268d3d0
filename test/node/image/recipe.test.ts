import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readRecipe, recipeFromXmp, recipeToXmp } from '../../../src/node/image/recipe.js';
import { writeImage } from '../../../src/node/image/write.js';
import { gradientImage, tempFolder } from './fixtures.js';

const recipe = {
  program: 'inceptionism 0.1.0',
  model: 'inception_v3',
  layers: [{ name: 'mixed4', weight: 1.5 }],
  seed: 4294967295,
  input: { name: 'Café <&> "quotes" \'こんにちは\' 🐶.jpg', bytes: 123456 },
  note: 'line\nbreak\ttab \u0001 control </inceptionism:recipe>',
};

describe('recipe metadata', () => {
  for (const extension of ['png', 'jpg', 'webp', 'avif', 'tiff']) {
    it(`is embedded in .${extension} and read back`, async () => {
      const path = join(await tempFolder(), `dream.${extension}`);
      await writeImage(path, gradientImage(16, 16), { recipe });
      assert.deepEqual(await readRecipe(path), recipe);
    });
  }

  it('is undefined for an image without one', async () => {
    const path = join(await tempFolder(), 'plain.png');
    await writeImage(path, gradientImage(8, 8));
    assert.equal(await readRecipe(path), undefined);
  });

  it('round-trips through XMP text', () => {
    const xmp = recipeToXmp(recipe);
    assert.match(xmp, /^<\?xpacket begin=/);
    assert.deepEqual(recipeFromXmp(xmp), recipe);
    assert.equal(recipeFromXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>'), undefined);
  });

  it('refuses a file that is not an image with one line', async () => {
    const path = join(await tempFolder(), 'notes.png');
    await writeFile(path, 'hello');
    await assert.rejects(readRecipe(path), {
      message: `cannot read ${path}: not a supported image (corrupt or truncated?)`,
    });
    await assert.rejects(readRecipe(join(path, 'x.png')), /cannot read .*x\.png: /);
  });
});
