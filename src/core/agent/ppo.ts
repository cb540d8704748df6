/**
 * PPO for the retrieval agent, one file in the order it runs (as cleanrl's `ppo.py`):
 * 1 settings -> 2 networks -> 3 rollout -> 4 advantage -> 5 update -> 6 logging -> 7 the loop.
 * No ML framework: the MLP and its gradients are in `mlp.ts`, Adam in `adam.ts`. The design
 * notes (ε-uniform exploration and its importance weight, how the presets were tuned, the
 * authors' defects not copied) are in docs/ppo.md.
 *
 * The problem is a contextual bandit (`env.ts`): each step is one independent session, the action
 * is a hint index, the reward is NDCG@10 with the hint minus without it. There is no next state.
 *
 * The 13 core details of "The 37 Implementation Details of PPO" (Huang et al. 2022):
 *
 * | #  | detail                                   | here                                                    |
 * |----|------------------------------------------|---------------------------------------------------------|
 * | 1  | vectorized environments                  | n/a: steps are independent; a rollout is `batchSize`    |
 * |    |                                          | contexts whose rewards are requested together           |
 * | 2  | orthogonal init, constant 0 bias         | `PpoAgent` constructor (gains sqrt 2 / 0.01 / 1)        |
 * | 3  | Adam epsilon 1e-5                        | `new Adam(..., 1e-5)` in the `PpoTrainer` constructor   |
 * | 4  | learning-rate annealing                  | `linearDecay` in `PpoTrainer.runUpdate` (`annealLr`)    |
 * | 5  | generalized advantage estimation         | `computeAdvantages` (r - V(s) when gamma = 0)           |
 * | 6  | mini-batch updates                       | `optimise`: epochs x shuffled minibatches               |
 * | 7  | advantage normalisation (per minibatch)  | `ppoLoss` (`normAdv`)                                   |
 * | 8  | clipped surrogate objective              | `ppoLoss`, times the importance weight w (docs/ppo.md)  |
 * | 9  | value-function loss clipping             | `ppoLoss` (`clipVloss`; off in `bandit`)                |
 * | 10 | overall loss with entropy bonus          | `ppoLoss`: pg - entCoef * H + vfCoef * v                |
 * | 11 | global gradient clipping (0.5)           | `optimise`: `gradNorm` + `gradClipScale` into Adam      |
 * | 12 | debug variables                          | `UpdateStats` (section 6)                               |
 * | 13 | separate policy and value networks       | `PpoAgent`: two MLPs, one optimiser over both           |
 *
 * Where this departs from cleanrl's `ppo.py` (all deliberate):
 * - Target-KL early stop tests the mean approx KL over the epoch's minibatches; cleanrl tests
 *   the last minibatch's.
 * - Logged losses, entropy, KLs and clip fraction are means over the minibatches of the last
 *   epoch run; cleanrl logs the last minibatch's values, and its clip fraction over all epochs.
 *   `stepsPerSecond` is per update, cleanrl's SPS cumulative since the start.
 * - Rollouts may act ε-uniformly; the ratio stays π_θ/π_old and each advantage is scaled by the
 *   truncated importance weight min(1, π_old(a)/μ(a)) (cleanrl samples from the policy only).
 * - States are normalised (gym's RunningMeanStd, as cleanrl's continuous-action PPO wraps its
 *   env in); the statistics merge a whole rollout's states before any of them is normalised.
 * - No episode ends: with gamma > 0 (`paper`) GAE runs through the whole rollout and bootstraps
 *   from the value of the next context in the stream (cleanrl marks each horizon-1 step done).
 * - When batchSize is not a multiple of numMinibatches, the leftover rows of each shuffle are
 *   skipped (cleanrl would run a short last minibatch).
 */
import { Rng } from '../util/rng';
import { systemClock, throwIfCancelled, type CancelSignal, type Clock } from '../util/log';
import { Mlp, mlpParamCount, logSoftmaxForward, logSoftmaxBackward } from './mlp';
import { Adam, gradClipScale, gradNorm, linearDecay } from './adam';
import { RunningMeanStd } from './runningStats';
import { KernelArena } from './kernelArena';
import type { BanditEnv } from './env';

