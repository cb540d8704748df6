/**
 * The staging copy a reflection run writes instead of the user's KB, and how its hints get into
 * the KB. A run copies the KB to `<runsDir>/.staging/<key>-<name>` (and the copy's starting point
 * to `….base.json`), reflects into the copy, then merges copy into KB (kb/mergeIntoKb.ts: the
 * open buffer or the disk). The reflection checkpoint marks a hint saved once it is in the copy,
 * so the copy is the only place those hints live until the merge succeeds: it is removed only
 * after a successful merge, and the next run merges a leftover copy before it overwrites it.
 *
 * The key is a hash of the KB's absolute path, so two KBs with the same file name in different
 * folders never share a staging copy (nor, through it, a reflection checkpoint).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { HintKb } from '../../core/kb/types';
import { emptyKb } from '../../core/kb/types';
import { writeFileAtomic, writeJsonAtomic } from '../../core/util/fs';
import type { CoreApi } from '../coreAdapter/api';
import type { Workspace } from '../vscode/types';
import { mergeIntoKb, type MergeOutcome } from './mergeIntoKb';

export interface Staging {
  /** The KB the copy belongs to (absolute). */
  kbPath: string;
  /** The copy reflection writes into. */
  file: string;
  /** `{ kbPath, text }`: the KB text the copy started from (text null: there was no KB file). */
  baseFile: string;
}

export function stagingFor(runsDir: string, kbPath: string): Staging {
  const abs = resolve(kbPath);
  const key = createHash('sha256').update(abs).digest('hex').slice(0, 12);
  const dir = join(runsDir, '.staging');
  const name = `${key}-${basename(abs)}`;
  return { kbPath: abs, file: join(dir, name), baseFile: join(dir, `${name}.base.json`) };
}

async function readOrNull(path: string): Promise<string | null> {
  try {
    return await fsp.readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export async function hasStaged(s: Staging): Promise<boolean> {
  return (await readOrNull(s.file)) !== null;
}

/**
 * Starts a run: copies the KB on disk to the staging file (base first, so a copy never exists
 * without its base). Throws when the KB on disk is not a valid KB. Returns the base.
 */
export async function stageKb(s: Staging, core: CoreApi, datasetName: string | undefined): Promise<{ text: string | null; kb: HintKb }> {
  const text = await readOrNull(s.kbPath);
  const kb = text === null ? emptyKb(datasetName || undefined) : await core.parseKb(text);
  if (!kb) throw new Error(`${s.kbPath} is not a valid KB on disk; fix it (Re2LLM: Validate Hint KB) before reflecting`);
  await writeJsonAtomic(s.baseFile, { kbPath: s.kbPath, text });
  await writeFileAtomic(s.file, text ?? (await core.formatKb(kb)));
  return { text, kb };
}

/**
 * Merges the staging copy into the KB (buffer or disk). Undefined when nothing is staged. The
 * copy is removed only when the merge succeeded; `where: 'staged'` leaves it for the next run.
 */
export async function mergeStaged(ws: Workspace, core: CoreApi, s: Staging): Promise<(MergeOutcome & { newHints: number }) | undefined> {
  const text = await readOrNull(s.file);
  if (text === null) return undefined;
  const desired = await core.parseKb(text);
  if (!desired) return { where: 'staged', reason: `the staged copy ${s.file} is not a valid KB; fix or delete it`, newHints: 0 };
  const base = await readBase(s, core, desired);
  const had = new Set(base.kb.hints.map((h) => h.id));
  const newHints = desired.hints.filter((h) => !had.has(h.id)).length;
  const out = await mergeIntoKb(ws, core, s.kbPath, base, desired);
  if (out.where !== 'staged') {
    await fsp.rm(s.file, { force: true });
    await fsp.rm(s.baseFile, { force: true });
  }
  return { ...out, newHints };
}

/** The copy's starting point; without a readable one, every staged hint counts as new (merge drops the ones the KB already has). */
async function readBase(s: Staging, core: CoreApi, desired: HintKb): Promise<{ text: string | null; kb: HintKb }> {
  const none = { text: null, kb: { ...desired, hints: [] } };
  let v: unknown;
  try {
    v = JSON.parse((await readOrNull(s.baseFile)) ?? 'null');
  } catch {
    return none;
  }
  const text = (v as { text?: unknown } | null)?.text;
  if (typeof text !== 'string') return none;
  const kb = await core.parseKb(text);
  return kb ? { text, kb } : none;
}
