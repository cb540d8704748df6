/**
 * The synthetic contextual bandit: a file format that any PPO implementation can train on, so
 * implementations can be compared on the identical problem, plus a generator for it.
 *
 * File (JSON):
 *   { "dim": D, "arms": K,
 *     "train":      { "states": [[D numbers], ...], "rewards": [[K numbers], ...], "types"?: [int, ...] },
 *     "validation": { "states": ..., "rewards": ..., "types"?: ... } }
 * rewards[i][a] is the reward of arm a in context i; arm 0 is "no hint" and must be 0.
 * `types` (optional, written by the generator) is each context's latent type; it lets the bench
 * compute the per-type oracle. Readers that do not know it ignore it.
 *
 * Generator: T latent types with random unit centres; a context is its type's centre plus
 * Gaussian noise plus a shared offset (real session embeddings share a large common
 * component, which state normalisation must remove). Each type has one best arm; the other
 * arms have a per-type mean below it, and every (context, arm) pair gets fixed noise, so a
 * context's best arm is not always its type's.
 */
import { readFile } from 'node:fs/promises';
import { Rng } from '../util/rng';
import { InputError } from '../util/errors';
import type { BanditEnv } from './env';

export interface BanditSplit {
  states: number[][];
  rewards: number[][];
  types?: number[];
}

export interface BanditFile {
  dim: number;
  arms: number;
  train: BanditSplit;
  validation: BanditSplit;
}

/** A BanditEnv over one split of a bandit file (rewards are table look-ups). */
export class TableBandit implements BanditEnv {
  readonly size: number;
  private readonly states: Float32Array[];
  private readonly table: Float32Array;

  constructor(readonly dim: number, readonly arms: number, split: BanditSplit) {
    this.size = split.states.length;
    this.states = split.states.map((s) => Float32Array.from(s));
    this.table = new Float32Array(this.size * arms);
    split.rewards.forEach((r, i) => this.table.set(r, i * arms));
  }

  context(i: number): Float32Array {
    const s = this.states[i];
    if (!s) throw new RangeError(`context ${i} out of range 0..${this.size - 1}`);
    return s;
  }

  reward(i: number, a: number): number {
    if (!(a >= 0 && a < this.arms)) throw new RangeError(`arm ${a} out of range 0..${this.arms - 1}`);
    return this.table[i * this.arms + a]!;
  }
}

// ---- reading and checking a file -------------------------------------------------------------

export async function readBanditFile(path: string): Promise<BanditFile> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, path);
  }
  return checkBanditFile(json, path);
}

/** Checks shape and values; errors name the file and the JSON path of the bad field. */
export function checkBanditFile(json: unknown, file = '<bandit>'): BanditFile {
  const fail = (field: string, why: string): never => {
    throw new InputError(why, file, undefined, field);
  };
  if (!json || typeof json !== 'object' || Array.isArray(json)) fail('/', 'expected a JSON object');
  const o = json as Record<string, unknown>;
  const posInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (!posInt(o.dim)) fail('dim', 'must be a positive integer');
  if (!posInt(o.arms) || (o.arms as number) < 2) fail('arms', 'must be an integer >= 2');
  const dim = o.dim as number;
  const arms = o.arms as number;
  const split = (name: 'train' | 'validation'): BanditSplit => {
    const s = o[name] as Record<string, unknown> | undefined;
    if (!s || typeof s !== 'object') return fail(name, 'missing split object');
    if (!Array.isArray(s.states) || s.states.length === 0) fail(`${name}.states`, 'must be a non-empty array of vectors');
    if (!Array.isArray(s.rewards)) fail(`${name}.rewards`, 'must be an array');
    const states = s.states as unknown[];
    const rewards = s.rewards as unknown[];
    if (rewards.length !== states.length) fail(`${name}.rewards`, `has ${rewards.length} rows but states has ${states.length}`);
    states.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== dim) fail(`${name}.states[${i}]`, `must be an array of ${dim} numbers`);
      for (const x of row as unknown[]) if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${name}.states[${i}]`, 'contains a non-finite value');
    });
    rewards.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== arms) fail(`${name}.rewards[${i}]`, `must be an array of ${arms} numbers`);
      for (const x of row as unknown[]) if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${name}.rewards[${i}]`, 'contains a non-finite value');
      if ((row as number[])[0] !== 0) fail(`${name}.rewards[${i}][0]`, 'arm 0 is "no hint" and must have reward 0');
    });
    let types: number[] | undefined;
    if (s.types !== undefined) {
      if (!Array.isArray(s.types) || s.types.length !== states.length || !s.types.every((t) => Number.isInteger(t) && t >= 0)) {
        fail(`${name}.types`, `must be ${states.length} non-negative integers`);
      }
      types = s.types as number[];
    }
    return { states: states as number[][], rewards: rewards as number[][], ...(types ? { types } : {}) };
  };
  return { dim, arms, train: split('train'), validation: split('validation') };
}

