/**
 * The page in a real headless Chromium: upload a photo, dream it (fake network), see it against
 * the original with the before/after slider, download it, reload and find it again; the phone
 * layout, keyboard focus, "Compare looks", and a server that stops mid-dream. Set
 * STUDIO_SCREENSHOTS=<folder> to also save screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import type { DreamRecipe } from '../../../src/apps/shared/recipe.js';
import { readRecipe } from '../../../src/node/image/recipe.js';
import { downloadDream, VIEWPORTS } from '../../support/chromium.js';
import {
  assertNoHorizontalOverflow,
  dreamIdOf,
  inView,
  killMidDream,
  recordStatus,
  serveProcess,
  smallCat,
  statusTexts,
  tabThrough,
  underStudioCsp,
  waitForResult,
  withBrowser,
  withStudio,
} from './page.js';

const screenshots = process.env.STUDIO_SCREENSHOTS;

test('the studio page dreams a photo in Chromium under its CSP, compares it with the original, and keeps it on reload', (t) =>
  withStudio(t, 'kind=grid&delayMs=15', async ({ url, browser, dir }) => {
    const cat = await smallCat(dir);

    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const page = await browser.newPage({ viewport, acceptDownloads: true });
      const violations = await underStudioCsp(page);
      await page.goto(url);
      await page.getByLabel('Size').selectOption('256');
      await page.getByRole('radio', { name: /textures/ }).check();
      if (name === 'phone') await page.getByText('More choices').click();
      await assertNoHorizontalOverflow(page);
      await capture(page, `${name}-before`);

      await page.locator('#photo').setInputFiles(cat);
      await recordStatus(page);
      await page.getByRole('button', { name: 'Dream', exact: true }).click();
      if (screenshots) {
        await page.getByText(/^Scale /).waitFor();
        await capture(page, `${name}-during`);
      }
      assert.match(await waitForResult(page), /^Done: 160×\d+ pixels\.$/);
      const seen = await statusTexts(page);
      assert.ok(
        seen.some((text) => /^Scale 1 of 1 · step \d+ of 10 · \d+%/.test(text)),
        `no progress shown: ${seen.join(' | ')}`,
      );
      assert.equal(await page.getByRole('alert').isVisible(), false);
      assert.equal(await page.getByRole('img', { name: 'Original photo', exact: true }).isVisible(), true);
      const id = dreamIdOf(page);

      // The slider: half and half at first, then moved with the keyboard.
      const slider = page.getByRole('slider', { name: /^Before and after/ });
      assert.equal(await slider.inputValue(), '50');
      await slider.focus();
      for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
      assert.equal(await slider.inputValue(), '53');
      assert.equal(await slider.getAttribute('aria-valuetext'), '47% dream');
      assert.equal(await page.locator('#dream-layer').evaluate((e) => e.style.clipPath), 'inset(0px 0px 0px 53%)');
      if (name === 'phone') {
        // The result is below the form on a phone: the page brought it into view.
        await page.waitForFunction(() => {
          const box = document.getElementById('viewer')!.getBoundingClientRect();
          return box.top >= 0 && box.bottom <= window.innerHeight;
        });
        assert.equal(await inView(page, '#viewer'), true);
      }
      await assertNoHorizontalOverflow(page);
      await capture(page, `${name}-after`, { fullPage: name === 'desktop' });

      const saved = join(dir, `${name}.png`);
      assert.equal(await downloadDream(page, saved), 'cat-dream.png');
      const meta = await sharp(saved).metadata();
      assert.deepEqual([meta.format, meta.width], ['png', 160]);
      const recipe = (await readRecipe(saved)) as unknown as DreamRecipe;
      assert.deepEqual(recipe.options.layers, [{ name: 'mixed1', weight: 1 }]);
      assert.equal(recipe.maxSize, 256);

      // The address names the dream: a reload shows it again, done, without uploading anything.
      await page.reload();
      assert.match(await waitForResult(page), /^Done: 160×\d+ pixels\.$/);
      assert.equal(dreamIdOf(page), id);
      assert.equal(await page.getByRole('link', { name: /Download the dream/ }).isVisible(), true);
      await assertNoHorizontalOverflow(page);
      assert.deepEqual(violations, []);
      await page.close();
    }
  }));

test('every control of the page shows where the keyboard focus is', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    const page = await browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(url);
    await page.getByLabel('Size').selectOption('256');
    await page.locator('#photo').setInputFiles(await smallCat(dir));
    await page.getByRole('button', { name: 'Dream', exact: true }).click();
    await waitForResult(page);
    const focused = await tabThrough(page);
    const names = focused.map((f) => f.element);
    for (const expected of [
      'a Explore the network',
      'input photo',
      'input slider',
      'a download',
      'button dream-again',
    ]) {
      assert.ok(names.includes(expected), `${expected} is not reached by Tab: ${names.join(', ')}`);
    }
    assert.deepEqual(
      focused.filter((f) => !f.ring).map((f) => f.element),
      [],
      'focused without a visible ring',
    );
    await page.locator('#slider').focus();
    await capture(page, 'phone-focus', { fullPage: false });
  }));

test('"Compare looks" dreams the photo with every look and shows them side by side', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(url);
    await page.getByLabel('Size').selectOption('256');
    await page.locator('#photo').setInputFiles(await smallCat(dir));
    await page.getByRole('button', { name: 'Compare looks' }).click();
    const tiles = page.locator('#compare-grid button');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll<HTMLImageElement>('#compare-grid img.tile-dream')].filter(
          (img) => img.complete && img.naturalWidth > 0,
        ).length === 3,
    );
    assert.deepEqual(await tiles.locator('strong').allInnerTexts(), ['eyes', 'textures', 'objects']);
    assert.deepEqual(
      await tiles.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label'))),
      ['eyes', 'textures', 'objects'].map((look) => `Open ${look}: Done: 160×106 pixels.`),
    );
    await assertNoHorizontalOverflow(page);
    await capture(page, 'desktop-compare');

    // Each tile opens its dream in the viewer, under its own address.
    await tiles.nth(1).click();
    await waitForResult(page);
    const id = dreamIdOf(page);
    const view = await page.evaluate((path) => fetch(path).then((r) => r.json()), `/api/dreams/${id}`);
    assert.deepEqual([view.status, view.width], ['done', 160]);
  }));

test('a server that stops mid-dream: the page says it is reconnecting, not "Waiting in line"', (t) =>
  withBrowser(t, async ({ browser, dir }) => {
    const { server, url } = await serveProcess(dir, 'kind=grid&delayMs=400');
    try {
      const page = await browser.newPage({ viewport: VIEWPORTS.phone });
      await killMidDream(page, url, server, dir);
      assert.equal(await page.getByRole('alert').isVisible(), false);
      assert.doesNotMatch(await page.locator('#status-text').innerText(), /Waiting in line/);
      assert.equal(await page.getByRole('button', { name: 'Cancel' }).isVisible(), true);
      await capture(page, 'phone-reconnecting', { fullPage: false });
    } finally {
      server.kill('SIGKILL');
    }
  }));

test('the page shows the server refusing a photo', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    // Named like a photo and typed image/jpeg by the browser, but not one.
    const fake = join(dir, 'broken.jpg');
    await writeFile(fake, 'this is not really a photo');
    const page = await browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(url);
    await page.locator('#photo').setInputFiles(fake);
    await page.getByRole('button', { name: 'Dream', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor({ state: 'visible' });
    assert.equal(await alert.innerText(), 'Cannot read broken.jpg: not a supported image (corrupt or truncated?)');
    assert.equal(await page.getByRole('button', { name: 'Dream', exact: true }).isEnabled(), true);
    assert.match(await page.locator('#viewer-placeholder').innerText(), /No preview in this browser/);
    await capture(page, 'phone-error');
  }));

async function capture(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `studio-${name}.png`), fullPage });
}
