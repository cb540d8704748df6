/**
 * The study page: a header with the grid's progress, one card per figure (the heatmap as a table
 * of coloured cells, the curves as a chart.js line chart with dashed lines where the study asks
 * for them), the aggregated table and the comparisons. Shared by the VS Code study panel and the
 * standalone study.html; a click on a cell opens that cell's results (the panel asks the host,
 * the standalone page follows a link to the cell's report.html).
 */
import { Chart, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend } from 'chart.js';
import { axisValueLabel, figureValue, type SeedEstimate, type StudyFigure, type StudyGroupResult, type StudyResults } from '../../src/protocol/study';
import { conditionLabel } from '../../src/protocol/results';
import { conditionColour, readTheme } from '../shared/charts';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
Chart.defaults.animation = false;

export interface StudyHost {
  /** In VS Code: open the cell's results panel. Standalone: undefined (links are used). */
  openCell?: (cellId: string) => void;
  /** Standalone: the href of a cell's report, if it has one. */
  reportHref?: (cellId: string) => string | undefined;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const est = (e: SeedEstimate | undefined): string => (!e || !Number.isFinite(e.mean) ? '–' : e.sd === null ? fmt(e.mean) : `${fmt(e.mean)} ± ${fmt(e.sd)}`);

/** A cell link: a button that asks the host, or a link to the report. */
function cellLink(host: StudyHost, cellId: string, text: string): HTMLElement {
  if (host.openCell) {
    const b = el('button', 're-link-button', text);
    b.type = 'button';
    b.title = `Open the results of cell ${cellId}`;
    b.addEventListener('click', () => host.openCell!(cellId));
    return b;
  }
  const href = host.reportHref?.(cellId);
  if (!href) return el('span', 're-muted', text);
  const a = el('a', undefined, text);
  a.href = href;
  a.title = `The report of cell ${cellId}`;
  return a;
}

function seedLinks(host: StudyHost, r: StudyResults, g: StudyGroupResult | undefined): HTMLElement {
  const span = el('span', 're-seed-links');
  if (!g) return span;
  g.cells.forEach((id) => {
    const cell = r.cells.find((c) => c.id === id);
    span.append(cellLink(host, id, cell?.seed === null || cell?.seed === undefined ? 'run' : `s${cell.seed}`), ' ');
  });
  return span;
}

/** Light to dark blue over [lo, hi]. */
function heat(v: number, lo: number, hi: number): { bg: string; fg: string } {
  const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
  const l = 94 - t * 56;
  return { bg: `hsl(212, 80%, ${l}%)`, fg: l < 60 ? '#ffffff' : '#1f2328' };
}

function heatmapCard(r: StudyResults, f: Extract<StudyFigure, { kind: 'heatmap' }>, host: StudyHost): HTMLElement {
  const metric = f.metric ?? r.metrics[0]!;
  const xs = r.axes[f.x] ?? [];
  const ys = r.axes[f.y] ?? [];
  const values = ys.flatMap((y) => xs.map((x) => figureValue(r, { [f.x]: x, [f.y]: y }, f.condition, f.variant, metric)?.mean)).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const card = el('section', 're-card re-figure');
  card.dataset.figure = 'heatmap';
  card.append(el('h3', undefined, f.title ?? `${metric} of ${conditionLabel(f.condition)}`));
  card.append(el('p', 're-intro', `${metric} of ${conditionLabel(f.condition)}${f.variant ? ` (${f.variant})` : ''}: mean ± sd over seeds; rows ${f.y}, columns ${f.x}. Darker is higher (${fmt(lo)} to ${fmt(hi)}).`));
  const table = el('table', 're-heatmap');
  const head = el('tr');
  head.append(el('th', 're-heat-corner', `${f.y} ↓ / ${f.x} →`));
  for (const x of xs) head.append(el('th', 're-num', axisValueLabel(x)));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const y of ys) {
    const tr = el('tr');
    tr.append(el('th', 're-num', axisValueLabel(y)));
    for (const x of xs) {
      const axes = { [f.x]: x, [f.y]: y };
      const e = figureValue(r, axes, f.condition, f.variant, metric);
      const td = el('td', 're-heat-cell');
      if (e && Number.isFinite(e.mean)) {
        const c = heat(e.mean, lo, hi);
        // CSSOM assignments are allowed under the nonce-only CSP (style attributes in markup are not).
        td.style.background = c.bg;
        td.style.color = c.fg;
        td.append(el('strong', undefined, fmt(e.mean)), el('span', 're-heat-sd', e.sd === null ? '' : `± ${fmt(e.sd)}`));
        const groups = r.groups.filter((g) => g.variant === (f.variant ?? r.variants[0]) && JSON.stringify(g.axes[f.x]) === JSON.stringify(x) && JSON.stringify(g.axes[f.y]) === JSON.stringify(y));
        td.append(seedLinks(host, r, groups[0]));
      } else td.textContent = '–';
      tr.append(td);
    }
    table.tBodies[0]!.append(tr);
  }
  card.append(table);
  return card;
}

