import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisPoints, expandGrid } from '../../../src/core/study/grid';
import { parseStudy } from '../../../src/core/study/studyFile';

const study = (extra: Record<string, unknown>) => parseStudy(JSON.stringify({ name: 's', base: {}, ...extra }), '/studies/s.study.json');

test('axisPoints: the Cartesian product, first axis outermost; one empty point without axes', () => {
  assert.deepEqual(axisPoints({ a: [1, 2], b: ['x', 'y', 'z'] }), [
    { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' },
    { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' },
  ]);
  assert.deepEqual(axisPoints({}), [{}]);
});

test('expandGrid: axes × variants × seeds, seeds innermost, each cell with its layers in order', () => {
  const cells = expandGrid(study({
    axes: { 'reflection.targetHints': [5, 10], 'dataset.maxTrainSessions': [50, 100, 200] },
    variants: [{ name: 'full', settings: {} }, { name: 'w/o DRL', settings: { 'evaluation.conditions': ['random-hint'] } }],
    seeds: { vary: ['agent.seed', 'evaluation.seed'], values: [1, 2] },
  }));
  assert.equal(cells.length, 2 * 3 * 2 * 2);
  assert.deepEqual(cells.map((c) => c.index), [...Array(24).keys()]);
  // Cell 7: second axis point (targetHints 5, maxTrain 100), variant "w/o DRL", seed 2.
  const c = cells[7]!;
  assert.deepEqual(c.axes, { 'reflection.targetHints': 5, 'dataset.maxTrainSessions': 100 });
  assert.equal(c.variant.name, 'w/o DRL');
  assert.equal(c.seed, 2);
  assert.deepEqual(c.layers.map((l) => l.values), [
    { 'reflection.targetHints': 5, 'dataset.maxTrainSessions': 100 },
    { 'evaluation.conditions': ['random-hint'] },
    { 'agent.seed': 2, 'evaluation.seed': 2 },
  ]);
  assert.equal(c.label, 'reflection.targetHints=5, dataset.maxTrainSessions=100 | w/o DRL | seed 2');
  // The two seeds of a point and variant share a group; nothing else does.
  assert.equal(cells[6]!.group, c.group);
  assert.equal(new Set(cells.map((x) => x.group)).size, 12);
});

test('expandGrid: no axes, variants or seeds is one cell of the default variant', () => {
  const cells = expandGrid(study({}));
  assert.equal(cells.length, 1);
  assert.deepEqual([cells[0]!.variant.name, cells[0]!.seed, cells[0]!.layers], ['default', null, []]);
});
