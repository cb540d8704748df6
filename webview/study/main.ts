/**
 * Entry of the study bundle (dist/webview/study.js). Two hosts, as the results bundle has:
 * - the VS Code study panel: posts `study/ready`, draws the host's `study/show` snapshot (checked
 *   before use), persists it with setState, asks the host to open a cell's results;
 * - the standalone study.html (no acquireVsCodeApi): reads the study embedded as
 *   `<script type="application/json" id="re2llm-study-data">`, links cells to their reports.
 */
import { isStudyResults, type StudyCommand, type StudyNotification, type StudyResults } from '../../src/protocol/study';
import { StudyView } from './view';

export const EMBEDDED_STUDY_ID = 're2llm-study-data';

interface Persisted { v: 1; results: StudyResults; running: boolean }

export function asStudyNotification(msg: unknown): StudyNotification | undefined {
  const m = msg as Record<string, unknown> | null;
  if (!m || typeof m !== 'object' || m.type !== 'study/show') return undefined;
  return isStudyResults(m.results) && typeof m.running === 'boolean' ? { type: 'study/show', results: m.results, running: m.running } : undefined;
}

/** The embedded data: the study and, per cell id, a relative link to its report. */
function readEmbedded(): { results?: StudyResults; reports: Record<string, string> } {
  const text = document.getElementById(EMBEDDED_STUDY_ID)?.textContent;
  if (!text) return { reports: {} };
  try {
    const d = JSON.parse(text) as { results?: unknown; reports?: unknown };
    const reports = d.reports && typeof d.reports === 'object' ? (d.reports as Record<string, string>) : {};
    return isStudyResults(d.results) ? { results: d.results, reports } : { reports };
  } catch {
    return { reports: {} };
  }
}

function start(): void {
  const root = document.getElementById('re2llm-results') ?? document.body.appendChild(document.createElement('main'));
  root.id = 're2llm-results';
  const vscode = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi<Persisted>() : undefined;
  document.body.classList.add(vscode ? 're-in-vscode' : 're-standalone', 're-study');
  if (!vscode) {
    const { results, reports } = readEmbedded();
    new StudyView(root, { reportHref: (id) => reports[id] }).render(results);
    return;
  }
  const post = (c: StudyCommand): void => vscode.postMessage(c);
  const view = new StudyView(root, { openCell: (cellId) => post({ type: 'study/openCell', cellId }) });
  const saved = vscode.getState();
  view.render(saved && saved.v === 1 && isStudyResults(saved.results) ? saved.results : undefined, saved?.running ?? false);
  window.addEventListener('message', (event: MessageEvent) => {
    const msg = asStudyNotification(event.data);
    if (!msg) return;
    vscode.setState({ v: 1, results: msg.results, running: msg.running });
    view.render(msg.results, msg.running);
  });
  post({ type: 'study/ready' });
}

start();
