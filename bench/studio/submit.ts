/**
 * What keeping dreams on disk costs a submit: the time from sending a 5 MB photo to the studio's
 * 202 (upload read, photo decoded and checked, photo file written and synced, row committed), and
 * the store's part of it alone. Loopback only; the dreams themselves are not run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { createStudioServer } from '../../src/apps/server/index.js';
import { DreamStore } from '../../src/apps/server/store/index.js';
import type { DreamJobSpec } from '../../src/apps/shared/dream-job.js';
import { medianMs } from '../common.js';

const RUNS = 7;

/** A noisy JPEG (noise does not compress) of about 5 MB. */
async function photo(): Promise<Buffer> {
  const width = 2600;
  const height = 1950;
  const noise = Buffer.alloc(width * height * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 97 })
    .toBuffer();
}

const dir = await mkdtemp(join(tmpdir(), 'bench-studio-'));
const bytes = await photo();
const app = await createStudioServer({
  dataDir: join(dir, 'server'),
  maxQueued: 1000,
  maxQueuedPerOwner: 1000,
  // Dreams are not what is measured: each "dream" ends at once.
  executor: async () => Buffer.from('png'),
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const cookie = `studio_owner=${'0'.repeat(32)}`;
const submit = async () => {
  const form = new FormData();
  form.append('steps', '1');
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
  const response = await fetch(`${url}/api/dreams`, { method: 'POST', body: form, headers: { cookie } });
  if (response.status !== 202) throw new Error(`submit answered ${response.status}: ${await response.text()}`);
};
const toAccepted = await medianMs(submit, RUNS, 1);
await app.close();

const store = await DreamStore.open(join(dir, 'store'));
const spec = { name: 'photo.jpg', maxSize: 1024, maxPixels: 1e8, options: {} } as DreamJobSpec;
let n = 0;
const save = () =>
  store.create(
    {
      id: `d${n++}`,
      owner: 'me',
      spec,
      settings: {},
      name: 'photo.jpg',
      photoBytes: bytes.length,
      width: 1024,
      height: 768,
      createdAt: Date.now(),
    },
    bytes,
  );
const saving = await medianMs(save, RUNS, 1);
store.close();
await rm(dir, { recursive: true, force: true });

const mb = (bytes.length / 1024 / 1024).toFixed(1);
console.log(`studio submit of a ${mb} MB photo, median of ${RUNS}:`);
console.log(`  time to 202:                  ${toAccepted.toFixed(0)} ms`);
console.log(`  of which saving it (file + fsync + row): ${saving.toFixed(0)} ms`);
