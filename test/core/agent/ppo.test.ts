import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../../src/core/util/rng';
import { PpoAgent, PpoTrainer, ppoArgs, ppoLoss, computeAdvantages, explainedVariance, importanceWeight, PPO_PRESETS, type Minibatch } from '../../../src/core/agent/ppo';
import { logSoftmaxForward } from '../../../src/core/agent/mlp';
import { generateBandit, TableBandit, oracleSummary } from '../../../src/core/agent/syntheticBandit';
import { toCheckpoint, fromCheckpoint } from '../../../src/core/agent/checkpoint';
import type { BanditEnv } from '../../../src/core/agent/env';

function smallProblem(seed = 3) {
  const f = generateBandit({ types: 4, dim: 16, arms: 5, contexts: 200, seed, spread: 0.5 });
  return { f, train: new TableBandit(16, 5, f.train), val: new TableBandit(16, 5, f.validation) };
}

test('advantage: gamma 0 gives r - V(s) exactly; gamma > 0 matches hand-computed GAE', () => {
  const r = Float32Array.from([1, 0, 2]);
  const v = Float32Array.from([0.5, 0.25, 1]);
  const adv = new Float32Array(3), ret = new Float32Array(3);
  computeAdvantages(r, v, 7, 0, 0.95, adv, ret);
  assert.deepEqual(Array.from(adv), [0.5, -0.25, 1]);
  assert.deepEqual(Array.from(ret), [1, 0, 2]);
  // gamma 0.5, lambda 1: delta = [1+0.125-0.5, 0+0.5-0.25, 2+3.5-1] = [0.625, 0.25, 4.5]
  // adv2 = 4.5; adv1 = 0.25 + 0.5*4.5 = 2.5; adv0 = 0.625 + 0.5*2.5 = 1.875
  computeAdvantages(r, v, 7, 0.5, 1, adv, ret);
  assert.deepEqual(Array.from(adv), [1.875, 2.5, 4.5]);
});

test('explained variance: 1 for a perfect critic, 0 for the mean', () => {
  const t = Float32Array.from([1, 2, 3, 4]);
  assert.equal(explainedVariance(t, t), 1);
  assert.ok(Math.abs(explainedVariance(Float32Array.from([2.5, 2.5, 2.5, 2.5]), t)) < 1e-12);
});

for (const [clipVloss, eps] of [[false, 0], [true, 0], [false, 0.3], [true, 0.3]] as const) {
  test(`PPO loss: gradient wrt every parameter matches finite differences (clipVloss=${clipVloss}, ε=${eps})`, () => {
    const dim = 4, arms = 3, m = 8;
    const agent = new PpoAgent(dim, arms, 5, false, new Rng(11));
    const rng = new Rng(12);
    // Larger than default output weights so the policy is far from uniform and every term matters.
    for (let i = 0; i < agent.params.length; i++) agent.params[i]! += 0.3 * rng.normal();
    const obs = Float32Array.from({ length: m * dim }, () => rng.normal());
    const actions = Int32Array.from({ length: m }, (_, i) => i % arms);
    const logits = agent.actor.forward(obs, m, false);
    const l = new Float32Array(m * arms);
    logSoftmaxForward(logits, m, arms, l);
    const values = agent.critic.forward(obs, m, false);
    // Old log-probs: ratios well inside (±0.05) or well outside (±0.6) the clip range 0.2, so a
    // finite-difference step never crosses a kink.
    const offsets = [0.05, -0.05, 0.6, -0.6];
    const oldLogProbs = Float32Array.from({ length: m }, (_, i) => l[i * arms + actions[i]!]! - offsets[i % 4]!);
    // With ε > 0 the truncated importance weights min(1, π_old/μ) of an ε-uniform rollout.
    const weights = Float32Array.from(oldLogProbs, (lp) => importanceWeight(lp, Math.log((1 - eps) * Math.exp(lp) + eps / arms)));
    if (eps > 0) assert.ok(weights.some((w) => w < 0.99) && weights.some((w) => w === 1), `weights ${Array.from(weights)}`);
    const mb: Minibatch = {
      m, obs, actions, oldLogProbs, weights,
      oldValues: Float32Array.from({ length: m }, (_, i) => values[i]! + (i % 2 ? 0.05 : 0.8)),
      advantages: Float32Array.from({ length: m }, (_, i) => (i % 3 === 0 ? -1 : 1) * (0.5 + rng.next())),
      returns: Float32Array.from({ length: m }, () => rng.normal()),
    };
    const args = { ...ppoArgs('bandit', { seed: 1, totalSteps: 64 }), clipCoef: 0.2, entCoef: 0.1, clipVloss };
    const parts = ppoLoss(agent, mb, args, true);
    assert.ok(parts.clipFrac > 0 && parts.clipFrac < 1, 'some ratios clipped, some not');
    const grads = new Float32Array(agent.grads);
    const h = 5e-3;
    let checked = 0;
    for (let i = 0; i < agent.params.length; i++) {
      const old = agent.params[i]!;
      agent.params[i] = old + h;
      const fp = ppoLoss(agent, mb, args, false).loss;
      agent.params[i] = old - h;
      const fm = ppoLoss(agent, mb, args, false).loss;
      agent.params[i] = old;
      const num = (fp - fm) / (2 * h);
      assert.ok(Math.abs(num - grads[i]!) <= 2e-3 + 3e-2 * Math.abs(grads[i]!), `param ${i}: numeric ${num} vs analytic ${grads[i]}`);
      checked++;
    }
    assert.equal(checked, agent.params.length);
  });
}

