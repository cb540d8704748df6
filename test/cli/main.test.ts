/** Global flag parsing of the re2llm command (issue 12 row 14: `-v` is `--verbose`). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main';

async function stderrOf(argv: string[]): Promise<{ code: number; err: string }> {
  const write = process.stderr.write.bind(process.stderr);
  const writeOut = process.stdout.write.bind(process.stdout);
  let err = '';
  process.stderr.write = ((chunk: string | Uint8Array) => ((err += String(chunk)), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    const code = await main(['node', 're2llm', ...argv]);
    return { code, err };
  } finally {
    process.stderr.write = write;
    process.stdout.write = writeOut;
  }
}

// A --set without "=" is a plain Error (not an InputError): --verbose adds its stack trace.
const failing = ['import', 'test/fixtures/data-jsonl-basic', '--set', 'novalue'];

for (const flags of [['--verbose'], ['-v'], ['-qv']]) {
  test(`${flags.join(' ')} prints the stack of an unexpected error, before or after the command`, async () => {
    for (const argv of [[...flags, ...failing], [...failing, ...flags]]) {
      const r = await stderrOf(argv);
      assert.equal(r.code, 1);
      assert.match(r.err, /--set expects key=value/);
      assert.match(r.err, /\n\s+at /, `a stack trace for ${argv.join(' ')}`);
    }
  });
}

test('without -v there is no stack trace', async () => {
  const r = await stderrOf(failing);
  assert.match(r.err, /--set expects key=value/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});
