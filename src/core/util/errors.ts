/**
 * An error in user-supplied input. Always names where: the file, and the line and field when
 * known, so the researcher can go straight to it.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(formatLocation(file, line, field) + message);
    this.name = 'InputError';
  }
}

function formatLocation(file?: string, line?: number, field?: string): string {
  if (!file) return field ? `field "${field}": ` : '';
  let s = file;
  if (line !== undefined) s += `:${line}`;
  if (field) s += ` (field "${field}")`;
  return s + ': ';
}