test('ε-exploration stores the executed action\'s log-probs: π_old for the ratio, the behaviour mixture μ for the weight', async () => {
  const { train } = smallProblem();
  for (const eps of [1, 0.5, 0]) {
    const t = new PpoTrainer(train, ppoArgs('paper', { seed: 2, totalSteps: 64, exploration: eps }));
    const ro = await t.rollout(new Rng(4));
    for (let i = 0; i < ro.n; i++) {
      const raw = train.context(ro.contexts[i]!);
      const p = t.agent.probs(raw, 1);
      const pa = p[ro.actions[i]!]!;
      const mu = Math.log((1 - eps) * pa + eps / train.arms);
      assert.ok(Math.abs(ro.logProbs[i]! - Math.log(pa)) < 1e-5, `row ${i}: log π ${ro.logProbs[i]} vs ${Math.log(pa)}`);
      assert.ok(Math.abs(ro.behaviourLogProbs[i]! - mu) < 1e-5, `row ${i}: log μ ${ro.behaviourLogProbs[i]} vs ${mu}`);
      const w = importanceWeight(ro.logProbs[i]!, ro.behaviourLogProbs[i]!);
      assert.ok(Math.abs(w - Math.min(1, pa / Math.exp(mu))) < 1e-5 && w <= 1);
    }
  }
  assert.equal(importanceWeight(-1, -2), 1, 'truncated at 1');
  assert.ok(Math.abs(importanceWeight(-2, -1) - Math.exp(-1)) < 1e-15);
});

test('with ε-exploration the clipped ratio starts at exactly 1: no clipping and zero KL before the first step', async () => {
  const { train } = smallProblem();
  for (const eps of [0.1, 0.5]) {
    // One epoch of one minibatch: the reported diagnostics are those of the loss at θ_old.
    const t = new PpoTrainer(train, ppoArgs('paper', { seed: 2, totalSteps: 64, exploration: eps, numMinibatches: 1, updateEpochs: 1 }));
    // A peaked policy (as after some training), so π and μ = (1-ε)π + ε/A differ a lot.
    const rng = new Rng(8);
    for (let i = 0; i < t.agent.params.length; i++) t.agent.params[i]! += 0.5 * rng.normal();
    const ro = await t.rollout(Rng.derive(2, 'update/1'));
    const logits = t.agent.actor.forward(ro.obs, ro.n, false);
    const l = new Float32Array(ro.n * train.arms);
    logSoftmaxForward(logits, ro.n, train.arms, l);
    let differ = 0;
    for (let i = 0; i < ro.n; i++) {
      assert.equal(Math.exp(l[i * train.arms + ro.actions[i]!]! - ro.logProbs[i]!), 1, `row ${i}: ratio π_θ/π_old before any update`);
      if (Math.abs(ro.behaviourLogProbs[i]! - ro.logProbs[i]!) > 0.05) differ++;
    }
    assert.ok(differ > ro.n / 4, `π and μ differ on ${differ} of ${ro.n} samples (the test must be able to fail)`);
    const s = await t.runUpdate();
    assert.equal(s.clipFrac, 0, `ε ${eps}: clip fraction at the first epoch`);
    assert.ok(Math.abs(s.approxKl) < 1e-9 && Math.abs(s.oldApproxKl) < 1e-9, `ε ${eps}: approx KL ${s.approxKl}, old ${s.oldApproxKl}`);
  }
});

test('the importance weight scales each sample\'s policy-gradient term (a constant: no gradient through it)', () => {
  const dim = 3, arms = 4, m = 6;
  const agent = new PpoAgent(dim, arms, 5, false, new Rng(21));
  const rng = new Rng(22);
  const obs = Float32Array.from({ length: m * dim }, () => rng.normal());
  const actions = Int32Array.from({ length: m }, (_, i) => i % arms);
  const logits = agent.actor.forward(obs, m, false);
  const l = new Float32Array(m * arms);
  logSoftmaxForward(logits, m, arms, l);
  const base = {
    m, obs, actions, oldLogProbs: Float32Array.from({ length: m }, (_, i) => l[i * arms + actions[i]!]!),
    oldValues: new Float32Array(m), returns: new Float32Array(m),
    advantages: Float32Array.from({ length: m }, (_, i) => (i % 2 ? 1 : -0.5) * (1 + i)),
  };
  const args = { ...ppoArgs('paper', { seed: 1, totalSteps: 64 }), entCoef: 0, vfCoef: 0 };
  const one = ppoLoss(agent, { ...base, weights: new Float32Array(m).fill(1) }, args, true);
  const g1 = new Float32Array(agent.grads);
  const half = ppoLoss(agent, { ...base, weights: new Float32Array(m).fill(0.5) }, args, true);
  const gh = new Float32Array(agent.grads);
  assert.ok(Math.abs(one.pgLoss) > 1e-6 || g1.some((g) => Math.abs(g) > 1e-6));
  assert.ok(Math.abs(half.pgLoss - 0.5 * one.pgLoss) < 1e-9, `${half.pgLoss} vs ${one.pgLoss}`);
  for (let i = 0; i < g1.length; i++) assert.ok(Math.abs(gh[i]! - 0.5 * g1[i]!) < 1e-7, `param ${i}`);
  // A zero weight removes the sample: the loss equals that of the other samples alone.
  const w = new Float32Array(m).fill(1);
  w[0] = 0;
  const zero = ppoLoss(agent, { ...base, weights: w }, args, false);
  assert.notEqual(zero.pgLoss, one.pgLoss);
});

