/**
 * The per-session table: the target's rank under every condition, which hint the agent used and
 * whether it helped. Sortable (header buttons), filterable (helped/hurt, text), paged. In VS Code
 * a session or a rank cell is a button that asks the host for that answer's detail.
 */
import type { ResultsFile, SessionOutcome } from '../../src/protocol/results';
import { h, button, replaceChildren } from '../shared/dom';
import { agentEffect, LLM_CONDITIONS, type AgentEffect } from './model';
import { conditionLabel, shortConditionLabel } from '../shared/format';
import { copyCsvButton, section, type CsvRows } from './widgets';

export type EffectFilter = 'all' | 'helped' | 'hurt' | 'same';

export interface SessionsUi {
  filter: EffectFilter;
  query: string;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  shown: number;
}

export const PAGE = 50;

export function defaultSessionsUi(): SessionsUi {
  return { filter: 'all', query: '', sortKey: 'session', sortDir: 'asc', shown: PAGE };
}

export interface SessionsDeps {
  run: ResultsFile;
  ui: SessionsUi;
  onUi(ui: SessionsUi): void;
  /** Present in VS Code only: open the detail of one answer. */
  onOpen?(sessionId: string, condition: string): void;
}

const EFFECT_LABEL: Record<AgentEffect, string> = { helped: 'helped', hurt: 'hurt', same: 'same', 'n/a': '–' };

function conditionsOf(run: ResultsFile): string[] {
  const present = new Set(run.sessions.flatMap((s) => Object.keys(s.byCondition)));
  return run.conditions.map((c) => c.condition).filter((c) => present.has(c));
}

function sortValue(s: SessionOutcome, key: string): string | number {
  if (key === 'session') return s.sessionId;
  if (key === 'target') return s.targetTitle.toLowerCase();
  if (key === 'effect') return ['helped', 'same', 'hurt', 'n/a'].indexOf(agentEffect(s));
  if (key === 'hint') return s.byCondition['agent']?.hintId ?? '';
  return s.byCondition[key]?.rank ?? Number.POSITIVE_INFINITY;
}

export function visibleSessions(run: ResultsFile, ui: SessionsUi): SessionOutcome[] {
  const q = ui.query.trim().toLowerCase();
  const rows = run.sessions.filter((s) => (ui.filter === 'all' || agentEffect(s) === ui.filter) && (!q || s.sessionId.toLowerCase().includes(q) || s.targetTitle.toLowerCase().includes(q)));
  const dir = ui.sortDir === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const va = sortValue(a, ui.sortKey);
    const vb = sortValue(b, ui.sortKey);
    // Missing ranks ("not in top K") stay last in either direction.
    if (va === Number.POSITIVE_INFINITY && vb !== Number.POSITIVE_INFINITY) return 1;
    if (vb === Number.POSITIVE_INFINITY && va !== Number.POSITIVE_INFINITY) return -1;
    const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
    return c * dir || a.sessionId.localeCompare(b.sessionId);
  });
}

function rankClass(rank: number | null): string {
  if (rank === null) return 're-rank re-rank-miss';
  if (rank === 1) return 're-rank re-rank-1';
  if (rank <= 5) return 're-rank re-rank-5';
  return 're-rank re-rank-10';
}

