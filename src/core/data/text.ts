/**
 * Reading text files the way real datasets ship them: UTF-8 or ISO-8859-1, with or without a
 * BOM, LF or CRLF line ends. Lines keep their position so errors can cite 1-based line numbers.
 */
import { promises as fsp } from 'node:fs';
import { InputError } from '../util/errors';

export type TextEncoding = 'utf8' | 'latin1';

export async function readText(path: string, encoding: TextEncoding = 'utf8', displayName = path): Promise<string> {
  let buf: Buffer;
  try {
    buf = await fsp.readFile(path);
  } catch (err) {
    throw new InputError(`cannot read: ${(err as Error).message}`, displayName);
  }
  let text = buf.toString(encoding);
  if (encoding === 'utf8' && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}

/** Splits on LF, strips a trailing CR from each line, and drops the empty piece after a final newline. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export async function readLines(path: string, encoding: TextEncoding = 'utf8', displayName = path): Promise<string[]> {
  return splitLines(await readText(path, encoding, displayName));
}
