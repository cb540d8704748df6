/**
 * The training-curves panel: several runs' PPO curves overlaid in one chart.js chart, as
 * TensorBoard draws them: the raw curve faint, the EMA-smoothed one solid (slider), one metric at a
 * time (whatever the run folders record), zoom (wheel or drag a box) and pan (Shift+drag) through
 * chartjs-plugin-zoom, a log-scale toggle, every run's value at the hovered step, and a legend that
 * hides and shows a run. Renders the host's complete snapshots; the view persists with setState.
 */
import { Chart, Interaction, LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, type ChartDataset, type InteractionItem } from 'chart.js';
import { getRelativePosition } from 'chart.js/helpers';
import zoomPlugin from 'chartjs-plugin-zoom';
import { CURVE_METRICS, isCurvesNotification, type CurveMetric, type CurvesCommand, type RunCurve } from '../../src/protocol/curves';
import { connectHost } from '../shared/api';
import { paletteColour, readTheme, withAlpha } from '../shared/charts';
import { button, dropdown, registerKit, setOptions } from '../shared/kit';
import { availableMetrics, nonPositive, seriesOf, smooth, type XY } from './model';
import { h } from '../shared/dom';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, zoomPlugin);
Chart.defaults.animation = false;

interface View {
  metric: CurveMetric;
  smoothing: number;
  log: boolean;
  hiddenRuns: string[];
}
interface Persisted {
  view: View;
  runs?: RunCurve[];
  missing?: string[];
}

const DEFAULT_VIEW: View = { metric: 'meanReward', smoothing: 0.6, log: false, hiddenRuns: [] };

/** Hover reads every shown run at its point nearest the pointer's step (runs log at different steps). */
declare module 'chart.js' {
  interface InteractionModeMap {
    eachRun: typeof eachRun;
  }
}
function eachRun(chart: Chart, e: Parameters<typeof getRelativePosition>[0]): InteractionItem[] {
  const pos = getRelativePosition(e, chart as never);
  const items: InteractionItem[] = [];
  chart.data.datasets.forEach((ds, datasetIndex) => {
    if ((ds as { role?: string }).role !== 'smoothed' || !chart.isDatasetVisible(datasetIndex)) return;
    let best = -1;
    let dist = Infinity;
    chart.getDatasetMeta(datasetIndex).data.forEach((el, index) => {
      const d = Math.abs(el.x - pos.x);
      if (d < dist && !Number.isNaN(el.y)) [best, dist] = [index, d];
    });
    if (best >= 0) items.push({ element: chart.getDatasetMeta(datasetIndex).data[best]!, datasetIndex, index: best });
  });
  return items;
}
Interaction.modes.eachRun = eachRun;

registerKit();
const root = document.getElementById('root') ?? document.body;
let runs: RunCurve[] = [];
let missing: string[] = [];
let view: View = { ...DEFAULT_VIEW };
let chart: Chart<'line', XY[]> | undefined;

const api = connectHost<CurvesCommand, Persisted>({ type: 'curves/ready' }, (data) => {
  if (!isCurvesNotification(data)) return;
  runs = data.runs;
  missing = data.missing;
  // A live update (a training writing metrics.jsonl) keeps the zoom: same runs, same axes, new points.
  render({ keepZoom: true });
});
const saved = api.getState();
if (saved?.view) view = { ...DEFAULT_VIEW, ...saved.view };
if (saved?.runs) runs = saved.runs;
if (saved?.missing) missing = saved.missing;
const persist = () => api.setState({ view, runs, missing });

