/**
 * What an importer does with a malformed row: stop with an InputError naming the file, line and
 * field (the default), or, with `dataset.skipBadRows`, count it and keep the first few messages so
 * the report says exactly what was left out. Nothing is ever dropped without being counted.
 */
import { InputError } from '../util/errors';

export const MAX_SKIPPED_EXAMPLES = 5;

export class BadRows {
  count = 0;
  readonly examples: string[] = [];

  constructor(readonly skip: boolean) {}

  /** Throws `err` unless skipping; when skipping, records it and returns normally. */
  reject(err: InputError): void {
    if (!this.skip) throw err;
    this.count++;
    if (this.examples.length < MAX_SKIPPED_EXAMPLES) this.examples.push(err.message);
  }
}