// ============================================================================================
// 1. Settings and presets
// ============================================================================================

export type PpoPresetName = 'bandit' | 'paper';

export interface PpoArgs {
  /** Preset the arguments started from (recorded in checkpoints and manifests). */
  preset: PpoPresetName;
  /** Seed for network init, action sampling, context order and minibatch shuffles. */
  seed: number;
  /** Total environment steps (one context, one arm each). */
  totalSteps: number;
  /** Steps collected per update (cleanrl: num_envs x num_steps). */
  batchSize: number;
  /** Minibatches per epoch (minibatch size = batchSize / numMinibatches). */
  numMinibatches: number;
  /** Passes over each rollout (cleanrl: update_epochs). */
  updateEpochs: number;
  /** Adam learning rate at the first update. */
  learningRate: number;
  /** Decay the learning rate linearly to 0 over the run. */
  annealLr: boolean;
  /** Discount. 0 is exact for a bandit: there is no next state whose value matters. */
  gamma: number;
  /** GAE lambda (irrelevant when gamma = 0). */
  gaeLambda: number;
  /** Normalise advantages per minibatch (mean 0, std 1). */
  normAdv: boolean;
  /** PPO ratio clip epsilon. */
  clipCoef: number;
  /** Clip the value loss around the rollout's value estimates (cleanrl's clip_vloss). */
  clipVloss: boolean;
  /** Entropy bonus coefficient. */
  entCoef: number;
  /** Value loss coefficient. */
  vfCoef: number;
  /** Global gradient-norm clip over actor and critic together. */
  maxGradNorm: number;
  /** Stop the epochs of an update early when the epoch's mean approx KL exceeds this (null: never). */
  targetKl: number | null;
  /** ε of ε-uniform exploration in rollouts (0: sample from the policy only). */
  exploration: number;
  /** Normalise states with a running mean/std (updated on rollout states only). */
  normalizeStates: boolean;
  /** Width of the two hidden layers of actor and critic. */
  hidden: number;
}

/**
 * `paper`: the authors' hyperparameters (docs/method.md; one minibatch of 32, as their minibatch
 * size is not recorded). `bandit` (default): tuned on synthetic bandits with `re2llm bench-ppo`;
 * docs/ppo.md gives the measurements behind each value that differs.
 */
export const PPO_PRESETS: Record<PpoPresetName, Omit<PpoArgs, 'seed' | 'totalSteps'>> = {
  // Fields in PpoArgs order (it is the order manifests and checkpoints list them in).
  paper: {
    preset: 'paper', batchSize: 32, numMinibatches: 1, updateEpochs: 10, learningRate: 3e-4, annealLr: true,
    gamma: 0.999, gaeLambda: 0.95, normAdv: true, clipCoef: 0.05, clipVloss: false, entCoef: 0.01, vfCoef: 0.5,
    maxGradNorm: 0.5, targetKl: null, exploration: 0.1, normalizeStates: true, hidden: 64,
  },
  bandit: {
    preset: 'bandit', batchSize: 64, numMinibatches: 2, updateEpochs: 2, learningRate: 1e-3, annealLr: true,
    gamma: 0, gaeLambda: 0.95, normAdv: true, clipCoef: 0.2, clipVloss: false, entCoef: 0.01, vfCoef: 0.5,
    maxGradNorm: 0.5, targetKl: null, exploration: 0, normalizeStates: true, hidden: 64,
  },
};

/** A preset with overrides (undefined/null overrides are ignored). */
export function ppoArgs(preset: PpoPresetName, overrides: Partial<{ [K in keyof PpoArgs]: PpoArgs[K] | null | undefined }> & { seed: number; totalSteps: number }): PpoArgs {
  const base = PPO_PRESETS[preset];
  if (!base) throw new Error(`unknown PPO preset "${preset}" (bandit, paper)`);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined && v !== null) out[k] = v;
  if (overrides.targetKl === null) out.targetKl = null;
  const args = out as unknown as PpoArgs;
  validateArgs(args);
  return args;
}

