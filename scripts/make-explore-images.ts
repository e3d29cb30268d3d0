/**
 * Screenshots of the studio's explore page for the README (docs/explore.jpg): InceptionV3 mixed4's
 * channel grid at the default settings, and the layer strip and explanation of examples/cat.jpg.
 * Run: node --import tsx scripts/make-explore-images.ts [DATA_FOLDER] (the data folder keeps the
 * thumbnails, so a second run takes seconds).
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import sharp from 'sharp';
import { createStudioServer } from '../src/apps/server/index.js';

const dataDir = process.argv[2] ?? join(tmpdir(), 'inceptionism-explore-shots');
const cat = new URL('../examples/cat.jpg', import.meta.url).pathname;
const out = (name: string) => new URL(`../docs/${name}`, import.meta.url).pathname;
const WAIT = { timeout: 30 * 60_000 };

const app = await createStudioServer({ dataDir });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
try {
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(`${url}/explore`);
  await page.getByRole('button', { name: /^mixed4/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('#grid img[src^="blob:"]').length >= 24, null, WAIT);
  await page.locator('#photo').setInputFiles(cat);
  await page.getByRole('button', { name: 'Dream it at every layer' }).click();
  await page.locator('#strip-status').getByText('6 of 6 layers dreamed.').waitFor(WAIT);
  await page.locator('#explain-layer').selectOption('mixed4');
  await page.locator('#explain-top').selectOption('4');
  await page.getByRole('button', { name: 'Explain my photo' }).click();
  await page.locator('.explained').nth(3).waitFor(WAIT);
  await page.waitForFunction(() => document.querySelectorAll('.explained img[src^="blob:"]').length === 4, null, WAIT);
  const shot = await page.screenshot({ fullPage: true });
  await sharp(shot).jpeg({ quality: 82 }).toFile(out('explore.jpg'));
  console.log(`wrote ${out('explore.jpg')}`);
} finally {
  await browser.close();
  await app.close();
}
