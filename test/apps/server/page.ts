/** What the studio page tests do in Chromium: a small photo, a dream through the page, checks of the layout. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { CHROMIUM, CHROMIUM_ARGS, skipWithoutChromium } from '../../support/chromium.js';
import { fakeBackendModule, testServer } from './helpers.js';
import { startStudioProcess } from './studio-process.js';

export interface PageTestContext {
  /** A scratch folder of the test's own. */
  dir: string;
  browser: Browser;
}

/** Runs `body` with a scratch folder and Chromium (skipped without Chromium), and cleans up. */
export async function withBrowser(t: TestContext, body: (context: PageTestContext) => Promise<void>): Promise<void> {
  if (skipWithoutChromium(t)) return;
  const dir = await mkdtemp(join(tmpdir(), 'studio-page-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    await body({ dir, browser });
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** withBrowser, and a studio in this process dreaming with the fake network of `query`, at `url`. */
export function withStudio(
  t: TestContext,
  query: string,
  body: (context: PageTestContext & { url: string }) => Promise<void>,
): Promise<void> {
  return withBrowser(t, async (context) => {
    const app = await testServer({ backendModule: fakeBackendModule(query) });
    try {
      await body({ ...context, url: await app.listen({ host: '127.0.0.1', port: 0 }) });
    } finally {
      await app.close();
    }
  });
}

/**
 * `deepdream serve` as a process of its own (so a test can kill it), with the fake network of
 * `query`, its data under `dir`; resolves with its address once it listens.
 */
export async function serveProcess(
  dir: string,
  query: string,
  port = '0',
): Promise<{ server: ChildProcess; url: string }> {
  const { child, url } = await startStudioProcess(join(dir, 'studio'), query, ['--port', port]);
  return { server: child, url };
}

/** The Content Security Policy the studio sends with its page. */
export const STUDIO_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; " +
  "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'";

/**
 * Serves the page's documents with STUDIO_CSP, whatever the server sends, and collects what the
 * browser reports as violating it.
 */
export async function underStudioCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) violations.push(message.text());
  });
  await page.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    return route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': STUDIO_CSP } });
  });
  return violations;
}

/** The example cat, `width` px wide, as a JPEG in `dir`. */
export async function smallCat(dir: string, width = 160): Promise<string> {
  const path = join(dir, 'cat.jpg');
  const cat = new URL('../../../examples/cat.jpg', import.meta.url).pathname;
  await writeFile(path, await sharp(cat).resize(width).jpeg().toBuffer());
  return path;
}

/** Starts recording every text the status line shows; `statusTexts` reads them back. */
export async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { statusTexts: string[] }).statusTexts = seen;
    const line = document.getElementById('status-text')!;
    new MutationObserver(() => seen.push(line.textContent ?? '')).observe(line, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });
}

export const statusTexts = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { statusTexts: string[] }).statusTexts);

/** Waits until the dream in the viewer is done and its picture loaded; returns the status line. */
export async function waitForResult(page: Page): Promise<string> {
  await page.getByRole('img', { name: 'Dreamed photo', exact: true }).waitFor({ state: 'visible', timeout: 30_000 });
  await page.waitForFunction(() => {
    const result = document.getElementById('result') as HTMLImageElement;
    return (
      result.complete && result.naturalWidth > 0 && /^Done/.test(document.getElementById('status-text')!.innerText)
    );
  });
  return page.locator('#status-text').innerText();
}

/** Uploads `photo` through the form and dreams it with the form as it is; returns the status line when done. */
export async function dreamThroughPage(page: Page, photo: string): Promise<string> {
  await page.locator('#photo').setInputFiles(photo);
  await page.getByRole('button', { name: 'Dream', exact: true }).click();
  return waitForResult(page);
}

/** The dream id in the page's address (#dream=<id>). */
export function dreamIdOf(page: Page): string {
  const id = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('dream');
  assert.ok(id, `no #dream=<id> in ${page.url()}`);
  return id;
}

export async function assertNoHorizontalOverflow(page: Page): Promise<void> {
  const [scrollWidth, clientWidth] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth} px wide in a ${clientWidth} px window`);
}

/** Whether the whole of `selector`'s box is inside the window. */
export const inView = (page: Page, selector: string): Promise<boolean> =>
  page.evaluate((s) => {
    const box = document.querySelector(s)!.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  }, selector);

/**
 * Tabs through the page from its start and returns, for each element focused, its description and
 * whether a focus ring is visible on it (or on the box that stands for it: the photo box for the
 * hidden file input, the viewer for its slider).
 */
export async function tabThrough(page: Page): Promise<Array<{ element: string; ring: boolean }>> {
  // Focusing the body puts the start of Tab's path at the top of the page.
  await page.evaluate(() => {
    document.body.tabIndex = -1;
    document.body.focus();
    document.body.removeAttribute('tabindex');
  });
  const seen: Array<{ element: string; ring: boolean }> = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return undefined;
      const shown =
        element.id === 'photo'
          ? document.getElementById('drop-zone')!
          : element.id === 'slider'
            ? document.getElementById('viewer')!
            : element;
      const style = getComputedStyle(shown);
      const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      // A radio group is one stop, named by the group (what to make, the look).
      const name =
        element.id ||
        element.textContent?.trim() ||
        element.getAttribute('aria-label') ||
        element.getAttribute('name') ||
        '';
      return { element: `${element.tagName.toLowerCase()} ${name}`.slice(0, 60), ring };
    });
    if (!focused || seen.some((s) => s.element === focused.element)) break;
    seen.push(focused);
  }
  return seen;
}

/**
 * Opens the studio at `url`, starts dreaming the small cat at 256 px, and kills `server` once the
 * dream runs; resolves when the page says it lost the server.
 */
export async function killMidDream(page: Page, url: string, server: ChildProcess, dir: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Size').selectOption('256');
  await page.locator('#photo').setInputFiles(await smallCat(dir));
  await page.getByRole('button', { name: 'Dream', exact: true }).click();
  await page.getByText(/^Scale 1 of 1/).waitFor();
  server.kill('SIGKILL');
  await page.getByText('Lost the connection to the studio server: trying again…').waitFor();
}

/** Saves a screenshot as `studio-<name>.png` in the folder STUDIO_SCREENSHOTS names, when it names one. */
export async function capture(page: Page, name: string, { fullPage = true } = {}): Promise<void> {
  const folder = process.env.STUDIO_SCREENSHOTS;
  if (folder) await page.screenshot({ path: join(folder, `studio-${name}.png`), fullPage });
}

/**
 * The video of `selector` once it has loaded up to `readyState` (2: a frame to show; 1: its
 * metadata only): its state, length and size.
 */
export async function loadedVideo(
  page: Page,
  selector = '#video',
  readyState = 2,
): Promise<{ readyState: number; duration: number; width: number; height: number; paused: boolean }> {
  await page.waitForFunction(
    ([s, state]) =>
      ((document.querySelector(s as string) as HTMLVideoElement | null)?.readyState ?? 0) >= Number(state),
    [selector, readyState],
    { timeout: 30_000 },
  );
  return page.evaluate((s) => {
    const video = document.querySelector(s) as HTMLVideoElement;
    const { readyState, duration, videoWidth: width, videoHeight: height, paused } = video;
    return { readyState, duration, width, height, paused };
  }, selector);
}
