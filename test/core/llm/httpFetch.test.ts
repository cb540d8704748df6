import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { createHttpFetch } from '../../../src/core/llm/httpFetch';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: Socket;
}

/** A loopback server whose handler the test sets; it records every request and connection. */
async function server(): Promise<{ url: string; seen: Seen[]; sockets: Set<Socket>; handle: (h: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void) => void; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const sockets = new Set<Socket>();
  let handler: (req: http.IncomingMessage, res: http.ServerResponse, seen: Seen) => void = (_q, res) => res.end('{}');
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), socket: req.socket };
      seen.push(s);
      handler(req, res, s);
    });
  });
  srv.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    sockets,
    handle: (h) => (handler = h),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

const srvP = server();
const hf = createHttpFetch();
after(async () => {
  hf.close();
  await (await srvP).close();
});

test('a JSON POST: method, headers and a byte-exact content-length go out; status, headers and body come back', async () => {
  const s = await srvP;
  s.handle((_q, res, seen) => {
    res.writeHead(201, 'Made', { 'content-type': 'application/json', 'x-request-id': 'req-1', 'set-cookie': ['a=1', 'b=2'] });
    res.end(JSON.stringify({ echo: JSON.parse(seen.body) as unknown }));
  });
  const body = JSON.stringify({ prompt: 'Film noir — années 1950 ✓' });
  const r = await hf.fetch(`${s.url}/v1/chat/completions?x=1`, { method: 'post', headers: new Headers({ 'Content-Type': 'application/json', Authorization: 'Bearer k' }), body });
  assert.equal(r.status, 201);
  assert.equal(r.statusText, 'Made');
  assert.equal(r.ok, true);
  assert.equal(r.headers.get('x-request-id'), 'req-1');
  assert.deepEqual(r.headers.getSetCookie(), ['a=1', 'b=2']);
  assert.deepEqual(await r.json(), { echo: { prompt: 'Film noir — années 1950 ✓' } });
  const seen = s.seen.at(-1)!;
  assert.equal(seen.method, 'POST');
  assert.equal(seen.url, '/v1/chat/completions?x=1');
  assert.equal(seen.headers['content-type'], 'application/json');
  assert.equal(seen.headers.authorization, 'Bearer k');
  assert.equal(seen.headers['content-length'], String(Buffer.byteLength(body)), 'bytes, not characters');
  assert.equal(seen.body, body);
});

test('statuses without a body, error statuses, and compressed bodies', async () => {
  const s = await srvP;
  s.handle((_q, res) => {
    res.writeHead(204);
    res.end();
  });
  const none = await hf.fetch(`${s.url}/x`, { method: 'DELETE' });
  assert.equal(none.status, 204);
  assert.equal(none.body, null);

  s.handle((_q, res) => {
    res.writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' });
    res.end('{"error":{"message":"slow down"}}');
  });
  const busy = await hf.fetch(`${s.url}/x`, { method: 'POST', body: '{}' });
  assert.equal(busy.status, 429);
  assert.equal(busy.ok, false);
  assert.equal(busy.headers.get('retry-after'), '3');
  assert.equal(await busy.text(), '{"error":{"message":"slow down"}}');

  for (const [enc, pack] of [['gzip', gzipSync], ['br', brotliCompressSync]] as const) {
    s.handle((_q, res) => {
      res.writeHead(200, { 'content-encoding': enc });
      res.end(pack(Buffer.from('{"ok":"packed"}')));
    });
    assert.deepEqual(await (await hf.fetch(`${s.url}/x`)).json(), { ok: 'packed' }, enc);
  }
  s.handle((_q, res) => {
    res.writeHead(200, { 'content-encoding': 'zstd-unknown' });
    res.end('x');
  });
  await assert.rejects(hf.fetch(`${s.url}/x`), (e: Error) => e instanceof TypeError && /unsupported content-encoding/.test(String(e.cause)));
});

