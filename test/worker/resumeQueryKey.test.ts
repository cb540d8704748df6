/**
 * A gateway that takes its key in the URL query (`?api-key=…`): the run folder records the
 * endpoint without it, so `train --resume` gets it back from the current config, and no file the
 * tool writes holds it. The gateway here is a loopback proxy in front of the simulator that
 * refuses (401) any request without the key, as such a gateway does.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { resumeEndpoint } from '../../src/core/llm/redactUrl';
import { startSim, ROOT } from '../faults/helpers';
import type { SimServer } from '../../src/core/sim/server';

const SECRET = 'PLANTED-gateway-query-key-7c41';
const API_KEY = 'sk-PLANTED-resume-key-90ab';
const DATASET = join(ROOT, 'test', 'fixtures', 'eval-sim');

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

/** Forwards to `target` only requests that carry ?api-key=SECRET; counts both kinds. */
async function keyGateway(target: URL): Promise<{ url: string; seen: { ok: number; refused: number } }> {
  const seen = { ok: 0, refused: 0 };
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://gw');
    if (u.searchParams.get('api-key') !== SECRET) {
      seen.refused++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'missing or wrong api-key', type: 'invalid_request_error', code: 'unauthorized' } }));
      return;
    }
    seen.ok++;
    u.searchParams.delete('api-key');
    const fwd = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: u.pathname + u.search, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

function cli(args: string[], killWhen?: () => boolean): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', require.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...process.env, CI: 'true', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = killWhen ? setInterval(() => {
      if (killWhen() && child.exitCode === null) child.kill('SIGKILL');
    }, 5) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearInterval(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]));
}

test('resumeEndpoint: the current URL with its secret when its identity is the recorded one; never another endpoint', () => {
  const rec = 'https://gw.example/v1?api-version=2024-10-21';
  const cur = `https://gw.example/v1?api-version=2024-10-21&api-key=${SECRET}`;
  assert.deepEqual(resumeEndpoint(rec, [undefined, cur]), { baseUrl: cur, restored: true });
  assert.deepEqual(resumeEndpoint(rec, [`https://other.example/v1?api-key=${SECRET}`]), { baseUrl: rec, restored: false }, 'another host');
  assert.deepEqual(resumeEndpoint(rec, [`https://gw.example/v2?api-version=2024-10-21&api-key=${SECRET}`]), { baseUrl: rec, restored: false }, 'another path');
  assert.deepEqual(resumeEndpoint(rec, [`https://gw.example/v1?api-version=2025-01-01&api-key=${SECRET}`]), { baseUrl: rec, restored: false }, 'another api-version shapes answers');
  assert.deepEqual(resumeEndpoint('http://127.0.0.1:1/v1', ['http://127.0.0.1:1/v1']), { baseUrl: 'http://127.0.0.1:1/v1', restored: false });
});

test('train through a gateway with ?api-key= in the URL, SIGKILLed mid-run, then train --resume: it finishes through the gateway, and no written file holds the key', { timeout: 300_000 }, async () => {
  const { sim } = await startSim({ latencyMs: 15 }, DATASET);
  closers.push(() => (sim as SimServer).close());
  const gw = await keyGateway(new URL(sim.url));
  const dir = mkdtempSync(join(tmpdir(), 're2llm-resume-key-'));
  const kbPath = join(dir, 'hints.json');
  writeFileSync(kbPath, JSON.stringify({ version: 1, hints: [{ id: 'h-1', text: 'Prefer the genre the user watched most.' }, { id: 'h-2', text: 'Prefer recent films.' }] }));
  writeFileSync(join(dir, 're2llm.config.json'), JSON.stringify({
    dataset: { path: DATASET, name: 'eval-sim' },
    llm: { baseUrl: `${gw.url}?api-key=${SECRET}`, model: 'sim-llm', cacheDir: join(dir, 'cache'), concurrency: 1, maxRetries: 1 },
    agent: { steps: 256, validateEvery: 1, batchSize: 16 },
    output: { runsDir: join(dir, 'runs'), kbPath },
  }));
  const runDir = join(dir, 'runs', 'train-a');
  const config = join(dir, 're2llm.config.json');
  const first = await cli(['train', '--config', config, '--out', runDir, '--json'], () => gw.seen.ok >= 20);
  assert.equal(first.signal, 'SIGKILL', `killed mid-run: ${first.stderr.slice(-800)}`);
  // The worker notices its parent is gone and stops; wait until it has let go of the folder.
  await new Promise((r) => setTimeout(r, 1500));
  const answeredBefore = gw.seen.ok;
  assert.equal(gw.seen.refused, 0);

  // The user's config (the secret's home) is the current one again.
  const resumed = await cli(['train', '--config', config, '--resume', runDir, '--json']);
  assert.equal(resumed.code, 0, resumed.stderr.slice(-1500));
  const s = JSON.parse(resumed.stdout) as { steps: number; failures?: number; cancelled: boolean };
  assert.equal(s.steps, 256);
  assert.equal(s.cancelled, false);
  assert.equal(s.failures, undefined, 'no reward-table answer failed');
  assert.equal(gw.seen.refused, 0, 'every request of the resumed run carried the key');
  assert.ok(gw.seen.ok > answeredBefore, 'the resumed run asked the gateway for the rest of the table');
  assert.match(resumed.stderr, /resume: the endpoint's credentials come from the current configuration/);

  // Every file the tool wrote (run folder, cache, logs), except the config the user wrote.
  const written = filesUnder(dir).filter((f) => f !== join(dir, 're2llm.config.json'));
  assert.ok(written.length > 5, written.join('\n'));
  for (const f of written) {
    const text = readFileSync(f, 'latin1');
    assert.ok(!text.includes(SECRET), `${f} holds the query secret`);
    assert.ok(!text.includes(API_KEY), `${f} holds the API key`);
  }
  assert.ok(!resumed.stdout.includes(SECRET) && !resumed.stderr.includes(SECRET) && !first.stderr.includes(SECRET), 'nor does the output');
});
