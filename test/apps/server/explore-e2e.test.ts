/**
 * The explore page in a real headless Chromium, under the studio's Content Security Policy, on the
 * bundled InceptionV3 (thumbnails of 3 steps; the fake network dreams the layer strip). Set
 * STUDIO_SCREENSHOTS=<folder> to also save screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { installedModelCatalog } from '../../../src/apps/server/catalog.js';
import { CHROMIUM, CHROMIUM_ARGS, skipWithoutChromium, VIEWPORTS } from '../../support/chromium.js';
import { examplePhoto, testServer } from './helpers.js';

const screenshots = process.env.STUDIO_SCREENSHOTS;

const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";

/** InceptionV3's key layers: where its branches join. */
const KEY_LAYERS = ['mixed0', 'mixed1', 'mixed2', 'mixed3', 'mixed4', 'mixed5'];

/** Thumbnails of the grid that have loaded, by channel. */
const loadedChannels = (page: Page) =>
  page.$$eval('#grid .cell', (cells) =>
    cells.flatMap((cell, channel) =>
      (cell.querySelector('img') as HTMLImageElement).naturalWidth > 0 ? [channel] : [],
    ),
  );

test('the explore page: layers, a channel grid filling in, the large view, the strip and an explanation', async (t) => {
  if (skipWithoutChromium(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'explore-e2e-'));
  const app = await testServer({ catalog: installedModelCatalog(), dataDir: dir, exploreSettings: { steps: 3 } });
  app.addHook('onSend', async (_request, reply) => void reply.header('content-security-policy', CSP));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    const cat = { name: 'cat.jpg', mimeType: 'image/jpeg', buffer: await examplePhoto('cat', 240) };
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    const problems: string[] = [];
    page.on('console', (m) => /Content Security Policy/.test(m.text()) && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    // The browser's own favicon request aside, nothing fails.
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(r.url()));
    await page.goto(`${url}/explore`);
    assert.equal(await page.getByRole('link', { name: '← Dream studio' }).getAttribute('href'), '/');

    // Key layers first, low to high, each with its shape and plain word.
    const layers = page.locator('#layers button');
    await layers.first().waitFor();
    assert.deepEqual(await page.locator('#layers .name').allInnerTexts(), KEY_LAYERS);
    assert.equal(await layers.first().innerText(), 'mixed0\n256×35×35\nstrokes');
    await page.getByLabel(/Show all \d+ layers/).check();
    assert.ok((await layers.count()) > 50);
    await page.getByLabel(/Show all \d+ layers/).uncheck();

    await page.getByRole('button', { name: /^mixed0/ }).click();
    assert.equal(await page.locator('#grid .cell').count(), 256);
    await page.waitForFunction(() => document.querySelectorAll('#grid img[src]').length >= 6, null, {
      timeout: 120_000,
    });
    const loaded = await loadedChannels(page);
    assert.ok(loaded.length >= 6);
    const onScreen = await page.$$eval(
      '#grid .cell',
      (cells) => cells.filter((c) => c.getBoundingClientRect().top < window.innerHeight).length,
    );
    assert.ok(
      loaded.every((c) => c < onScreen),
      `only thumbnails on screen are rendered: ${loaded} (${onScreen} on screen)`,
    );
    await capture(page, 'desktop-grid');

    // The large view, its neighbours, the keyboard, and the link to the dream form.
    await page.locator('#grid .cell').nth(loaded[0]!).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    assert.equal(await page.locator('#channel-title').innerText(), `inception_v3 · mixed0 · channel ${loaded[0]}`);
    assert.equal(
      await page.locator('#dream-link').getAttribute('href'),
      `/#model=inception_v3&layer=mixed0&channel=${loaded[0]}`,
    );
    await page.waitForFunction(() => (document.getElementById('channel-image') as HTMLImageElement).naturalWidth > 0);
    assert.ok((await page.locator('#neighbours button').count()) >= 4);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#channel-title').innerText(), `inception_v3 · mixed0 · channel ${loaded[0]! + 1}`);
    await capture(page, 'desktop-channel');
    const dreamLink = (await page.locator('#dream-link').getAttribute('href'))!;
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    // The layer strip: one dream per key layer, lowest first.
    await page.locator('#photo').setInputFiles(cat);
    await page.getByRole('button', { name: 'Dream it at every layer' }).click();
    await page.locator('#strip-status').getByText('6 of 6 layers dreamed.').waitFor({ timeout: 60_000 });
    assert.deepEqual(await page.locator('#strip figcaption strong').allInnerTexts(), KEY_LAYERS);
    assert.equal(await page.locator('#strip figure.pending').count(), 0);

    // Explain: heat maps over the photo and each channel's picture.
    await page.locator('#explain-layer').selectOption('mixed2');
    await page.locator('#explain-top').selectOption('4');
    await page.getByRole('button', { name: 'Explain my photo' }).click();
    await page.locator('.explained').nth(3).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.explained').count(), 4);
    assert.match(await page.locator('#explain-status').innerText(), /^The 4 channels of mixed2 \(patterns\)/);
    assert.match(
      (await page.locator('.explained a').first().getAttribute('href'))!,
      /^\/#model=inception_v3&layer=mixed2&channel=\d+$/,
    );
    await page.waitForFunction(() =>
      [...document.querySelectorAll('.explained img.heat')].every((i) => (i as HTMLImageElement).naturalWidth === 240),
    );
    await page.locator('.explained').first().scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelectorAll('.explained img[src^="blob:"]').length === 4, null, {
      timeout: 120_000,
    });
    await capture(page, 'desktop-explain');
    assert.equal(await page.getByRole('alert').isVisible(), false);

    // "Dream my photo with this channel" opens the dream form with the model, layer and channel.
    await page.goto(`${url}${dreamLink}`);
    await page.waitForFunction(() => (document.getElementById('layer') as HTMLSelectElement).value === 'mixed0');
    assert.equal(await page.locator('#channel').inputValue(), String(loaded[0]! + 1));
    assert.equal(await page.locator('#model').inputValue(), 'inception_v3');
    assert.deepEqual(problems, []);
    await page.close();

    // At phone width, with the keyboard only: no horizontal overflow.
    const phone = await browser.newPage({ viewport: VIEWPORTS.phone });
    await phone.goto(`${url}/explore`);
    await phone.getByRole('button', { name: /^mixed1/ }).focus();
    await phone.keyboard.press('Enter');
    await phone.locator('#grid .cell').first().waitFor();
    await phone.waitForFunction(() => document.querySelectorAll('#grid img[src]').length >= 2, null, {
      timeout: 120_000,
    });
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await phone.locator('#grid .cell').first().focus();
    await phone.keyboard.press('Enter');
    await phone.getByRole('dialog').waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await capture(phone, 'phone-channel');
    await phone.keyboard.press('Escape');
    await capture(phone, 'phone-grid');
    await phone.close();
  } finally {
    await browser.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
});

async function capture(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `explore-${name}.png`), fullPage: true });
}
