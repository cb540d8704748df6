/**
 * The charts of the results panel and the standalone HTML report, written once (chart.js 4).
 *
 * Only the pieces used are registered, so esbuild drops the rest of chart.js. chart.js 4 needs no
 * eval and injects no <style> elements (it sizes the canvas through the CSSOM, which a nonce-only
 * CSP allows), so it runs under `default-src 'none'; script-src 'nonce-…'`; the browser test
 * asserts that no CSP violation is logged.
 *
 * Colours come from CSS custom properties (`--re-*`, defined in media/results.css on top of VS
 * Code's theme variables with neutral fallbacks), so the charts follow the editor theme in the
 * panel and look neutral in the standalone report.
 */
import {
  Chart,
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
  type ChartType,
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import type { HintStat, TrainingPoint } from '../../src/protocol/results';
import { conditionColourIndex } from '../../src/protocol/conditions';
import { formatMetric, formatCount } from './format';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend);
// A research tool: numbers appear at once (and screenshots/tests never catch a half-drawn frame).
Chart.defaults.animation = false;

/** A closed interval [low, high] drawn as a whisker over a bar, or null for none. */
export type Interval = [number, number] | null;

export interface CiWhiskerOptions {
  /** intervals[datasetIndex][barIndex] */
  intervals?: Interval[][];
  color?: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    ciWhiskers?: CiWhiskerOptions;
  }
}

/** Draws 95% CI whiskers (a vertical line with caps) over each bar. Kept local: no external plugin. */
export const ciWhiskersPlugin: Plugin<'bar', CiWhiskerOptions> = {
  id: 'ciWhiskers',
  afterDatasetsDraw(chart, _args, opts) {
    const intervals = opts.intervals;
    const yScale = chart.scales.y;
    if (!intervals || !yScale) return;
    const ctx = chart.ctx;
    ctx.save();
    ctx.strokeStyle = opts.color ?? '#333';
    ctx.lineWidth = 1.5;
    chart.data.datasets.forEach((_ds, di) => {
      if (!chart.isDatasetVisible(di)) return;
      chart.getDatasetMeta(di).data.forEach((el, i) => {
        const iv = intervals[di]?.[i];
        if (!iv) return;
        const { x, width } = el as unknown as { x: number; width: number };
        const cap = Math.max(3, Math.min(9, width * 0.22));
        const yLo = yScale.getPixelForValue(iv[0]);
        const yHi = yScale.getPixelForValue(iv[1]);
        ctx.beginPath();
        ctx.moveTo(x, yLo);
        ctx.lineTo(x, yHi);
        ctx.moveTo(x - cap, yLo);
        ctx.lineTo(x + cap, yLo);
        ctx.moveTo(x - cap, yHi);
        ctx.lineTo(x + cap, yHi);
        ctx.stroke();
      });
    });
    ctx.restore();
  },
};

// ---- Theme -------------------------------------------------------------------------------------

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  whisker: string;
  fontFamily: string;
  /** Colours for series that are not conditions (runs, curves). */
  palette: string[];
}

const FALLBACK: ChartTheme = {
  foreground: '#24292f',
  muted: '#57606a',
  grid: 'rgba(128,128,128,0.22)',
  whisker: '#24292f',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  palette: ['#2f81f7', '#e3803d', '#2da44e', '#8250df', '#cf222e', '#bf8700', '#6e7781'],
};

