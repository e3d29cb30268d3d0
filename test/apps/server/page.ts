/** What the studio page tests do in Chromium: a small photo, a dream through the page, checks of the layout. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import sharp from 'sharp';

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
      const name = element.id || element.textContent?.trim() || element.getAttribute('aria-label') || '';
      return { element: `${element.tagName.toLowerCase()} ${name}`.slice(0, 60), ring };
    });
    if (!focused || seen.some((s) => s.element === focused.element)) break;
    seen.push(focused);
  }
  return seen;
}