/** The setting (and CLI flag) each user-facing PPO argument comes from, for error messages. */
const ARG_SETTINGS: Partial<Record<keyof PpoArgs, string>> = {
  totalSteps: 'agent.steps / --steps',
  batchSize: 'agent.batchSize',
  updateEpochs: 'agent.updateEpochs',
  exploration: 'agent.exploration',
  learningRate: 'agent.learningRate',
  clipCoef: 'agent.clipCoef',
};

function validateArgs(a: PpoArgs): void {
  const bad = (f: keyof PpoArgs, why: string) => new Error(`PPO argument ${f}${ARG_SETTINGS[f] ? ` (setting ${ARG_SETTINGS[f]})` : ''}: ${why}`);
  if (!(a.batchSize >= 1 && Number.isInteger(a.batchSize))) throw bad('batchSize', 'must be a positive integer');
  if (!(a.numMinibatches >= 1 && a.numMinibatches <= a.batchSize)) throw bad('numMinibatches', `must be in 1..batchSize (${a.batchSize})`);
  if (!(a.updateEpochs >= 1)) throw bad('updateEpochs', 'must be >= 1');
  if (!(a.totalSteps >= a.batchSize)) throw bad('totalSteps', `must be at least batchSize (${a.batchSize})`);
  if (!(a.exploration >= 0 && a.exploration <= 1)) throw bad('exploration', 'must be in [0, 1]');
  if (!(a.learningRate > 0)) throw bad('learningRate', 'must be > 0');
  if (!(a.clipCoef > 0)) throw bad('clipCoef', 'must be > 0');
  if (!(a.gamma >= 0 && a.gamma <= 1)) throw bad('gamma', 'must be in [0, 1]');
}

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
  /**
   * The WebAssembly memory the parameters, gradients, activations and Adam's moments live in
   * (null where WebAssembly SIMD is unavailable: plain arrays and the JS kernels).
   */
  readonly arena: KernelArena | null;

  constructor(readonly dim: number, readonly arms: number, readonly hidden: number, normalizeStates: boolean, rng: Rng | null) {
    const aSizes = [dim, hidden, hidden, arms];
    const cSizes = [dim, hidden, hidden, 1];
    const na = mlpParamCount(aSizes);
    const nc = mlpParamCount(cSizes);
    this.arena = KernelArena.create();
    this.params = this.alloc(na + nc);
    this.grads = this.alloc(na + nc);
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

  /** A zeroed buffer beside the parameters (in the arena when there is one: no kernel copies). */
  alloc(floats: number): Float32Array {
    return this.arena ? this.arena.alloc(floats) : new Float32Array(floats);
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
// 3. Rollout: states, ε-mixture actions, log-probs, values, rewards of one batch
// ============================================================================================

export interface Rollout {
  n: number;
  /** Normalised states (n x dim), as the networks saw them. */
  obs: Float32Array;
  contexts: Int32Array;
  actions: Int32Array;
  /** log π_old(a|s) of the executed action: the clipped ratio π_θ/π_old is centred on it. */
  logProbs: Float32Array;
  /**
   * log μ(a|s) of the executed action under the behaviour policy μ = (1-ε) π_old + ε/arms that
   * chose it (equal to `logProbs` when ε = 0); only for the importance weight.
   */
  behaviourLogProbs: Float32Array;
  values: Float32Array;
  rewards: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

/** Acts on the given contexts and collects their rewards; advantages are left for section 4. */
async function collectRollout(agent: PpoAgent, env: BanditEnv, args: PpoArgs, contexts: Int32Array, rng: Rng, signal?: CancelSignal): Promise<Rollout> {
  const n = contexts.length;
  const dim = agent.dim;
  const A = agent.arms;
  const raw = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) raw.set(checkedContext(env, contexts[i]!), i * dim);
  // State normalisation: merge this rollout into the running stats, then normalise (as gym's
  // NormalizeObservation does for each observation it passes on).
  agent.obsRms?.update(raw, n);
  const obs = agent.normalize(raw, n);
  const l = new Float32Array(n * A);
  logSoftmaxForward(agent.actor.forward(obs, n, false), n, A, l);
  const values = new Float32Array(agent.critic.forward(obs, n, false));

  const actions = new Int32Array(n);
  const logProbs = new Float32Array(n);
  const behaviourLogProbs = new Float32Array(n);
  const eps = args.exploration;
  const p = new Float64Array(A);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < A; j++) p[j] = Math.exp(l[i * A + j]!);
    const act = eps > 0 && rng.next() < eps ? rng.int(A) : rng.categorical(p);
    actions[i] = act;
    // Both probabilities are of the executed action, whichever branch chose it (the authors
    // kept the log-prob of the action the random one replaced).
    logProbs[i] = l[i * A + act]!;
    behaviourLogProbs[i] = eps > 0 ? Math.log((1 - eps) * p[act]! + eps / A) : l[i * A + act]!;
  }

  throwIfCancelled(signal);
  // Rewards of the whole batch at once: an LLM-backed env answers them concurrently.
  const rs = await Promise.all(Array.from(contexts, (c, i) => env.reward(c, actions[i]!)));
  const rewards = new Float32Array(n);
  rs.forEach((r, i) => {
    if (typeof r !== 'number' || !Number.isFinite(r)) throw new Error(`PPO: reward for context ${contexts[i]}, arm ${actions[i]} is not a finite number (${r})`);
    rewards[i] = r;
  });
  return { n, obs, contexts, actions, logProbs, behaviourLogProbs, values, rewards, advantages: new Float32Array(n), returns: new Float32Array(n) };
}

