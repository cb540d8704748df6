/**
 * Reads what an agent run folder says it was trained on (`<run>/manifest.json`): the dataset
 * hash, the KB fingerprint and the hint ids in action order (texts too, when recorded). Accepts
 * flat keys (`datasetHash`, `kbFingerprint`, `hintIds`, `hintTexts`) or nested ones
 * (`dataset.hash`, `kb.fingerprint`, `kb.hintIds`, `kb.hintTexts`).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../util/errors';

export interface AgentManifestRef {
  datasetHash: string;
  kbFingerprint: string;
  hintIds: string[];
  hintTexts?: string[];
  /** The whole manifest, for the policy loader. */
  raw: Record<string, unknown>;
}

export const MANIFEST_FILE = 'manifest.json';

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

export function parseAgentManifest(value: unknown, file: string): AgentManifestRef {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InputError('a run manifest must be a JSON object', file);
  const m = value as Record<string, unknown>;
  const kb = obj(m.kb);
  const datasetHash = m.datasetHash ?? obj(m.dataset).hash;
  const kbFingerprint = m.kbFingerprint ?? kb.fingerprint;
  const hintIds = strings(m.hintIds ?? kb.hintIds);
  const hintTexts = strings(m.hintTexts ?? kb.hintTexts);
  if (typeof datasetHash !== 'string') throw new InputError('missing the dataset hash the agent was trained on', file, undefined, 'datasetHash');
  if (typeof kbFingerprint !== 'string') throw new InputError('missing the KB fingerprint the agent was trained on', file, undefined, 'kbFingerprint');
  if (!hintIds || hintIds[0] !== 'none') throw new InputError('hint ids in action order are missing or do not start with "none"', file, undefined, 'hintIds');
  if (hintTexts && hintTexts.length !== hintIds.length) throw new InputError(`${hintTexts.length} hint texts for ${hintIds.length} hint ids`, file, undefined, 'hintTexts');
  return { datasetHash, kbFingerprint, hintIds, ...(hintTexts ? { hintTexts } : {}), raw: m };
}

export async function readAgentManifest(runDir: string): Promise<AgentManifestRef> {
  const file = join(runDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`not an agent run folder: cannot read ${MANIFEST_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, file);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InputError(`invalid JSON: ${(err as Error).message}`, file);
  }
  return parseAgentManifest(value, file);
}
