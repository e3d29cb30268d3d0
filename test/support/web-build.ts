/** A web build (the code of npm run build:web, no models) in a temporary folder, for the studio's device tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWeb } from '../../scripts/build-web.js';

export async function temporaryWebBuild(): Promise<{ dir: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'web-build-'));
  const dir = join(root, 'web');
  await bundleWeb(dir);
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}
