/**
 * The PPO trainer as it was before the batched kernels (2026-12), kept verbatim apart from this
 * header, the shared argument type and the checkpoint methods it no longer needs. Only the
 * benchmark (`npm run bench`, `bench/ppoBench.ts`) and the equivalence tests use it: the bench
 * measures the new trainer's speed against it in the same run, and the tests check that both
 * trainers produce bit-identical parameters. Do not optimise it.
 */
import { Rng } from '../../util/rng';
import { systemClock, throwIfCancelled, type CancelSignal, type Clock } from '../../util/log';
import { Mlp, mlpParamCount, logSoftmaxForward, logSoftmaxBackward } from './mlp';
import { Adam, clipGradNorm, linearDecay } from './adam';
import { RunningMeanStd } from './runningStats';
import type { BanditEnv } from '../env';
import type { PpoArgs } from '../ppo';

// ============================================================================================
// 2. Networks: actor state -> 64 -> 64 -> arms, critic state -> 64 -> 64 -> 1 (tanh)
// ============================================================================================

export class PpoAgent {
  /** Actor parameters first, then critic: one vector for Adam, clipping and checkpoints. */
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly actor: Mlp;
  readonly critic: Mlp;
  /** Running state statistics (null when normalisation is off). */
  obsRms: RunningMeanStd | null;

  constructor(readonly dim: number, readonly arms: number, readonly hidden: number, normalizeStates: boolean, rng: Rng | null) {
    const aSizes = [dim, hidden, hidden, arms];
    const cSizes = [dim, hidden, hidden, 1];
    const na = mlpParamCount(aSizes);
    const nc = mlpParamCount(cSizes);
    this.params = new Float32Array(na + nc);
    this.grads = new Float32Array(na + nc);
    this.actor = new Mlp(aSizes, this.params.subarray(0, na), this.grads.subarray(0, na));
    this.critic = new Mlp(cSizes, this.params.subarray(na), this.grads.subarray(na));
    // cleanrl layer_init: hidden gain sqrt(2); actor output 0.01 (near-uniform first policy);
    // critic output 1.
    if (rng) {
      this.actor.init(rng, Math.SQRT2, 0.01);
      this.critic.init(rng, Math.SQRT2, 1);
    }
    this.obsRms = normalizeStates ? new RunningMeanStd(dim) : null;
  }

  /** Normalised copy of n raw states (identity copy when normalisation is off). */
  normalize(raw: Float32Array, n: number): Float32Array {
    const out = new Float32Array(n * this.dim);
    if (this.obsRms) this.obsRms.normalize(raw, n, out);
    else out.set(raw.subarray(0, n * this.dim));
    return out;
  }

  /** Action probabilities for n raw states (inference: nothing recorded). */
  probs(raw: Float32Array, n: number): Float32Array {
    const logits = this.actor.forward(this.normalize(raw, n), n, false);
    const l = new Float32Array(n * this.arms);
    logSoftmaxForward(logits, n, this.arms, l);
    for (let i = 0; i < l.length; i++) l[i] = Math.exp(l[i]!);
    return l;
  }

  /** Greedy (argmax) arms for n raw states. */
  greedy(raw: Float32Array, n: number): Int32Array {
    const logits = this.actor.forward(this.normalize(raw, n), n, false);
    const out = new Int32Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let j = 1; j < this.arms; j++) if (logits[r * this.arms + j]! > logits[r * this.arms + best]!) best = j;
      out[r] = best;
    }
    return out;
  }
}

// ============================================================================================
// 3. Rollout buffer and 4. advantage
// ============================================================================================

export interface Rollout {
  n: number;
  /** Normalised states (n x dim), as the networks saw them. */
  obs: Float32Array;
  contexts: Int32Array;
  actions: Int32Array;
  /**
   * log π_old(a|s): the policy's own log-probability of the executed action. The clipped ratio
   * π_θ/π_old is centred on it (exactly 1 before the first gradient step).
   */
  logProbs: Float32Array;
  /**
   * log μ(a|s) of the executed action under the behaviour policy μ = (1-ε) π_old + ε/arms that
   * actually chose it (equal to `logProbs` when ε = 0). Used only for the importance weight
   * w = min(1, π_old/μ) on the advantage.
   */
  behaviourLogProbs: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

/**
 * GAE (detail 5) over a rollout without episode ends, bootstrapping from `nextValue`.
 * Why r - V(s) for a bandit: each step is a whole episode, so the return is just r and the
 * TD error with gamma = 0 is delta = r + 0 * V(s') - V(s) = r - V(s); the lambda-sum of later
 * deltas is multiplied by gamma * lambda = 0. The `paper` preset (gamma 0.999) instead adds
 * discounted TD errors of the *other* sessions that follow in the buffer, as the authors do.
 */
export function computeAdvantages(rewards: Float32Array, values: Float32Array, nextValue: number, gamma: number, lambda: number, advantages: Float32Array, returns: Float32Array): void {
  let lastGae = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    const nextV = t === rewards.length - 1 ? nextValue : values[t + 1]!;
    const delta = rewards[t]! + gamma * nextV - values[t]!;
    lastGae = delta + gamma * lambda * lastGae;
    advantages[t] = lastGae;
    returns[t] = lastGae + values[t]!;
  }
}

