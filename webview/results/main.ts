/**
 * Entry of the results bundle (dist/webview/results.js). Two hosts:
 * - the VS Code results panel: posts `results/ready`, renders the host's `results/show` snapshot,
 *   persists it with setState (restored from getState after a reload, so no
 *   retainContextWhenHidden), follows live `results/trainingCurve`, asks for session detail;
 * - the standalone HTML report (no acquireVsCodeApi): reads the runs embedded in the page as
 *   `<script type="application/json" id="re2llm-data">` and hides the VS Code-only controls.
 * Every message from the host is checked before use.
 */
import { isResultsFile, type ResultsFile, type TrainingPoint } from '../../src/protocol/results';
import type { ResultsNotification, SessionDetail } from '../../src/protocol/webview';
import { ResultsView, initialState, type HostBridge, type PersistedState } from './view';

/** Id of the JSON data element in the standalone report (src/core/report/html.ts writes it). */
export const EMBEDDED_DATA_ID = 're2llm-data';

function isTrainingPoints(v: unknown): v is TrainingPoint[] {
  return Array.isArray(v) && v.every((p) => p && typeof p === 'object' && typeof (p as TrainingPoint).step === 'number' && typeof (p as TrainingPoint).meanReward === 'number');
}

function isSessionDetail(v: unknown): v is SessionDetail {
  const d = v as SessionDetail;
  return !!d && typeof d === 'object' && typeof d.runId === 'string' && typeof d.sessionId === 'string' && typeof d.condition === 'string'
    && typeof d.prompt === 'string' && typeof d.answer === 'string' && Array.isArray(d.ranking) && d.ranking.every((x) => typeof x === 'string')
    && typeof d.targetTitle === 'string' && (d.targetRank === null || typeof d.targetRank === 'number');
}

/** Checks a message from the host; returns it typed, or undefined when malformed. */
export function asResultsNotification(msg: unknown): ResultsNotification | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  switch (m.type) {
    case 'results/show':
      return Array.isArray(m.runs) && m.runs.every(isResultsFile) ? { type: 'results/show', runs: m.runs } : undefined;
    case 'results/trainingCurve':
      return typeof m.runId === 'string' && isTrainingPoints(m.points) ? { type: 'results/trainingCurve', runId: m.runId, points: m.points } : undefined;
    case 'results/sessionDetail':
      return isSessionDetail(m.detail) ? { type: 'results/sessionDetail', detail: m.detail } : undefined;
    default:
      return undefined;
  }
}

function isPersistedState(v: unknown): v is PersistedState {
  const s = v as PersistedState;
  return !!s && s.v === 1 && Array.isArray(s.runs) && s.runs.every(isResultsFile) && !!s.ui && !!s.ui.sessions;
}

function readEmbeddedRuns(): ResultsFile[] {
  const el = document.getElementById(EMBEDDED_DATA_ID);
  if (!el?.textContent) return [];
  try {
    const data: unknown = JSON.parse(el.textContent);
    const runs = Array.isArray(data) ? data : [data];
    return runs.filter(isResultsFile);
  } catch {
    return [];
  }
}

function start(): void {
  const root = document.getElementById('re2llm-results') ?? document.body.appendChild(document.createElement('main'));
  root.id = 're2llm-results';
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi<PersistedState>() : undefined;
  document.body.classList.add(vscode ? 're-in-vscode' : 're-standalone');

  const host: HostBridge = vscode
    ? { connected: true, post: (cmd) => vscode.postMessage(cmd), save: (state) => vscode.setState(state) }
    : { connected: false, post: () => undefined, save: () => undefined };

  let state = initialState();
  if (vscode) {
    const saved = vscode.getState();
    if (isPersistedState(saved)) state = saved;
  } else {
    state.runs = readEmbeddedRuns();
  }
  const view = new ResultsView(root, host, state);
  view.render();

  if (vscode) {
    window.addEventListener('message', (event: MessageEvent) => {
      const msg = asResultsNotification(event.data);
      if (!msg) return;
      switch (msg.type) {
        case 'results/show':
          view.show(msg.runs);
          break;
        case 'results/trainingCurve':
          view.trainingCurve(msg.runId, msg.points);
          break;
        case 'results/sessionDetail':
          view.sessionDetail(msg.detail);
          break;
        default: {
          const unhandled: never = msg;
          void unhandled;
        }
      }
    });
    // VS Code switches themes by changing the body class and the CSS variables: redraw charts.
    new MutationObserver(() => view.redrawCharts()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    host.post({ type: 'results/ready' });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
