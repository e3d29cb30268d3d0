/**
 * The studio's memory under a burst of large uploads: 80 clients each POST a 19 MB photo at once
 * to a studio in its own process (loopback, the fake dream network), whose resident size is read
 * before, at its peak, and after the burst has been answered and its dreams have finished.
 *
 *   node --import tsx bench/studio/upload-memory.ts [--uploads 80] [--slots 4]
 *
 * --slots is the studio's maxConcurrentUploads; 80 shows the studio without that bound.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    uploads: { type: 'string', default: '80' },
    slots: { type: 'string', default: '4' },
    serve: { type: 'boolean', default: false },
  },
});

if (values.serve) {
  const { createStudioServer } = await import('../../src/apps/server/index.js');
  const app = await createStudioServer({
    backendModule: new URL('../../test/support/fake-backend-module.ts?kind=grid', import.meta.url).href,
    webDir: new URL('../../test/fixtures/no-web-build/', import.meta.url).pathname,
    maxConcurrentUploads: Number(values.slots),
    dreamsPerMinute: 1_000_000,
    maxSize: 256,
  });
  // Asked for a garbage collection, to tell memory still held from memory V8 has not collected yet.
  process.on('message', () => {
    globalThis.gc?.();
    setTimeout(() => process.send!('collected'), 500);
  });
  process.send!(await app.listen({ host: '127.0.0.1', port: 0 }));
} else {
  await measure(Number(values.uploads), Number(values.slots));
}

async function measure(uploads: number, slots: number): Promise<void> {
  const photo = await noisePhoto(19 * 1024 * 1024);
  const server = fork(new URL(import.meta.url).pathname, ['--serve', '--slots', String(slots)], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
  });
  process.on('exit', () => server.kill());
  const url = await new Promise<string>((resolve) => server.once('message', (m) => resolve(String(m))));
  const rssMb = () => {
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024);
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await fetch(`${url}/api/presets`);
  await sleep(2000);
  const idle = rssMb();

  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 50);
  const form = () => {
    const body = new FormData();
    body.append('steps', '1');
    body.append('image', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'big.jpg');
    return body;
  };
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: uploads }, async () => {
      try {
        const response = await fetch(`${url}/api/dreams`, { method: 'POST', body: form() });
        return { status: String(response.status), body: (await response.json()) as { id?: string; error?: string } };
      } catch (err) {
        // An answer given before the body is read ends the connection under the client's upload.
        return { status: ((err as Error).cause as { code?: string })?.code ?? 'error', body: {} };
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const { body } of answers) {
    if (!body.id) continue;
    for (;;) {
      const view = (await (await fetch(`${url}/api/dreams/${body.id}`)).json()) as { status: string };
      if (!['queued', 'running'].includes(view.status)) break;
      await sleep(100);
    }
  }
  await sleep(5000);
  clearInterval(sampler);
  const after = rssMb();
  server.send('gc');
  await new Promise((resolve) => server.once('message', resolve));
  const collected = rssMb();
  server.kill();

  const count = new Map<string, number>();
  for (const { status } of answers) count.set(status, (count.get(status) ?? 0) + 1);
  const statuses = [...count].map(([status, n]) => `${n}x${status}`).join(', ');
  console.log(
    `${uploads} concurrent ${Math.round(photo.length / 1e5) / 10} MB uploads, ${slots} upload slots: ` +
      `${statuses} in ${seconds.toFixed(1)} s; server RSS idle ${idle} MB, peak ${peak} MB, after ${after} MB, after a garbage collection ${collected} MB`,
  );
}

/** A JPEG of noise about `bytes` long (noise does not compress). */
async function noisePhoto(bytes: number): Promise<Buffer> {
  const side = Math.round(Math.sqrt(bytes / 1.45));
  const pixels = Buffer.alloc(side * side * 3);
  let seed = 1;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    pixels[i] = seed >> 16;
  }
  return sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
    .jpeg({ quality: 100 })
    .toBuffer();
}
