/**
 * "Dream on this device" in the studio page, in headless Chromium: the photo is dreamed in the
 * page's worker and no request carries it; cancelling and a dying worker leave the page working.
 * Set STUDIO_SCREENSHOTS=<folder> to also save screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import sharp from 'sharp';
import { installedModelCatalog } from '../../../src/apps/server/catalog.js';
import { WORKER_STOPPED } from '../../../src/web/dream/failure.js';
import { CHROMIUM, CHROMIUM_ARGS, downloadDream, skipWithoutChromium, VIEWPORTS } from '../../support/chromium.js';
import { temporaryWebBuild } from '../../support/web-build.js';
import { testServer } from './helpers.js';

const screenshots = process.env.STUDIO_SCREENSHOTS;

let dir: string;
let build: Awaited<ReturnType<typeof temporaryWebBuild>>;
let app: FastifyInstance;
let url: string;
/** One line per request the studio answered. */
const served: string[] = [];
let browser: Browser | undefined;
let cat: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'studio-device-'));
  build = await temporaryWebBuild();
  app = await testServer({ webDir: build.dir, catalog: installedModelCatalog(), log: (l) => served.push(l) });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  cat = join(dir, 'cat.jpg');
  await sharp(new URL('../../../examples/cat.jpg', import.meta.url).pathname)
    .resize(160)
    .jpeg()
    .toFile(cat);
  if (existsSync(CHROMIUM)) browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await app.close();
  await build.remove();
  await rm(dir, { recursive: true, force: true });
});

test('"Dream on this device" dreams in the browser: no request carries the photo', async (t) => {
  if (skipWithoutChromium(t)) return;
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    if (name !== 'desktop' && !screenshots) continue;
    const context = await browser!.newContext({ viewport, acceptDownloads: true });
    const requests: Request[] = [];
    context.on('request', (request) => requests.push(request));
    const page = await context.newPage();
    await page.goto(url);
    await chooseDevice(page, 'mobilenet_v2');
    assert.equal(await page.locator('#engine-text').innerText(), 'Engine: WebAssembly, 2 threads.');
    await capture(page, `${name}-device-before`);

    await page.getByLabel('Size').selectOption('256');
    await page.locator('#steps').fill('2');
    await page.locator('#photo').setInputFiles(cat);
    await page.getByRole('button', { name: 'Dream' }).click();
    const result = page.getByRole('img', { name: 'Dreamed photo', exact: true });
    await result.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await page.locator('#status-text').innerText(), /^Done: 160×\d+ pixels\.$/);
    assert.equal(await page.getByRole('alert').isVisible(), false);
    await capture(page, `${name}-device-after`);
    const saved = join(dir, `${name}.png`);
    assert.equal(await downloadDream(page, saved), 'cat-dream.png');
    const meta = await sharp(saved).metadata();
    assert.deepEqual([meta.format, meta.width], ['png', 160]);

    // The worker's own requests are seen too (its model), and none of them sends anything.
    assert.ok(requests.some((r) => r.url().endsWith('/device/models/mobilenet_v2.json')));
    for (const request of requests) {
      assert.equal(request.method(), 'GET', request.url());
      assert.equal(request.postDataBuffer(), null, request.url());
    }
    assert.deepEqual(
      served.filter((line) => !line.startsWith('GET ')),
      [],
    );
    // Only the listing of "My dreams" as the page loads, which sends nothing.
    assert.deepEqual(
      served.filter((line) => line.includes('/api/dreams') && !/^GET \/api\/dreams\?limit=\d+ /.test(line)),
      [],
    );
    await context.close();
  }
});

test('on this device, cancelling stops the dream and a worker that dies ends it in one line', async (t) => {
  if (skipWithoutChromium(t)) return;
  const page = await browser!.newPage({ viewport: VIEWPORTS.phone });
  // The worker's script dies as it starts, as an out-of-memory crash would end it.
  await page.route('**/device/worker.js', (route) =>
    route.fulfill({ contentType: 'text/javascript', body: 'throw new Error("simulated crash");' }),
  );
  await page.goto(url);
  await page.getByRole('radio', { name: /On this device/ }).check();
  await page.locator('#photo').setInputFiles(cat);
  await page.getByRole('button', { name: 'Dream' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor({ state: 'visible' });
  assert.equal(await alert.innerText(), `The dream failed: ${WORKER_STOPPED}`);
  assert.equal(await page.getByRole('button', { name: 'Dream' }).isEnabled(), true);
  await capture(page, 'phone-device-crash');

  // The page keeps working: the next dream gets a new worker.
  await page.unroute('**/device/worker.js');
  await chooseDevice(page, 'mobilenet_v2');
  await page.getByLabel('Size').selectOption('256');
  await page.locator('#steps').fill('40');
  await page.getByRole('button', { name: 'Dream' }).click();
  await page.getByText(/^Scale /).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.getByText('Cancelled.').waitFor();
  assert.equal(await alert.isVisible(), false);
  assert.equal(await page.getByRole('button', { name: 'Dream' }).isEnabled(), true);
  assert.equal(await page.getByRole('img', { name: 'Dreamed photo', exact: true }).isVisible(), false);
});

/** Picks "On this device" and a network, and waits until the worker has it ready. */
async function chooseDevice(page: Page, model: string): Promise<void> {
  await page.getByRole('radio', { name: /On this device/ }).check();
  if (!(await page.getByLabel('Network').isVisible())) await page.getByText('More choices').click();
  await page.getByLabel('Network').selectOption(model);
  await page.getByText(new RegExp(`^Network ${model} ready`)).waitFor({ timeout: 60_000 });
}

async function capture(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(screenshots, `studio-${name}.png`), fullPage: true });
}