const metricLabel = (k: CurveMetric) => CURVE_METRICS.find((m) => m.key === k)?.label ?? k;
const metricPick = dropdown('Metric', [], view.metric, { testId: 'curves-metric', onChange: (v) => { view.metric = v as CurveMetric; render(); } });
const slider = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', 'aria-label': 'Smoothing', 'data-testid': 'curves-smoothing' }) as HTMLInputElement;
slider.value = String(view.smoothing);
const sliderValue = h('span', { class: 'num', 'data-testid': 'curves-smoothing-value' });
slider.addEventListener('input', () => { view.smoothing = Number(slider.value); render(); });
const logBox = h('input', { type: 'checkbox', id: 'curves-log', 'data-testid': 'curves-log' }) as HTMLInputElement;
logBox.checked = view.log;
logBox.addEventListener('change', () => { view.log = logBox.checked; render(); });
const reset = button('Reset zoom', { appearance: 'secondary', testId: 'curves-reset-zoom', title: 'Back to the whole curve (or double-click the chart)', onClick: () => chart?.resetZoom() });
const pick = button('Choose runs…', { appearance: 'secondary', testId: 'curves-pick', onClick: () => api.post({ type: 'curves/pickRuns' }) });
const note = h('div', { class: 'muted note', 'data-testid': 'curves-note' });
const canvas = h('canvas', { 'data-testid': 'curves-chart', 'aria-label': 'Training curves' }) as HTMLCanvasElement;
canvas.addEventListener('dblclick', () => chart?.resetZoom());
root.append(
  h('div', { class: 'toolbar' },
    h('label', {}, 'Metric '), metricPick,
    h('label', { class: 'check', title: 'Exponential moving average, debiased as in TensorBoard' }, 'Smoothing ', slider, sliderValue),
    h('label', { class: 'check' }, logBox, ' log scale'),
    reset, pick),
  h('div', { class: 'chart-box' }, canvas),
  h('div', { class: 'muted hint' }, 'Wheel or drag a box to zoom, Shift+drag to pan, double-click to reset. Click a legend entry to hide or show a run.'),
  note,
);

function datasets(metric: CurveMetric): { sets: ChartDataset<'line', XY[]>[]; hiddenByLog: number } {
  const theme = readTheme();
  const sets: ChartDataset<'line', XY[]>[] = [];
  let hiddenByLog = 0;
  runs.forEach((r, i) => {
    let raw = seriesOf(r, metric);
    if (!raw.length) return;
    if (view.log) {
      hiddenByLog += nonPositive(raw);
      raw = raw.filter((p) => p.y > 0);
    }
    const colour = paletteColour(theme, i);
    const hidden = view.hiddenRuns.includes(r.runId);
    // Sparse series (validation points) keep their markers; dense ones draw lines only.
    const radius = raw.length <= 40 ? 2.5 : 0;
    const common = { parsing: false as const, hidden, borderWidth: 1.5, pointRadius: radius, pointHoverRadius: 4, runId: r.runId };
    if (view.smoothing > 0) sets.push({ ...common, label: `${r.name} (raw)`, data: raw, borderColor: withAlpha(colour, 0.28), backgroundColor: withAlpha(colour, 0.28), pointRadius: 0, role: 'raw' } as ChartDataset<'line', XY[]>);
    sets.push({ ...common, label: r.name, data: smooth(raw, view.smoothing), borderColor: colour, backgroundColor: colour, role: 'smoothed' } as ChartDataset<'line', XY[]>);
  });
  return { sets, hiddenByLog };
}

/** What the chart's axes depend on; a live update with the same key only swaps the points. */
let drawnKey = '';

