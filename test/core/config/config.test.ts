import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, configJsonSchema, vscodeConfiguration } from '../../../src/core/config/resolve';
import { defaultConfig } from '../../../src/core/config/defaults';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('precedence: defaults < file < later layers, paths resolved against the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 're2llm.config.json');
  writeFileSync(file, JSON.stringify({ llm: { model: 'from-file', temperature: 0.5 }, dataset: { path: 'data' } }));
  const r = resolveConfig({ configFile: file, layers: [{ source: '--set', values: { 'llm.model': 'from-flag' } }] });
  assert.equal(r.config.llm.model, 'from-flag');
  assert.equal(r.config.llm.temperature, 0.5);
  assert.equal(r.config.llm.maxTokens, defaultConfig().llm.maxTokens);
  assert.equal(r.config.dataset.path, join(dir, 'data'));
  assert.equal(r.sources['llm.model'], '--set');
  assert.equal(r.sources['llm.temperature'], file);
});

test('a bad field is named with its layer and JSON path', () => {
  assert.throws(
    () => resolveConfig({ layers: [{ source: '--set', values: { 'agent.preset': 'ppo2' } }] }),
    /--set: invalid configuration: \/agent\/preset: must be equal to one of the allowed values \(bandit, paper\)/,
  );
  assert.throws(() => resolveConfig({ layers: [{ source: 'x', values: { llm: { modle: 'a' } } }] }), /\/llm: must NOT have additional properties "modle"/);
});

test('unreadable and invalid JSON config files name the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{ "llm": ');
  assert.throws(() => resolveConfig({ configFile: file }), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: invalid JSON`));
  assert.throws(() => resolveConfig({ configFile: join(dir, 'missing.json') }), /missing\.json: cannot read config/);
});

test('defaults satisfy the published schema and every VS Code setting has a description', () => {
  const schema = configJsonSchema() as { properties: Record<string, unknown> };
  assert.ok(schema.properties.llm);
  resolveConfig({ layers: [{ source: 'defaults', values: defaultConfig() as unknown as Record<string, unknown> }] });
  for (const [key, prop] of Object.entries(vscodeConfiguration())) {
    assert.ok(typeof prop.markdownDescription === 'string' && prop.markdownDescription.length > 10, key);
  }
});
