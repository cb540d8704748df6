/** Small shared pieces of the results page: section frame, copy-as-CSV button, metric cell. */
import { h, button, type Child } from '../shared/dom';
import { toCsv, copyText } from './csv';
import { formatMetric, formatCi } from '../shared/format';
import type { Estimate } from '../../src/protocol/results';

export type CsvRows = Array<Array<string | number | null | undefined>>;

/** A "Copy CSV" button; rows are computed on click so they match what the table shows now. */
export function copyCsvButton(name: string, rows: () => CsvRows): HTMLButtonElement {
  const b = button('Copy CSV', async () => {
    const ok = await copyText(toCsv(rows()));
    b.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => (b.textContent = 'Copy CSV'), 1500);
  }, { class: 're-btn re-btn-secondary', 'aria-label': `Copy ${name} as CSV`, 'data-csv': name });
  return b;
}

export function section(id: string, title: string, opts: { actions?: Child[]; intro?: Child } = {}, ...body: Child[]): HTMLElement {
  return h('section', { class: 're-section', id, 'aria-labelledby': `${id}-title` },
    h('div', { class: 're-section-head' },
      h('h2', { id: `${id}-title` }, title),
      opts.actions?.length ? h('div', { class: 're-section-actions' }, opts.actions) : null),
    opts.intro ? h('p', { class: 're-intro' }, opts.intro) : null,
    body);
}

/** A table cell with the mean on top and the 95% CI below it. */
export function estimateCell(e: Estimate | undefined, best = false): HTMLTableCellElement {
  if (!e) return h('td', { class: 're-num re-est' }, '–');
  return h('td', { class: `re-num re-est${best ? ' re-best' : ''}`, 'data-mean': formatMetric(e.mean), title: best ? 'best in column (upper bounds excluded)' : undefined },
    best ? h('strong', {}, formatMetric(e.mean)) : h('span', {}, formatMetric(e.mean)),
    h('span', { class: 're-ci' }, formatCi(e.ciLow, e.ciHigh)));
}

/** A chart canvas in a box of fixed height (chart.js fills its container). */
export function chartBox(id: string, label: string, size: 'normal' | 'tall' = 'normal'): { box: HTMLElement; canvas: HTMLCanvasElement } {
  const canvas = h('canvas', { id, role: 'img', 'aria-label': label });
  return { box: h('div', { class: `re-chart re-chart-${size}` }, canvas), canvas };
}
