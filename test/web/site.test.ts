/**
 * The static site (npm run build:web) from a plain static file server in headless Chromium:
 * isolated by its service worker (WebAssembly threads), it dreams a photo and downloads the PNG,
 * which equals the Node dream of the same photo and seed within 1/255 mean absolute difference;
 * a second visit takes the network from the browser's cache. Set STUDIO_SCREENSHOTS=<folder> to
 * save screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { buildSite } from '../../scripts/build-web.js';
import { dreamInProcess, modelBackend } from '../../src/node/dream/index.js';
import { readImage } from '../../src/node/image/read.js';
import { loadModel } from '../../src/node/models/index.js';
import { NO_THREADS_NOTICE } from '../../src/web/runtime/engine-choice.js';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  downloadDream,
  launchWithProfile,
  skipWithoutChromium,
  VIEWPORTS,
} from '../support/chromium.js';
import { serveStatic, type StaticServer } from '../../scripts/static-server.js';

const MODEL = 'mobilenet_v2';
/**
 * Few steps: gradient ascent amplifies rounding (a ReLU or MaxPool that switches moves the
 * gradient by whole steps), so longer dreams diverge between any two float implementations: the
 * Node dream against itself, with 1 in 7 input values moved by 0.001, differs by 1.2/255 after 2
 * steps per octave and 2.6/255 after 3 (4 octaves).
 */
const STEPS = 2;
const screenshots = process.env.STUDIO_SCREENSHOTS;

let dir: string;
let server: StaticServer;
let photoPath: string;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'web-site-'));
  await buildSite({ outDir: join(dir, 'site'), models: [MODEL] });
  server = await serveStatic(join(dir, 'site'));
  // Smaller than the size asked for, so neither side scales it: both dream the same pixels.
  photoPath = join(dir, 'cat.png');
  await sharp(new URL('../../examples/cat.jpg', import.meta.url).pathname)
    .resize(160)
    .png()
    .toFile(photoPath);
});

test.after(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the site and waits until the network is ready; returns how long that took (ms). */
async function openSite(page: Page): Promise<number> {
  const started = Date.now();
  await page.goto(server.url);
  await page.getByText(/^Network \S+ ready/).waitFor({ timeout: 60_000 });
  return Date.now() - started;
}

test('the static site dreams on this device like the Node dream, and a second visit starts from the cache', async (t) => {
  if (skipWithoutChromium(t)) return;
  const browser = await launchWithProfile({ viewport: VIEWPORTS.desktop, acceptDownloads: true });
  try {
    const page = await browser.context.newPage();
    await openSite(page);
    // Isolated by sw.js although the server sends no COOP/COEP header.
    assert.equal(await page.evaluate('crossOriginIsolated'), true);
    assert.equal(await page.locator('#engine-text').innerText(), 'Engine: WebAssembly, 2 threads.');
    assert.equal(await page.locator('#where').isVisible(), false);
    await capture(page, 'desktop-before');

    await page.getByLabel('Size').selectOption('256');
    await page.locator('#steps').fill(String(STEPS));
    await page.locator('#photo').setInputFiles(photoPath);
    await page.getByRole('button', { name: 'Dream' }).click();
    await page.getByRole('img', { name: 'Dreamed photo', exact: true }).waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await page.locator('#status-text').innerText(), /^Done: 160×\d+ pixels\.$/);
    await capture(page, 'desktop-after');
    const saved = join(dir, 'dream.png');
    assert.equal(await downloadDream(page, saved), 'cat-dream.png');

    const browserDream = await sharp(saved).raw().toBuffer({ resolveWithObject: true });
    const { image } = await readImage(photoPath);
    const backend = modelBackend(await loadModel(MODEL));
    const nodeDream = await dreamInProcess(image, { model: MODEL, steps: STEPS, seed: 0 }, {}, { backend });
    await backend.release();
    assert.deepEqual([browserDream.info.width, browserDream.info.height], [nodeDream.width, nodeDream.height]);
    assert.equal(browserDream.info.channels, 4);
    let sum = 0;
    let dreamt = 0;
    for (let p = 0; p < nodeDream.width * nodeDream.height; p++) {
      for (let c = 0; c < 3; c++) {
        const expected = Math.min(255, Math.max(0, Math.round(nodeDream.data[3 * p + c]!)));
        sum += Math.abs(browserDream.data[4 * p + c]! - expected);
        dreamt += Math.abs(browserDream.data[4 * p + c]! - image.data[3 * p + c]!);
      }
    }
    const values = nodeDream.width * nodeDream.height * 3;
    const mad = sum / values;
    t.diagnostic(`browser vs Node dream: mean absolute difference ${mad.toFixed(4)} / 255`);
    assert.ok(mad <= 1, `mean absolute difference ${mad} / 255`);
    // The dream did change the photo (by 2-3 per value), so equal results are not two unchanged photos.
    assert.ok(dreamt / values > 1, `the browser dream moved the photo by ${dreamt / values} / 255`);
    await page.close();

    const second = await browser.context.newPage();
    const ms = await openSite(second);
    t.diagnostic(`second visit: the network is ready ${ms} ms after the page was asked for`);
    assert.match(await second.locator('#model-ready').innerText(), /from this browser's cache/);
    assert.ok(ms < 2000, `second visit took ${ms} ms`);
  } finally {
    await browser.close();
  }
});

test('without its service worker the site runs one thread and says so', async (t) => {
  if (skipWithoutChromium(t)) return;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORTS.phone, serviceWorkers: 'block' });
    await openSite(page);
    assert.equal(await page.locator('#engine-text').innerText(), 'Engine: WebAssembly, 1 thread.');
    assert.match(await page.locator('#engine-notice').innerText(), new RegExp(escape(NO_THREADS_NOTICE)));
    await capture(page, 'phone-one-thread');
  } finally {
    await browser.close();
  }
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function capture(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `site-${name}.png`), fullPage: true });
}
