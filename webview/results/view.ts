/**
 * Renders the results page from a state snapshot: header, metric table, charts, run comparison,
 * hint usage, paired tests, answer quality and cost, sessions with drill-down. Sections are
 * rebuilt from the snapshot; only the session table and the live curve update in place (so
 * typing in the filter keeps focus).
 */
import type { Chart } from 'chart.js';
import { deltaVsNoHint, MARGINAL_CI_NOTE, type PairedComparison, type ResultsFile, type TrainingPoint } from '../../src/protocol/results';
import type { ResultsCommand, SessionDetail } from '../../src/protocol/webview';
import { conditionColourIndex } from '../../src/protocol/conditions';
import { h, button, replaceChildren, type Child } from '../shared/dom';
import { bestByMetric, configDiff, defaultMetric, metricNames, runLabel, UPPER_BOUNDS } from './model';
import { renderSessions, defaultSessionsUi, type SessionsUi } from './sessions';
import { renderDetail, renderDetailLoading } from './detail';
import { editableTitle, notesEditor, runTitle } from './runInfoEditor';
import { chartBox, copyCsvButton, estimateCell, section, type CsvRows } from './widgets';
import { seedsSummary, type OverSeeds, type SeedsSummary } from './seeds';
import { renderMetricBars, renderTrainingCurve, renderHintUsage, updateTrainingCurve, readTheme, conditionColour, paletteColour, type BarSeries } from '../shared/charts';
import { conditionLabel, formatCost, formatCount, formatDate, formatDiff, formatMetric, formatPercent, formatPValue } from '../shared/format';

export interface UiState {
  metric?: string;
  sessions: SessionsUi;
}

/** What the webview persists with setState (the host's last snapshot plus view choices). */
export interface PersistedState {
  v: 1;
  runs: ResultsFile[];
  ui: UiState;
  live?: { runId: string; points: TrainingPoint[] };
}

export function initialState(): PersistedState {
  return { v: 1, runs: [], ui: { sessions: defaultSessionsUi() } };
}

export interface HostBridge {
  /** True inside VS Code; false in the standalone report (no host to talk to). */
  readonly connected: boolean;
  post(cmd: ResultsCommand): void;
  save(state: PersistedState): void;
}

export class ResultsView {
  private state: PersistedState;
  /** Chart id -> how to draw it (again, after a theme or metric change). */
  private readonly chartRedraws = new Map<string, () => void>();
  private compareEl?: HTMLElement;
  private curve?: { runId: string; chart: Chart<'line'> };
  private detailBox?: HTMLElement;
  private pendingDetail?: { sessionId: string; condition: string };
  /** Control to focus after the next render (the one that asked the host for a new snapshot). */
  private focusAfterRender?: string;
  /** Run id -> notes typed but not yet in a snapshot (survive re-renders, not reloads). */
  private readonly draftNotes = new Map<string, string>();

  constructor(private readonly root: HTMLElement, private readonly host: HostBridge, state: PersistedState) {
    this.state = state;
  }

  get snapshot(): PersistedState {
    return this.state;
  }

  /** A new snapshot from the host (results/show). View choices survive when still meaningful. */
  show(runs: ResultsFile[]): void {
    const sameRun = this.state.runs[0]?.run.id === runs[0]?.run.id;
    this.state = { ...this.state, runs, ui: sameRun ? this.state.ui : { sessions: defaultSessionsUi() } };
    if (this.state.live && runs.some((r) => r.run.id === this.state.live?.runId)) this.state.live = undefined;
    this.pendingDetail = undefined;
    for (const r of runs) {
      const draft = this.draftNotes.get(r.run.id);
      if (draft !== undefined && draft.replace(/\r\n/g, '\n').trim() === (r.run.notes ?? '')) this.draftNotes.delete(r.run.id);
    }
    this.persist();
    this.render();
    if (this.focusAfterRender) (document.getElementById(this.focusAfterRender) as HTMLElement | null)?.focus();
    this.focusAfterRender = undefined;
  }

  /** Live training curve: the whole curve so far for one run. */
  trainingCurve(runId: string, points: TrainingPoint[]): void {
    const run = this.state.runs.find((r) => r.run.id === runId);
    if (run) run.training = points;
    else this.state.live = { runId, points };
    this.persist();
    if (this.curve && this.curve.runId === runId) updateTrainingCurve(this.curve.chart, points);
    else this.render();
  }

