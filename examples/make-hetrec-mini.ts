/**
 * Regenerates examples/hetrec-mini/ (the bundled example dataset) from the shared HetRec folder:
 *
 *   npx tsx examples/make-hetrec-mini.ts [path/to/hetrec2011-movielens]
 *
 * Cut: the authors' first 400 training sessions (train-0..train-399) become train, the next 80
 * (train-400..train-479) validation, and the first 1,000 test sessions whose history has at most 60
 * items become test (1,000 paired sessions are what it takes to detect about +0.02 NDCG@10 with 80%
 * power on the simulator; 200 could not). Only items those sessions reference are kept, with their attributes. Session
 * ids stay origin-based, so recorded answers for the first 100 training prompts still apply.
 */
import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { defaultConfig } from '../src/core/config/defaults';
import { importAuthors } from '../src/core/data/authors';
import { BadRows } from '../src/core/data/badRows';
import { writeJsonlDataset } from '../src/core/data/jsonlWrite';
import { silentLogger } from '../src/core/util/log';
import type { Item, Session } from '../src/core/data/types';

const TRAIN = 400;
const VALIDATION = 80;
const TEST = 1000;
const MAX_HISTORY = 60;

async function main(): Promise<void> {
  const source = resolve(process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'datasets', 'hetrec2011-movielens'));
  const out = join(__dirname, 'hetrec-mini');
  const data = await importAuthors({ root: source, config: defaultConfig().dataset, logger: silentLogger, badRows: new BadRows(false) });

  const short = (s: Session): boolean => s.history.length <= MAX_HISTORY;
  const trainPool = data.train.filter(short);
  const train = trainPool.slice(0, TRAIN);
  const validation = trainPool.slice(TRAIN, TRAIN + VALIDATION);
  const test = data.test.filter(short).slice(0, TEST);
  const skippedTest = data.test.indexOf(test[test.length - 1]!) + 1 - test.length;

  const used = new Set<string>();
  for (const s of [...train, ...validation, ...test]) for (const id of [...s.history, s.target, ...s.candidates]) used.add(id);
  const items: Item[] = [...used].sort((a, b) => Number(a) - Number(b)).map((id) => data.items.get(id)!);

  const files = await writeJsonlDataset(out, items, { train, validation, test });
  const bytes = files.reduce((n, f) => n + statSync(join(out, f)).size, 0);
  process.stdout.write(
    `wrote ${out}: ${items.length} items, ${train.length} train, ${validation.length} validation, ${test.length} test sessions ` +
      `(${skippedTest} test sessions with more than ${MAX_HISTORY} history items passed over), ${(bytes / 1024).toFixed(0)} KiB\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`make-hetrec-mini: ${err.message}\n`);
  process.exitCode = 1;
});