// ============================================================================================
// 5. The PPO loss and its gradient (details 7-10)
// ============================================================================================

export interface Minibatch {
  m: number;
  obs: Float32Array;
  actions: Int32Array;
  /** log π_old(a|s) of each executed action (the ratio's denominator). */
  oldLogProbs: Float32Array;
  /** Truncated importance weights min(1, π_old(a|s)/μ(a|s)): constants, all 1 when ε = 0. */
  weights: Float32Array;
  oldValues: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

export interface LossParts {
  loss: number;
  pgLoss: number;
  valueLoss: number;
  entropy: number;
  approxKl: number;
  oldApproxKl: number;
  clipFrac: number;
}

/**
 * loss = pg - entCoef * H + vfCoef * v, where (means over the minibatch)
 *   pg = w max(-A r, -A clip(r, 1-c, 1+c)),  r = π_θ(a|s) / π_old(a|s),
 *        w = min(1, π_old(a|s) / μ(a|s))  (detached; A normalised first when normAdv)
 *   H  = -Σ_k π_k log π_k
 *   v  = 0.5 (V(s) - R)^2   (or cleanrl's clipped form when clipVloss)
 * With `withGrad`, accumulates dloss/dθ into agent.grads (zeroed first).
 */
export function ppoLoss(agent: PpoAgent, mb: Minibatch, args: PpoArgs, withGrad: boolean): LossParts {
  const { m } = mb;
  const A = agent.arms;
  // Advantage normalisation per minibatch (detail 7), std with Bessel's correction as torch.
  const adv = new Float32Array(m);
  adv.set(mb.advantages);
  if (args.normAdv && m > 1) {
    let mean = 0;
    for (let i = 0; i < m; i++) mean += adv[i]!;
    mean /= m;
    let v = 0;
    for (let i = 0; i < m; i++) v += (adv[i]! - mean) ** 2;
    const std = Math.sqrt(v / (m - 1));
    for (let i = 0; i < m; i++) adv[i] = (adv[i]! - mean) / (std + 1e-8);
  }
  // Off-policy correction for ε-uniform rollouts: scale each (normalised) advantage by its
  // truncated importance weight (a constant, so it only scales that sample's gradient). It comes
  // after normalisation so the weights do not shift the baseline the normalisation subtracts.
  for (let i = 0; i < m; i++) adv[i] = adv[i]! * mb.weights[i]!;

  // Policy: log-softmax over the arms axis (the axis the authors' rollout got wrong).
  const logits = agent.actor.forward(mb.obs, m, withGrad);
  const l = new Float32Array(m * A);
  logSoftmaxForward(logits, m, A, l);
  const dl = new Float32Array(m * A);
  let pg = 0, ent = 0, kl = 0, oldKl = 0, clipped = 0;
  const lo = 1 - args.clipCoef;
  const hi = 1 + args.clipCoef;
  for (let i = 0; i < m; i++) {
    const a = mb.actions[i]!;
    const logRatio = l[i * A + a]! - mb.oldLogProbs[i]!;
    const ratio = Math.exp(logRatio);
    const t1 = -adv[i]! * ratio;
    const t2 = -adv[i]! * Math.min(hi, Math.max(lo, ratio));
    pg += Math.max(t1, t2);
    // d max(t1, t2)/d log π(a): t1 is differentiable (d ratio / d log π = ratio); t2 is flat
    // outside the clip range and equals t1 inside it.
    if (t1 >= t2) dl[i * A + a]! += (-adv[i]! * ratio) / m;
    oldKl += -logRatio;
    kl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > args.clipCoef) clipped++;
    // Entropy bonus (detail 10): dH/dl_k = -p_k (l_k + 1); the loss has -entCoef * H / m.
    let h = 0;
    for (let k = 0; k < A; k++) {
      const lk = l[i * A + k]!;
      const pk = Math.exp(lk);
      h -= pk * lk;
      dl[i * A + k]! += (args.entCoef / m) * pk * (lk + 1);
    }
    ent += h;
  }
  pg /= m;
  ent /= m;