function cssVar(name: string): string {
  if (typeof document === 'undefined') return '';
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** Reads the current theme from CSS variables (call again after a theme change). */
export function readTheme(): ChartTheme {
  const pick = (name: string, fallback: string) => cssVar(name) || fallback;
  return {
    foreground: pick('--re-fg', FALLBACK.foreground),
    muted: pick('--re-muted', FALLBACK.muted),
    grid: pick('--re-grid', FALLBACK.grid),
    whisker: pick('--re-fg', FALLBACK.whisker),
    fontFamily: pick('--re-font', FALLBACK.fontFamily),
    palette: FALLBACK.palette.map((c, i) => pick(`--re-c${i + 1}`, c)),
  };
}

/** Fixed colour per condition (src/protocol/conditions.ts), so a condition looks the same in every chart. */
export function conditionColour(condition: string, theme: ChartTheme, fallbackIndex = 0): string {
  return paletteColour(theme, conditionColourIndex(condition, fallbackIndex));
}

/** The palette's i-th colour, wrapping around (a theme without a palette draws grey). */
export function paletteColour(theme: ChartTheme, i: number): string {
  return theme.palette[i % theme.palette.length] ?? '#888888';
}

/** `#rrggbb` or `rgb(...)` with an alpha, for fills lighter than their borders. */
export function withAlpha(colour: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(colour.trim());
  if (hex) {
    const n = parseInt(hex[1] ?? '0', 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(colour.trim());
  if (rgb) {
    const [r, g, b] = (rgb[1] ?? '').split(',').map((s) => s.trim());
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  return colour;
}

function applyDefaults(theme: ChartTheme): void {
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.maintainAspectRatio = false;
}

/** Destroys the chart already bound to this canvas, if any (re-render after data or theme changes). */
function fresh(canvas: HTMLCanvasElement): void {
  Chart.getChart(canvas)?.destroy();
}

/** "Oracle (upper bound)" -> ["Oracle", "(upper bound)"]: chart.js draws array labels as lines. */
function splitLabel(label: string): string | string[] {
  const i = label.indexOf(' (');
  return i > 0 ? [label.slice(0, i), label.slice(i + 1)] : label;
}

// ---- Metric bars with CI whiskers ---------------------------------------------------------------

export interface BarSeries {
  label: string;
  values: Array<number | null>;
  intervals?: Interval[];
  /** One colour for the series, or one per category. */
  colours: string | string[];
  /** Categories drawn faded (upper bounds such as the oracle). */
  faded?: boolean[];
}

export interface MetricBarsInput {
  /** Category labels; "Oracle (upper bound)" is drawn on two lines. */
  categories: string[];
  series: BarSeries[];
  metric: string;
  theme?: ChartTheme;
}

/** Bars of one metric per condition (one series per run when comparing), with CI whiskers. */
export function renderMetricBars(canvas: HTMLCanvasElement, input: MetricBarsInput): Chart<'bar'> {
  const theme = input.theme ?? readTheme();
  applyDefaults(theme);
  fresh(canvas);
  const highs = input.series.flatMap((s) => [...s.values, ...(s.intervals ?? []).map((iv) => (iv ? iv[1] : null))]);
  const top = Math.max(0.05, ...highs.filter((v): v is number => typeof v === 'number'));
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: input.categories.map(splitLabel),
      datasets: input.series.map((s) => ({
        label: s.label,
        data: s.values,
        backgroundColor: input.categories.map((_c, i) => withAlpha((Array.isArray(s.colours) ? s.colours[i] : s.colours) ?? '#888888', s.faded?.[i] ? 0.25 : 0.72)),
        borderColor: s.colours,
        borderWidth: 1,
        borderRadius: 2,
        maxBarThickness: 56,
      })),
    },
    options: {
      responsive: true,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { autoSkip: false } },
        y: {
          beginAtZero: true,
          suggestedMax: Math.min(1, top * 1.08),
          title: { display: true, text: `${input.metric} (mean, 95% CI)`, color: theme.muted },
          ticks: { callback: (v) => formatMetric(Number(v), 2) },
        },
      },
      plugins: {
        legend: { display: input.series.length > 1, position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'bar'>[]) => input.categories[items[0]?.dataIndex ?? 0] ?? '',
            label: (item: TooltipItem<'bar'>) => {
              const iv = input.series[item.datasetIndex]?.intervals?.[item.dataIndex];
              const v = formatMetric(item.parsed.y);
              return `${item.dataset.label}: ${v}${iv ? `  [${formatMetric(iv[0])}, ${formatMetric(iv[1])}]` : ''}`;
            },
          },
        },
        ciWhiskers: { intervals: input.series.map((s) => s.intervals ?? []), color: theme.whisker },
      },
    },
    plugins: [ciWhiskersPlugin],
  });
}

