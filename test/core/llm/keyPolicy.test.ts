import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyDestination } from '../../../src/core/llm/keyPolicy';
import { defaultConfig } from '../../../src/core/config/defaults';

const ROOT = join(__dirname, '..', '..', '..');
const env = { OPENAI_API_KEY: 'sk-planted' };

function resolved(baseUrl: string, source: string | undefined, configFile?: string): Parameters<typeof keyDestination>[0] {
  const config = defaultConfig();
  config.llm.baseUrl = baseUrl;
  const sources: Record<string, string> = source ? { 'llm.baseUrl': source } : {};
  return configFile ? { config, sources, configFile } : { config, sources };
}

test('a config file in the current folder may not redirect an environment key to a new host without confirmation', () => {
  const cwd = '/work/project';
  const file = '/work/project/re2llm.config.json';
  const r = keyDestination(resolved('https://gw.example.invalid/v1?api-key=x', file, file), { env, cwd, trustConfigEndpoint: false });
  assert.match(r.refusal ?? '', /sends? .*gw\.example\.invalid|sent to gw\.example\.invalid/);
  assert.match(r.refusal!, /--trust-config-endpoint/);
  assert.ok(!r.refusal!.includes('api-key=x'));
  const trusted = keyDestination(resolved('https://gw.example.invalid/v1', file, file), { env, cwd, trustConfigEndpoint: true });
  assert.equal(trusted.refusal, undefined);
  assert.equal(trusted.notice, 'the API key from $OPENAI_API_KEY is sent to gw.example.invalid only');
});

test('endpoints the user chose (environment, --set, a config elsewhere), loopback, the default host and keyless runs pass', () => {
  const cwd = '/work/project';
  const ok = (r: ReturnType<typeof keyDestination>) => assert.equal(r.refusal, undefined);
  ok(keyDestination(resolved('https://gw.example.invalid/v1', 'environment', '/work/project/re2llm.config.json'), { env, cwd, trustConfigEndpoint: false }));
  ok(keyDestination(resolved('https://gw.example.invalid/v1', '/elsewhere/re2llm.config.json', '/elsewhere/re2llm.config.json'), { env, cwd, trustConfigEndpoint: false }));
  ok(keyDestination(resolved('http://127.0.0.1:11434/v1', '/work/project/re2llm.config.json', '/work/project/re2llm.config.json'), { env, cwd, trustConfigEndpoint: false }));
  const def = keyDestination(resolved('', undefined), { env, cwd, trustConfigEndpoint: false });
  assert.equal(def.host, 'api.openai.com');
  const none = keyDestination(resolved('https://gw.example.invalid/v1', '/work/project/re2llm.config.json', '/work/project/re2llm.config.json'), { env: {}, cwd, trustConfigEndpoint: false });
  assert.deepEqual(none, { keyEnv: 'OPENAI_API_KEY' });
});

test('re2llm reflect refuses the current folder\'s config endpoint for an environment key, naming the flag', async () => {
  const dir = mkdtempSync(join(tmpdir(), 're2llm-trust-'));
  writeFileSync(join(dir, 're2llm.config.json'), JSON.stringify({ dataset: { path: join(ROOT, 'examples', 'hetrec-mini') }, llm: { baseUrl: 'https://gw.example.invalid/v1' } }));
  const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(process.execPath, ['--import', require.resolve('tsx'), join(ROOT, 'src', 'cli', 'main.ts'), 'reflect'], { cwd: dir, env: { ...process.env, OPENAI_API_KEY: 'sk-planted-0123', CI: 'true' } }, (err, _out, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  );
  assert.equal(r.code, 2, r.stderr); // an input error
  assert.match(r.stderr, /would be sent to gw\.example\.invalid.*--trust-config-endpoint/s);
  assert.ok(!r.stderr.includes('sk-planted-0123'));
});