export function renderSessions(deps: SessionsDeps): HTMLElement {
  const { run } = deps;
  let ui = { ...deps.ui };
  const conds = conditionsOf(run);
  const topK = Math.max(...(run.ks.length ? run.ks : [10]));
  const hasEffect = conds.includes('agent') && conds.includes('no-hint');
  const tableBox = h('div', { class: 're-table-wrap' });
  const status = h('p', { class: 're-status', 'aria-live': 'polite' });

  const columns: Array<{ key: string; label: string; numeric?: boolean }> = [
    { key: 'session', label: 'Session' },
    { key: 'target', label: 'Target' },
    ...conds.map((c) => ({ key: c, label: shortConditionLabel(c), numeric: true })),
    ...(conds.includes('agent') ? [{ key: 'hint', label: 'Agent hint' }] : []),
    ...(hasEffect ? [{ key: 'effect', label: 'Agent effect' }] : []),
  ];

  const update = (next: Partial<SessionsUi>) => {
    ui = { ...ui, ...next };
    deps.onUi(ui);
    draw();
  };

  function header(col: { key: string; label: string; numeric?: boolean }): HTMLTableCellElement {
    const active = ui.sortKey === col.key;
    const sort = active ? (ui.sortDir === 'asc' ? 'ascending' : 'descending') : 'none';
    return h('th', { scope: 'col', 'aria-sort': sort, class: col.numeric ? 're-rank-cell' : undefined },
      button([col.label, h('span', { class: 're-sort-mark', 'aria-hidden': 'true' }, active ? (ui.sortDir === 'asc' ? ' ▲' : ' ▼') : '')],
        () => update({ sortKey: col.key, sortDir: active && ui.sortDir === 'asc' ? 'desc' : 'asc' }),
        { class: 're-sort', 'data-sort': col.key }));
  }

  function rankCell(s: SessionOutcome, c: string): HTMLTableCellElement {
    const r = s.byCondition[c];
    if (!r) return h('td', { class: 're-rank-cell' }, '');
    const text = r.rank === null ? '–' : String(r.rank);
    const title = r.rank === null ? `not in the top ${topK}` : `rank ${r.rank}`;
    const content = h('span', { class: rankClass(r.rank), title }, text);
    if (deps.onOpen && LLM_CONDITIONS.has(c)) {
      return h('td', { class: 're-rank-cell' }, button(content, () => deps.onOpen?.(s.sessionId, c), {
        class: 're-link re-rank-btn', 'aria-label': `${s.sessionId}, ${conditionLabel(c)}: ${title}. Show the answer`, 'data-session': s.sessionId, 'data-condition': c,
      }));
    }
    return h('td', { class: 're-rank-cell' }, content);
  }

  function row(s: SessionOutcome): HTMLTableRowElement {
    const effect = agentEffect(s);
    const drillCond = conds.includes('agent') ? 'agent' : conds.find((c) => LLM_CONDITIONS.has(c));
    const idCell = deps.onOpen && drillCond
      ? button(s.sessionId, () => deps.onOpen?.(s.sessionId, drillCond), { class: 're-link', 'data-session': s.sessionId, 'data-condition': drillCond, 'aria-label': `Show session ${s.sessionId} (${conditionLabel(drillCond)})` })
      : s.sessionId;
    return h('tr', { 'data-session-row': s.sessionId },
      h('td', { class: 're-mono re-nowrap' }, idCell),
      h('td', { class: 're-target-cell' }, s.targetTitle),
      conds.map((c) => rankCell(s, c)),
      conds.includes('agent') ? h('td', { class: 're-mono' }, s.byCondition['agent']?.hintId ?? '') : null,
      hasEffect ? h('td', {}, h('span', { class: `re-effect re-effect-${effect.replace('/', '')}` }, EFFECT_LABEL[effect])) : null);
  }

  function draw(): void {
    const rows = visibleSessions(run, ui);
    const shown = rows.slice(0, ui.shown);
    const table = h('table', { class: 're-table re-sessions' },
      h('thead', {}, h('tr', {}, columns.map(header))),
      h('tbody', {}, shown.map(row)));
    replaceChildren(tableBox, table,
      rows.length > shown.length ? button(`Show ${Math.min(PAGE, rows.length - shown.length)} more`, () => update({ shown: ui.shown + PAGE }), { class: 're-btn re-btn-secondary re-more' }) : null);
    status.textContent = `${shown.length} of ${rows.length} sessions shown${rows.length !== run.sessions.length ? ` (${run.sessions.length} in total)` : ''}.`;
  }

  const csvRows = (): CsvRows => [
    ['session', 'target', ...conds.map((c) => `rank ${c}`), ...(conds.includes('agent') ? ['agent hint'] : []), ...(hasEffect ? ['agent vs no-hint'] : [])],
    ...visibleSessions(run, ui).map((s) => [s.sessionId, s.targetTitle, ...conds.map((c) => s.byCondition[c]?.rank ?? ''), ...(conds.includes('agent') ? [s.byCondition['agent']?.hintId ?? ''] : []), ...(hasEffect ? [agentEffect(s)] : [])]),
  ];

  const filterSelect = h('select', { id: 're-session-filter', onchange: (e: Event) => update({ filter: (e.target as HTMLSelectElement).value as EffectFilter, shown: PAGE }) },
    (['all', 'helped', 'hurt', 'same'] as const).map((f) => h('option', { value: f, selected: ui.filter === f }, f === 'all' ? 'All sessions' : f === 'same' ? 'Agent changed nothing' : `Agent ${f}`)));
  const search = h('input', { type: 'search', id: 're-session-query', placeholder: 'Session id or target title', value: ui.query, oninput: (e: Event) => update({ query: (e.target as HTMLInputElement).value, shown: PAGE }) });

  draw();
  return section('re-sessions', 'Sessions', {
    actions: [copyCsvButton('sessions', csvRows)],
    intro: `Rank of the target in each condition's top ${topK} (– = not in it).${deps.onOpen ? ' Select a session or a rank to see the prompt, the hint and the answer.' : ''}`,
  },
  h('div', { class: 're-controls' },
    hasEffect ? h('label', { for: 're-session-filter' }, 'Show ', filterSelect) : null,
    h('label', { for: 're-session-query' }, 'Filter ', search)),
  tableBox, status);
}
