/** A literal five-item dataset for rank and score tests (not a test file itself). */
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { DEFAULT_DOMAIN } from '../../../src/core/data/types';

const TITLES: Record<string, string> = {
  '1': 'Heat',
  '2': 'Paris, Texas',
  '3': 'Addams Family, The',
  '4': 'Mr. Smith Goes to Washington',
  '5': 'Stop; Look; Listen',
};

export function tinyDataset(): SessionDataset {
  const items = new Map<string, Item>(Object.entries(TITLES).map(([id, title]) => [id, { id, title, attributes: {} }]));
  const session = (id: string, target: string): Session => ({ id, history: ['1', '2'], target, candidates: ['2', '3', '4', '5', '1'] });
  return {
    name: 'tiny',
    root: '/nowhere',
    domain: DEFAULT_DOMAIN,
    items,
    splits: { train: [session('train-0', '3'), session('train-1', '4')], validation: [], test: [session('test-0', '5')] },
    hash: 'tiny',
    report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
  };
}