  // Value: 0.5 (V - R)^2, or the clipped variant (detail 9).
  const v = agent.critic.forward(mb.obs, m, withGrad);
  const dv = new Float32Array(m);
  let vl = 0;
  for (let i = 0; i < m; i++) {
    const diff = v[i]! - mb.returns[i]!;
    if (!args.clipVloss) {
      vl += 0.5 * diff * diff;
      dv[i] = (args.vfCoef * diff) / m;
    } else {
      const dvOld = v[i]! - mb.oldValues[i]!;
      const inside = Math.abs(dvOld) <= args.clipCoef;
      const vClip = mb.oldValues[i]! + Math.min(args.clipCoef, Math.max(-args.clipCoef, dvOld));
      const dc = vClip - mb.returns[i]!;
      if (diff * diff >= dc * dc) {
        vl += 0.5 * diff * diff;
        dv[i] = (args.vfCoef * diff) / m;
      } else {
        vl += 0.5 * dc * dc;
        dv[i] = inside ? (args.vfCoef * dc) / m : 0;
      }
    }
  }
  vl /= m;

  if (withGrad) {
    agent.grads.fill(0);
    const dz = new Float32Array(m * A);
    logSoftmaxBackward(l, dl, m, A, dz);
    agent.actor.backward(dz);
    agent.critic.backward(dv);
  }
  return {
    loss: pg - args.entCoef * ent + args.vfCoef * vl,
    pgLoss: pg, valueLoss: vl, entropy: ent,
    approxKl: kl / m, oldApproxKl: oldKl / m, clipFrac: clipped / m,
  };
}

// ============================================================================================
// 6. The trainer: rollout -> advantage -> epochs x minibatches, with diagnostics
// ============================================================================================

export interface UpdateStats {
  /** Updates done so far (1-based index of this one). */
  update: number;
  /** Environment steps done so far. */
  step: number;
  /** Mean reward of this rollout (behaviour policy, exploration included). */
  meanReward: number;
  /** Mean policy entropy (nats) over the last epoch's minibatches. */
  entropy: number;
  pgLoss: number;
  valueLoss: number;
  approxKl: number;
  oldApproxKl: number;
  clipFrac: number;
  /** 1 - Var(R - V) / Var(R) over the rollout (1: the critic explains the returns). */
  explainedVariance: number;
  /** Learning rate used in this update. */
  lr: number;
  /** Gradient norm before clipping (last minibatch). */
  gradNorm: number;
  /** Environment steps per second of this update (rollout + optimisation, rewards included). */
  stepsPerSecond: number;
}

export class PpoTrainer {
  readonly agent: PpoAgent;
  readonly adam: Adam;
  /** Updates done. */
  update = 0;
  /** Environment steps done. */
  step = 0;
  readonly numUpdates: number;
  private permPass = -1;
  private perm: number[] = [];

  constructor(readonly env: BanditEnv, readonly args: PpoArgs, private readonly clock: Clock = systemClock) {
    if (env.size < 1) throw new Error('PPO: the environment has no contexts');
    this.agent = new PpoAgent(env.dim, env.arms, args.hidden, args.normalizeStates, Rng.derive(args.seed, 'init'));
    this.adam = new Adam(this.agent.params, this.agent.grads, 0.9, 0.999, 1e-5);
    this.numUpdates = Math.floor(args.totalSteps / args.batchSize);
  }

  get finished(): boolean {
    return this.update >= this.numUpdates;
  }

  /**
   * Context of global step s: contexts are visited in passes, each a fresh permutation drawn
   * from (seed, pass), so every context is seen equally often and a resumed run sees the same
   * order. (No RNG state needs saving: every random draw comes from a stream derived from the
   * seed and the update or pass index.)
   */
  contextAt(s: number): number {
    const pass = Math.floor(s / this.env.size);
    if (pass !== this.permPass) {
      this.perm = Rng.derive(this.args.seed, `pass/${pass}`).shuffle(Array.from({ length: this.env.size }, (_, i) => i));
      this.permPass = pass;
    }
    return this.perm[s % this.env.size]!;
  }

