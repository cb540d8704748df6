/**
 * Reading a data file line by line with bounded memory, decoding strictly.
 *
 * Why not `node:readline`: it decodes with replacement characters, so a Latin-1 title in a file
 * read as UTF-8 would silently become U+FFFD. Here the file is split on LF bytes (safe in UTF-8
 * and ISO-8859-1 alike), each line is checked with `buffer.isUtf8` before it is decoded, and a
 * bad byte stops the import with the file and line (set `dataset.encoding` to `latin1` for such
 * sources). Memory is one read chunk plus the longest line, whatever the file size.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { InputError } from '../util/errors';

export type TextEncoding = 'utf8' | 'latin1';

/** `dataset.encoding` ("utf-8" | "latin1") as the Buffer encoding name. */
export function textEncoding(setting: string | undefined): TextEncoding {
  return setting === 'latin1' ? 'latin1' : 'utf8';
}

const LF = 0x0a;
const CR = 0x0d;
/** A line longer than this is not a data row (a binary file, or a file with no newlines). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
const CHUNK_BYTES = 1 << 20;

function openError(err: unknown, displayName: string): InputError {
  return new InputError(`cannot read: ${(err as Error).message}`, displayName);
}

export function encodingError(displayName: string, line: number): InputError {
  return new InputError('bytes that are not valid UTF-8 (set dataset.encoding to "latin1" for ISO-8859-1 files)', displayName, line);
}

/**
 * Calls `each(text, line)` for every line (1-based, CR stripped, a UTF-8 BOM on line 1 dropped,
 * no empty piece after a final newline). `each` runs synchronously; the file is read in chunks.
 */
export async function forEachLine(path: string, encoding: TextEncoding, displayName: string, each: (text: string, line: number) => void): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let carry: Buffer | null = null;
  let line = 0;
  const emit = (bytes: Buffer): void => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let start = 0;
    if (line === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
    const view = bytes.subarray(start, end);
    if (encoding === 'utf8' && !isUtf8(view)) throw encodingError(displayName, line);
    each(view.toString(encoding), line);
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let from = 0;
      let nl = chunk.indexOf(LF, from);
      while (nl >= 0) {
        const piece = chunk.subarray(from, nl);
        if (carry) {
          emit(Buffer.concat([carry, piece]));
          carry = null;
        } else emit(piece);
        from = nl + 1;
        nl = chunk.indexOf(LF, from);
      }
      if (from < chunk.length) {
        const rest = chunk.subarray(from);
        // Copy: the stream may reuse or keep its chunk, and a carried tail must not pin it.
        carry = carry ? Buffer.concat([carry, rest]) : Buffer.from(rest);
        if (carry.length > MAX_LINE_BYTES) throw new InputError(`line longer than ${MAX_LINE_BYTES} bytes: not a line-oriented text file`, displayName, line + 1);
      }
    }
  } catch (err) {
    stream.destroy();
    if (err instanceof InputError) throw err;
    throw openError(err, displayName);
  }
  if (carry && carry.length) emit(carry);
}

/**
 * A pass-through for byte streams that checks each line decodes as UTF-8 (for csv-parse, which
 * would otherwise decode bad bytes to U+FFFD) and counts lines for the error message.
 */
export class StrictUtf8Lines extends Transform {
  private carry: Buffer | null = null;
  private line = 0;

  constructor(private readonly displayName: string) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const lastNl = data.lastIndexOf(LF);
    if (lastNl < 0) {
      this.carry = Buffer.from(data);
      if (this.carry.length > MAX_LINE_BYTES) return done(new InputError(`line longer than ${MAX_LINE_BYTES} bytes: not a line-oriented text file`, this.displayName, this.line + 1));
      return done();
    }
    const whole = data.subarray(0, lastNl + 1);
    const bad = this.check(whole);
    if (bad) return done(bad);
    this.carry = lastNl + 1 < data.length ? Buffer.from(data.subarray(lastNl + 1)) : null;
    done(null, whole);
  }

  override _flush(done: TransformCallback): void {
    if (!this.carry) return done();
    const bad = this.check(this.carry);
    if (bad) return done(bad);
    done(null, this.carry);
  }

  /** Whole lines at once (fast path); line by line only to find the line of a bad byte. */
  private check(bytes: Buffer): InputError | undefined {
    const first = this.line;
    let count = 0;
    for (let i = bytes.indexOf(LF); i >= 0; i = bytes.indexOf(LF, i + 1)) count++;
    if (bytes.length && bytes[bytes.length - 1] !== LF) count++;
    this.line += count;
    if (isUtf8(bytes)) return undefined;
    let from = 0;
    for (let n = first + 1; from < bytes.length; n++) {
      const nl = bytes.indexOf(LF, from);
      const end = nl < 0 ? bytes.length : nl;
      if (!isUtf8(bytes.subarray(from, end))) return encodingError(this.displayName, n);
      from = end + 1;
    }
    return encodingError(this.displayName, first + 1);
  }
}
