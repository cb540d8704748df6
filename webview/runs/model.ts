/** The runs table's view model: columns, sorting and filtering over the host's rows (no DOM). */
import type { RunRow } from '../../src/protocol/runsTable';

export interface Column {
  key: keyof RunRow;
  label: string;
  /** How a value reads in a cell. */
  format?: (v: unknown) => string;
  numeric?: boolean;
  title?: string;
}

const f4 = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '');
const signed = (v: unknown) => (typeof v === 'number' ? `${v >= 0 ? '+' : ''}${v.toFixed(4)}` : '');
const int = (v: unknown) => (typeof v === 'number' ? v.toLocaleString('en-US') : '');

export const COLUMNS: Column[] = [
  { key: 'name', label: 'Run' },
  { key: 'kind', label: 'Kind' },
  // Month, day and time (the year rarely tells runs apart, and the column must fit beside the sidebar).
  { key: 'modified', label: 'Modified', format: (v) => (typeof v === 'string' ? v.slice(5, 16).replace('T', ' ') : ''), title: 'Last change of the run folder (UTC)' },
  { key: 'dataset', label: 'Dataset' },
  { key: 'model', label: 'Model' },
  { key: 'hints', label: 'Hints', numeric: true, format: int, title: 'Enabled hints the run used' },
  { key: 'steps', label: 'Steps', numeric: true, format: int, title: 'agent.steps' },
  { key: 'preset', label: 'Preset' },
  { key: 'encoder', label: 'Encoder' },
  { key: 'testSessions', label: 'Test n', numeric: true, format: int, title: 'Test sessions scored' },
  { key: 'agentNdcg10', label: 'Agent NDCG@10', numeric: true, format: f4 },
  { key: 'noHintNdcg10', label: 'No-hint NDCG@10', numeric: true, format: f4 },
  { key: 'deltaNdcg10', label: 'Δ NDCG@10', numeric: true, format: signed, title: 'Agent minus no-hint' },
  { key: 'agentHr10', label: 'Agent HR@10', numeric: true, format: f4 },
  { key: 'cost', label: 'Cost $', numeric: true, format: (v) => (typeof v === 'number' ? v.toFixed(4) : '') },
];

export interface TableView {
  sortKey: keyof RunRow;
  descending: boolean;
  filter: string;
  showHidden: boolean;
}

export const DEFAULT_VIEW: TableView = { sortKey: 'modified', descending: true, filter: '', showHidden: false };

export function cellText(row: RunRow, c: Column): string {
  const v = row[c.key];
  return c.format ? c.format(v) : v === undefined ? '' : String(v);
}

/** Rows to show: hidden ones only when asked; every word of the filter in some cell; starred first, then the sort. */
export function visibleRows(rows: RunRow[], view: TableView): RunRow[] {
  const words = view.filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = rows.filter((r) => (view.showHidden || !r.hidden) && words.every((w) => COLUMNS.some((c) => cellText(r, c).toLowerCase().includes(w))));
  const dir = view.descending ? -1 : 1;
  return shown.sort((a, b) => {
    if (a.starred !== b.starred) return a.starred ? -1 : 1;
    const x = a[view.sortKey];
    const y = b[view.sortKey];
    // Rows without the value go last whichever the direction.
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : 1) : -1;
    if (typeof x === 'number' && typeof y === 'number') return (x - y) * dir;
    return String(x).localeCompare(String(y)) * dir;
  });
}