function render(o: { keepZoom?: boolean } = {}): void {
  const metrics = availableMetrics(runs, CURVE_METRICS);
  if (metrics.length && !metrics.includes(view.metric)) view.metric = metrics[0]!;
  setOptions(metricPick, (metrics.length ? metrics : [view.metric]).map((k) => ({ value: k, label: metricLabel(k) })), view.metric);
  sliderValue.textContent = view.smoothing.toFixed(2);
  const { sets, hiddenByLog } = datasets(view.metric);
  const theme = readTheme();
  const notes: string[] = [];
  notes.push(`${runs.length} run${runs.length === 1 ? '' : 's'} with a training curve`);
  if (missing.length) notes.push(`no curve recorded in ${missing.join(', ')}`);
  if (hiddenByLog) notes.push(`${hiddenByLog} point${hiddenByLog === 1 ? '' : 's'} ≤ 0 not drawn on the log scale`);
  note.textContent = notes.join(' · ');
  const key = JSON.stringify([view.metric, view.log, view.smoothing > 0, runs.map((r) => r.runId), document.body.className]);
  if (o.keepZoom && chart && key === drawnKey) {
    chart.data.datasets = sets;
    chart.update('none');
    document.body.dataset.points = String(sets.reduce((s, d) => s + d.data.length, 0));
    markVisible(chart);
    persist();
    return;
  }
  drawnKey = key;
  chart?.destroy();
  const grid = { color: theme.grid };
  const ticks = { color: theme.muted };
  chart = new Chart<'line', XY[]>(canvas, {
    type: 'line',
    data: { datasets: sets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'eachRun', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'step', color: theme.muted }, grid, ticks },
        y: { type: view.log ? 'logarithmic' : 'linear', title: { display: true, text: metricLabel(view.metric), color: theme.muted }, grid, ticks },
      },
      plugins: {
        legend: {
          labels: { color: theme.foreground, filter: (item, data) => (data.datasets[item.datasetIndex ?? 0] as { role?: string }).role === 'smoothed', usePointStyle: true, boxHeight: 6 },
          onClick: (_e, item, legend) => toggleRun(legend.chart as Chart<'line', XY[]>, item.datasetIndex ?? 0),
        },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? `step ${Math.round(items[0].parsed.x ?? 0).toLocaleString('en-US')}` : ''),
            label: (item) => {
              const ds = item.dataset as { label?: string };
              const raw = rawValue(item.datasetIndex, item.dataIndex);
              const y = item.parsed.y ?? NaN;
              return `${ds.label}: ${fmt(y)}${raw !== undefined && view.smoothing > 0 ? ` (raw ${fmt(raw)})` : ''} @ ${Math.round(item.parsed.x ?? 0)}`;
            },
          },
        },
        zoom: {
          limits: { x: { min: 'original', max: 'original' } },
          zoom: { wheel: { enabled: true }, drag: { enabled: true, backgroundColor: withAlpha(paletteColour(theme, 0), 0.15) }, mode: 'xy' },
          pan: { enabled: true, modifierKey: 'shift', mode: 'xy' },
        },
      },
    },
  });
  document.body.dataset.points = String(sets.reduce((s, d) => s + d.data.length, 0));
  markVisible(chart);
  persist();
}

/** Points on shown lines and the x range drawn, for tests and screenshots to wait on (a hidden run draws none). */
function markVisible(c: Chart<'line', XY[]>): void {
  document.body.dataset.visiblePoints = String(c.data.datasets.reduce((s, d, i) => s + (c.isDatasetVisible(i) ? d.data.length : 0), 0));
  document.body.dataset.xRange = `${Math.round(c.scales.x?.min ?? 0)}..${Math.round(c.scales.x?.max ?? 0)}`;
}

function fmt(y: number): string {
  return Math.abs(y) >= 100 ? y.toFixed(1) : y.toPrecision(4);
}

/** The raw value under a smoothed point (the raw dataset is the one just before it). */
function rawValue(datasetIndex: number, index: number): number | undefined {
  const prev = chart?.data.datasets[datasetIndex - 1] as { role?: string; runId?: string; data: XY[] } | undefined;
  const cur = chart?.data.datasets[datasetIndex] as { runId?: string } | undefined;
  return prev?.role === 'raw' && prev.runId === cur?.runId ? prev.data[index]?.y : undefined;
}

/** Hides or shows a run's smoothed and raw lines together, and remembers it. */
function toggleRun(c: Chart<'line', XY[]>, datasetIndex: number): void {
  const runId = (c.data.datasets[datasetIndex] as { runId?: string }).runId;
  if (!runId) return;
  const hide = !view.hiddenRuns.includes(runId);
  view.hiddenRuns = hide ? [...view.hiddenRuns, runId] : view.hiddenRuns.filter((id) => id !== runId);
  c.data.datasets.forEach((ds, i) => {
    if ((ds as { runId?: string }).runId === runId) c.setDatasetVisibility(i, !hide);
  });
  c.update();
  markVisible(c);
  persist();
}

render();
// VS Code swaps the body's theme class (vscode-dark / vscode-light / high contrast) on a theme change: redraw with the new colours.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
document.body.dataset.ready = 'true';
