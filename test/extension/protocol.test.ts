import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asSidebarCommand } from '../../src/protocol/webview';

const params = { "reflection.targetHints": 20, "reflection.maxCalls": 3000, "agent.steps": 5000, "agent.preset": 'bandit', "evaluation.testSample": 200 };

test('sidebar commands: well-formed messages pass, typed and with extra fields dropped', () => {
  assert.deepEqual(asSidebarCommand({ type: 'sidebar/ready', extra: 1 }), { type: 'sidebar/ready' });
  assert.deepEqual(asSidebarCommand({ type: 'sidebar/start', action: 'train', params: { ...params, evil: '<script>' } }), { type: 'sidebar/start', action: 'train', params });
  assert.deepEqual(asSidebarCommand({ type: 'sidebar/cancelJob', jobId: 'train-1' }), { type: 'sidebar/cancelJob', jobId: 'train-1' });
  assert.deepEqual(asSidebarCommand({ type: 'sidebar/command', command: 'setApiKey' }), { type: 'sidebar/command', command: 'setApiKey' });
});

test('sidebar commands: malformed or hostile messages are rejected', () => {
  const bad: unknown[] = [
    null,
    'sidebar/ready',
    42,
    {},
    { type: 'results/ready' },
    { type: 'sidebar/start', action: 'rm -rf', params },
    { type: 'sidebar/start', action: 'train' },
    { type: 'sidebar/start', action: 'train', params: { ...params, "agent.steps": -5 } },
    { type: 'sidebar/start', action: 'train', params: { ...params, "agent.steps": 1.5 } },
    { type: 'sidebar/start', action: 'train', params: { ...params, "agent.steps": '5000' } },
    { type: 'sidebar/start', action: 'train', params: { ...params, "agent.preset": 'ppo' } },
    { type: 'sidebar/start', action: 'reflect', params: { ...params, "reflection.targetHints": Number.MAX_SAFE_INTEGER + 2 } },
    { type: 'sidebar/start', action: 'reflect', params: { reflectTargetHints: 20, reflectMaxCalls: 3000, trainSteps: 5000, agentPreset: 'bandit', evalTestSample: 200 } },
    { type: 'sidebar/cancelJob' },
    { type: 'sidebar/cancelJob', jobId: '' },
    { type: 'sidebar/cancelJob', jobId: 'x'.repeat(5000) },
    { type: 'sidebar/command', command: 'workbench.action.terminal.new' },
    { type: 'sidebar/command', command: 're2llm.setApiKey' },
    { type: 'sidebar/selectDataset', id: 7 },
  ];
  for (const m of bad) assert.equal(asSidebarCommand(m), undefined, JSON.stringify(m)?.slice(0, 80));
});
