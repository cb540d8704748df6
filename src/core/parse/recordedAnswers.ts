/**
 * Recorded LLM answers, scored later without calling any LLM (`re2llm score`). Two formats,
 * recognised by the first non-blank line:
 *  - JSONL: one `{"session_id": "...", "answer": "..."}` object per line;
 *  - the authors' log: blocks `Label:<target title>` / `Output: <numbered list>`, separated by
 *    blank lines. Block i (0-based) answers prompt i of the split the log was made from, i.e.
 *    session `<split>-<i>` (the authors' importer names sessions by origin: train-<i>, test-<i>).
 * A bad line stops the read with an InputError naming the file, line and field.
 */
import { readFile } from 'node:fs/promises';
import { decode } from 'he';
import { InputError } from '../util/errors';
import type { Session, SessionDataset } from '../data/types';

interface RecordedAnswer {
  sessionId: string;
  answer: string;
  /** 1-based line in the file where the record starts. */
  line: number;
  /** Authors' log only: the `Label:` text (the target title as the authors saw it). */
  label?: string;
}

type RecordedFormat = 'jsonl' | 'authors-log';

export interface RecordedAnswers {
  file: string;
  format: RecordedFormat;
  answers: RecordedAnswer[];
}

export interface RecordedReadOptions {
  /** Which split an authors' log answers (default "train": the released log is of training prompts). */
  authorsSplit?: 'train' | 'test';
}

export async function readRecordedAnswers(file: string, opts: RecordedReadOptions = {}): Promise<RecordedAnswers> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read answers: ${(err as Error).message}`, file);
  }
  return parseRecordedAnswers(text, file, opts);
}

export function parseRecordedAnswers(text: string, file: string, opts: RecordedReadOptions = {}): RecordedAnswers {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const first = lines.findIndex((l) => l.trim().length > 0);
  if (first < 0) throw new InputError('no answers in file', file);
  const head = lines[first]!.trim();
  if (head.startsWith('{')) return { file, format: 'jsonl', answers: parseJsonl(lines, file) };
  if (head.startsWith('Label:')) return { file, format: 'authors-log', answers: parseAuthorsLog(lines, file, opts.authorsSplit ?? 'train') };
  throw new InputError('unknown answers format: expected JSONL objects or "Label:" blocks', file, first + 1);
}

function parseJsonl(lines: string[], file: string): RecordedAnswer[] {
  const answers: RecordedAnswer[] = [];
  const seen = new Map<string, number>();
  lines.forEach((text, i) => {
    const line = i + 1;
    if (!text.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      throw new InputError(`invalid JSON: ${(err as Error).message}`, file, line);
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new InputError('expected a JSON object', file, line);
    const rec = obj as Record<string, unknown>;
    const id = rec['session_id'];
    if (!(typeof id === 'string' && id.length > 0) && !Number.isInteger(id)) {
      throw new InputError('expected a non-empty string (or integer)', file, line, 'session_id');
    }
    if (typeof rec['answer'] !== 'string') throw new InputError('expected a string', file, line, 'answer');
    const sessionId = String(id);
    const dup = seen.get(sessionId);
    if (dup !== undefined) throw new InputError(`session "${sessionId}" already answered on line ${dup}`, file, line, 'session_id');
    seen.set(sessionId, line);
    answers.push({ sessionId, answer: rec['answer'], line });
  });
  return answers;
}

function parseAuthorsLog(lines: string[], file: string, split: string): RecordedAnswer[] {
  const answers: RecordedAnswer[] = [];
  let current: { label: string; line: number; output: string[] | null } | null = null;
  const finish = (): void => {
    if (!current) return;
    if (current.output === null) throw new InputError('block has no "Output:" line', file, current.line);
    answers.push({ sessionId: `${split}-${answers.length}`, answer: current.output.join('\n').trim(), line: current.line, label: current.label });
  };
  lines.forEach((text, i) => {
    const line = i + 1;
    if (text.startsWith('Label:')) {
      finish();
      current = { label: text.slice('Label:'.length).trim(), line, output: null };
    } else if (current === null) {
      if (text.trim()) throw new InputError('expected "Label:" to start a block', file, line);
    } else if (current.output === null) {
      if (text.startsWith('Output:')) current.output = [text.slice('Output:'.length)];
      else if (text.trim()) throw new InputError('expected "Output:" after "Label:"', file, line);
    } else current.output.push(text);
  });
  finish();
  return answers;
}

export interface LabelMismatch {
  sessionId: string;
  line: number;
  label: string;
  targetTitle: string;
}

/** Authors' log labels that differ from the target's title in the dataset (after decoding entities). */
export function checkLabels(recorded: RecordedAnswers, sessionOf: (id: string) => Session | undefined, dataset: SessionDataset): LabelMismatch[] {
  const mismatches: LabelMismatch[] = [];
  for (const a of recorded.answers) {
    if (a.label === undefined) continue;
    const session = sessionOf(a.sessionId);
    if (!session) continue;
    const targetTitle = dataset.items.get(session.target)?.title ?? '';
    if (decode(a.label) !== decode(targetTitle)) mismatches.push({ sessionId: a.sessionId, line: a.line, label: a.label, targetTitle });
  }
  return mismatches;
}
