import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseTitle } from '../../../src/core/parse/rankedAnswer';

test('case, punctuation, whitespace', () => {
  assert.equal(normaliseTitle('  Star Wars:  The Clone Wars '), 'star wars the clone wars');
  assert.equal(normaliseTitle('Sunset Blvd.'), 'sunset blvd');
  assert.equal(normaliseTitle('L.A. Confidential'), 'la confidential');
  assert.equal(normaliseTitle("Charlotte's Web"), normaliseTitle('Charlottes Web'));
  assert.equal(normaliseTitle('Charlotte’s Web'), 'charlottes web');
});

test('HTML entities are decoded and & reads as "and"', () => {
  assert.equal(normaliseTitle('Kicking &amp; Screaming'), 'kicking and screaming');
  assert.equal(normaliseTitle('Planes, Trains & Automobiles'), normaliseTitle('Planes, Trains and Automobiles'));
  assert.equal(normaliseTitle('Pok&eacute;mon'), 'pokemon');
});

test('leading and trailing articles, trailing year', () => {
  assert.equal(normaliseTitle('The Addams Family'), 'addams family');
  assert.equal(normaliseTitle('Addams Family, The'), 'addams family');
  assert.equal(normaliseTitle('Addams Family, The (1991)'), 'addams family');
  assert.equal(normaliseTitle('A Clockwork Orange'), 'clockwork orange');
  assert.equal(normaliseTitle('An American Tail'), 'american tail');
  assert.equal(normaliseTitle('Heat (1995)'), 'heat');
  // Not an article: a word that merely starts with one, or a title that is only an article.
  assert.equal(normaliseTitle('Theodore Rex'), 'theodore rex');
  assert.equal(normaliseTitle('The'), 'the');
  // A year that is the title is kept.
  assert.equal(normaliseTitle('1941'), '1941');
});

test('accents are dropped', () => {
  assert.equal(normaliseTitle('Les rivières pourpres II - Les anges de l\'apocalypse'), 'les rivieres pourpres ii les anges de lapocalypse');
});
