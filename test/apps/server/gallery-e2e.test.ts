/**
 * The page on the durable studio (data folder, owner cookies, share links) in headless Chromium:
 * "My dreams" after a reload, previews while a dream runs, "Dream again" and "Change settings",
 * a share link opened in a second browser (another owner), who cannot delete the dream, and the
 * page finding its dream again after the server is killed and restarted. Set
 * STUDIO_SCREENSHOTS=<folder> to save screenshots.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { VIEWPORTS } from '../../support/chromium.js';
import {
  assertNoHorizontalOverflow,
  dreamIdOf,
  dreamThroughPage,
  killMidDream,
  serveProcess,
  smallCat,
  waitForResult,
  withBrowser,
  withStudio,
} from './page.js';

const screenshots = process.env.STUDIO_SCREENSHOTS;

/** A dream as the API reports it, fetched by `page` (with its browser's owner cookie). */
function viewIn(page: Page, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async (path) => {
    const response = await fetch(path);
    return { status: response.status, body: await response.json() };
  }, `/api/dreams/${id}`);
}

test('"My dreams" lists the dream after a reload and opens it with its original', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    for (const [name, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(url);
      await page.getByLabel('Size').selectOption('256');
      await dreamThroughPage(page, await smallCat(dir));
      const id = dreamIdOf(page);

      await page.goto(url); // the studio's address, without the dream's
      const tile = page.getByRole('button', { name: 'Open cat.jpg: Done: 160×106 pixels.' });
      await tile.waitFor();
      assert.equal(await page.locator('#gallery-grid > li').count(), 1);
      await page.waitForFunction(() =>
        [...document.querySelectorAll<HTMLImageElement>('#gallery-grid img')].every((img) => img.naturalWidth > 0),
      );
      assert.deepEqual(
        await page.locator('#gallery-grid img').evaluateAll((imgs) => imgs.map((img) => img.className)),
        ['tile-dream', 'tile-original'],
      );
      await assertNoHorizontalOverflow(page);
      await capture(page, `${name}-gallery`);

      await tile.click();
      assert.match(await waitForResult(page), /^Done: 160×106 pixels\.$/);
      assert.equal(dreamIdOf(page), id);
      // The original comes from the server now: the slider compares it with the dream.
      await page.waitForFunction(() => (document.getElementById('original') as HTMLImageElement).naturalWidth === 160);
      assert.equal(await page.getByRole('slider', { name: /^Before and after/ }).isVisible(), true);
      await context.close();
    }
  }));

test('while a dream runs the page shows its preview after each scale', (t) =>
  withStudio(t, 'kind=grid&delayMs=40', async ({ url, browser, dir }) => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(url);
    await page.getByLabel('Size').selectOption('768');
    const photo = join(dir, 'wide.png');
    await writeFile(
      photo,
      await sharp(await smallCat(dir, 800))
        .png()
        .toBuffer(),
    );
    await page.locator('#photo').setInputFiles(photo);
    await page.getByRole('button', { name: 'Dream', exact: true }).click();
    const preview = page.getByRole('img', { name: 'The dream so far (preview)' });
    await preview.waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#viewer-caption').innerText(), /^Dreaming… the dream after scale 1 of 3$/);
    assert.match(await page.locator('#status-text').innerText(), /^Scale [23] of 3/);
    assert.equal(await preview.evaluate((img: HTMLImageElement) => img.naturalWidth), 512);
    await capture(page, 'desktop-preview');
    assert.match(await waitForResult(page), /^Done: 768×\d+ pixels\.$/);
  }));