function curvesCard(r: StudyResults, f: Extract<StudyFigure, { kind: 'curves' }>, charts: Chart[]): HTMLElement {
  const metric = f.metric ?? r.metrics[0]!;
  const xs = r.axes[f.x] ?? [];
  const theme = readTheme();
  const card = el('section', 're-card re-figure');
  card.dataset.figure = 'curves';
  card.append(el('h3', undefined, f.title ?? `${metric} by ${f.x}`));
  card.append(el('p', 're-intro', `${metric} by ${f.x}: mean over seeds (the tooltip gives ± sd and the 95% t-interval); dotted lines are references.`));
  const box = el('div', 're-chart re-chart-tall');
  const canvas = el('canvas');
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `${metric} by ${f.x}`);
  box.append(canvas);
  card.append(box);
  const series = f.lines.map((l, i) => {
    const points = xs.map((x) => figureValue(r, { [f.x]: x }, l.condition, l.variant, metric));
    const colour = conditionColour(l.condition, theme, i);
    return {
      label: l.label ?? `${conditionLabel(l.condition)}${l.variant ? ` (${l.variant})` : ''}`,
      data: points.map((p) => (p && Number.isFinite(p.mean) ? p.mean : null)),
      estimates: points,
      borderColor: colour,
      backgroundColor: colour,
      borderDash: l.dashed ? [3, 4] : [],
      borderWidth: l.dashed ? 2 : 3,
      pointRadius: 4,
      spanGaps: true,
    };
  });
  charts.push(new Chart(canvas, {
    type: 'line',
    data: { labels: xs.map(axisValueLabel), datasets: series },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: f.x, color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid } },
        y: { title: { display: true, text: metric, color: theme.muted }, ticks: { color: theme.muted }, grid: { color: theme.grid } },
      },
      plugins: {
        legend: { labels: { color: theme.foreground, boxWidth: 34, boxHeight: 2 } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const e = series[item.datasetIndex]?.estimates[item.dataIndex];
              const ci = e && e.ciLow !== null ? ` [${fmt(e.ciLow)}, ${fmt(e.ciHigh)}]` : '';
              return `${item.dataset.label}: ${est(e)}${ci}`;
            },
          },
        },
      },
    },
  }));
  return card;
}

