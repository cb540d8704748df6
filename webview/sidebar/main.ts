/**
 * Sidebar webview entry: restore the last snapshot from setState (instant paint after the view
 * was hidden), connect with the ready handshake, then render every snapshot the host sends.
 */
import type { Chart } from 'chart.js';
import type { SidebarCommand, SidebarNotification, SidebarParams, SidebarState } from '../../src/protocol/webview';
import { connectHost } from '../shared/api';
import { registerKit } from '../shared/kit';
import { renderTrainingCurve, updateTrainingCurve } from '../shared/charts';
import { SidebarView } from './view';

interface Persisted {
  state?: SidebarState;
  params?: Partial<SidebarParams>;
  edited?: boolean;
  touched?: string[];
}

function isNotification(data: unknown): data is SidebarNotification {
  const m = data as SidebarNotification;
  return !!m && typeof m === 'object' && m.type === 'sidebar/state' && !!m.state && typeof m.state === 'object' && Array.isArray(m.state.datasets) && Array.isArray(m.state.jobs);
}

registerKit();
const root = document.getElementById('root') ?? document.body;
const charts = new WeakMap<HTMLCanvasElement, Chart<'line'>>();
let view: SidebarView | undefined;
const pending: SidebarNotification[] = [];
const api = connectHost<SidebarCommand, Persisted>({ type: 'sidebar/ready' }, (data) => {
  if (!isNotification(data)) return;
  if (view) view.render(data.state);
  else pending.push(data);
});
view = new SidebarView(root, (cmd) => api.post(cmd), () => api.setState(view?.snapshot() ?? {}), {
  draw(canvas, points) {
    const chart = charts.get(canvas);
    if (chart) updateTrainingCurve(chart, points);
    else charts.set(canvas, renderTrainingCurve(canvas, points));
  },
});
const saved = api.getState();
if (saved) view.restore(saved);
for (const n of pending.splice(0)) view.render(n.state);
document.body.dataset.ready = 'true';
