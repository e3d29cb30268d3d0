/**
 * Hostile and careless requests, sent through HTTP: each gets its documented status and a
 * one-line message, and no client mistake is ever a 5xx.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { heicContainer } from '../../node/image/heic-fixture.js';
import { errorMessage, multipart, photoPng, postDream, testServer } from './helpers.js';

const BOUNDARY = 'hostile-boundary';
const multipartType = (boundary = BOUNDARY) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });
const part = (name: string, value: string, extraHeaders = '') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n${extraHeaders}\r\n${value}\r\n`;
const end = `--${BOUNDARY}--\r\n`;

function post(app: FastifyInstance, headers: Record<string, string>, payload: string | Buffer) {
  return app.inject({ method: 'POST', url: '/api/dreams', headers, payload });
}

function assertError(response: LightMyRequestResponse, status: number, message: string | RegExp): void {
  assert.equal(response.statusCode, status, response.body);
  if (typeof message === 'string') assert.equal(errorMessage(response), message);
  else assert.match(errorMessage(response), message);
}

/** A request on a real socket, with any Host header; resolves to the status and body. */
function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string> },
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Everything the server sends on a socket until it closes it, and how long that took. */
function untilClosed(socket: Socket): Promise<{ text: string; ms: number }> {
  const start = performance.now();
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  return new Promise((resolve) => socket.on('close', () => resolve({ text, ms: performance.now() - start })));
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

/** An upload that announces 100 kB and sends its first part only. */
async function startUpload(port: number): Promise<{ socket: Socket; closed: ReturnType<typeof untilClosed> }> {
  const socket = await openSocket(port);
  const closed = untilClosed(socket);
  socket.write(
    `POST /api/dreams HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\n` +
      'Content-Length: 100000\r\n\r\n' +
      part('steps', '2'),
  );
  return { socket, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The studio with its default limits (rate limits off), for the bodies and forms below. */
let studio: FastifyInstance;
let png: Buffer;
before(async () => {
  studio = await testServer();
  png = await photoPng();
});
after(() => studio.close());

describe('malformed multipart bodies', () => {
  const truncated =
    'the upload is not valid multipart/form-data: the upload ended before its closing boundary (truncated or malformed multipart data)';
  const cases: [string, Record<string, string>, string, string][] = [
    [
      'a Content-Type without boundary',
      { 'content-type': 'multipart/form-data' },
      part('steps', '2') + end,
      'the upload is not valid multipart/form-data: the Content-Type header has no multipart boundary',
    ],
    ['a boundary that is not the body’s', multipartType('other'), part('steps', '2') + end, truncated],
    ['an unterminated quoted boundary', multipartType('"open'), part('steps', '2') + end, truncated],
    ['a truncated body', multipartType(), (part('steps', '2') + end).slice(0, 40), truncated],
    ['a body without its closing boundary', multipartType(), part('steps', '2'), truncated],
    ['garbage', multipartType(), 'garbage, not multipart at all', truncated],
    [
      'a part header without a name',
      multipartType(),
      `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n${end}`,
      'a form part has no name (Content-Disposition: form-data; name="...")',
    ],
    [
      'a part in base64',
      multipartType(),
      part('steps', 'Mg==', 'Content-Transfer-Encoding: base64\r\n') + end,
      "field 'steps': Content-Transfer-Encoding 'base64' is not supported; send the bytes as they are",
    ],
    [
      'a field given twice',
      multipartType(),
      part('steps', '2') + part('steps', '3') + end,
      "field 'steps' is given more than once",
    ],
    [
      'text in the photo field',
      multipartType(),
      part('image', 'not a file') + end,
      "the 'image' field must be a file (the photo)",
    ],
    [
      'a file in another field',
      multipartType(),
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="steps"; filename="a.png"\r\n\r\nxx\r\n${end}`,
      "unexpected file in field 'steps': send the photo as 'image'",
    ],
    [
      'a JSON field',
      multipartType(),
      part('steps', '{"a":', 'Content-Type: application/json\r\n') + end,
      'form fields must be plain text',
    ],
    [
      'a long unknown field name',
      multipartType(),
      part('x'.repeat(5000), '1') + end,
      `unknown field '${'x'.repeat(100)}' (fields: image, preset, model, layer, channel, steps, size, seed, from, kind, frames, zoom, rotate)`,
    ],
  ];
  for (const [name, headers, payload, message] of cases) {
    test(`${name}: 400`, async () => assertError(await post(studio, headers, payload), 400, message));
  }

  test('40 mangled bodies: never a 5xx', async () => {
    // A well-formed dream whose photo is not an image, so that nothing is queued.
    const valid = await multipart({ preset: 'eyes', steps: '2' }, [{ name: 'x.png', bytes: Buffer.from('not a png') }]);
    const body = valid.payload;
    const boundary = /boundary=(.*)$/.exec(valid.headers['content-type']!)![1]!;
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const bodies: [Record<string, string>, Buffer][] = [];
    for (let i = 0; i < 15; i++) bodies.push([valid.headers, body.subarray(0, random(body.length))]);
    for (let i = 0; i < 15; i++) {
      const flipped = Buffer.from(body);
      for (let j = 0; j < 1 + random(6); j++) flipped[random(flipped.length)] = random(256);
      bodies.push([valid.headers, flipped]);
    }
    const types = [
      `multipart/form-data; boundary=${boundary.slice(1)}`,
      'multipart/form-data; boundary=',
      'multipart/form-data; boundary="',
      `multipart/form-data; boundary=${boundary}; charset=nonsense`,
      'multipart/form-data; boundary=' + 'b'.repeat(300),
      'multipart/mixed',
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'image/png',
    ];
    for (const type of types) bodies.push([{ 'content-type': type }, body]);
    assert.equal(bodies.length, 40);
    for (const [headers, payload] of bodies) {
      const response = await post(studio, headers, payload);
      assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${response.statusCode}: ${response.body}`);
      errorMessage(response);
    }
  });
});

describe('form fields', () => {
  test('a value over 1000 bytes is refused, not cut', async () => {
    const response = await postDream(studio, { seed: '1'.repeat(1001) }, [{ name: 'a.png', bytes: png }]);
    assertError(response, 400, "field 'seed' is longer than 1000 bytes");
    // 1000 bytes are read whole (and then looked up as a layer).
    const whole = await postDream(studio, { layer: 'x'.repeat(1000) }, [{ name: 'a.png', bytes: png }]);
    assertError(whole, 400, `model inception_v3 has no dreamable layer '${'x'.repeat(1000)}'`);
  });

  test('a HEIC photo is named as such', async () => {
    const response = await postDream(studio, {}, [
      { name: 'IMG_0001.HEIC', bytes: heicContainer(64, 48), type: 'image/heic' },
    ]);
    assertError(
      response,
      400,
      'cannot read IMG_0001.HEIC: HEIC/HEIF photos are not supported; convert it to JPEG or PNG',
    );
  });

  test('prototype names as fields are refused', async () => {
    const prototypeName = 'invalid form field name: names such as __proto__ and constructor are not fields';
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      assertError(await post(studio, multipartType(), part(name, 'x') + end), 400, prototypeName);
    }
    assertError(
      await post(studio, multipartType(), part('prototype', 'x') + end),
      400,
      "unknown field 'prototype' (fields: image, preset, model, layer, channel, steps, size, seed, from, kind, frames, zoom, rotate)",
    );
  });

  test('prototype names as values are not found', async () => {
    const photo = [{ name: 'a.png', bytes: png }];
    const cases: [Record<string, string>, string][] = [
      [{ preset: '__proto__' }, "preset must be one of eyes, textures, objects (got '__proto__')"],
      [{ preset: 'constructor' }, "preset must be one of eyes, textures, objects (got 'constructor')"],
      [{ model: 'constructor' }, "unknown model 'constructor' (models: inception_v3, tiny_net)"],
      [{ model: '__proto__' }, "unknown model '__proto__' (models: inception_v3, tiny_net)"],
      [{ layer: '__proto__' }, "model inception_v3 has no dreamable layer '__proto__'"],
      [{ layer: 'toString' }, "model inception_v3 has no dreamable layer 'toString'"],
    ];
    for (const [fields, message] of cases) assertError(await postDream(studio, fields, photo), 400, message);
  });
});