test('bandit preset reaches >= 95% of the per-type oracle on a small synthetic bandit', async () => {
  const { f, train, val } = smallProblem();
  const oracle = oracleSummary(f);
  assert.ok(oracle.perType !== null && oracle.perType > 0.2);
  const t = new PpoTrainer(train, ppoArgs('bandit', { seed: 1, totalSteps: 3000 }));
  const before = (await t.greedyMeanReward(val)).mean;
  while (!t.finished) await t.runUpdate();
  const after = (await t.greedyMeanReward(val)).mean;
  assert.ok(before < 0.5 * oracle.perType!, `an untrained policy is far from the oracle (${before})`);
  assert.ok(after >= 0.95 * oracle.perType!, `greedy validation reward ${after} < 95% of oracle ${oracle.perType}`);
});

test('deterministic for a fixed seed (the same checkpoint bytes); a different seed differs', async () => {
  const { train } = smallProblem();
  const run = async (seed: number) => {
    const t = new PpoTrainer(train, ppoArgs('paper', { seed, totalSteps: 32 * 6 }));
    const stats = [];
    while (!t.finished) stats.push((await t.runUpdate()).meanReward);
    return { checkpoint: JSON.stringify(toCheckpoint(t.state(), ['none', 'h1', 'h2', 'h3', 'h4'])), stats };
  };
  const a = await run(5), b = await run(5), c = await run(6);
  assert.equal(a.checkpoint, b.checkpoint);
  assert.deepEqual(a.stats, b.stats);
  assert.notEqual(a.checkpoint, c.checkpoint);
});

test('resume from a checkpoint continues bit-identically (async rewards too)', async () => {
  const { train } = smallProblem();
  // An async env (as the LLM one is) must give the same run as the sync table.
  const asyncEnv: BanditEnv = { dim: train.dim, arms: train.arms, size: train.size, context: (i) => train.context(i), reward: async (i, a) => train.reward(i, a) };
  const args = ppoArgs('bandit', { seed: 9, totalSteps: 64 * 8 });
  const full = new PpoTrainer(train, args);
  while (!full.finished) await full.runUpdate();

  const first = new PpoTrainer(asyncEnv, args);
  for (let i = 0; i < 3; i++) await first.runUpdate();
  const saved = JSON.parse(JSON.stringify(toCheckpoint(first.state(), ['none', 'h1', 'h2', 'h3', 'h4'])));
  const second = new PpoTrainer(asyncEnv, args);
  second.load(fromCheckpoint(saved));
  assert.equal(second.step, 192);
  while (!second.finished) await second.runUpdate();
  assert.deepEqual(Array.from(second.agent.params), Array.from(full.agent.params));
  assert.deepEqual(Array.from(second.adam.state.v), Array.from(full.adam.state.v));
});

test('bad arguments and mismatched checkpoints are rejected with the field named', () => {
  assert.throws(() => ppoArgs('bandit', { seed: 1, totalSteps: 10 }), /PPO argument totalSteps \(setting agent\.steps \/ --steps\): must be at least batchSize \(64\)/);
  assert.throws(() => ppoArgs('bandit', { seed: 1, totalSteps: 640, exploration: 2 }), /exploration/);
  assert.throws(() => ppoArgs('nope' as 'bandit', { seed: 1, totalSteps: 640 }), /unknown PPO preset/);
  const { train } = smallProblem();
  const t = new PpoTrainer(train, ppoArgs('bandit', { seed: 1, totalSteps: 640 }));
  const other = new PpoTrainer(new TableBandit(16, 5, generateBandit({ types: 2, dim: 16, arms: 5, contexts: 5, seed: 1 }).train), ppoArgs('bandit', { seed: 1, totalSteps: 640, hidden: 8 }));
  assert.throws(() => t.load(other.state()), /parameters/);
  assert.throws(() => toCheckpoint(t.state(), ['none']), /1 hint ids for 5 arms/);
  assert.equal(PPO_PRESETS.paper.clipCoef, 0.05);
  assert.equal(PPO_PRESETS.bandit.gamma, 0);
});
