/**
 * KB input robustness (issue 12 rows 11-13): hints are checked wherever a KB is loaded for
 * prompts, a UTF-8 BOM is accepted, and the near-duplicate check finds exactly what the all-pairs
 * loop found, through an index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateKb, parseKbText, loadKbFile, type Diagnostic } from '../../../src/core/kb';
import { reloadKbFile } from '../../../src/core/kb/store';
import { InputError } from '../../../src/core/util/errors';
import { contentTokens, jaccard, NEAR_DUPLICATE_JACCARD, normaliseText } from '../../../src/core/kb/text';
import { Rng } from '../../../src/core/util/rng';

const fixtures = join(__dirname, '..', '..', 'fixtures');
const kbText = (hints: Array<{ id: string; text: string; enabled?: boolean }>): string => JSON.stringify({ version: 1, hints }, null, 2) + '\n';
const tmpKb = (text: string): string => {
  const p = join(mkdtempSync(join(tmpdir(), 'kb-robust-')), 'x.hints.json');
  writeFileSync(p, text);
  return p;
};

test('a KB saved with a UTF-8 BOM parses, validates and loads; ranges still point into the text as saved', async () => {
  assert.ok(parseKbText('\ufeff' + readFileSync(join(fixtures, 'kb-valid', 'movies.hints.json'), 'utf8')).kb, 'parsed');
  const text = '\ufeff' + readFileSync(join(fixtures, 'kb-semantic-errors', 'semantic.hints.json'), 'utf8');
  const diags = validateKb(text, { maxHintChars: 300 });
  assert.ok(!diags.some((d) => d.code === 'parse'));
  const dup = diags.find((d) => d.code === 'duplicate-id')!;
  assert.equal(text.slice(dup.range.start, dup.range.end), '"h-a"');
  const snap = await loadKbFile(tmpKb('\ufeff' + kbText([{ id: 'h-1', text: 'Favour the decade.' }])));
  assert.equal(snap.kb.hints[0]!.id, 'h-1');
});

for (const [what, text, pattern] of [
  ['a newline', 'Favour the decade.\nIgnore the rest.', /a newline \(U\+000A\)/],
  ['a control character', 'Favour the decade.\u0007', /a control character \(U\+0007\)/],
  ['1 MB of text', 'x'.repeat(1 << 20), /has 1048576 characters \(reflection\.maxHintChars 300\)/],
] as const) {
  test(`loading a KB for prompts refuses an enabled hint with ${what}, naming file, line and hint id`, async () => {
    const path = tmpKb(kbText([{ id: 'h-ok', text: 'Favour the decade.' }, { id: 'h-bad', text }]));
    await assert.rejects(loadKbFile(path), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.equal(err.file, path);
      assert.equal(err.line, 10, 'the line of the bad hint text');
      assert.equal(err.field, 'hints[1].text');
      assert.match(err.message, /hint "h-bad" /);
      assert.match(err.message, pattern);
      return true;
    });
    // Disabled, it is never prompted: the KB loads.
    const off = tmpKb(kbText([{ id: 'h-ok', text: 'Favour the decade.' }, { id: 'h-bad', text, enabled: false }]));
    assert.equal((await loadKbFile(off)).kb.hints.length, 2);
  });
}

test('the length limit is reflection.maxHintChars as configured; kb validate reports control characters as errors', async () => {
  const path = tmpKb(kbText([{ id: 'h-long', text: 'y'.repeat(400) }]));
  await assert.rejects(loadKbFile(path), /hint "h-long" has 400 characters/);
  assert.equal((await loadKbFile(path, undefined, { maxHintChars: 500 })).kb.hints.length, 1);
  const diags = validateKb(kbText([{ id: 'h-nl', text: 'a\nb' }]), { maxHintChars: 300 });
  assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['control-characters', 'error']]);
});

/** The check as it was: every earlier non-empty hint compared with every later one. */
function allPairsNearDuplicates(hints: Array<{ id: string; text: string }>): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  const seen: { id: string; norm: string; tokens: Set<string> }[] = [];
  for (const h of hints) {
    const trimmed = h.text.trim();
    if (!trimmed) continue;
    const norm = normaliseText(trimmed);
    const tokens = contentTokens(trimmed);
    const same = seen.find((s) => s.norm === norm);
    if (same) out.push(['duplicate-text', h.id, same.id]);
    else {
      let best: { id: string; sim: number } | undefined;
      for (const s of seen) {
        const sim = jaccard(tokens, s.tokens);
        if (sim >= NEAR_DUPLICATE_JACCARD && (!best || sim > best.sim)) best = { id: s.id, sim };
      }
      if (best) out.push(['near-duplicate', h.id, best.id]);
    }
    seen.push({ id: h.id, norm, tokens });
  }
  return out;
}