function checkedContext(env: BanditEnv, i: number): Float32Array {
  const x = env.context(i);
  if (x.length !== env.dim) throw new Error(`context ${i} has ${x.length} values, expected ${env.dim}`);
  return x;
}

// ============================================================================================
// 4. Advantage (detail 5)
// ============================================================================================

/**
 * GAE over a rollout without episode ends, bootstrapping from `nextValue`.
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
// 5. Update: the PPO loss and its gradient (details 7-10), epochs x minibatches (6, 11)
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

/** The loss's per-sample buffers, reallocated only when the minibatch shape changes. */
export class LossBuffers {
  adv = new Float32Array(0);
  logp = new Float32Array(0);
  dlogp = new Float32Array(0);
  dz = new Float32Array(0);
  dv = new Float32Array(0);

  fit(m: number, arms: number): this {
    if (this.adv.length !== m || this.logp.length !== m * arms) {
      [this.adv, this.dv] = [new Float32Array(m), new Float32Array(m)];
      [this.logp, this.dlogp, this.dz] = [new Float32Array(m * arms), new Float32Array(m * arms), new Float32Array(m * arms)];
    }
    return this;
  }
}

/**
 * loss = pg - entCoef * H + vfCoef * v, where (means over the minibatch)
 *   pg = w max(-A r, -A clip(r, 1-c, 1+c)),  r = π_θ(a|s) / π_old(a|s),
 *        w = min(1, π_old(a|s) / μ(a|s))  (detached; A normalised first when normAdv)
 *   H  = -Σ_k π_k log π_k
 *   v  = 0.5 (V(s) - R)^2   (or cleanrl's clipped form when clipVloss)
 * With `withGrad`, accumulates dloss/dθ into agent.grads (zeroed first).
 */
