import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProfileEncoder, datasetFamilies } from '../../../src/core/encode/profile';
import { encodeSessions } from '../../../src/core/encode/session';
import { createEncoder } from '../../../src/core/encode';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { Item, SessionDataset } from '../../../src/core/data/types';

const item = (id: string, year: string, genres: string[]): Item => ({ id, title: `Movie ${id}`, attributes: { year: [year], genres } });
const items = new Map<string, Item>([
  ['a', item('a', '1994', ['Drama'])],
  ['b', item('b', '1997', ['Drama', 'Comedy'])],
  ['c', item('c', '1999', ['Drama'])],
  ['d', item('d', '2008', ['Horror'])],
  ['t', { id: 't', title: 'Title only', attributes: {} }],
]);
const dataset = { items } as unknown as SessionDataset;
const session = (id: string, history: string[]) => ({ id, history, target: 'a', candidates: ['a'] });

test('the profile of a history, checked by hand', () => {
  assert.deepEqual(datasetFamilies(dataset), ['genres', 'year']);
  const enc = new ProfileEncoder(datasetFamilies(dataset));
  assert.equal(enc.id, 'profile:v1:genres,year');
  assert.equal(enc.dim, 9);
  const v = enc.encodeHistory([items.get('a')!, items.get('b')!, items.get('c')!, items.get('t')!]);
  const close = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-6, `${x} vs ${y}`);
  // genres: 3 of 4 items covered; Drama in all 3 -> top share 1; values Drama 3, Comedy 1:
  // H = -(3/4 ln 3/4 + 1/4 ln 1/4) = 0.5623, concentration = 1 - 0.5623 / ln 2 = 0.1887
  close(v[0]!, 0.75);
  close(v[1]!, 1);
  close(v[2]!, 1 - (-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25))) / Math.log(2));
  close(v[3]!, 0);
  // year: three distinct years (top share 1/3, concentration 0) but one decade (1990s share 1)
  close(v[4]!, 0.75);
  close(v[5]!, 1 / 3);
  close(v[6]!, 0);
  close(v[7]!, 1);
  close(v[8]!, Math.log1p(4) / 5);
});

test('sessions are encoded from their whole history; createEncoder needs the families', async () => {
  const enc = await createEncoder({ ...defaultConfig(), encoder: { ...defaultConfig().encoder, kind: 'profile' } }, { families: datasetFamilies(dataset) });
  const [s1, s2] = await encodeSessions(enc, dataset, [session('s1', ['a', 'b', 'c']), session('s2', ['a', 'd'])]);
  assert.equal(s1![7], 1, 'one decade');
  assert.equal(s2![7], 0.5, 'two decades');
  await assert.rejects(createEncoder({ ...defaultConfig(), encoder: { ...defaultConfig().encoder, kind: 'profile' } }), /encoder profile: the dataset's attribute families were not given/);
  await assert.rejects(encodeSessions(enc, dataset, [session('e', [])]), /session e: empty history/);
});