// ---- oracles -----------------------------------------------------------------------------------

export interface OracleSummary {
  /** Per-type oracle: each type's best arm on train (by mean reward), scored on validation. Null without types. */
  perType: number | null;
  /** The arm each type gets (index = type), when types are known. */
  perTypeArms: number[] | null;
  /** Per-context oracle on validation: max over arms for each context (an upper bound). */
  perContext: number;
  /** Best single arm for everyone (chosen on train), scored on validation. */
  bestFixed: number;
  /** Uniformly random arm: mean over arms, on validation. */
  uniform: number;
}

export function oracleSummary(f: BanditFile): OracleSummary {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const val = f.validation;
  const perContext = mean(val.rewards.map((r) => Math.max(...r)));
  const uniform = mean(val.rewards.map((r) => mean(r)));
  const armMeans = (rows: number[][]) => Array.from({ length: f.arms }, (_, a) => mean(rows.map((r) => r[a]!)));
  const argmax = (xs: number[]) => xs.reduce((b, x, i) => (x > xs[b]! ? i : b), 0);
  const fixed = argmax(armMeans(f.train.rewards));
  const bestFixed = mean(val.rewards.map((r) => r[fixed]!));
  let perType: number | null = null;
  let perTypeArms: number[] | null = null;
  if (f.train.types && val.types) {
    const nTypes = Math.max(...f.train.types, ...val.types) + 1;
    perTypeArms = Array.from({ length: nTypes }, (_, t) => {
      const rows = f.train.rewards.filter((_, i) => f.train.types![i] === t);
      return rows.length ? argmax(armMeans(rows)) : fixed;
    });
    perType = mean(val.rewards.map((r, i) => r[perTypeArms![val.types![i]!]!]!));
  }
  return { perType, perTypeArms, perContext, bestFixed, uniform };
}

// ---- generator -------------------------------------------------------------------------------

export interface BanditGenOptions {
  types: number;
  dim: number;
  arms: number;
  /** Contexts per split (train and validation each). */
  contexts: number;
  seed: number;
  /** Std of a context around its type centre, relative to the centre's unit norm. */
  spread?: number;
  /** Reward of a type's best arm (before per-pair noise). */
  bestReward?: number;
  /** Std of the fixed per-(context, arm) noise. */
  noise?: number;
}

/**
 * Rewards mimic NDCG@10 deltas: a type's best arm has mean `bestReward` (0.25), the others a
 * per-type mean drawn from U(-0.15, 0.05) (most hints hurt a little, some help a little), plus
 * N(0, noise²) per pair, clipped to [-1, 1]; arm 0 is exactly 0.
 */
export function generateBandit(o: BanditGenOptions): BanditFile {
  if (!(o.types >= 1 && o.dim >= 1 && o.arms >= 2 && o.contexts >= 1)) throw new Error('generateBandit: types, dim, contexts >= 1 and arms >= 2 required');
  const rng = new Rng(`bandit/${o.seed}`);
  const spread = o.spread ?? 1.0;
  const best = o.bestReward ?? 0.25;
  const noise = o.noise ?? 0.1;
  const unit = (): number[] => {
    const v = Array.from({ length: o.dim }, () => rng.normal());
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const shared = unit().map((x) => 3 * x);
  const centres = Array.from({ length: o.types }, unit);
  // Best arms: a shuffled cycle over arms 1..K-1, so types get distinct arms when K-1 >= T.
  const order = rng.shuffle(Array.from({ length: o.arms - 1 }, (_, i) => i + 1));
  const bestArm = centres.map((_, t) => order[t % order.length]!);
  const mu = centres.map((_, t) => Array.from({ length: o.arms }, (_, a) => (a === 0 ? 0 : a === bestArm[t] ? best : -0.15 + 0.2 * rng.next())));
  const split = (): BanditSplit => {
    const states: number[][] = [];
    const rewards: number[][] = [];
    const types: number[] = [];
    for (let i = 0; i < o.contexts; i++) {
      const t = rng.int(o.types);
      const s = 1 / Math.sqrt(o.dim);
      states.push(centres[t]!.map((c, j) => round6(shared[j]! + c + spread * s * rng.normal())));
      rewards.push(mu[t]!.map((m, a) => (a === 0 ? 0 : round6(Math.max(-1, Math.min(1, m + noise * rng.normal()))))));
      types.push(t);
    }
    return { states, rewards, types };
  };
  return { dim: o.dim, arms: o.arms, train: split(), validation: split() };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
