/**
 * `npm run bench:cache [-- --full]`: the response cache at study size, old single-file store
 * (bench/legacyResponseCache.ts) against the indexed store (src/core/llm/cache.ts), measured in
 * the same run. For each size: open time and resident memory of a fresh process that opens the
 * cache and looks 1,000 keys up, lookups and appends per second, and bytes on disk.
 *
 * Records are synthetic but shaped like the hetrec rank answers measured in a real cache: a
 * 1,830-character prompt and a 290-character answer. 10^5 entries run by default; `--full`
 * adds 10^6 (about a minute, 2.3 GB of old-format data written to a temporary folder).
 *
 * Child mode (internal): `cacheBench.ts --child <old|new|none> <dir> <n>` prints one JSON line.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, readdirSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKey, storedInput, ResponseCache, type ChatCacheInput } from '../src/core/llm/cache';
import { LegacyResponseCache } from './legacyResponseCache';

const PROMPT_CHARS = 1830;
const ANSWER = Array.from({ length: 10 }, (_, i) => `${i + 1}. A Movie Title Of Typical Length (19${80 + i})`).join('\n').slice(0, 290);
const FILLER = 'You are a movie recommender. The user watched, oldest first: '.padEnd(PROMPT_CHARS, ' Some Film (1994); Another Film (2001);');

function inputOf(i: number): ChatCacheInput {
  // The index makes every prompt distinct, as every (session, hint) prompt is.
  return { kind: 'chat', baseUrl: 'http://127.0.0.1:8000/v1', model: 'bench-model', messages: [{ role: 'user', content: `#${i} ${FILLER}`.slice(0, PROMPT_CHARS) }], temperature: 0, maxTokens: 512, seed: null, responseFormat: 'text' };
}

async function writeLines(file: string, n: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < n; i++) {
    if (!out.write(line(i) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

const AT = '2026-12-01T00:00:00.000Z';
const output = { text: ANSWER, promptTokens: 460, completionTokens: 75, finishReason: 'stop' };

interface ChildResult {
  impl: string;
  openMs: number;
  /** CPU time (user + system) of the open, which load on a shared machine does not inflate as it does wall time. */
  openCpuMs: number;
  rssMb: number;
  maxRssMb: number;
  lookupsPerSec: number;
  appendsPerSec: number;
  entries: number;
  error?: string;
}

async function child(impl: string, dir: string, n: number): Promise<void> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r: ChildResult = { impl, openMs: 0, openCpuMs: 0, rssMb: 0, maxRssMb: 0, lookupsPerSec: 0, appendsPerSec: 0, entries: 0 };
  try {
    if (impl !== 'none') {
      const cache = impl === 'old' ? await LegacyResponseCache.open(dir) : await ResponseCache.open(dir);
      r.openMs = performance.now() - t0;
      const c = process.cpuUsage(c0);
      r.openCpuMs = (c.user + c.system) / 1000;
      const keys = Array.from({ length: 1000 }, (_, j) => cacheKey(inputOf((j * 7919) % n)));
      const t1 = performance.now();
      let found = 0;
      for (const k of keys) if (await cache.get(k)) found++;
      r.lookupsPerSec = keys.length / ((performance.now() - t1) / 1000);
      if (found !== keys.length) throw new Error(`${impl}: found ${found} of ${keys.length} keys`);
      const t2 = performance.now();
      for (let j = 0; j < 100; j++) await cache.put(inputOf(n + j), output);
      r.appendsPerSec = 100 / ((performance.now() - t2) / 1000);
      r.entries = (await cache.stats()).entries;
    }
  } catch (err) {
    r.error = (err as Error).message.slice(0, 120);
  }
  r.rssMb = process.memoryUsage().rss / 2 ** 20;
  r.maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(r) + '\n');
}

function measure(impl: string, dir: string, n: number): ChildResult {
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--max-old-space-size=4096', __filename, '--child', impl, dir, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = res.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ChildResult;
  } catch {
    return { impl, openMs: 0, openCpuMs: 0, rssMb: 0, maxRssMb: 0, lookupsPerSec: 0, appendsPerSec: 0, entries: 0, error: (res.stderr || `exit ${res.status}`).trim().split('\n').slice(-1)[0] };
  }
}

function bytesIn(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

async function main(): Promise<void> {
  const sizes = process.argv.includes('--full') ? [100_000, 1_000_000] : [100_000];
  const root = mkdtempSync(join(tmpdir(), 're2llm-cache-bench-'));
  const rows: string[] = [];
  const results: unknown[] = [];
  const base = measure('none', root, 0);
  try {
    for (const n of sizes) {
      const oldDir = join(root, `old-${n}`);
      const newDir = join(root, `new-${n}`);
      for (const d of [oldDir, newDir]) rmSync(d, { recursive: true, force: true });
      mkdirSync(oldDir, { recursive: true });
      mkdirSync(newDir, { recursive: true });
      await writeLines(join(oldDir, 'responses.jsonl'), n, (i) => JSON.stringify({ key: cacheKey(inputOf(i)), input: inputOf(i), output, at: AT }));
      await writeLines(join(newDir, 'answers.jsonl'), n, (i) => JSON.stringify({ key: cacheKey(inputOf(i)), at: AT, input: storedInput(inputOf(i)), output }));
      const oldBytes = bytesIn(oldDir);
      const old = measure('old', oldDir, n);
      const firstOpen = measure('new', newDir, n); // no index yet: built from the data file
      const indexed = measure('new', newDir, n);
      const migrate = measure('new', oldDir, n); // the new store reading an old responses.jsonl
      const newBytes = bytesIn(newDir);
      const fmt = (r: ChildResult): string =>
        r.error
          ? `FAILED: ${r.error}`
          : `open ${(r.openMs / 1000).toFixed(2).padStart(6)} s (CPU ${(r.openCpuMs / 1000).toFixed(2).padStart(5)} s)  RSS ${r.maxRssMb.toFixed(0).padStart(5)} MB  lookups ${r.lookupsPerSec.toFixed(0).padStart(7)}/s  appends ${r.appendsPerSec.toFixed(0).padStart(6)}/s`;
      rows.push(
        `${n.toLocaleString('en-US')} answers`,
        `  old single file (${(oldBytes / 2 ** 20).toFixed(0)} MB)       ${fmt(old)}`,
        `  new, first open (builds index)   ${fmt(firstOpen)}`,
        `  new, indexed (${(newBytes / 2 ** 20).toFixed(0)} MB incl. index) ${fmt(indexed)}`,
        `  new reading the old file         ${fmt(migrate)}`,
        `  ratio old/new open time ${old.error ? 'n/a (old failed)' : (old.openMs / indexed.openMs).toFixed(1) + 'x'}; bytes per answer old ${(oldBytes / n).toFixed(0)}, new ${(newBytes / (n + 100)).toFixed(0)}`,
      );
      results.push({ n, oldBytes, newBytes, old, firstOpen, indexed, migrate });
      rmSync(oldDir, { recursive: true, force: true });
      rmSync(newDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  if (process.argv.includes('--json')) process.stdout.write(JSON.stringify({ baseline: base, results }, null, 2) + '\n');
  else process.stdout.write([`Response cache (a fresh process per measurement; an empty one has RSS ${base.maxRssMb.toFixed(0)} MB)`, ...rows].join('\n') + '\n');
}

if (process.argv[2] === '--child') void child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else void main();