function groupsTable(r: StudyResults, host: StudyHost): HTMLElement {
  const axes = Object.keys(r.axes);
  const wrap = el('div', 're-table-wrap');
  const table = el('table', 're-table');
  const head = el('tr');
  for (const h of [...axes, ...(r.variants.length > 1 ? ['variant'] : []), 'condition', ...r.metrics, 'cells']) head.append(el('th', undefined, h));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const g of r.groups) {
    for (const condition of r.conditions) {
      const row = g.metrics[condition];
      if (!row) continue;
      const tr = el('tr');
      for (const a of axes) tr.append(el('td', 're-num', axisValueLabel(g.axes[a])));
      if (r.variants.length > 1) tr.append(el('td', undefined, g.variant));
      tr.append(el('th', undefined, conditionLabel(condition)));
      for (const m of r.metrics) {
        const e = row[m];
        const td = el('td', 're-num', est(e));
        if (e && e.ciLow !== null) td.title = `95% t-interval over ${e.n} seeds: [${fmt(e.ciLow)}, ${fmt(e.ciHigh)}]`;
        tr.append(td);
      }
      const links = el('td');
      links.append(seedLinks(host, r, g));
      tr.append(links);
      table.tBodies[0]!.append(tr);
    }
  }
  wrap.append(table);
  return wrap;
}

function comparisonsTable(r: StudyResults): HTMLElement {
  const axes = Object.keys(r.axes);
  const wrap = el('div', 're-table-wrap');
  const table = el('table', 're-table');
  const head = el('tr');
  for (const h of ['comparison', ...axes, 'metric', 'difference', '95% CI', 'n']) head.append(el('th', undefined, h));
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  for (const c of r.comparisons) {
    const tr = el('tr');
    tr.append(el('th', undefined, c.name));
    for (const a of axes) tr.append(el('td', 're-num', axisValueLabel(c.axes[a])));
    const sign = c.ciLow > 0 ? 're-up' : c.ciHigh < 0 ? 're-down' : '';
    tr.append(el('td', undefined, c.metric), el('td', `re-num ${sign}`, `${c.diff >= 0 ? '+' : ''}${fmt(c.diff)}`), el('td', 're-num', `[${fmt(c.ciLow)}, ${fmt(c.ciHigh)}]`), el('td', 're-num', String(c.n)));
    table.tBodies[0]!.append(tr);
  }
  wrap.append(table);
  return wrap;
}

export class StudyView {
  private charts: Chart[] = [];
  constructor(private readonly root: HTMLElement, private readonly host: StudyHost) {}

  render(r: StudyResults | undefined, running = false): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    this.root.replaceChildren();
    if (!r) {
      this.root.append(el('p', 're-placeholder re-muted', 'No study results yet.'));
      return;
    }
    const done = r.cells.filter((c) => c.status === 'done').length;
    const failed = r.cells.filter((c) => c.status === 'failed').length;
    const header = el('header', 're-header');
    const titles = el('div');
    titles.append(el('h1', undefined, r.name));
    if (r.description) titles.append(el('p', 're-subtitle', r.description));
    header.append(titles);
    this.root.append(header);
    const progress = el('p', 're-study-progress', `${done}/${r.cells.length} cells done${failed ? `, ${failed} failed` : ''}${running ? ' (running)' : r.complete ? '' : ' (incomplete: run the study again to continue)'} · ` +
      `${r.usage.cellCalls} LLM calls by the cells (${r.usage.calls} in the last run) · ${r.seeds.values.length ? `seeds ${r.seeds.values.join(', ')} (${r.seeds.vary.join(', ')})` : 'one run per cell'}`);
    const bar = el('progress');
    bar.max = r.cells.length;
    bar.value = done;
    progress.prepend(bar, ' ');
    this.root.append(progress);
    const figures = el('div', 're-study-figures');
    r.figures.forEach((f) => figures.append(f.kind === 'heatmap' ? heatmapCard(r, f, this.host) : curvesCard(r, f, this.charts)));
    if (r.figures.length) this.root.append(figures);
    const table = el('section', 're-section');
    table.append(el('h2', undefined, 'Aggregated table'), el('p', 're-intro', r.methods.seedInterval));
    table.append(groupsTable(r, this.host));
    this.root.append(table);
    if (r.comparisons.length) {
      const cmp = el('section', 're-section');
      cmp.append(el('h2', undefined, 'Comparisons'), el('p', 're-intro', r.methods.comparison), comparisonsTable(r));
      this.root.append(cmp);
    }
  }
}
