/**
 * Aligned inputs (issue 10 item 5): the state encoders read exactly the history the prompt
 * shows; items sharing a title are shown disambiguated, and an answer naming one of them is
 * resolved by its label or by position, in the parser and in the simulator alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { DEFAULT_DOMAIN } from '../../../src/core/data/types';
import { defaultConfig, type Re2llmConfig } from '../../../src/core/config/defaults';
import { buildRankPrompt, promptCandidates, rankPromptOptions } from '../../../src/core/prompts/rank';
import { promptTitleLabels, titleCollisionCounts } from '../../../src/core/data/titles';
import { createEncoder, encodeSessions, ItemVectorCache } from '../../../src/core/encode';
import { parseRankedAnswer } from '../../../src/core/parse/rankedAnswer';
import { readRankPrompt } from '../../../src/core/sim/rankPrompt';
import { rankResponder } from '../../../src/core/sim/rankResponder';
import { evaluationKey, reflectionKey, trainKey } from '../../../src/core/run/stageKeys';
import { loadDataset } from '../../../src/core/data/load';
import { configFor, sharedDataset } from '../data/helpers';

const item = (id: string, title: string, attributes: Record<string, string[]> = {}): Item => ({ id, title, attributes });

function dataset(items: Item[], sessions: Session[], disambiguate = true): SessionDataset {
  const map = new Map(items.map((it) => [it.id, it]));
  return {
    name: 't', root: '/t', domain: DEFAULT_DOMAIN, items: map,
    splits: { train: sessions, validation: [], test: [] }, hash: 'h',
    report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
    ...(disambiguate ? { promptTitles: promptTitleLabels(map) } : {}),
  };
}

const config = (edit: (c: Re2llmConfig) => void = () => {}): Re2llmConfig => {
  const c = defaultConfig();
  edit(c);
  return c;
};

test('the state encoders read the prompted history: the last prompt.historyLimit items, as the prompt shows them', async () => {
  const items = Array.from({ length: 80 }, (_, i) => item(`i${i}`, `Film ${i}`, { genres: [i < 60 ? 'Old' : 'New'], year: [String(1950 + i)] }));
  const long: Session = { id: 's', history: items.slice(0, 79).map((it) => it.id), target: 'i79', candidates: ['i79', 'i0'] };
  const ds = dataset(items, [long]);
  const cfg = config((c) => (c.prompt.historyLimit = 20));
  const shown = buildRankPrompt(ds, long, rankPromptOptions(cfg)).shownHistory;
  assert.deepEqual(shown, long.history.slice(-20));
  const cut: Session = { ...long, history: shown };
  for (const kind of ['hashing', 'profile'] as const) {
    const enc = await createEncoder(config((c) => ((c.prompt.historyLimit = 20), (c.encoder.kind = kind))), { families: ['genres', 'year'] });
    const [full] = await encodeSessions(enc, ds, [long], new ItemVectorCache());
    const [prompted] = await encodeSessions(enc, ds, [cut], new ItemVectorCache());
    assert.deepEqual([...full!], [...prompted!], `${kind}: the state of the long session is the state of what its prompt shows`);
  }
});

const scarface = [
  item('a', 'Scarface', { year: ['1983'] }),
  item('b', 'Scarface', { year: ['1983'] }),
  item('c', 'Scarface', { year: ['1983'] }),
  item('d', 'Hamlet', { year: ['1948'] }),
  item('e', 'Hamlet', { year: ['1996'] }),
  item('f', 'Heat', { year: ['1995'] }),
  item('g', 'Solaris (1972)'),
  item('h', 'solaris (1972)'),
];

test('promptTitleLabels: the year when it separates the group, else the year and an ordinal; unique titles unchanged', () => {
  const labels = promptTitleLabels(new Map(scarface.map((it) => [it.id, it])));
  assert.deepEqual(Object.fromEntries(labels), {
    a: 'Scarface (1983) [1]', b: 'Scarface (1983) [2]', c: 'Scarface (1983) [3]',
    d: 'Hamlet (1948)', e: 'Hamlet (1996)',
    g: 'Solaris (1972) [1]', h: 'solaris (1972) [2]',
  });
  assert.deepEqual(titleCollisionCounts(new Map(scarface.map((it) => [it.id, it]))), { titles: 3, items: 7 });
});

const session: Session = { id: 's', history: ['d', 'f'], target: 'b', candidates: ['a', 'b', 'e', 'f'] };

test('the prompt shows labels; the parser resolves a label to its candidate and a bare shared title by position', () => {
  const ds = dataset(scarface, [session]);
  const text = buildRankPrompt(ds, session, rankPromptOptions(defaultConfig())).messages[0]!.content;
  assert.match(text, /- Hamlet \(1948\)\n- Heat\n/);
  assert.match(text, /- Scarface \(1983\) \[1\]\n- Scarface \(1983\) \[2\]\n- Hamlet \(1996\)\n- Heat/);
  const cands = promptCandidates(ds, session.candidates);
  const opts = { mode: 'fuzzy' as const, fuzzyThreshold: 0.85, topK: 10 };
  assert.deepEqual(parseRankedAnswer('1. Scarface (1983) [1]\n2. Heat', cands, 'b', opts).targetRank, null, 'the label names a, not the target b');
  assert.equal(parseRankedAnswer('1. Heat\n2. Scarface (1983) [2]', cands, 'b', opts).targetRank, 2);
  // A bare "Scarface" is the first such candidate in list order (a), then the next (b).
  const bare = parseRankedAnswer('1. Scarface\n2. Scarface\n3. Heat', cands, 'b', opts);
  assert.deepEqual(bare.ranking, ['a', 'b', 'f']);
  assert.equal(bare.targetRank, 2);
  // Without labels the same: position, never "the target if it is one of them".
  const off = dataset(scarface, [session], false);
  assert.equal(parseRankedAnswer('1. Scarface', promptCandidates(off, session.candidates), 'b', opts).targetRank, null);
});

test('the simulator reads labels back to the right ids and answers with them', () => {
  const ds = dataset(scarface, [session]);
  const text = buildRankPrompt(ds, session, rankPromptOptions(defaultConfig())).messages[0]!.content;
  const r = readRankPrompt(text, ds);
  assert.deepEqual(r.candidates, ['a', 'b', 'e', 'f']);
  assert.deepEqual(r.history, ['d', 'f']);
  const answer = rankResponder().respond([{ role: 'user', content: text }], { dataset: ds, seed: 0 });
  const lines = answer.split('\n').map((l) => l.replace(/^\d+\.\s*/, ''));
  assert.deepEqual([...lines].sort(), ['Hamlet (1996)', 'Heat', 'Scarface (1983) [1]', 'Scarface (1983) [2]']);
  const parsed = parseRankedAnswer(answer, promptCandidates(ds, session.candidates), 'b', { mode: 'fuzzy', fuzzyThreshold: 0.85, topK: 10 });
  assert.equal(parsed.matched, 4);
  assert.equal(parsed.duplicates, 0, 'every line names its own candidate');
});