test('an abort before sending sends nothing; an abort mid-body rejects as AbortError and frees the socket', async () => {
  const s = await srvP;
  const before = s.seen.length;
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(hf.fetch(`${s.url}/x`, { method: 'POST', body: '{}', signal: ac.signal }), { name: 'AbortError' });
  assert.equal(s.seen.length, before, 'nothing reached the server');

  let wrote!: () => void;
  const headersOut = new Promise<void>((r) => (wrote = r));
  s.handle((_q, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":');
    wrote();
  });
  const mid = new AbortController();
  const p = hf.fetch(`${s.url}/slow`, { method: 'POST', body: '{}', signal: mid.signal });
  await headersOut;
  mid.abort();
  await assert.rejects(p, { name: 'AbortError' });
});

test('the server closing mid-body, a refused connection: "fetch failed" with the cause, as undici reports it', async () => {
  const s = await srvP;
  s.handle((_q, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('{"cut":');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  await assert.rejects(hf.fetch(`${s.url}/x`, { method: 'POST', body: '{}' }), (e: Error) => e instanceof TypeError && e.message === 'fetch failed');

  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const { port } = closed.address() as AddressInfo;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(hf.fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', body: '{}' }), (e: Error & { cause?: { code?: string } }) => e instanceof TypeError && e.cause?.code === 'ECONNREFUSED');
});

test('sockets are kept alive and reused; one the server closed while idle is replaced without an error', async () => {
  const s = await srvP;
  s.handle((_q, res) => res.end('{"n":1}'));
  const own = createHttpFetch();
  try {
    await (await own.fetch(`${s.url}/a`, { method: 'POST', body: '{}' })).json();
    const first = s.seen.at(-1)!.socket;
    await (await own.fetch(`${s.url}/b`, { method: 'POST', body: '{}' })).json();
    assert.equal(s.seen.at(-1)!.socket, first, 'the second request went over the same connection');
    // The server drops the connection as the next request arrives on it (its keep-alive timeout
    // passing just then): the request fails on the reused socket and goes again on a new one.
    s.handle((q, res) => (q.socket === first ? q.socket.destroy() : res.end('{"n":1}')));
    const r = await own.fetch(`${s.url}/c`, { method: 'POST', body: '{"again":true}' });
    assert.deepEqual(await r.json(), { n: 1 });
    assert.equal(s.seen.at(-2)!.socket, first, 'it was sent on the old socket first');
    assert.notEqual(s.seen.at(-1)!.socket, first);
    assert.equal(s.seen.at(-1)!.body, '{"again":true}');
    // Only once: a server that keeps failing it is reported.
    s.handle((q) => q.socket.destroy());
    await assert.rejects(own.fetch(`${s.url}/d`, { method: 'POST', body: '{}' }), (e: Error & { cause?: { code?: string } }) => e instanceof TypeError && e.cause?.code === 'ECONNRESET');
  } finally {
    own.close();
  }
});

test('what it does not handle goes to the global fetch: a redirect (followed there), a multipart body, redirect modes, https', async () => {
  const s = await srvP;
  s.handle((q, res) => {
    if (q.url === '/old') {
      res.writeHead(307, { location: '/new' });
      return res.end();
    }
    res.end(JSON.stringify({ at: q.url, type: q.headers['content-type'] ?? null }));
  });
  assert.deepEqual(await (await hf.fetch(`${s.url}/old`, { method: 'POST', body: '{}' })).json(), { at: '/new', type: 'text/plain;charset=UTF-8' });
  const form = new FormData();
  form.append('purpose', 'batch');
  form.append('file', new Blob(['{"custom_id":"a"}\n']), 'batch.jsonl');
  const up = (await (await hf.fetch(`${s.url}/files`, { method: 'POST', body: form })).json()) as { type: string };
  assert.match(up.type, /^multipart\/form-data; boundary=/);
  const manual = await hf.fetch(`${s.url}/old`, { method: 'POST', body: '{}', redirect: 'manual' });
  assert.equal(manual.status, 307, 'redirect: manual is the global fetch\'s');
  // https is never handled here: the global fetch reports the failure to reach this port over TLS.
  const { port } = new URL(s.url);
  await assert.rejects(hf.fetch(`https://127.0.0.1:${port}/x`), TypeError);
});