  sessionDetail(detail: SessionDetail): void {
    if (!this.detailBox) return;
    const p = this.pendingDetail;
    // Ignore a late answer to a request the user has since replaced.
    if (p && (p.sessionId !== detail.sessionId || p.condition !== detail.condition)) return;
    this.pendingDetail = undefined;
    replaceChildren(this.detailBox, renderDetail(detail, {
      onOpenHint: this.host.connected ? (hintId) => this.host.post({ type: 'results/openHint', hintId }) : undefined,
      onCompare: this.host.connected ? () => this.host.post({ type: 'results/comparePrompts', runId: detail.runId, sessionId: detail.sessionId, condition: detail.condition }) : undefined,
      onClose: () => replaceChildren(this.detailBox as HTMLElement),
    }));
    this.detailBox.scrollIntoView?.({ block: 'nearest' });
  }

  /** Charts read theme colours when drawn: redraw them after a theme change. */
  redrawCharts(): void {
    for (const redraw of this.chartRedraws.values()) redraw();
  }

  private persist(): void {
    this.host.save(this.state);
  }

  render(): void {
    this.chartRedraws.clear();
    this.compareEl = undefined;
    this.curve = undefined;
    const { runs, live } = this.state;
    const ref = runs[0];
    if (!ref) {
      replaceChildren(this.root, this.emptyState(), live ? this.liveSection(live.runId, live.points) : null);
      this.redrawCharts();
      return;
    }
    const metric = this.state.ui.metric && metricNames(ref).includes(this.state.ui.metric) ? this.state.ui.metric : defaultMetric(ref);
    this.detailBox = h('div', { class: 're-detail-box', 'aria-live': 'polite' });
    const seeds = seedsSummary(runs);
    replaceChildren(this.root,
      this.header(ref, runs.length),
      live ? this.liveSection(live.runId, live.points) : null,
      seeds ? this.seedsSection(seeds) : null,
      this.metricTable(ref),
      this.chartsRow(ref, metric),
      runs.length > 1 ? (this.compareEl = this.comparison(runs, metric)) : null,
      ref.hints.length ? this.hintsSection(ref) : null,
      ref.comparisons.length ? this.pairedTests(ref) : null,
      this.qualitySection(ref),
      ref.sessions.length ? this.sessionsSection(ref) : null,
      h('footer', { class: 're-footer' }, `Re2LLM Studio ${ref.run.packageVersion} · results schema v${ref.schemaVersion} · run ${ref.run.id}`));
    this.redrawCharts();
  }

  // ---- sections -------------------------------------------------------------------------------

  private emptyState(): HTMLElement {
    return h('div', { class: 're-empty', role: 'status' },
      h('h1', {}, 'No results yet'),
      h('p', {}, 'Run an evaluation (“Re2LLM: Evaluate” or “Re2LLM: Run Full Pipeline”, or try “Re2LLM: Start Demo”) and its results will appear here.'),
      this.host.connected ? button('Compare runs…', () => this.host.post({ type: 'results/compareRuns' }), { class: 're-btn re-btn-secondary' }) : null);
  }

