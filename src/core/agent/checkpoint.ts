/**
 * PPO checkpoints as JSON: the trainer state (weights, Adam moments and step, normaliser stats,
 * arguments, update and step counters), the state dimension, and the hint ids in action order,
 * so a checkpoint can never be applied to a KB whose actions mean something else.
 *
 * Float32 vectors are stored as base64 of their little-endian bytes: exact, and ~4x smaller than
 * decimal text. RNG state is not stored because there is none to store: every random draw of
 * update k comes from `Rng.derive(seed, "update/k")` (and the context order from
 * `Rng.derive(seed, "pass/p")`), so a resumed run continues bit-identically.
 */
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../util/fs';
import { InputError } from '../util/errors';
import type { PpoArgs, TrainerState } from './ppo';

export const CHECKPOINT_FORMAT = 're2llm-ppo-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointFile {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  /** State dimension (encoder output size). */
  stateDim: number;
  arms: number;
  hidden: number;
  /** KB hint ids in action order; index 0 is "none" (no hint). */
  hintIds: string[];
  args: PpoArgs;
  update: number;
  step: number;
  /** Actor parameters then critic parameters (see PpoAgent), float32 base64. */
  params: string;
  adam: { m: string; v: string; t: number };
  obsRms: TrainerState['obsRms'];
  /** Greedy validation reward when this checkpoint was taken (if measured). */
  validationReward?: number;
  /** Free-form provenance (encoder id, KB fingerprint, ...). */
  meta?: Record<string, unknown>;
}

export function encodeFloat32(x: Float32Array): string {
  const b = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) b.writeFloatLE(x[i]!, i * 4);
  return b.toString('base64');
}

export function decodeFloat32(s: string, field = 'vector'): Float32Array {
  const b = Buffer.from(s, 'base64');
  if (b.length % 4 !== 0) throw new Error(`${field}: base64 length is not a whole number of float32 values`);
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

export function toCheckpoint(s: TrainerState, hintIds: string[], extra: { validationReward?: number; meta?: Record<string, unknown> } = {}): CheckpointFile {
  if (hintIds.length !== s.arms) throw new Error(`checkpoint: ${hintIds.length} hint ids for ${s.arms} arms`);
  return {
    format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION,
    stateDim: s.dim, arms: s.arms, hidden: s.args.hidden, hintIds,
    args: s.args, update: s.update, step: s.step,
    params: encodeFloat32(s.params),
    adam: { m: encodeFloat32(s.adam.m), v: encodeFloat32(s.adam.v), t: s.adam.t },
    obsRms: s.obsRms,
    ...(extra.validationReward !== undefined ? { validationReward: extra.validationReward } : {}),
    ...(extra.meta ? { meta: extra.meta } : {}),
  };
}

export function fromCheckpoint(c: CheckpointFile): TrainerState {
  return {
    args: c.args, dim: c.stateDim, arms: c.arms, update: c.update, step: c.step,
    params: decodeFloat32(c.params, 'params'),
    adam: { m: decodeFloat32(c.adam.m, 'adam.m'), v: decodeFloat32(c.adam.v, 'adam.v'), t: c.adam.t },
    obsRms: c.obsRms,
  };
}

export async function writeCheckpoint(path: string, c: CheckpointFile): Promise<void> {
  await writeJsonAtomic(path, c);
}

export async function readCheckpoint(path: string): Promise<CheckpointFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read checkpoint: ${(err as Error).message}`, path);
  }
  const c = json as CheckpointFile;
  if (!c || c.format !== CHECKPOINT_FORMAT) throw new InputError(`not a PPO checkpoint (format must be "${CHECKPOINT_FORMAT}")`, path, undefined, 'format');
  if (c.version !== CHECKPOINT_VERSION) throw new InputError(`unsupported checkpoint version ${String(c.version)}`, path, undefined, 'version');
  for (const f of ['stateDim', 'arms', 'hidden', 'update', 'step'] as const) {
    if (typeof c[f] !== 'number' || !Number.isInteger(c[f]) || c[f] < 0) throw new InputError('must be a non-negative integer', path, undefined, f);
  }
  if (!Array.isArray(c.hintIds) || c.hintIds.length !== c.arms || !c.hintIds.every((h) => typeof h === 'string')) {
    throw new InputError(`must list ${c.arms} hint ids`, path, undefined, 'hintIds');
  }
  if (typeof c.params !== 'string') throw new InputError('must be base64 float32', path, undefined, 'params');
  return c;
}
