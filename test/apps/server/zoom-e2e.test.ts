/**
 * An endless zoom through the page in headless Chromium: choosing it shows its knobs, the viewer
 * shows frames while it runs (and again after a reload), then plays the MP4, which downloads as
 * one; "My dreams" shows it as a video tile, a share link plays it to another browser, "Change
 * settings" brings its knobs back, and a finished picture can be zoomed into. Set
 * STUDIO_SCREENSHOTS=<folder> to save screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { VIEWPORTS } from '../../support/chromium.js';
import {
  assertNoHorizontalOverflow,
  capture,
  dreamIdOf,
  dreamThroughPage,
  loadedVideo,
  recordStatus,
  smallCat,
  statusTexts,
  underStudioCsp,
  withStudio,
} from './page.js';

const FRAMES = 6;

interface ZoomForm {
  frames: { default: number; max: number };
  size: { default: number; max: number };
  zoom: { default: number };
  fps: number;
}

/** GET `path` from the page (with its owner cookie): status, headers and JSON or byte count. */
function fetchIn(page: Page, path: string) {
  return page.evaluate(async (p) => {
    const response = await fetch(p);
    const type = response.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await response.json() : (await response.arrayBuffer()).byteLength;
    return { status: response.status, type, disposition: response.headers.get('content-disposition'), body };
  }, path);
}

/** Chooses the zoom with `frames` frames of the smallest size. */
async function chooseZoom(page: Page, frames: number): Promise<void> {
  await page.getByRole('radio', { name: /An endless zoom/ }).check();
  await page.getByLabel('Length').fill(String(frames));
  await page.getByLabel('Size').selectOption('256');
}