describe('hosts, origins and headers', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await testServer({ allowedHosts: ['dreams.example.org', 'Proxy.example.org:8443'] });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  const wrongHost = (host: string) =>
    `this studio does not answer to the host '${host}': use localhost or its address, or start it with --allowed-host for another name`;

  test('the Host must name the server: loopback names and the address with its port, or an allowed name', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      'dreams.example.org',
      'dreams.example.org:99',
      'proxy.example.org:8443',
    ]) {
      const response = await rawRequest(port, { path: '/api/presets', headers: { host } });
      assert.equal(response.status, 200, `${host}: ${response.body}`);
    }
    for (const host of [
      'attacker.example',
      `attacker.example:${port}`,
      `localhost:${port + 1}`,
      'localhost',
      'proxy.example.org',
      `127.0.0.2:${port}`,
    ]) {
      const response = await rawRequest(port, { path: '/api/presets', headers: { host } });
      assert.equal(response.status, 421, host);
      assert.deepEqual(JSON.parse(response.body), { error: wrongHost(host) });
    }
  });

  test('a Host that is not a host name is refused', async () => {
    const response = await app.inject({ url: '/', headers: { host: 'a b@c' } });
    assertError(response, 421, wrongHost('a b@c'));
  });

  test('cross-site POST and DELETE are refused with 403; requests without Origin pass', async () => {
    const refused = (method: string) => `cross-site request refused: ${method} comes only from the studio's own page`;
    const crossSite: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { origin: 'http://localhost:81' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'http://localhost' },
    ];
    for (const headers of crossSite) {
      assertError(await post(app, { ...multipartType(), ...headers }, end), 403, refused('POST'));
      const deleted = await app.inject({ method: 'DELETE', url: '/api/dreams/x', headers });
      assertError(deleted, 403, refused('DELETE'));
    }
    // Reading is not a change: a cross-site GET gets its answer (which the browser keeps from the other page).
    assert.equal(
      (await app.inject({ url: '/api/presets', headers: { origin: 'https://attacker.example' } })).statusCode,
      200,
    );
    const own: Record<string, string>[] = [
      {},
      { origin: 'http://localhost' },
      { origin: 'http://localhost:80', 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of own) {
      assertError(
        await post(app, { ...multipartType(), ...headers }, end),
        400,
        "no photo: send it in the 'image' field",
      );
    }
    const proxied = await app.inject({
      method: 'DELETE',
      url: '/api/dreams/x',
      headers: { host: 'dreams.example.org', origin: 'https://dreams.example.org' },
    });
    assertError(proxied, 404, "no dream 'x'");
  });

  test('every answer carries the security headers', async () => {
    const policy = (scriptSrc: string) =>
      `default-src 'self'; script-src ${scriptSrc}; style-src 'self'; img-src 'self' data: blob:; ` +
      "worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
    const answers: [LightMyRequestResponse, string][] = [
      [await app.inject({ url: '/' }), "'self' 'wasm-unsafe-eval'"],
      [await app.inject({ url: '/api/nope' }), "'self' 'wasm-unsafe-eval'"],
      [await app.inject({ url: '/', headers: { host: 'attacker.example' } }), "'self' 'wasm-unsafe-eval'"],
      [await post(app, multipartType(), 'garbage'), "'self' 'wasm-unsafe-eval'"],
      // The device worker's files: its protobufjs decoders are generated code.
      [await app.inject({ url: '/device/worker.js' }), "'self' 'wasm-unsafe-eval' 'unsafe-eval'"],
    ];
    for (const [response, scriptSrc] of answers) {
      assert.equal(response.headers['content-security-policy'], policy(scriptSrc));
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['referrer-policy'], 'same-origin');
      assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
    }
  });
});