  private header(ref: ResultsFile, nRuns: number): HTMLElement {
    const r = ref.run;
    const facts: Child[] = [
      ['Run', h('span', { class: 're-mono' }, r.id)],
      ['Created', formatDate(r.createdAt)],
      ['Dataset', `${r.dataset.name} (${r.dataset.hash.slice(0, 19)})`],
      ['Model', r.llm.model],
      ['KB', r.kb ? `${r.kb.hintIds.filter((x) => x !== 'none').length} hints · ${r.kb.fingerprint}` : '–'],
      ['Test sessions', String(Math.max(0, ...ref.conditions.map((c) => c.n)))],
    ].map(([k, v]) => h('div', { class: 're-fact' }, h('span', { class: 're-fact-k' }, k as string), h('span', { class: 're-fact-v' }, v as Child)));
    // Naming, starring and notes write to the run folder: only with a host (not in the report).
    const editor = this.host.connected
      ? {
        run: r,
        post: (cmd: ResultsCommand) => this.host.post(cmd),
        refocus: (id: string) => (this.focusAfterRender = id),
        draftNotes: this.draftNotes.get(r.id),
        onDraftNotes: (text: string | undefined) => (text === undefined ? this.draftNotes.delete(r.id) : this.draftNotes.set(r.id, text)),
      }
      : undefined;
    const exportButtons = this.host.connected
      ? h('div', { class: 're-actions', role: 'group', 'aria-label': 'Export the metric table' },
        h('span', { class: 're-muted' }, 'Export'),
        (['csv', 'latex', 'json'] as const).map((format) =>
          button(format === 'latex' ? 'LaTeX' : format.toUpperCase(), () => this.host.post({ type: 'results/export', runId: r.id, format }), { class: 're-btn', 'data-export': format })),
        button('Compare runs…', () => this.host.post({ type: 'results/compareRuns' }), { class: 're-btn re-btn-secondary' }))
      : null;
    return h('header', { class: 're-header' },
      h('div', { class: 're-title' },
        editor ? editableTitle(editor) : runTitle(r),
        h('p', { class: 're-subtitle' }, nRuns > 1 ? `Evaluation results, compared with ${nRuns - 1} other run${nRuns > 2 ? 's' : ''}` : 'Evaluation results'),
        editor ? notesEditor(editor) : r.notes ? h('p', { class: 're-notes' }, r.notes) : null),
      exportButtons,
      h('div', { class: 're-facts-row' }, facts));
  }