// ---- Training curve -----------------------------------------------------------------------------

export function trainingCurveData(points: TrainingPoint[]) {
  return {
    reward: points.map((p) => ({ x: p.step, y: p.meanReward })),
    validation: points.filter((p) => typeof p.validationReward === 'number').map((p) => ({ x: p.step, y: p.validationReward as number })),
  };
}

/** Mean rollout reward per update and the greedy policy's validation reward, against env steps. */
export function renderTrainingCurve(canvas: HTMLCanvasElement, points: TrainingPoint[], theme: ChartTheme = readTheme()): Chart<'line'> {
  applyDefaults(theme);
  fresh(canvas);
  const d = trainingCurveData(points);
  const rewardColour = theme.palette[0];
  const validationColour = theme.palette[1];
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        { label: 'Mean reward (rollouts)', data: d.reward, borderColor: rewardColour, backgroundColor: rewardColour, borderWidth: 1.5, pointRadius: 0, tension: 0 },
        { label: 'Validation reward (greedy)', data: d.validation, borderColor: validationColour, backgroundColor: validationColour, borderWidth: 2, pointRadius: 3, spanGaps: true },
      ],
    },
    options: {
      responsive: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'environment steps', color: theme.muted }, ticks: { callback: (v) => formatCount(Number(v)) } },
        // Short: the sidebar's chart is narrow and short, a longer title is clipped there.
        y: { title: { display: true, text: 'ΔNDCG@10', color: theme.muted }, ticks: { callback: (v) => formatMetric(Number(v), 3) } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: { callbacks: { label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${formatMetric(item.parsed.y, 4)}` } },
      },
    },
  });
}

/** Replaces the curve's data in place (live updates while a run trains). */
export function updateTrainingCurve(chart: Chart<'line'>, points: TrainingPoint[]): void {
  const d = trainingCurveData(points);
  const [reward, validation] = chart.data.datasets;
  if (reward) reward.data = d.reward;
  if (validation) validation.data = d.validation;
  chart.update('none');
}

// ---- Hint usage and uplift ------------------------------------------------------------------------

/** How often the agent picked each hint (left axis) and the mean reward where picked (right axis). */
export function renderHintUsage(canvas: HTMLCanvasElement, hints: HintStat[], theme: ChartTheme = readTheme()): Chart<'bar'> {
  applyDefaults(theme);
  fresh(canvas);
  const sorted = [...hints].sort((a, b) => b.picks - a.picks || a.id.localeCompare(b.id));
  const picksColour = paletteColour(theme, 0);
  const upliftColour = paletteColour(theme, 2);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels: sorted.map((h) => h.id),
      datasets: [
        { label: 'Picks (test sessions)', data: sorted.map((h) => h.picks), yAxisID: 'y', backgroundColor: withAlpha(picksColour, 0.72), borderColor: picksColour, borderWidth: 1 },
        { label: 'Mean reward where picked', data: sorted.map((h) => h.meanReward), yAxisID: 'y1', backgroundColor: withAlpha(upliftColour, 0.72), borderColor: upliftColour, borderWidth: 1 },
      ],
    },
    options: {
      responsive: true,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 60 } },
        y: { beginAtZero: true, position: 'left', title: { display: true, text: 'picks', color: theme.muted }, ticks: { precision: 0 } },
        y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'mean reward (ΔNDCG@10)', color: theme.muted }, ticks: { callback: (v) => formatMetric(Number(v), 3) } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'bar'>[]) => {
              const h = sorted[items[0]?.dataIndex ?? 0];
              return h ? `${h.id}: ${h.text}` : '';
            },
            label: (item: TooltipItem<'bar'>) =>
              item.datasetIndex === 0 ? `picks: ${formatCount(item.parsed.y)}` : `mean reward: ${item.raw === null ? 'never picked' : formatMetric(item.parsed.y, 4)}`,
          },
        },
      },
    },
  });
}