test('prompt.disambiguateTitles is part of every stage key', () => {
  const i = (c: Re2llmConfig) => ({ config: c, datasetHash: 'd', packageVersion: '1' });
  const on = i(config());
  const off = i(config((c) => (c.prompt.disambiguateTitles = false)));
  assert.notEqual(reflectionKey(on, '/kb'), reflectionKey(off, '/kb'));
  assert.notEqual(trainKey(on, 'fp'), trainKey(off, 'fp'));
  assert.notEqual(evaluationKey(on, 'fp', null), evaluationKey(off, 'fp', null));
});

test('import reports title collisions (hetrec: duplicate rows such as three "Scarface" ids) and labels them', async () => {
  const ds = await loadDataset(configFor(sharedDataset('hetrec2011-movielens')));
  const c = ds.report.titleCollisions!;
  assert.ok(c.items > 0 && c.titles > 0);
  assert.ok(ds.report.notes.some((n) => n.startsWith(`${c.items} items share a title with another item (${c.titles} titles)`)));
  assert.equal(ds.promptTitles!.size, c.items);
  const off = await loadDataset(configFor(sharedDataset('hetrec2011-movielens'), { 'prompt.disambiguateTitles': false }));
  assert.equal(off.promptTitles, undefined);
  assert.equal(off.hash, ds.hash, 'labels are presentation: the content hash does not change');
});