describe('rate limits', () => {
  let app: FastifyInstance;
  before(async () => {
    app = await testServer({ dreamsPerMinute: 2, requestsPerMinute: 4 });
  });
  after(() => app.close());

  test('dream submissions and other requests have their own budgets per client; then 429 with Retry-After', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await post(app, multipartType(), end)).statusCode, 400);
    const limited = await post(app, multipartType(), end);
    assertError(limited, 429, 'too many dreams: at most 2 a minute; try again in 1 minute');
    assert.equal(limited.headers['retry-after'], '60');
    // Another client has its own budget.
    const other = await app.inject({
      method: 'POST',
      url: '/api/dreams',
      remoteAddress: '10.0.0.9',
      headers: multipartType(),
      payload: end,
    });
    assert.equal(other.statusCode, 400);

    for (let i = 0; i < 4; i++) assert.equal((await app.inject({ url: '/api/presets' })).statusCode, 200);
    const tooMany = await app.inject({ url: '/api/presets' });
    assertError(tooMany, 429, 'too many requests: at most 4 a minute; try again in 1 minute');
    assert.equal(tooMany.headers['retry-after'], '60');
  });
});

describe('slow clients and concurrent uploads', () => {
  let app: FastifyInstance;
  let port: number;
  before(async () => {
    app = await testServer({ headersTimeoutMs: 300, requestTimeoutMs: 1000, maxConcurrentUploads: 1 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(() => app.close());

  test('headers sent byte by byte: 408 and the connection closed', async () => {
    const socket = await openSocket(port);
    const closed = untilClosed(socket);
    const head = `GET /api/presets HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: ${'z'.repeat(100)}\r\n\r\n`;
    let sent = 0;
    const drip = setInterval(() => {
      if (!socket.destroyed && sent < head.length) socket.write(head[sent++]!);
    }, 50);
    const { text, ms } = await closed;
    clearInterval(drip);
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout/);
    assert.ok(sent < head.length, 'the headers were still arriving');
    assert.ok(ms < 3000, `closed after ${ms} ms`);
  });

  test('a body sent too slowly: 408 and the connection closed', async () => {
    const { socket, closed } = await startUpload(port);
    const drip = setInterval(() => {
      if (!socket.destroyed) socket.write('x');
    }, 100);
    const { text, ms } = await closed;
    clearInterval(drip);
    assert.match(text, /^HTTP\/1\.1 408 Request Timeout/);
    assert.ok(ms < 4000, `closed after ${ms} ms`);
  });

  test('uploads beyond the concurrent bound get 503 with Retry-After before their body is read', async () => {
    const { socket, closed } = await startUpload(port);
    await sleep(100);
    const busy = await post(app, multipartType(), end);
    assertError(busy, 503, 'the studio is reading the most uploads it takes at once (1); try again in 5 seconds');
    assert.equal(busy.headers['retry-after'], '5');
    socket.destroy();
    await closed;
    await sleep(50);
    // The slot is free again once the first client is gone.
    assertError(await post(app, multipartType(), end), 400, "no photo: send it in the 'image' field");
  });
});

test('deepdream serve names its guard flags in errors', async () => {
  const bin = new URL('../../../bin/deepdream.js', import.meta.url).pathname;
  const run = (args: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [bin, 'serve', '--port', '0', ...args], (error, _stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      ),
    );
  assert.deepEqual(await run(['--allowed-host', 'a/b']), {
    code: 1,
    stderr:
      "deepdream: --allowed-host must be a host name, optionally with :port (like dreams.example.org:8443) (got 'a/b')\n",
  });
  assert.deepEqual(await run(['--dreams-per-minute', '0']), {
    code: 1,
    stderr: 'deepdream: --dreams-per-minute must be an integer of at least 1 (got 0)\n',
  });
});
