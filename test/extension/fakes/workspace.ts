/**
 * A workspace for host tests: one dataset folder (JSONL marker), an optional KB, the Studio and
 * Actions over FakeVs/FakeCore, a sidebar that records what it is sent, and an API key set.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Studio } from '../../../src/extension/host/studio';
import { Actions } from '../../../src/extension/host/actions';
import { commandHandlers, type Handler } from '../../../src/extension/host/commands';
import { SECRET_KEY } from '../../../src/extension/host/apiKey';
import { formatKb } from '../../../src/core/kb/store';
import type { HintKb } from '../../../src/core/kb/types';
import type { SidebarNotification } from '../../../src/protocol/webview';
import { FakeVs } from './fakeVscode';
import { FakeCore } from './fakeCore';

const TEST_KEY = 'sk-host-test-key-0123456789';

export function kbOf(...hints: [string, string, boolean?][]): HintKb {
  return { version: 1, dataset: 'toy', hints: hints.map(([id, text, enabled]) => ({ id, text, ...(enabled === false ? { enabled: false } : {}) })) };
}

export function hostWorkspace(kb?: HintKb) {
  const root = mkdtempSync(join(tmpdir(), 'ext-host-'));
  mkdirSync(join(root, 'data', 'toy'), { recursive: true });
  writeFileSync(join(root, 'data', 'toy', 'items.jsonl'), '');
  const kbPath = join(root, 're2llm', 'toy.hints.json');
  mkdirSync(join(root, 're2llm'), { recursive: true });
  if (kb) writeFileSync(kbPath, formatKb(kb));
  const vs = new FakeVs();
  vs.workspaceFolders = [root];
  vs.secretsStore.set(SECRET_KEY, TEST_KEY);
  const core = new FakeCore();
  let handlers: Record<string, Handler> = {};
  const studio = new Studio(vs, core, {}, (id, ...args) => handlers[id]?.(...args));
  const actions = new Actions(studio);
  handlers = commandHandlers(studio, actions);
  const posted: SidebarNotification[] = [];
  studio.sidebar.attach({ postMessage: (m) => (posted.push(m), true) });
  return { root, kbPath, runsDir: join(root, 're2llm-runs'), vs, core, studio, actions, posted, handlers };
}

export async function settle(studio: Studio): Promise<void> {
  for (let i = 0; i < 100 && studio.jobs.running().length; i++) await new Promise((r) => setTimeout(r, 10));
}