  /** One PPO iteration: collect `batchSize` steps, then optimise. */
  async runUpdate(signal?: CancelSignal): Promise<UpdateStats> {
    if (this.finished) throw new Error('PPO: all updates are done');
    const t0 = this.clock.now();
    const a = this.args;
    const k = this.update + 1;
    const rng = Rng.derive(a.seed, `update/${k}`);
    const lr = a.annealLr ? linearDecay(a.learningRate, k, this.numUpdates) : a.learningRate;
    // A cancelled rollout must leave the trainer exactly as it was (the rollout has already
    // merged its states into the normaliser), so a checkpoint taken now resumes bit-identically.
    const rmsBefore = this.agent.obsRms?.toJSON();
    let ro: Rollout;
    try {
      ro = await this.rollout(rng, signal);
      throwIfCancelled(signal);
    } catch (err) {
      if (rmsBefore) this.agent.obsRms = RunningMeanStd.fromJSON(rmsBefore);
      throw err;
    }

    // Optimise: epochs x minibatches (detail 6), global gradient clip (detail 11).
    const mbSize = Math.floor(ro.n / a.numMinibatches);
    const idx = Array.from({ length: ro.n }, (_, i) => i);
    // Diagnostics are the means over the minibatches of the last epoch run (as cleanrl logs).
    let entSum = 0, pgSum = 0, vSum = 0, klSum = 0, oldKlSum = 0, cfSum = 0, count = 0, gradNorm = 0;
    for (let epoch = 0; epoch < a.updateEpochs; epoch++) {
      rng.shuffle(idx);
      entSum = pgSum = vSum = klSum = oldKlSum = cfSum = count = 0;
      for (let s = 0; s + mbSize <= ro.n; s += mbSize) {
        const mb = gather(ro, idx.slice(s, s + mbSize), this.agent.dim);
        const parts: LossParts = ppoLoss(this.agent, mb, a, true);
        gradNorm = clipGradNorm(this.agent.grads, a.maxGradNorm);
        this.adam.step(lr);
        entSum += parts.entropy; pgSum += parts.pgLoss; vSum += parts.valueLoss;
        klSum += parts.approxKl; oldKlSum += parts.oldApproxKl; cfSum += parts.clipFrac; count++;
      }
      // Optional early stop (cleanrl's target_kl): the policy already moved far enough.
      if (a.targetKl !== null && klSum / count > a.targetKl) break;
    }
    this.update = k;
    this.step += ro.n;

    let meanR = 0;
    for (let i = 0; i < ro.n; i++) meanR += ro.rewards[i]!;
    meanR /= ro.n;
    const dt = Math.max(1e-9, (this.clock.now() - t0) / 1000);
    return {
      update: k, step: this.step, meanReward: meanR,
      entropy: entSum / count, pgLoss: pgSum / count, valueLoss: vSum / count,
      approxKl: klSum / count, oldApproxKl: oldKlSum / count, clipFrac: cfSum / count,
      explainedVariance: explainedVariance(ro.values, ro.returns),
      lr, gradNorm, stepsPerSecond: ro.n / dt,
    };
  }

  /** Collects one batch at the current step: states, ε-mixture actions, policy and behaviour log-probs, values, rewards (public for tests; does not advance the step). */
  async rollout(rng: Rng, signal?: CancelSignal): Promise<Rollout> {
    const a = this.args;
    const n = a.batchSize;
    const dim = this.agent.dim;
    const A = this.agent.arms;
    const contexts = new Int32Array(n);
    const raw = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      contexts[i] = this.contextAt(this.step + i);
      raw.set(checkedContext(this.env, contexts[i]!), i * dim);
    }
    // State normalisation: update the running stats with this rollout, then normalise (as
    // gym's NormalizeObservation does for each observation it passes on).
    this.agent.obsRms?.update(raw, n);
    const obs = this.agent.normalize(raw, n);
    const logits = this.agent.actor.forward(obs, n, false);
    const l = new Float32Array(n * A);
    logSoftmaxForward(logits, n, A, l);
    const values = new Float32Array(this.agent.critic.forward(obs, n, false));

