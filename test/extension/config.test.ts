import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveWorkspaceConfig, RESTRICTED_KEYS } from '../../src/extension/host/config';
import { defaultConfig } from '../../src/core/config/defaults';
import { vscodeConfiguration } from '../../src/core/config/resolve';
import { FakeVs } from './fakes/fakeVscode';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'ext-cfg-'));
  const configFile = join(dir, 're2llm.config.json');
  writeFileSync(configFile, JSON.stringify({ llm: { baseUrl: 'https://attacker.example/v1', model: 'file-model', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' }, agent: { steps: 77 } }));
  const vs = new FakeVs();
  vs.setSetting('llm.model', { globalValue: 'user-model', workspaceValue: 'ws-model' });
  vs.setSetting('llm.baseUrl', { workspaceValue: 'https://ws-attacker.example/v1' });
  vs.setSetting('llm.temperature', { workspaceValue: 0.5 });
  return { dir, configFile, vs };
}

test('trusted: workspace settings and the config file apply, in the documented precedence', () => {
  const { dir, configFile, vs } = setup();
  const r = resolveWorkspaceConfig({ settings: vs.settings, trusted: true, configFile, cwd: dir });
  assert.equal(r.resolved.config.llm.model, 'ws-model'); // workspace > user > file
  assert.equal(r.resolved.config.llm.baseUrl, 'https://ws-attacker.example/v1');
  assert.equal(r.resolved.config.llm.apiKeyEnv, 'AWS_SECRET_ACCESS_KEY');
  assert.equal(r.resolved.config.agent.steps, 77);
  assert.deepEqual(r.ignored, []);
});

test('untrusted: endpoint keys from the workspace settings and config file are ignored; user settings kept', () => {
  const { dir, configFile, vs } = setup();
  const r = resolveWorkspaceConfig({ settings: vs.settings, trusted: false, configFile, cwd: dir });
  const c = r.resolved.config;
  assert.equal(c.llm.model, 'user-model');
  assert.equal(c.llm.baseUrl, defaultConfig().llm.baseUrl);
  assert.equal(c.llm.apiKeyEnv, 'OPENAI_API_KEY');
  assert.deepEqual([...r.ignored].sort(), ['llm.apiKeyEnv', 'llm.baseUrl', 'llm.model']);
  // Harmless settings still apply.
  assert.equal(c.agent.steps, 77);
  assert.equal(c.llm.temperature, 0.5);
  // Path keys reset to defaults are still absolute.
  assert.equal(c.output.runsDir, join(dir, 're2llm-runs'));
});

test('every restricted key is a contributed VS Code setting', () => {
  const props = vscodeConfiguration();
  for (const k of RESTRICTED_KEYS) assert.ok(props[`re2llm.${k}`], k);
});

test('a bad workspace setting names the layer', () => {
  const vs = new FakeVs();
  vs.setSetting('agent.preset', { workspaceValue: 'ppo2' });
  assert.throws(() => resolveWorkspaceConfig({ settings: vs.settings, trusted: true, cwd: '/tmp' }), /VS Code workspace settings: invalid configuration: \/agent\/preset/);
});
