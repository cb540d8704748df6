/**
 * The runs table webview: every run folder as a row (key parameters and primary metrics as
 * columns), sortable by clicking a header, filtered by text, with star, hide and delete, and a
 * multi-select to compare runs in the results panel. Renders the host's complete snapshots; the
 * view (sort, filter, selection) persists with setState.
 */
import type { RunRow, RunsCommand, RunsNotification } from '../../src/protocol/runsTable';
import { connectHost } from '../shared/api';
import { button, registerKit, setDisabled, textField } from '../shared/kit';
import { COLUMNS, DEFAULT_VIEW, cellText, visibleRows, type TableView } from './model';
import { h } from '../shared/dom';

interface Persisted {
  view: TableView;
  selected: string[];
  rows?: RunRow[];
}

function isNotification(d: unknown): d is RunsNotification {
  const m = d as RunsNotification;
  return !!m && typeof m === 'object' && m.type === 'runs/show' && Array.isArray(m.rows);
}

registerKit();
const root = document.getElementById('root') ?? document.body;
let rows: RunRow[] = [];
let view: TableView = { ...DEFAULT_VIEW };
let selected = new Set<string>();

const api = connectHost<RunsCommand, Persisted>({ type: 'runs/ready' }, (data) => {
  if (!isNotification(data)) return;
  rows = data.rows;
  const ids = new Set(rows.map((r) => r.id));
  selected = new Set([...selected].filter((id) => ids.has(id)));
  render();
});

const saved = api.getState();
if (saved?.view) view = { ...DEFAULT_VIEW, ...saved.view };
if (saved?.selected) selected = new Set(saved.selected);
if (saved?.rows) rows = saved.rows;

const persist = () => api.setState({ view, selected: [...selected], rows });
const count = h('span', { class: 'muted', 'data-testid': 'runs-count' });
const filter = textField('Filter', { value: view.filter, size: 30, testId: 'runs-filter', onInput: (v) => { view.filter = v; render(); } });
const showHidden = h('input', { type: 'checkbox', id: 'show-hidden', 'data-testid': 'runs-show-hidden' }) as HTMLInputElement;
showHidden.checked = view.showHidden;
showHidden.addEventListener('change', () => { view.showHidden = showHidden.checked; render(); });
const compare = button('Compare selected', { testId: 'runs-compare', onClick: () => api.post({ type: 'runs/compare', runIds: [...selected] }) });
const plot = button('Plot curves', { appearance: 'secondary', testId: 'runs-plot', onClick: () => api.post({ type: 'runs/plot', runIds: [...selected] }) });
const hide = button('Hide selected', { appearance: 'secondary', testId: 'runs-hide', onClick: () => api.post({ type: 'runs/hide', runIds: [...selected], hidden: true }) });
const unhide = button('Unhide selected', { appearance: 'secondary', testId: 'runs-unhide', onClick: () => api.post({ type: 'runs/hide', runIds: [...selected], hidden: false }) });
const del = button('Delete selected…', { appearance: 'secondary', testId: 'runs-delete', onClick: () => api.post({ type: 'runs/delete', runIds: [...selected] }) });
const table = h('table', { class: 'runs-table', 'data-testid': 'runs-table' });
root.append(
  h('div', { class: 'toolbar' }, filter, h('label', { class: 'check' }, showHidden, ' show hidden'), compare, plot, hide, unhide, del, count),
  h('div', { class: 'scroll' }, table),
);

function render(): void {
  const shown = visibleRows(rows, view);
  const head = h('tr', {}, h('th', { class: 'sel' }, ''), h('th', { class: 'star' }, '★'));
  for (const c of COLUMNS) {
    const sorted = view.sortKey === c.key;
    const th = h('th', { class: c.numeric ? 'num' : '', 'aria-sort': sorted ? (view.descending ? 'descending' : 'ascending') : 'none', 'data-key': c.key, tabindex: '0', ...(c.title ? { title: c.title } : {}) }, c.label + (sorted ? (view.descending ? ' ▼' : ' ▲') : ''));
    const sort = () => {
      view = { ...view, descending: sorted ? !view.descending : !!c.numeric, sortKey: c.key };
      render();
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    head.append(th);
  }
  const body = shown.map((r) => {
    const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.name}`, 'data-testid': `select-${r.id}` }) as HTMLInputElement;
    box.checked = selected.has(r.id);
    box.addEventListener('change', () => { if (box.checked) selected.add(r.id); else selected.delete(r.id); updateButtons(); persist(); });
    const star = h('button', { class: `star-btn${r.starred ? ' on' : ''}`, title: r.hasResults ? (r.starred ? 'Unstar' : 'Star') : 'Only runs with results can be starred', 'aria-pressed': String(r.starred), 'data-testid': `star-${r.id}` }, r.starred ? '★' : '☆');
    if (r.hasResults) star.addEventListener('click', () => api.post({ type: 'runs/star', runId: r.id, starred: !r.starred }));
    else star.setAttribute('disabled', '');
    const tr = h('tr', { class: r.hidden ? 'hidden-row' : '', 'data-testid': `row-${r.id}` }, h('td', { class: 'sel' }, box), h('td', { class: 'star' }, star));
    for (const c of COLUMNS) {
      const text = cellText(r, c);
      const td = h('td', { class: c.numeric ? 'num' : '' });
      if (c.key === 'name' && r.hasResults) {
        const a = h('a', { href: '#', title: `Open ${r.id} in the results panel` }, text);
        a.addEventListener('click', (e) => { e.preventDefault(); api.post({ type: 'runs/open', runId: r.id }); });
        td.append(a);
      } else td.textContent = text;
      if (c.key === 'deltaNdcg10' && typeof r.deltaNdcg10 === 'number') td.classList.add(r.deltaNdcg10 > 0 ? 'pos' : r.deltaNdcg10 < 0 ? 'neg' : '');
      tr.append(td);
    }
    return tr;
  });
  table.replaceChildren(h('thead', {}, head), h('tbody', {}, ...body));
  count.textContent = `${shown.length} of ${rows.length} runs${rows.some((r) => r.hidden) && !view.showHidden ? ` (${rows.filter((r) => r.hidden).length} hidden)` : ''}`;
  updateButtons();
  persist();
}

function updateButtons(): void {
  const withResults = rows.filter((r) => selected.has(r.id) && r.hasResults).length;
  setDisabled(compare, withResults < 1);
  setDisabled(plot, !rows.some((r) => selected.has(r.id) && (r.trained || r.hasResults || r.kind === 'train')));
  for (const b of [hide, unhide, del]) setDisabled(b, selected.size === 0);
}

render();
document.body.dataset.ready = 'true';