    const actions = new Int32Array(n);
    const logProbs = new Float32Array(n);
    const behaviourLogProbs = new Float32Array(n);
    const eps = a.exploration;
    const p = new Float64Array(A);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < A; j++) p[j] = Math.exp(l[i * A + j]!);
      const act = eps > 0 && rng.next() < eps ? rng.int(A) : rng.categorical(p);
      actions[i] = act;
      // Both probabilities are of the executed action, whichever branch chose it (the authors
      // kept the log-prob of the action the random one replaced): π_old(a) centres the clipped
      // ratio, μ(a) gives the importance weight (see the header).
      logProbs[i] = l[i * A + act]!;
      behaviourLogProbs[i] = eps > 0 ? Math.log((1 - eps) * p[act]! + eps / A) : l[i * A + act]!;
    }

    throwIfCancelled(signal);
    // Rewards of the whole batch at once: an LLM-backed env answers them concurrently.
    const rs = await Promise.all(Array.from(contexts, (c, i) => this.env.reward(c, actions[i]!)));
    const rewards = new Float32Array(n);
    rs.forEach((r, i) => {
      if (typeof r !== 'number' || !Number.isFinite(r)) throw new Error(`PPO: reward for context ${contexts[i]}, arm ${actions[i]} is not a finite number (${r})`);
      rewards[i] = r;
    });

    // Advantage (detail 5). The bootstrap value is that of the next context in the stream; with
    // gamma = 0 it is multiplied by 0 and not even computed.
    let nextValue = 0;
    if (a.gamma > 0) {
      const nextRaw = new Float32Array(checkedContext(this.env, this.contextAt(this.step + n)));
      nextValue = this.agent.critic.forward(this.agent.normalize(nextRaw, 1), 1, false)[0]!;
    }
    const advantages = new Float32Array(n);
    const returns = new Float32Array(n);
    computeAdvantages(rewards, values, nextValue, a.gamma, a.gaeLambda, advantages, returns);
    return { n, obs, contexts, actions, logProbs, behaviourLogProbs, values, rewards, advantages, returns };
  }

  /** Greedy policy's mean reward over every context of `env` (e.g. the validation split). */
  async greedyMeanReward(env: BanditEnv, chunk = 256): Promise<{ mean: number; actions: Int32Array }> {
    return greedyMeanReward(this.agent, env, chunk);
  }
}

export async function greedyMeanReward(agent: PpoAgent, env: BanditEnv, chunk = 256): Promise<{ mean: number; actions: Int32Array }> {
  const actions = new Int32Array(env.size);
  const rewards: Array<number | Promise<number>> = [];
  for (let s = 0; s < env.size; s += chunk) {
    const n = Math.min(chunk, env.size - s);
    const raw = new Float32Array(n * env.dim);
    for (let i = 0; i < n; i++) raw.set(checkedContext(env, s + i), i * env.dim);
    const g = agent.greedy(raw, n);
    for (let i = 0; i < n; i++) {
      actions[s + i] = g[i]!;
      rewards.push(env.reward(s + i, g[i]!));
    }
  }
  const rs = await Promise.all(rewards);
  return { mean: rs.reduce((x, y) => x + y, 0) / Math.max(1, rs.length), actions };
}

function checkedContext(env: BanditEnv, i: number): Float32Array {
  const x = env.context(i);
  if (x.length !== env.dim) throw new Error(`context ${i} has ${x.length} values, expected ${env.dim}`);
  return x;
}

/** Truncated importance weight min(1, π_old(a)/μ(a)) from the two stored log-probabilities. */
export function importanceWeight(logPi: number, logMu: number): number {
  return logPi >= logMu ? 1 : Math.exp(logPi - logMu);
}

function gather(ro: Rollout, rows: number[], dim: number): Minibatch {
  const m = rows.length;
  const mb: Minibatch = {
    m, obs: new Float32Array(m * dim), actions: new Int32Array(m), oldLogProbs: new Float32Array(m),
    weights: new Float32Array(m), oldValues: new Float32Array(m), advantages: new Float32Array(m), returns: new Float32Array(m),
  };
  rows.forEach((r, i) => {
    mb.obs.set(ro.obs.subarray(r * dim, (r + 1) * dim), i * dim);
    mb.actions[i] = ro.actions[r]!;
    mb.oldLogProbs[i] = ro.logProbs[r]!;
    mb.weights[i] = importanceWeight(ro.logProbs[r]!, ro.behaviourLogProbs[r]!);
    mb.oldValues[i] = ro.values[r]!;
    mb.advantages[i] = ro.advantages[r]!;
    mb.returns[i] = ro.returns[r]!;
  });
  return mb;
}

export function explainedVariance(pred: Float32Array, target: Float32Array): number {
  const n = target.length;
  let mt = 0, md = 0;
  for (let i = 0; i < n; i++) { mt += target[i]!; md += target[i]! - pred[i]!; }
  mt /= n; md /= n;
  let vt = 0, vd = 0;
  for (let i = 0; i < n; i++) { vt += (target[i]! - mt) ** 2; vd += (target[i]! - pred[i]! - md) ** 2; }
  return vt === 0 ? NaN : 1 - vd / vt;
}
