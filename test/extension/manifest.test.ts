import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { manifestParts, contributesConfiguration } from '../../src/extension/manifest/manifest';
import { applyManifest, manifestDrift, OWNED_KEYS } from '../../src/extension/manifest/packageJson';
import { COMMANDS } from '../../src/extension/manifest/commands';

const ROOT = join(import.meta.dirname, '..', '..');
type Json = Record<string, any>;
const parts = manifestParts() as Json;

test('activation only through commands, the views and the project files: no "*" or onStartupFinished', () => {
  const events: string[] = parts.activationEvents;
  assert.ok(!events.includes('*'));
  assert.ok(!events.includes('onStartupFinished'));
  for (const e of events) assert.match(e, /^(onCommand:re2llm\.|onView:re2llm\.|onWebviewPanel:re2llm\.|workspaceContains:\*\*\/(re2llm\.config\.json|\*\.hints\.json|\*\.study\.json)$)/);
});

test('every command is in the Re2LLM category; argument-only commands are hidden from the palette', () => {
  const cmds: Json[] = parts.contributes.commands;
  assert.equal(cmds.length, COMMANDS.length);
  for (const c of cmds) assert.equal(c.category, 'Re2LLM');
  const hidden = parts.contributes.menus.commandPalette.map((m: Json) => m.command);
  assert.deepEqual(hidden.sort(), ['re2llm.cancelJob', 're2llm.disableHint', 're2llm.resumeTraining', 're2llm.tryHint']);
  for (const t of ['Set API Key', 'Clear API Key', 'Select Endpoint/Model', 'Build Hint KB (Reflect)', 'Open Hint KB', 'Validate Hint KB', 'Train Retrieval Agent', 'Stop Training', 'Evaluate', 'Open Results', 'Compare Runs', 'Run Full Pipeline']) {
    assert.ok(cmds.some((c) => c.title === t), t);
  }
});

test('restricted configurations are real settings; config includes the CodeLens switch', () => {
  const props = (contributesConfiguration() as Json).properties;
  const restricted: string[] = parts.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.equal(parts.capabilities.untrustedWorkspaces.supported, 'limited');
  for (const k of ['re2llm.llm.baseUrl', 're2llm.llm.model']) assert.ok(restricted.includes(k));
  for (const k of restricted) assert.ok(props[k], k);
  assert.equal(props['re2llm.codeLens.enabled'].default, true);
  for (const [k, v] of Object.entries<Json>(props)) assert.ok(typeof v.markdownDescription === 'string' && 'default' in v, k);
});

test('views, JSON validation and the walkthrough', () => {
  const c = parts.contributes;
  assert.equal(c.viewsContainers.activitybar[0].title, 'Re2LLM');
  assert.equal(c.views.re2llm[0].type, 'webview');
  assert.deepEqual(c.jsonValidation.map((j: Json) => [j.fileMatch, j.url]), [['**/*.hints.json', './schemas/kb.schema.json'], ['**/re2llm.config.json', './schemas/config.schema.json'], ['**/*.study.json', './schemas/study.schema.json']]);
  const steps = c.walkthroughs[0].steps;
  assert.equal(steps[0].id, 'demo');
  assert.match(steps[0].description, /command:re2llm\.startDemo/);
  for (const s of steps) assert.ok(existsSync(join(ROOT, s.media.markdown)), s.media.markdown);
  assert.ok(existsSync(join(ROOT, c.viewsContainers.activitybar[0].icon)));
});

test('applying the manifest touches only the owned keys', () => {
  const pkg = { name: 'x', scripts: { build: 'b' }, dependencies: { a: '1' }, contributes: { stale: true } };
  const out = applyManifest(pkg);
  assert.deepEqual(out.scripts, pkg.scripts);
  assert.deepEqual(out.dependencies, pkg.dependencies);
  assert.equal(out.name, 'x');
  assert.deepEqual(Object.keys(out).filter((k) => !(k in pkg)).sort(), OWNED_KEYS.filter((k) => k !== 'contributes').sort());
  assert.deepEqual(manifestDrift(out), []);
  assert.ok(manifestDrift(pkg).includes('contributes'));
});

test('package.json matches the generated manifest (run `npm run generate`)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(manifestDrift(pkg), []);
});