export function ppoLoss(agent: PpoAgent, mb: Minibatch, args: PpoArgs, withGrad: boolean, buf = new LossBuffers()): LossParts {
  const { m } = mb;
  const A = agent.arms;
  const { adv, logp: l, dlogp: dl, dz, dv } = buf.fit(m, A);
  // Advantage normalisation per minibatch (detail 7), std with Bessel's correction as torch.
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
  // Off-policy correction for ε-uniform rollouts (docs/ppo.md): after normalisation, so the
  // weights do not shift the baseline the normalisation subtracts.
  for (let i = 0; i < m; i++) adv[i] = adv[i]! * mb.weights[i]!;

  // Policy: log-softmax over the arms axis (the axis the authors' rollout got wrong).
  logSoftmaxForward(agent.actor.forward(mb.obs, m, withGrad), m, A, l);
  dl.fill(0);
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

/** Truncated importance weight min(1, π_old(a)/μ(a)) from the two stored log-probabilities. */
export function importanceWeight(logPi: number, logMu: number): number {
  return logPi >= logMu ? 1 : Math.exp(logPi - logMu);
}

/** A minibatch of m rows with its buffers, refilled from a rollout for every step. */
function newMinibatch(m: number, agent: PpoAgent): Minibatch {
  return {
    m, obs: agent.alloc(m * agent.dim), actions: new Int32Array(m), oldLogProbs: new Float32Array(m),
    weights: new Float32Array(m), oldValues: new Float32Array(m), advantages: new Float32Array(m), returns: new Float32Array(m),
  };
}

/** Copies rollout rows rows[start .. start + mb.m) into mb. */
function gather(ro: Rollout, rows: readonly number[], start: number, dim: number, mb: Minibatch): void {
  for (let i = 0; i < mb.m; i++) {
    const r = rows[start + i]!;
    mb.obs.set(ro.obs.subarray(r * dim, (r + 1) * dim), i * dim);
    mb.actions[i] = ro.actions[r]!;
    mb.oldLogProbs[i] = ro.logProbs[r]!;
    mb.weights[i] = importanceWeight(ro.logProbs[r]!, ro.behaviourLogProbs[r]!);
    mb.oldValues[i] = ro.values[r]!;
    mb.advantages[i] = ro.advantages[r]!;
    mb.returns[i] = ro.returns[r]!;
  }
}

/** Means over the minibatches of the last epoch run (see the header for cleanrl's choice). */
type EpochMeans = Pick<UpdateStats, 'entropy' | 'pgLoss' | 'valueLoss' | 'approxKl' | 'oldApproxKl' | 'clipFrac' | 'gradNorm'>;

// ============================================================================================
// 6. Logging: the diagnostics cleanrl records, per update
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

export function explainedVariance(pred: Float32Array, target: Float32Array): number {
  const n = target.length;
  let mt = 0, md = 0;
  for (let i = 0; i < n; i++) { mt += target[i]!; md += target[i]! - pred[i]!; }
  mt /= n; md /= n;
  let vt = 0, vd = 0;
  for (let i = 0; i < n; i++) { vt += (target[i]! - mt) ** 2; vd += (target[i]! - pred[i]! - md) ** 2; }
  return vt === 0 ? NaN : 1 - vd / vt;
}

// ============================================================================================
// 7. The loop: setup, then per update rollout -> advantage -> update -> stats
// ============================================================================================

/** Everything needed to continue a run bit-identically (see `checkpoint.ts` for the file). */
export interface TrainerState {
  args: PpoArgs;
  dim: number;
  arms: number;
  update: number;
  step: number;
  params: Float32Array;
  adam: { m: Float32Array; v: Float32Array; t: number };
  obsRms: ReturnType<RunningMeanStd['toJSON']> | null;
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
  private readonly minibatch: Minibatch;
  private readonly lossBuffers = new LossBuffers();

  constructor(readonly env: BanditEnv, readonly args: PpoArgs, private readonly clock: Clock = systemClock) {
    validateArgs(args);
    if (env.size < 1) throw new Error('PPO: the environment has no contexts');
    this.agent = new PpoAgent(env.dim, env.arms, args.hidden, args.normalizeStates, Rng.derive(args.seed, 'init'));
    this.adam = new Adam(this.agent.params, this.agent.grads, 0.9, 0.999, 1e-5);
    this.numUpdates = Math.floor(args.totalSteps / args.batchSize);
    this.minibatch = newMinibatch(Math.floor(args.batchSize / args.numMinibatches), this.agent);
  }

  get finished(): boolean {
    return this.update >= this.numUpdates;
  }

  /** One PPO iteration: collect `batchSize` steps, compute advantages, optimise, report. */
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
    const means = this.optimise(ro, rng, lr);
    this.update = k;
    this.step += ro.n;

    let meanR = 0;
    for (let i = 0; i < ro.n; i++) meanR += ro.rewards[i]!;
    meanR /= ro.n;
    const dt = Math.max(1e-9, (this.clock.now() - t0) / 1000);
    return {
      update: k, step: this.step, meanReward: meanR, ...means, lr,
      explainedVariance: explainedVariance(ro.values, ro.returns), stepsPerSecond: ro.n / dt,
    };
  }

  /** Sections 3 and 4 for the batch at the current step (public for tests; does not advance the step). */
  async rollout(rng: Rng, signal?: CancelSignal): Promise<Rollout> {
    const a = this.args;
    const n = a.batchSize;
    const contexts = new Int32Array(n);
    for (let i = 0; i < n; i++) contexts[i] = this.contextAt(this.step + i);
    const ro = await collectRollout(this.agent, this.env, a, contexts, rng, signal);
    // The bootstrap value is that of the next context in the stream; with gamma = 0 it is
    // multiplied by 0 and not even computed.
    let nextValue = 0;
    if (a.gamma > 0) {
      const nextRaw = new Float32Array(checkedContext(this.env, this.contextAt(this.step + n)));
      nextValue = this.agent.critic.forward(this.agent.normalize(nextRaw, 1), 1, false)[0]!;
    }
    computeAdvantages(ro.rewards, ro.values, nextValue, a.gamma, a.gaeLambda, ro.advantages, ro.returns);
    return ro;
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

  /** Section 5: epochs x shuffled minibatches (detail 6), global gradient clip (detail 11). */
  private optimise(ro: Rollout, rng: Rng, lr: number): EpochMeans {
    const a = this.args;
    const mb = this.minibatch;
    const idx = Array.from({ length: ro.n }, (_, i) => i);
    const sum = { entropy: 0, pgLoss: 0, valueLoss: 0, approxKl: 0, oldApproxKl: 0, clipFrac: 0 };
    let count = 0, norm = 0;
    for (let epoch = 0; epoch < a.updateEpochs; epoch++) {
      rng.shuffle(idx);
      sum.entropy = sum.pgLoss = sum.valueLoss = sum.approxKl = sum.oldApproxKl = sum.clipFrac = count = 0;
      for (let s = 0; s + mb.m <= ro.n; s += mb.m) {
        gather(ro, idx, s, this.agent.dim, mb);
        const parts = ppoLoss(this.agent, mb, a, true, this.lossBuffers);
        norm = gradNorm(this.agent.grads);
        this.adam.step(lr, gradClipScale(norm, a.maxGradNorm));
        sum.entropy += parts.entropy; sum.pgLoss += parts.pgLoss; sum.valueLoss += parts.valueLoss;
        sum.approxKl += parts.approxKl; sum.oldApproxKl += parts.oldApproxKl; sum.clipFrac += parts.clipFrac;
        count++;
      }
      // Optional early stop (cleanrl's target_kl, here on the epoch mean): the policy moved enough.
      if (a.targetKl !== null && sum.approxKl / count > a.targetKl) break;
    }
    return {
      entropy: sum.entropy / count, pgLoss: sum.pgLoss / count, valueLoss: sum.valueLoss / count,
      approxKl: sum.approxKl / count, oldApproxKl: sum.oldApproxKl / count, clipFrac: sum.clipFrac / count,
      gradNorm: norm,
    };
  }

  /** Greedy policy's mean reward over every context of `env` (e.g. the validation split). */
  async greedyMeanReward(env: BanditEnv, chunk = 256): Promise<{ mean: number; actions: Int32Array }> {
    return greedyMeanReward(this.agent, env, chunk);
  }

  state(): TrainerState {
    return {
      args: this.args, dim: this.agent.dim, arms: this.agent.arms, update: this.update, step: this.step,
      params: new Float32Array(this.agent.params),
      adam: { m: new Float32Array(this.adam.state.m), v: new Float32Array(this.adam.state.v), t: this.adam.state.t },
      obsRms: this.agent.obsRms ? this.agent.obsRms.toJSON() : null,
    };
  }

  /** Restores a saved state; the environment must have the same shape. */
  load(s: TrainerState): void {
    if (s.dim !== this.agent.dim || s.arms !== this.agent.arms) {
      throw new Error(`PPO checkpoint is for ${s.dim}-d states and ${s.arms} arms; this environment has ${this.agent.dim} and ${this.agent.arms}`);
    }
    if (s.params.length !== this.agent.params.length) throw new Error(`PPO checkpoint has ${s.params.length} parameters, expected ${this.agent.params.length} (hidden width differs?)`);
    this.agent.params.set(s.params);
    this.adam.load(s.adam);
    this.agent.obsRms = s.obsRms ? RunningMeanStd.fromJSON(s.obsRms) : null;
    this.update = s.update;
    this.step = s.step;
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
