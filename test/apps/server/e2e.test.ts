/**
 * The page in a real headless Chromium: upload a photo, dream it (fake network), see and
 * download the result. Set STUDIO_SCREENSHOTS=<folder> to also save screenshots of the page
 * before and after the dream, at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { DreamRecipe } from '../../../src/apps/shared/recipe.js';
import { readRecipe } from '../../../src/node/image/recipe.js';
import { CHROMIUM, CHROMIUM_ARGS, downloadDream, skipWithoutChromium, VIEWPORTS } from '../../support/chromium.js';
import { fakeBackendModule, testServer } from './helpers.js';

const screenshots = process.env.STUDIO_SCREENSHOTS;

test('the studio page dreams a photo in Chromium', async (t) => {
  if (skipWithoutChromium(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'studio-e2e-'));
  // Slowed down for screenshots, so that one catches the dream in progress.
  const app = await testServer({ backendModule: fakeBackendModule(`kind=grid&delayMs=${screenshots ? 15 : 0}`) });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const cat = join(dir, 'cat.jpg');
    await writeFile(
      cat,
      await sharp(new URL('../../../examples/cat.jpg', import.meta.url).pathname)
        .resize(160)
        .jpeg()
        .toBuffer(),
    );

    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      if (name !== 'desktop' && !screenshots) continue;
      const page = await browser.newPage({ viewport, acceptDownloads: true });
      await page.goto(url);
      await page.getByLabel('Size').selectOption('256');
      await page.getByRole('radio', { name: /textures/ }).check();
      if (name === 'phone') await page.getByText('More choices').click();
      await capture(page, `${name}-before`);

      await page.locator('#photo').setInputFiles(cat);
      await page.getByRole('button', { name: 'Dream' }).click();
      if (screenshots) {
        await page.getByText(/^Scale /).waitFor();
        await capture(page, `${name}-during`);
      }
      const result = page.getByRole('img', { name: 'Dreamed photo', exact: true });
      await result.waitFor({ state: 'visible', timeout: 30_000 });
      await page.waitForFunction(() => (document.getElementById('result') as HTMLImageElement).naturalWidth > 0);
      assert.match(await page.locator('#status-text').innerText(), /^Done: 160×\d+ pixels\.$/);
      assert.equal(await page.getByRole('alert').isVisible(), false);
      assert.equal(await page.getByRole('img', { name: 'Original photo', exact: true }).isVisible(), true);
      await capture(page, `${name}-after`);

      const saved = join(dir, `${name}.png`);
      assert.equal(await downloadDream(page, saved), 'cat-dream.png');
      const meta = await sharp(saved).metadata();
      assert.deepEqual([meta.format, meta.width], ['png', 160]);
      const recipe = (await readRecipe(saved)) as unknown as DreamRecipe;
      assert.deepEqual(recipe.options.layers, [{ name: 'mixed1', weight: 1 }]);
      assert.equal(recipe.maxSize, 256);
      await page.close();
    }
  } finally {
    await browser.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the page shows the server refusing a photo', async (t) => {
  if (skipWithoutChromium(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'studio-e2e-'));
  const app = await testServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // Named like a photo and typed image/jpeg by the browser, but not one.
    const fake = join(dir, 'broken.jpg');
    await writeFile(fake, 'this is not really a photo');
    const page = await browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(url);
    await page.locator('#photo').setInputFiles(fake);
    await page.getByRole('button', { name: 'Dream' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    assert.equal(await alert.innerText(), 'Cannot read broken.jpg: not a supported image (corrupt or truncated?)');
    assert.equal(await page.getByRole('button', { name: 'Dream' }).isEnabled(), true);
    assert.match(await page.locator('#original-placeholder').innerText(), /No preview in this browser/);
    await capture(page, 'phone-error');
  } finally {
    await browser.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function capture(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `studio-${name}.png`), fullPage: true });
}