  /** A run repeated over seeds: mean ± sd over the runs (./seeds.ts), before the first run's own tables. */
  private seedsSection(s: SeedsSummary): HTMLElement {
    const metrics = [...new Set(s.conditions.flatMap((c) => Object.keys(c.metrics)))];
    const cell = (o: OverSeeds | undefined): HTMLTableCellElement => o
      ? h('td', { class: 're-num re-est', 'data-mean': formatMetric(o.mean), title: `per seed: ${o.values.map((v) => formatMetric(v)).join(', ')}` },
        h('span', {}, formatMetric(o.mean)), h('span', { class: 're-ci' }, o.sd === null ? '' : `± ${formatMetric(o.sd)}`))
      : h('td', { class: 're-num' }, '–');
    const table = h('table', { class: 're-table re-metrics', id: 're-seeds-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Condition'), metrics.map((m) => h('th', { scope: 'col', class: 're-num' }, m)))),
      h('tbody', {}, s.conditions.map((c) => h('tr', { 'data-condition': c.condition },
        h('th', { scope: 'row' }, conditionLabel(c.condition)), metrics.map((m) => cell(c.metrics[m]))))));
    const deltas = s.deltas.length
      ? h('table', { class: 're-table', id: 're-seeds-deltas' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Comparison'), h('th', { scope: 'col' }, 'Metric'), h('th', { scope: 'col', class: 're-num' }, 'Δ mean ± sd over seeds'))),
        h('tbody', {}, s.deltas.map((d) => h('tr', {},
          h('th', { scope: 'row' }, `${conditionLabel(d.a)} vs ${conditionLabel(d.b)}`), h('td', {}, d.metric),
          h('td', { class: `re-num ${d.over.mean > 0 ? 're-up' : d.over.mean < 0 ? 're-down' : ''}`, title: `per seed: ${d.over.values.map((v) => formatDiff(v)).join(', ')}` },
            `${formatDiff(d.over.mean)}${d.over.sd === null ? '' : ` ± ${formatMetric(d.over.sd)}`}`)))))
      : null;
    const seedsText = s.vary.map((v) => `${v.key} ${v.values.join(', ')}`).join('; ');
    const csv = (): CsvRows => [
      ['condition', 'metric', 'mean', 'sd', 'n', ...s.vary.map((v) => `values (${v.key} ${v.values.join(' ')})`)],
      ...s.conditions.flatMap((c) => metrics.filter((m) => c.metrics[m]).map((m) => { const o = c.metrics[m]!; return [c.condition, m, o.mean, o.sd ?? '', o.n, o.values.join(' ')]; })),
      ...s.deltas.map((d) => [`${d.a} - ${d.b}`, d.metric, d.over.mean, d.over.sd ?? '', d.over.n, d.over.values.join(' ')]),
    ];
    return section('re-seeds', `Over ${s.n} seeds`, {
      actions: [copyCsvButton('seeds', csv)],
      intro: `The same run repeated with ${seedsText} (n = ${s.n} seeds): mean ± sample standard deviation (n − 1) over the seeds of each run's mean, and of each run's paired Δ. The sd says how much a result moves with the seed; the tables below are the first run's alone.`,
    }, h('div', { class: 're-table-wrap' }, table), deltas ? h('div', { class: 're-table-wrap' }, deltas) : null);
  }

  private metricTable(ref: ResultsFile): HTMLElement {
    const metrics = metricNames(ref);
    const best = bestByMetric(ref.conditions, metrics);
    // The paired difference against no-hint, where the file has it (schema 2).
    const deltaMetric = ref.statistics?.primaryMetric ?? defaultMetric(ref);
    const delta = (condition: string): PairedComparison | undefined => {
      const d = deltaVsNoHint(ref, condition, deltaMetric);
      return d && d.ciLow !== undefined ? d : undefined;
    };
    const hasDelta = ref.conditions.some((c) => delta(c.condition));
    const csv = (): CsvRows => [
      ['condition', 'n', ...metrics.flatMap((m) => [m, `${m} ci_low`, `${m} ci_high`]), ...(hasDelta ? [`delta ${deltaMetric} vs no-hint`, 'delta ci_low', 'delta ci_high', 'delta p', 'delta p_holm', 'family'] : [])],
      ...ref.conditions.map((c) => {
        const d = delta(c.condition);
        return [c.condition, c.n, ...metrics.flatMap((m): Array<string | number> => (c.metrics[m] ? [c.metrics[m].mean, c.metrics[m].ciLow, c.metrics[m].ciHigh] : ['', '', ''])),
          ...(hasDelta ? (d ? [d.diff, d.ciLow ?? '', d.ciHigh ?? '', d.pValue, d.pHolm ?? '', d.family ?? ''] : ['', '', '', '', '', '']) : [])];
      }),
    ];
    const deltaCell = (condition: string): HTMLElement => {
      const d = delta(condition);
      if (!d) return h('td', { class: 're-num re-muted' }, condition === 'no-hint' ? 'reference' : '–');
      const primary = d.family === 'primary' && d.pHolm !== undefined;
      const p = primary ? d.pHolm! : d.pValue;
      // Three short lines (Δ, its interval, p) keep the column as narrow as a metric column.
      return h('td', { class: `re-num re-delta ${d.diff > 0 ? 're-up' : d.diff < 0 ? 're-down' : ''}`, 'data-family': d.family ?? '' },
        h('span', { class: 're-delta-value' }, formatDiff(d.diff)),
        h('span', { class: 're-ci' }, `[${formatDiff(d.ciLow!)}, ${formatDiff(d.ciHigh!)}]`),
        h('span', { class: `re-ci${p < 0.05 ? ' re-signif' : ''}` }, `p${primary ? ' (Holm)' : ''} ${formatPValue(p)}`));
    };
    const table = h('table', { class: 're-table re-metrics', id: 're-metric-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Condition'), h('th', { scope: 'col', class: 're-num' }, 'n'), metrics.map((m) => h('th', { scope: 'col', class: 're-num' }, m)),
        hasDelta ? h('th', { scope: 'col', class: 're-num', title: `${deltaMetric} minus no-hint's, per session: mean [paired 95% CI], p` }, `Δ ${deltaMetric} vs no hint`) : null)),
      h('tbody', {}, ref.conditions.map((c) =>
        h('tr', { 'data-condition': c.condition, class: UPPER_BOUNDS.has(c.condition) ? 're-upper' : undefined },
          h('th', { scope: 'row' }, h('span', { class: `re-swatch re-sw-c${conditionColourIndex(c.condition, 6) + 1}`, 'aria-hidden': 'true' }), conditionLabel(c.condition), c.hintId ? h('span', { class: 're-muted re-mono' }, ` ${c.hintId}`) : null),
          h('td', { class: 're-num' }, formatCount(c.n)),
          metrics.map((m) => estimateCell(c.metrics[m], best.get(m)?.has(c.condition) ?? false)),
          hasDelta ? deltaCell(c.condition) : null))));
    return section('re-metrics', 'Metrics per condition', {
      actions: [copyCsvButton('metrics', csv)],
      intro: `Mean over test sessions with bootstrap 95% confidence interval. Bold: best per column; the oracle is an upper bound and is not ranked.${hasDelta ? ' Δ: mean per-session difference from no-hint with its paired bootstrap 95% CI and sign-flip p-value (Holm-adjusted in the primary family).' : ''} ${MARGINAL_CI_NOTE}`,
    }, h('div', { class: 're-table-wrap' }, table), this.statisticsNotes(ref));
  }

  /** MDE, how the baselines were formed, and the agent's final entropy (schema 2). */
  private statisticsNotes(ref: ResultsFile): HTMLElement | null {
    const notes: Child[] = [];
    const st = ref.statistics;
    for (const m of st?.mde ?? []) {
      notes.push(h('li', { class: 're-mde' }, `Minimum detectable effect (${Math.round(m.power * 100)}% power, α = ${st!.alpha}, two-sided): ${conditionLabel(m.a)} vs ${conditionLabel(m.b)} ${m.metric} ±${formatMetric(m.mde, 4)} with n = ${formatCount(m.n)} (paired SD ${formatMetric(m.sd, 3)}).`));
    }
    const bl = ref.baselines;
    if (bl?.bestFixedHint) notes.push(h('li', {}, `Best fixed hint: ${bl.bestFixedHint.hintId} (mean reward ${formatMetric(bl.bestFixedHint.reward, 4)} on ${bl.bestFixedHint.chosenOn}, ${formatCount(bl.bestFixedHint.sessions)} sessions; “no hint” allowed).`));
    if (bl?.randomHint) notes.push(h('li', {}, bl.randomHint.estimate === 'expectation' ? `Random hint: the exact expectation over ${bl.randomHint.hints} enabled hints per session.` : `Random hint: one seeded draw per session (seed ${bl.randomHint.seed}).`));
    const at = ref.agentTraining;
    if (at?.finalEntropy !== undefined) {
      notes.push(h('li', { class: at.nearUniform ? 're-warning' : undefined }, `Agent: final policy entropy ${formatMetric(at.finalEntropy, 3)} of at most ${formatMetric(at.maxEntropy, 3)}${at.checkpoint ? `, checkpoint ${at.checkpoint}` : ''}${at.nearUniform ? ' — close to uniform: the agent is under-trained.' : '.'}`));
    }
    return notes.length ? h('ul', { class: 're-notes-list', id: 're-statistics-notes' }, notes) : null;
  }

  private chartsRow(ref: ResultsFile, metric: string): HTMLElement {
    const bars = chartBox('re-chart-metric', `${metric} per condition with 95% confidence intervals`);
    const select = h('select', { id: 're-metric-select', 'aria-label': 'Metric shown in the chart', onchange: (e: Event) => {
      // Redraw only what depends on the metric, so the select keeps focus and the page its scroll.
      const chosen = (e.target as HTMLSelectElement).value;
      this.state.ui.metric = chosen;
      this.persist();
      drawBars(chosen);
      if (this.compareEl) {
        const next = this.comparison(this.state.runs, chosen);
        this.compareEl.replaceWith(next);
        this.compareEl = next;
        this.chartRedraws.get('compare')?.();
      }
    } }, metricNames(ref).map((m) => h('option', { value: m, selected: m === metric }, m)));
    let shown = metric;
    const drawBars = (m: string) => {
      shown = m;
      bars.canvas.setAttribute('aria-label', `${m} per condition with 95% confidence intervals`);
      const theme = readTheme();
      const series: BarSeries = {
        label: runLabel(ref),
        values: ref.conditions.map((c) => c.metrics[m]?.mean ?? null),
        intervals: ref.conditions.map((c) => (c.metrics[m] ? [c.metrics[m].ciLow, c.metrics[m].ciHigh] : null)),
        colours: ref.conditions.map((c, i) => conditionColour(c.condition, theme, i)),
        faded: ref.conditions.map((c) => UPPER_BOUNDS.has(c.condition)),
      };
      renderMetricBars(bars.canvas, { categories: ref.conditions.map((c) => conditionLabel(c.condition)), series: [series], metric: m, theme });
    };
    this.chartRedraws.set('metric', () => drawBars(shown));
    const barCard = h('div', { class: 're-card' }, h('div', { class: 're-card-head' }, h('h3', {}, 'By condition'), select), bars.box);
    return section('re-charts', 'Charts', { intro: MARGINAL_CI_NOTE }, h('div', { class: 're-grid' }, barCard, this.curveCard(ref.run.id, ref.training)));
  }

  private curveCard(runId: string, points: TrainingPoint[] | undefined): HTMLElement {
    if (!points || points.length === 0) {
      return h('div', { class: 're-card' }, h('div', { class: 're-card-head' }, h('h3', {}, 'Training curve')), h('p', { class: 're-muted re-placeholder' }, 'This run has no training curve (the agent was trained in another run, or not at all).'));
    }
    const curve = chartBox(`re-chart-curve-${cssId(runId)}`, 'Training curve: mean reward and validation reward against environment steps');
    curve.canvas.classList.add('re-chart-curve');
    this.chartRedraws.set(`curve-${runId}`, () => {
      const run = this.state.runs.find((r) => r.run.id === runId);
      const pts = run?.training ?? (this.state.live?.runId === runId ? this.state.live.points : points);
      this.curve = { runId, chart: renderTrainingCurve(curve.canvas, pts) };
    });
    return h('div', { class: 're-card' }, h('div', { class: 're-card-head' }, h('h3', {}, 'Training curve'), h('span', { class: 're-muted' }, `${formatCount(points.at(-1)?.step ?? 0)} steps`)), curve.box);
  }

  private liveSection(runId: string, points: TrainingPoint[]): HTMLElement {
    return section('re-live', `Training (live): ${runId}`, {}, this.curveCard(runId, points));
  }

  private comparison(runs: ResultsFile[], metric: string): HTMLElement {
    const conds = [...new Set(runs.flatMap((r) => r.conditions.map((c) => c.condition)))];
    const est = (r: ResultsFile, c: string) => r.conditions.find((x) => x.condition === c)?.metrics[metric];
    const table = h('table', { class: 're-table', id: 're-compare-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Condition'),
        runs.map((r, i) => h('th', { scope: 'col', class: 're-num' }, runLabel(r), i === 0 ? h('span', { class: 're-muted' }, ' (reference)') : null)),
        runs.slice(1).map((r) => h('th', { scope: 'col', class: 're-num' }, `Δ ${runLabel(r)}`)))),
      h('tbody', {}, conds.map((c) => h('tr', {},
        h('th', { scope: 'row' }, conditionLabel(c)),
        runs.map((r) => estimateCell(est(r, c))),
        runs.slice(1).map((r) => {
          const a = runs[0] && est(runs[0], c);
          const b = est(r, c);
          const d = a && b ? b.mean - a.mean : NaN;
          return h('td', { class: `re-num ${d > 0 ? 're-up' : d < 0 ? 're-down' : ''}` }, formatDiff(d));
        })))));
    const csv = (): CsvRows => [
      ['condition', ...runs.flatMap((r) => [`${r.run.id} ${metric}`, `${r.run.id} ci_low`, `${r.run.id} ci_high`])],
      ...conds.map((c) => [c, ...runs.flatMap((r): Array<string | number> => { const e = est(r, c); return e ? [e.mean, e.ciLow, e.ciHigh] : ['', '', '']; })]),
    ];
    const diff = configDiff(runs);
    const diffTable = diff.length
      ? h('table', { class: 're-table re-diff', id: 're-config-diff' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Parameter'), runs.map((r) => h('th', { scope: 'col' }, runLabel(r))))),
        h('tbody', {}, diff.map((d) => h('tr', {}, h('th', { scope: 'row', class: 're-mono' }, d.key), d.values.map((v) => h('td', { class: 're-mono' }, v))))))
      : h('p', { class: 're-muted' }, 'The runs share every configuration parameter.');
    const bars = chartBox('re-chart-compare', `${metric} per condition for each run`);
    this.chartRedraws.set('compare', () => {
      const theme = readTheme();
      renderMetricBars(bars.canvas, {
        categories: conds.map(conditionLabel),
        metric,
        theme,
        series: runs.map((r, i) => ({
          label: runLabel(r),
          values: conds.map((c) => est(r, c)?.mean ?? null),
          intervals: conds.map((c) => { const e = est(r, c); return e ? [e.ciLow, e.ciHigh] : null; }),
          colours: paletteColour(theme, i),
          faded: conds.map((c) => UPPER_BOUNDS.has(c)),
        })),
      });
    });
    return section('re-compare', `Run comparison (${metric})`, {
      actions: [copyCsvButton('run comparison', csv), ...(this.host.connected ? [button('Choose runs…', () => this.host.post({ type: 'results/compareRuns' }), { class: 're-btn re-btn-secondary' })] : [])],
      intro: `The first run is the reference; Δ is the other run minus the reference (a difference of means, not a test). Change the metric with the chart selector above. ${MARGINAL_CI_NOTE}`,
    },
    h('div', { class: 're-table-wrap' }, table),
    h('div', { class: 're-card re-gap' }, bars.box),
    h('h3', {}, 'Parameters that differ'),
    h('div', { class: 're-table-wrap' }, diffTable));
  }

  private hintsSection(ref: ResultsFile): HTMLElement {
    const box = chartBox('re-chart-hints', 'Hint usage: picks per hint and mean reward where picked', 'tall');
    this.chartRedraws.set('hints', () => renderHintUsage(box.canvas, ref.hints));
    const sorted = [...ref.hints].sort((a, b) => b.picks - a.picks || a.id.localeCompare(b.id));
    const total = ref.hints.reduce((s, x) => s + x.picks, 0) || 1;
    const table = h('table', { class: 're-table re-hints', id: 're-hint-table' },
      h('thead', {}, h('tr', {}, ['Hint', 'Text', 'Picks', 'Share', 'Mean reward'].map((t, i) => h('th', { scope: 'col', class: i >= 2 ? 're-num' : undefined }, t)))),
      h('tbody', {}, sorted.map((x) => h('tr', {},
        h('td', { class: 're-mono' }, this.host.connected && x.id !== 'none'
          ? button(x.id, () => this.host.post({ type: 'results/openHint', hintId: x.id }), { class: 're-link', 'data-open-hint': x.id, 'aria-label': `Open hint ${x.id} in the KB` })
          : x.id),
        h('td', { class: 're-hint-text' }, x.text),
        h('td', { class: 're-num' }, formatCount(x.picks)),
        h('td', { class: 're-num' }, formatPercent(x.picks / total)),
        h('td', { class: 're-num' }, x.meanReward === null ? '–' : formatMetric(x.meanReward, 4))))));
    const csv = (): CsvRows => [['hint', 'text', 'picks', 'mean_reward'], ...sorted.map((x) => [x.id, x.text, x.picks, x.meanReward ?? ''])];
    return section('re-hints', 'Hint usage and uplift', {
      actions: [copyCsvButton('hints', csv)],
      intro: 'How often the agent picked each hint on the test sessions, and the mean reward (NDCG@10 with the hint minus without) where it did.',
    },
    h('div', { class: 're-card' }, box.box),
    h('details', { class: 're-more-details' }, h('summary', {}, `All ${ref.hints.length} hints`), h('div', { class: 're-table-wrap' }, table)));
  }

  private pairedTests(ref: ResultsFile): HTMLElement {
    // Primary family first: the hypotheses the evaluation is for.
    const rows = [...ref.comparisons].sort((x, y) => Number(y.family === 'primary') - Number(x.family === 'primary'));
    const hasCi = rows.some((c) => c.ciLow !== undefined);
    const table = h('table', { class: 're-table', id: 're-paired-table' },
      h('thead', {}, h('tr', {}, ['Comparison', 'Family', 'Metric', 'Δ', ...(hasCi ? ['95% CI of Δ'] : []), 'p-value', 'p (Holm)', 'n'].map((t, i) => h('th', { scope: 'col', class: i >= 3 ? 're-num' : undefined }, t)))),
      h('tbody', {}, rows.map((c) => h('tr', { 'data-family': c.family ?? '' },
        h('td', {}, `${conditionLabel(c.a)} vs ${conditionLabel(c.b)}`),
        h('td', {}, c.family ?? '–'),
        h('td', {}, c.metric),
        h('td', { class: `re-num ${c.diff > 0 ? 're-up' : c.diff < 0 ? 're-down' : ''}` }, formatDiff(c.diff)),
        hasCi ? h('td', { class: 're-num' }, c.ciLow === undefined ? '–' : `[${formatDiff(c.ciLow)}, ${formatDiff(c.ciHigh!)}]`) : null,
        h('td', { class: 're-num' }, formatPValue(c.pValue)),
        h('td', { class: `re-num${c.pHolm !== undefined && c.pHolm < 0.05 ? ' re-signif' : ''}` }, c.pHolm === undefined ? '–' : formatPValue(c.pHolm)),
        h('td', { class: 're-num' }, formatCount(c.n))))));
    const csv = (): CsvRows => [['a', 'b', 'family', 'metric', 'diff', 'ci_low', 'ci_high', 'sd', 'p_value', 'p_holm', 'permutations', 'n'], ...rows.map((c) => [c.a, c.b, c.family ?? '', c.metric, c.diff, c.ciLow ?? '', c.ciHigh ?? '', c.sd ?? '', c.pValue, c.pHolm ?? '', c.permutations ?? '', c.n])];
    const st = ref.statistics;
    const intro = st
      ? `Paired comparisons over the same sessions: Δ is the mean per-session difference, its 95% CI a percentile bootstrap over sessions (${formatCount(st.bootstrap)} resamples), p a sign-flip permutation test ((b+1)/(B+1), B = ${formatCount(st.permutations)}). Primary family (${st.primary.length ? st.primary.join(', ') : 'none evaluated'}, on ${st.primaryMetric}): Holm-adjusted together, bold below 0.05. Secondary comparisons are unadjusted and exploratory.`
      : 'Paired randomization tests over the same sessions; the Holm-adjusted p-value accounts for running all of them, and is bold below 0.05.';
    return section('re-paired', 'Paired tests', { actions: [copyCsvButton('paired tests', csv)], intro },
      h('details', { class: 're-more-details' }, h('summary', {}, `${ref.comparisons.length} comparisons`), h('div', { class: 're-table-wrap' }, table)));
  }

  private qualitySection(ref: ResultsFile): HTMLElement {
    const heads = ['Condition', 'Invalid output', 'Hallucination', 'Parse failure', 'Duplicates', 'LLM calls', 'Cache hits', 'Prompt tokens', 'Completion tokens', 'Cost'];
    const table = h('table', { class: 're-table', id: 're-quality-table' },
      h('thead', {}, h('tr', {}, heads.map((t, i) => h('th', { scope: 'col', class: i ? 're-num' : undefined }, t)))),
      h('tbody', {}, ref.conditions.map((c) => h('tr', {},
        h('th', { scope: 'row' }, conditionLabel(c.condition)),
        [c.rates.invalidOutput, c.rates.hallucination, c.rates.parseFailure, c.rates.duplicates].map((x) => h('td', { class: 're-num' }, formatPercent(x))),
        [c.usage.calls, c.usage.cacheHits, c.usage.promptTokens, c.usage.completionTokens].map((x) => h('td', { class: 're-num' }, formatCount(x))),
        h('td', { class: 're-num' }, formatCost(c.usage.cost))))));
    const csv = (): CsvRows => [
      ['condition', 'invalid_output', 'hallucination', 'parse_failure', 'duplicates', 'calls', 'cache_hits', 'prompt_tokens', 'completion_tokens', 'cost_usd'],
      ...ref.conditions.map((c) => [c.condition, c.rates.invalidOutput, c.rates.hallucination, c.rates.parseFailure, c.rates.duplicates, c.usage.calls, c.usage.cacheHits, c.usage.promptTokens, c.usage.completionTokens, c.usage.cost]),
    ];
    const totalCost = ref.conditions.reduce((s, c) => s + c.usage.cost, 0);
    return section('re-quality', 'Answer quality and cost', {
      actions: [copyCsvButton('answer quality and cost', csv)],
      intro: `Shares of answers; calls and tokens as billed (cache hits cost nothing). Total ${formatCost(totalCost)}.`,
    }, h('div', { class: 're-table-wrap' }, table));
  }

  private sessionsSection(ref: ResultsFile): HTMLElement {
    const el = renderSessions({
      run: ref,
      ui: this.state.ui.sessions,
      onUi: (ui) => {
        this.state.ui.sessions = ui;
        this.persist();
      },
      onOpen: this.host.connected
        ? (sessionId, condition) => {
          this.pendingDetail = { sessionId, condition };
          replaceChildren(this.detailBox as HTMLElement, renderDetailLoading(sessionId, condition));
          this.host.post({ type: 'results/requestSession', runId: ref.run.id, sessionId, condition });
        }
        : undefined,
    });
    el.appendChild(this.detailBox as HTMLElement);
    return el;
  }
}

function cssId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