test('the page makes an endless zoom: frames while it runs, then its MP4 plays, downloads and stays in My dreams', (t) =>
  withStudio(t, 'kind=grid&delayMs=25', async ({ url, browser, dir }) => {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, acceptDownloads: true });
    const page = await context.newPage();
    const violations = await underStudioCsp(page);
    await page.goto(url);
    const { form } = (await fetchIn(page, '/api/presets')).body as { form: { zoom: ZoomForm } };

    // The choice: the zoom's knobs at the server's defaults, sizes up to its largest, no Compare looks.
    assert.equal(await page.locator('#zoom-field').isVisible(), false);
    await page.getByRole('radio', { name: /An endless zoom/ }).check();
    assert.equal(await page.getByLabel('Length').inputValue(), String(form.zoom.frames.default));
    assert.equal(Number(await page.getByLabel('Speed').inputValue()), form.zoom.zoom.default);
    const seconds = form.zoom.frames.default / form.zoom.fps;
    assert.equal(await page.locator('#frames-value').innerText(), `${form.zoom.frames.default} frames · ${seconds} s`);
    const sizes = await page
      .locator('#size option')
      .evaluateAll((options: HTMLOptionElement[]) => options.map((o) => Number(o.value)));
    assert.equal(Math.max(...sizes), form.zoom.size.max);
    assert.equal(await page.getByLabel('Size').inputValue(), String(form.zoom.size.default));
    assert.equal(await page.getByRole('button', { name: 'Compare looks' }).isVisible(), false);
    await capture(page, 'zoom-desktop-form');

    // The status line of each phase (the encode phase of a small zoom may pass between two events).
    const lines = await page.evaluate(async () => {
      const module = '/status.js';
      const { describe } = await import(module);
      const zoom = { status: 'running', kind: 'zoom' };
      return [
        describe({ ...zoom, progress: { phase: 'dream', frame: 11, frames: 100, fraction: 0.12, etaSeconds: 170 } }),
        describe({ ...zoom, progress: { phase: 'encode', frame: 100, frames: 100, fraction: 0.98 } }),
      ];
    });
    assert.deepEqual(lines, ['Frame 12 of 100 · 12% · about 3 min left', 'Making the video…']);

    await chooseZoom(page, FRAMES);
    await page.locator('#photo').setInputFiles(await smallCat(dir));
    await recordStatus(page);
    await page.getByRole('button', { name: 'Dream', exact: true }).click();

    // A frame in the viewer while the zoom runs, then again after a reload (#dream=<id>).
    const preview = page.getByRole('img', { name: 'The dream so far (preview)' });
    await preview.waitFor({ timeout: 30_000 });
    assert.match(await page.getByRole('heading', { level: 2 }).first().innerText(), /^The zoom so far: frame \d of 6$/);
    await capture(page, 'zoom-desktop-during');
    const seen = await statusTexts(page);
    assert.ok(
      seen.some((text) => /^Frame [1-6] of 6 · \d+%/.test(text)),
      `no frame progress shown: ${seen.join(' | ')}`,
    );
    const id = dreamIdOf(page);
    await page.reload();
    const done = page.getByText(/^Done: /);
    await Promise.race([preview.waitFor({ timeout: 30_000 }), done.waitFor({ timeout: 30_000 })]);

    await done.waitFor({ timeout: 60_000 });
    const video = await loadedVideo(page);
    const view = (await fetchIn(page, `/api/dreams/${id}`)).body as Record<string, unknown>;
    assert.deepEqual([view.kind, view.frames, view.fps], ['zoom', FRAMES, form.zoom.fps]);
    assert.ok(Math.abs(video.duration - FRAMES / form.zoom.fps) < 0.1, `the video lasts ${video.duration} s`);
    assert.deepEqual([video.width, video.height], [view.width, view.height]);
    assert.equal(video.paused, false); // it plays by itself (muted, looping)
    assert.equal(
      await page.locator('#status-text').innerText(),
      `Done: 0.2 s of video, 6 frames of ${video.width}×${video.height} pixels.`,
    );
    assert.equal(await page.locator('#viewer-caption').innerText(), 'cat.jpg: an endless zoom, 0.2 s');
    assert.equal(await page.locator('#result').isVisible(), false);
    assert.equal(await page.getByRole('slider', { name: /^Before and after/ }).isVisible(), false);
    const properties = await page.locator('#video').evaluate((v: HTMLVideoElement) => [v.controls, v.loop, v.muted]);
    assert.deepEqual(properties, [true, true, true]);

    // What a finished zoom offers: the MP4, sharing, its settings; no "Dream again" from a video.
    const download = page.getByRole('link', { name: 'Download the video (MP4)' });
    assert.equal(await download.getAttribute('href'), `/api/dreams/${id}/result?download`);
    const file = await fetchIn(page, `/api/dreams/${id}/result?download`);
    assert.equal(file.status, 200);
    assert.equal(file.type, 'video/mp4');
    assert.match(file.disposition ?? '', /^attachment; filename="cat-zoom\.mp4"/);
    const [saved] = await Promise.all([page.waitForEvent('download'), download.click()]);
    assert.equal(saved.suggestedFilename(), 'cat-zoom.mp4');
    for (const [name, shown] of [
      ['Dream again (go deeper)', false],
      ['Zoom into this dream', false],
      ['Change settings', true],
      ['Share a link', true],
      ['Delete', true],
    ] as const) {
      assert.equal(await page.getByRole('button', { name, exact: true }).isVisible(), shown, name);
    }
    await capture(page, 'zoom-desktop-done');

    // Shared: another browser plays the video.
    await page.getByRole('button', { name: 'Share a link' }).click();
    const shareBox = page.getByLabel(/^Anyone with this link/);
    await shareBox.waitFor(); // shown, with its link, once the server made it
    const link = await shareBox.inputValue();
    assert.match(link, new RegExp(`^${url}/s/[\\w-]{16,}$`));
    const stranger = await browser.newPage({ viewport: VIEWPORTS.phone });
    await stranger.goto(link);
    assert.equal((await loadedVideo(stranger)).width, video.width);
    assert.match(await stranger.locator('#viewer-caption').innerText(), /^A shared endless zoom: cat\.jpg$/);
    const sharedDownload = stranger.getByRole('link', { name: 'Download the video (MP4)' });
    assert.equal(await sharedDownload.getAttribute('download'), 'cat-zoom.mp4');
    await assertNoHorizontalOverflow(stranger);
    await capture(stranger, 'zoom-phone-shared');
    await stranger.close();

    // "My dreams" after a reload: a video tile with its length, which opens the zoom.
    await page.goto(url);
    const tile = page.getByRole('button', { name: /^Open cat\.jpg: Done: 0\.2 s of video/ });
    await tile.waitFor();
    assert.equal(await tile.locator('.tile-badge').innerText(), 'Zoom · 0.2 s');
    assert.ok((await loadedVideo(page, '#gallery-grid video', 1)).duration > 0);
    assert.equal(await tile.locator('video').getAttribute('poster'), `/api/dreams/${id}/original`);
    await tile.hover(); // the tile plays its zoom while pointed at
    await page.waitForFunction(() => !document.querySelector<HTMLVideoElement>('#gallery-grid video')!.paused);
    await tile.click();
    await loadedVideo(page);
    assert.equal(dreamIdOf(page), id);

    // "Change settings" puts the zoom and its knobs back in the form.
    await page.getByRole('radio', { name: /A picture/ }).check();
    await page.getByRole('button', { name: 'Change settings' }).click();
    assert.equal(await page.getByRole('radio', { name: /An endless zoom/ }).isChecked(), true);
    assert.equal(await page.getByLabel('Length').inputValue(), String(FRAMES));
    assert.equal(await page.getByLabel('Size').inputValue(), '256');

    // The phone: one column; the dream's address, reloaded, plays the video again.
    await page.setViewportSize(VIEWPORTS.phone);
    await page.reload();
    assert.equal(dreamIdOf(page), id);
    await loadedVideo(page);
    await assertNoHorizontalOverflow(page);
    await capture(page, 'zoom-phone-done');
    assert.deepEqual(violations, []);
    await context.close();
  }));

test('"Zoom into this dream" starts a zoom from a finished picture', (t) =>
  withStudio(t, 'kind=grid', async ({ url, browser, dir }) => {
    const page = await browser.newPage({ viewport: VIEWPORTS.phone });
    await page.goto(url);
    await chooseZoom(page, 3);
    await page.getByRole('radio', { name: /A picture/ }).check();
    // Each kind keeps its own size: the picture's default, not the zoom's 256.
    assert.equal(await page.getByLabel('Size').inputValue(), '512');
    await page.getByLabel('Size').selectOption('256');
    await dreamThroughPage(page, await smallCat(dir));
    const picture = dreamIdOf(page);

    await page.getByRole('button', { name: 'Zoom into this dream' }).click();
    await page.waitForFunction((id) => !location.hash.includes(id), picture);
    const zoom = dreamIdOf(page);
    await loadedVideo(page);
    const view = (await fetchIn(page, `/api/dreams/${zoom}`)).body as Record<string, unknown>;
    assert.equal(view.kind, 'zoom');
    assert.equal(view.parent, picture);
    assert.equal(view.frames, 3);
    await assertNoHorizontalOverflow(page);
  }));
