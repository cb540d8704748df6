/** Loads the hand-checkable evaluation fixtures (test/fixtures/eval-*) as SessionDatasets. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { DEFAULT_DOMAIN } from '../../../src/core/data/types';
import { hashJson } from '../../../src/core/util/hash';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');

interface FixtureFile {
  name: string;
  items: Item[];
  train: Session[];
  validation: Session[];
  test: Session[];
}

export function loadEvalFixture(caseName = 'eval-tiny'): SessionDataset {
  const root = join(FIXTURES, caseName);
  const f = JSON.parse(readFileSync(join(root, 'dataset.json'), 'utf8')) as FixtureFile;
  const items = new Map(f.items.map((i) => [i.id, { ...i, attributes: i.attributes ?? {} }]));
  const splits = { train: f.train, validation: f.validation, test: f.test };
  return {
    name: f.name,
    root,
    domain: DEFAULT_DOMAIN,
    items,
    splits,
    hash: hashJson({ items: f.items, splits }),
    report: { format: 'fixture', files: ['dataset.json'], skippedRows: 0, skippedExamples: [], notes: [] },
  };
}
