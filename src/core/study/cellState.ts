/**
 * A cell's state file, `cells/<id>/cell.json`: written atomically when the cell starts, finishes
 * or fails, so a killed study knows on its next run which cells are finished. "Finished" means
 * status `done` and the results.json it names still exists.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isCellState, type CellState } from '../../protocol/study';
import { RESULTS_FILE } from '../evaluate/output';
import { readJsonFile, writeJsonAtomic } from '../util/fs';

export const CELL_STATE_FILE = 'cell.json';

export async function readCellState(dir: string): Promise<CellState | null> {
  const path = join(dir, CELL_STATE_FILE);
  if (!existsSync(path)) return null;
  const v = await readJsonFile(path).catch(() => null);
  return isCellState(v) ? v : null;
}

export function isFinished(state: CellState | null): state is CellState & { evalDir: string } {
  return !!state && state.status === 'done' && !!state.evalDir && existsSync(join(state.evalDir, RESULTS_FILE));
}

export async function writeCellState(dir: string, state: CellState): Promise<void> {
  await writeJsonAtomic(join(dir, CELL_STATE_FILE), state);
}