test('"Dream again" dreams the result once more; "Change settings" brings back its photo and settings', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
    await page.goto(url);
    await page.getByLabel('Size').selectOption('256');
    await page.getByRole('radio', { name: /textures/ }).check();
    await page.getByText('More choices').click();
    await page.getByLabel('Variation (seed)').fill('7');
    await dreamThroughPage(page, await smallCat(dir));
    const first = dreamIdOf(page);

    await page.getByRole('button', { name: 'Dream again (go deeper)' }).click();
    await page.waitForFunction((id) => !location.hash.includes(id), first);
    assert.match(await waitForResult(page), /^Done: 160×106 pixels\.$/);
    const deeper = await viewIn(page, dreamIdOf(page));
    assert.equal(deeper.body.parent, first);
    assert.deepEqual([deeper.body.status, (deeper.body.settings as { preset: string }).preset], ['done', 'textures']);

    // From a fresh page, so the photo comes from the server, not from this page's memory.
    await page.goto(`${url}/#dream=${first}`);
    await waitForResult(page);
    await page.reload();
    await waitForResult(page);
    await page.getByRole('button', { name: 'Change settings' }).click();
    await page.locator('#photo-thumb').waitFor();
    assert.equal(await page.getByRole('radio', { name: /textures/ }).isChecked(), true);
    assert.equal(await page.getByLabel('Size').inputValue(), '256');
    assert.equal(await page.getByLabel('Variation (seed)').inputValue(), '7');
    assert.equal(await page.locator('#drop-text strong').innerText(), 'cat.jpg');
    await page.getByRole('radio', { name: /objects/ }).check();
    await page.getByRole('button', { name: 'Dream', exact: true }).click();
    await page.waitForFunction((id) => !location.hash.includes(id), first);
    assert.match(await waitForResult(page), /^Done: 160×106 pixels\.$/);
    const changed = await viewIn(page, dreamIdOf(page));
    assert.deepEqual(changed.body.settings, { ...(deeper.body.settings as object), preset: 'objects' });
  }));

test('a share link works in another browser, which can neither see the dream otherwise nor delete it', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    const owner = await browser.newContext({ viewport: VIEWPORTS.desktop });
    const page = await owner.newPage();
    await owner.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto(url);
    await page.getByLabel('Size').selectOption('256');
    await dreamThroughPage(page, await smallCat(dir));
    const id = dreamIdOf(page);
    await page.getByRole('button', { name: 'Share a link' }).click();
    const link = page.getByLabel(/^Anyone with this link/);
    await link.waitFor();
    const shareUrl = await link.inputValue();
    assert.match(shareUrl, new RegExp(`^${url}/s/[\\w-]{16,}$`));
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Link copied.').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shareUrl);
    await capture(page, 'desktop-shared-by-owner');

    const stranger = await browser.newContext({ viewport: VIEWPORTS.phone });
    const other = await stranger.newPage();
    await other.goto(shareUrl);
    await other.getByRole('img', { name: 'Dreamed photo', exact: true }).waitFor();
    await other.waitForFunction(() => (document.getElementById('result') as HTMLImageElement).naturalWidth === 160);
    assert.equal(await other.locator('#viewer-caption').innerText(), 'A shared dream: cat.jpg');
    assert.equal(await other.getByRole('link', { name: /Download the dream/ }).isVisible(), true);
    for (const control of ['Delete', 'Share a link', 'Dream', 'Change settings']) {
      assert.equal(await other.getByRole('button', { name: control, exact: true }).isVisible(), false, control);
    }
    await assertNoHorizontalOverflow(other);
    await capture(other, 'phone-shared');

    // Without the link the dream is not there for the stranger, and deleting it is refused.
    await other.goto(`${url}/#dream=${id}`);
    await other.getByText('This dream is not on the studio server any more.').waitFor();
    const refused = await other.evaluate(async (path) => {
      const response = await fetch(path, { method: 'DELETE' });
      return { status: response.status, body: await response.json() };
    }, `/api/dreams/${id}`);
    assert.deepEqual(refused, { status: 404, body: { error: `no dream '${id}'` } });
    assert.equal((await viewIn(page, id)).body.status, 'done');

    // Once the owner stops sharing, the link shows nothing.
    await page.getByRole('button', { name: 'Stop sharing' }).click();
    await page.getByText('Sharing stopped: the link no longer works.').waitFor();
    await other.goto(shareUrl);
    await other.getByText(/^This link does not show a dream/).waitFor();

    // The owner deletes it: gone from the page and from "My dreams".
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText('The dream was deleted.').waitFor();
    assert.equal((await viewIn(page, id)).status, 404);
    await page.waitForFunction(() => document.querySelectorAll('#gallery-grid > li').length === 0);
  }));

test('the page finds its dream again after the server is killed and restarted, and it finishes', (t) =>
  withBrowser(t, async ({ browser, dir }) => {
    const query = 'kind=grid&delayMs=300';
    const first = await serveProcess(dir, query);
    let { server } = first;
    try {
      const page = await browser.newPage({ viewport: VIEWPORTS.phone });
      await killMidDream(page, first.url, server, dir);
      ({ server } = await serveProcess(dir, query, new URL(first.url).port));
      assert.match(await waitForResult(page), /^Done: 160×106 pixels\.$/);
      assert.equal(await page.getByRole('alert').isVisible(), false);
    } finally {
      server.kill('SIGKILL');
    }
  }));

async function capture(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `studio-${name}.png`), fullPage: true });
}