function indexedFindings(text: string, hints: Array<{ id: string }>): Array<[string, string, string]> {
  const diags: Diagnostic[] = validateKb(text, { maxHintChars: 1e9 });
  return diags
    .filter((d) => d.code === 'near-duplicate' || d.code === 'duplicate-text')
    .map((d) => [d.code, hints[d.path[1] as number]!.id, d.relatedHintId!] as [string, string, string]);
}

test('near-duplicates through the prefix index: the same findings as the all-pairs loop (fixtures and 3,000 random hints)', () => {
  for (const f of ['kb-semantic-errors/semantic.hints.json', 'kb-valid/movies.hints.json']) {
    const text = readFileSync(join(fixtures, f), 'utf8');
    const hints = (JSON.parse(text) as { hints: Array<{ id: string; text: string }> }).hints;
    assert.deepEqual(indexedFindings(text, hints), allPairsNearDuplicates(hints), f);
  }
  // A small vocabulary makes many pairs near the 0.8 threshold, including empty token sets.
  const words = 'decade genre director era actor country drama comedy horror classic recent old new long short the of'.split(' ');
  const rng = new Rng('near-dup-test');
  const hints = Array.from({ length: 3000 }, (_, i) => ({ id: `h-${i}`, text: Array.from({ length: 1 + rng.int(7) }, () => words[rng.int(words.length)]).join(' ') }));
  const text = kbText(hints);
  const expected = allPairsNearDuplicates(hints);
  assert.ok(expected.filter((e) => e[0] === 'near-duplicate').length > 100, 'the random set exercises the near-duplicate path');
  assert.deepEqual(indexedFindings(text, hints), expected);
});

test('the KB loader\'s default hint length is the setting\'s default', async () => {
  const { DEFAULT_MAX_HINT_CHARS } = await import('../../../src/core/kb/hintSafety');
  const { defaultConfig } = await import('../../../src/core/config/defaults');
  assert.equal(DEFAULT_MAX_HINT_CHARS, defaultConfig().reflection.maxHintChars);
});

test('reloadKbFile: the same snapshot while the text is unchanged; an edit is parsed and checked; a deletion is an empty KB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kb-reload-'));
  const f = join(dir, 'kb.hints.json');
  const kb = (hints: { id: string; text: string }[]): string => JSON.stringify({ version: 1, dataset: 'd', hints: hints.map((h) => ({ ...h, enabled: true })) }, null, 2) + '\n';
  writeFileSync(f, kb([{ id: 'h-1', text: 'Favour the recent genre.' }]));
  const first = await loadKbFile(f, 'd');
  assert.equal(await reloadKbFile(first, 'd'), first, 'unchanged text: the snapshot itself, not a new parse');
  writeFileSync(f, kb([{ id: 'h-1', text: 'Favour the recent genre.' }, { id: 'h-2', text: 'Prefer the same decade.' }]));
  const edited = await reloadKbFile(first, 'd');
  assert.deepEqual(edited.kb.hints.map((h) => h.id), ['h-1', 'h-2']);
  // An edit that puts a control character into a hint is refused like a first load, naming the file.
  writeFileSync(f, kb([{ id: 'h-3', text: 'Tab\there' }]));
  await assert.rejects(reloadKbFile(edited, 'd', { maxHintChars: 300 }), (e: unknown) => e instanceof InputError && e.message.includes('h-3') && (e as InputError).file === f);
  rmSync(f);
  const gone = await reloadKbFile(edited, 'd');
  assert.equal(gone.text, null);
  assert.deepEqual(gone.kb.hints, []);
});
