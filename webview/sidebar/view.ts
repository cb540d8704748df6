/**
 * The sidebar's DOM: built once, then updated in place from each complete snapshot, so focus and
 * typed parameter values survive live job updates. Every control is a toolkit component created
 * through kit.ts (keyboard-operable), colours come from VS Code's theme variables (sidebar.css).
 */
import type { SidebarAction, SidebarBatch, SidebarCommand, SidebarHostCommand, SidebarJob, SidebarParams, SidebarState } from '../../src/protocol/webview';
import type { TrainingPoint } from '../../src/protocol/results';
import { badge, button, divider, dropdown, progressRing, setDisabled, setInvalid, setOptions, setValue, textField } from '../shared/kit';
import { CHOICE_FIELDS, PARAM_FIELDS, parseParam, paramsValid } from './params';
import { h } from '../shared/dom';

export interface CurveRenderer {
  /** Draws or updates the live training curve in `canvas`. */
  draw(canvas: HTMLCanvasElement, points: TrainingPoint[]): void;
}

const ACTION_LABELS: Record<SidebarAction, string> = { reflect: 'Reflect', train: 'Train', evaluate: 'Evaluate', run: 'Full run' };
const KEY_TEXT = { secret: 'key set (SecretStorage)', env: 'key from environment', none: 'no API key' } as const;

export class SidebarView {
  private state: SidebarState | undefined;
  private params: Partial<SidebarParams> = {};
  private edited = false;
  /** Parameters the user typed into; the others follow the host's snapshots even once one was edited. */
  private touched = new Set<string>();
  private readonly banner = h('section', { class: 'banner', 'data-testid': 'restricted-banner', role: 'status', hidden: '' });
  private readonly empty = h('section', { class: 'empty', 'data-testid': 'empty-state', hidden: '' });
  private readonly main = h('div', { class: 'main' });
  private readonly datasetSelect: HTMLElement;
  private readonly datasetNote = h('p', { class: 'muted', 'data-testid': 'dataset-note' });
  private readonly endpoint = h('p', { 'data-testid': 'endpoint' });
  private readonly keyStatus = h('p', { 'data-testid': 'key-status' });
  private readonly ignored = h('p', { class: 'warning', 'data-testid': 'ignored-settings', hidden: '' });
  private readonly kbSummary = h('p', { 'data-testid': 'kb-summary' });
  private readonly kbStale = h('p', { class: 'warning', 'data-testid': 'kb-stale', role: 'alert', hidden: '' });
  private readonly fields = new Map<string, HTMLElement>();
  private readonly choices = new Map<string, HTMLElement>();
  private readonly actionButtons = new Map<SidebarAction, HTMLElement>();
  private readonly trustButtons: HTMLElement[] = [];
  private readonly actionsNote = h('p', { class: 'muted', 'data-testid': 'actions-note' });
  private readonly warnings = h('ul', { class: 'setup-warnings', 'data-testid': 'setup-warnings', hidden: '' });
  private readonly jobs = h('ul', { class: 'jobs', 'data-testid': 'jobs', 'aria-live': 'polite' });
  private readonly runs = h('ul', { class: 'runs', 'data-testid': 'runs' });
  private readonly canvases = new Map<string, HTMLCanvasElement>();

  constructor(
    root: HTMLElement,
    private readonly post: (cmd: SidebarCommand) => void,
    private readonly persist: () => void,
    private readonly curves: CurveRenderer,
  ) {
    const cmd = (command: SidebarHostCommand) => () => this.post({ type: 'sidebar/command', command });
    this.banner.append(
      h('strong', {}, 'Restricted Mode. '),
      'This workspace is not trusted: its endpoint and model settings are ignored and no LLM call or training starts. ',
      button('Manage Workspace Trust', { appearance: 'secondary', testId: 'manage-trust', onClick: cmd('manageTrust') }),
    );
    this.empty.append(
      h('h2', {}, 'No dataset yet'),
      h('p', {}, 'Try the whole pipeline on the bundled example with a simulated LLM (no API key), or point Re2LLM at your own data.'),
      this.trustGated(button('Start Demo', { testId: 'empty-demo', onClick: cmd('startDemo') })),
      button('Import Dataset…', { appearance: 'secondary', testId: 'empty-import', onClick: cmd('importDataset') }),
    );
    this.datasetSelect = dropdown('Dataset', [], undefined, { testId: 'dataset-select', onChange: (id) => id && this.post({ type: 'sidebar/selectDataset', id }) });
    for (const f of CHOICE_FIELDS) {
      const d = dropdown(f.label, f.options.map((o) => ({ value: o, label: o })), f.options[0], { testId: `param-${f.key}`, onChange: (v) => this.setChoice(f.key, f.options, v) });
      this.choices.set(f.key, d);
    }
    for (const f of PARAM_FIELDS) {
      const field = textField(f.label, { value: '', size: 8, testId: `param-${f.key}`, onInput: (v) => this.setParam(f.key, v) });
      this.fields.set(f.key, field);
    }
    const actionRow = h('div', { class: 'row' });
    for (const a of ['reflect', 'train', 'evaluate', 'run'] as SidebarAction[]) {
      // Disabled until the host's first snapshot says what may run.
      const b = button(ACTION_LABELS[a], { appearance: a === 'run' ? 'primary' : 'secondary', testId: `action-${a}`, disabled: true, onClick: () => this.start(a) });
      this.actionButtons.set(a, b);
      actionRow.append(b);
    }
    this.main.append(
      // Jobs first: a running job's live chart is what the user watches, above the fold.
      section('Jobs', 'jobs', this.jobs),
      divider(),
      section('Dataset', 'dataset', this.datasetSelect, this.datasetNote, h('div', { class: 'row' }, button('Import…', { appearance: 'secondary', testId: 'import', onClick: cmd('importDataset') }), this.trustGated(button('Start Demo', { appearance: 'secondary', testId: 'demo', onClick: cmd('startDemo') })))),
      divider(),
      section('Endpoint', 'endpoint', this.endpoint, this.keyStatus, this.ignored, h('div', { class: 'row' },
        button('Set API Key', { appearance: 'secondary', testId: 'set-key', onClick: cmd('setApiKey') }),
        button('Endpoint/Model…', { appearance: 'secondary', testId: 'select-endpoint', onClick: cmd('selectEndpoint') }))),
      divider(),
      section('Hint KB', 'kb', this.kbSummary, this.kbStale, h('div', { class: 'row' },
        button('Open KB', { appearance: 'secondary', testId: 'open-kb', onClick: cmd('openKb') }),
        button('Validate', { appearance: 'secondary', testId: 'validate-kb', onClick: cmd('validateKb') }))),
      divider(),
      section('Run', 'actions', h('div', { class: 'params' }, ...this.fields.values(), ...CHOICE_FIELDS.map((f) => h('label', { class: 'preset' }, f.label, this.choices.get(f.key)!))), actionRow, this.actionsNote, this.warnings),
      divider(),
      section('Recent runs', 'runs', this.runs, h('div', { class: 'row' },
        button('Open Results', { appearance: 'secondary', testId: 'open-results', onClick: cmd('openResults') }),
        button('Compare Runs', { appearance: 'secondary', testId: 'compare-runs', onClick: cmd('compareRuns') }),
        button('Runs Table', { appearance: 'secondary', testId: 'open-runs-table', onClick: cmd('openRunsTable') }),
        button('Log', { appearance: 'secondary', testId: 'show-log', onClick: cmd('showLog') }))),
    );
    root.append(this.banner, this.empty, this.main);
  }

  /** Controls disabled in Restricted Mode (they would start LLM calls). */
  private trustGated(b: HTMLElement): HTMLElement {
    this.trustButtons.push(b);
    return b;
  }

  snapshot(): { state?: SidebarState; params: Partial<SidebarParams>; edited: boolean; touched: string[] } {
    return { state: this.state, params: this.params, edited: this.edited, touched: [...this.touched] };
  }

  restore(saved: { state?: SidebarState; params?: Partial<SidebarParams>; edited?: boolean; touched?: string[] }): void {
    if (saved.params) this.params = { ...saved.params };
    // Edits saved by an older version (other parameter names) are not edits of these fields.
    this.edited = !!saved.edited && paramsValid(this.params);
    // A snapshot from before `touched` was kept: every field counts as typed into.
    if (this.edited) this.touched = new Set(saved.touched ?? Object.keys(this.params));
    // A job running when the snapshot was saved may be long gone (a window reload): show only
    // finished cards until the host's first snapshot says what runs now.
    if (saved.state) this.render({ ...saved.state, jobs: saved.state.jobs.filter((j) => j.status !== 'running') });
    if (this.edited) this.fillFields(this.params);
  }

  private fillFields(p: Partial<SidebarParams>): void {
    for (const f of PARAM_FIELDS) if (p[f.key] !== undefined) setValue(this.fields.get(f.key)!, String(p[f.key]));
    for (const f of CHOICE_FIELDS) if (p[f.key] !== undefined) setValue(this.choices.get(f.key)!, String(p[f.key]));
  }

  private setChoice(key: (typeof CHOICE_FIELDS)[number]['key'], options: readonly string[], raw: string): void {
    this.edited = true;
    this.touched.add(key);
    if (options.includes(raw)) (this.params as Record<string, unknown>)[key] = raw;
    this.updateActions();
    this.persist();
  }

  private setParam(key: (typeof PARAM_FIELDS)[number]['key'], raw: string): void {
    this.edited = true;
    this.touched.add(key);
    const n = parseParam(key, raw, this.state?.paramLimits);
    const field = this.fields.get(key)!;
    setInvalid(field, n === undefined);
    if (n === undefined) delete this.params[key];
    else this.params[key] = n;
    this.updateActions();
    this.persist();
  }

  private start(action: SidebarAction): void {
    if (!paramsValid(this.params)) return;
    this.post({ type: 'sidebar/start', action, params: { ...this.params } });
  }

  render(state: SidebarState): void {
    this.state = state;
    const hasData = state.datasets.length > 0;
    this.banner.hidden = state.trusted;
    this.empty.hidden = hasData;
    this.main.hidden = !hasData;
    for (const b of this.trustButtons) setDisabled(b, !state.trusted);

    setOptions(this.datasetSelect, state.datasets.map((d) => ({ value: d.id, label: d.label })), state.selectedDataset);
    const sel = state.datasets.find((d) => d.id === state.selectedDataset);
    this.datasetNote.textContent = sel ? `${sel.kind === 'config' ? 'config file' : sel.kind === 'example' ? 'bundled example' : 'dataset folder'}: ${sel.path}` : 'Select a dataset.';

    const e = state.endpoint;
    this.endpoint.textContent = e.simulated ? 'Simulated LLM (on this machine; answers model the dataset, not an LLM)' : `${e.model || '(no model)'} @ ${e.baseUrl || 'OpenAI default endpoint'}`;
    const keyText = e.keySource === 'none' && !e.keyNeeded ? 'no API key needed' : KEY_TEXT[e.keySource];
    const missing = e.keySource === 'none' && e.keyNeeded;
    this.keyStatus.replaceChildren(badge(missing ? '!' : '✓', keyText), ` ${keyText}`);
    this.keyStatus.className = missing ? 'warning' : '';
    this.ignored.hidden = state.endpoint.ignored.length === 0;
    this.ignored.textContent = `Ignored from this untrusted workspace: ${state.endpoint.ignored.map((k) => `re2llm.${k}`).join(', ')}`;

    if (state.kb) {
      const k = state.kb;
      const file = k.path.split(/[\\/]/).pop();
      this.kbSummary.textContent = k.invalid
        ? `${file}: the KB ${k.invalid === 'parse' ? 'does not parse (JSON syntax error)' : 'does not match the KB schema'}. Open KB shows where.`
        : `${plural(k.hints, 'hint')} (${k.enabled} enabled)${k.errors ? ` · ${plural(k.errors, 'error')}` : ''} · ${file}`;
      this.kbStale.hidden = !k.stale;
      this.kbStale.textContent = k.stale ? `⚠ Trained agent is stale: ${k.staleReason ?? 'the enabled hints changed'}` : '';
    } else {
      this.kbSummary.textContent = 'No hint KB yet. Reflect builds one; Open KB can create an empty one.';
      this.kbStale.hidden = true;
    }

    if (!this.edited) {
      this.params = { ...state.params };
      this.fillFields(this.params);
    } else {
      // Typed into one field before the host's first snapshot: the others still get their values.
      const untouched = Object.fromEntries(Object.entries(state.params).filter(([k]) => !this.touched.has(k))) as Partial<SidebarParams>;
      Object.assign(this.params, untouched);
      this.fillFields(untouched);
    }
    this.updateActions();
    this.warnings.hidden = !state.warnings?.length;
    this.warnings.replaceChildren(...(state.warnings ?? []).map((w) => h('li', { class: 'warning' }, `⚠ ${w}`)));
    this.renderJobs(state.jobs, state.batches ?? []);
    this.renderRuns(state);
    this.persist();
  }

  private updateActions(): void {
    const s = this.state;
    // Disabled only for a reason the note states: a key is needed only for a remote endpoint.
    const keyMissing = !!s && s.endpoint.keyNeeded && s.endpoint.keySource === 'none';
    const ok = !!s && s.trusted && !!s.selectedDataset && paramsValid(this.params) && !keyMissing;
    const training = !!s?.jobs.some((j) => j.kind === 'train' && j.status === 'running');
    for (const [a, b] of this.actionButtons) setDisabled(b, !ok || (a === 'train' && training));
    this.actionsNote.textContent = !s
      ? ''
      : !s.trusted
        ? 'Disabled in Restricted Mode.'
        : !s.selectedDataset
          ? 'Select a dataset first.'
          : !paramsValid(this.params)
            ? 'Fix the highlighted parameters.'
            : keyMissing
              ? `Disabled: ${s.endpoint.baseUrl || 'the OpenAI endpoint'} needs an API key. Set API Key, or choose the Simulated LLM or a local endpoint in Endpoint/Model….`
              : training
                ? 'Train is disabled while a training runs.'
                : '';
  }

  /** A pending Batch API batch: its state and how many of its requests are answered, as its batches.json last recorded. */
  private batchItem(b: SidebarBatch): HTMLElement {
    const li = h('li', { class: 'job batch running', 'data-testid': `batch-${b.id}`, 'data-status': b.status });
    li.append(h('div', { class: 'job-head' }, progressRing(`batch ${b.id} ${b.status}`), h('strong', {}, `Batch ${b.id}`), h('span', { class: 'status' }, ` ${b.status}`)));
    if (b.total) li.append(h('progress', { max: String(b.total), value: String(b.completed + b.failed), 'aria-label': `batch ${b.id} progress` }));
    const since = b.createdAt ? ` · since ${b.createdAt.slice(0, 16).replace('T', ' ')}` : '';
    li.append(h('p', { class: 'muted' }, `${b.completed}/${b.total} answered${b.failed ? ` · ${b.failed} failed` : ''}${since} · ${b.file}`));
    return li;
  }

  private renderJobs(jobs: SidebarJob[], batches: SidebarBatch[] = []): void {
    if (!jobs.length) {
      this.jobs.replaceChildren(...(batches.length ? batches.map((b) => this.batchItem(b)) : [h('li', { class: 'muted' }, 'No jobs. Buttons above start one.')]));
      this.canvases.clear();
      return;
    }
    const items: HTMLElement[] = [];
    const keep = new Set<string>();
    for (const j of jobs) {
      const li = h('li', { class: `job ${j.status}`, 'data-testid': `job-${j.kind}`, 'data-status': j.status });
      const head = h('div', { class: 'job-head' });
      if (j.status === 'running') head.append(progressRing(`${j.label} running`));
      head.append(h('strong', {}, j.label), h('span', { class: 'status' }, ` ${j.status === 'cancelled' && j.resumable ? 'stopped' : j.status}`));
      li.append(head);
      // Which run a card is (two stopped trainings look alike otherwise) and how far it got.
      if (j.runId) li.append(h('p', { class: 'muted run-id', 'data-testid': `job-run-${j.kind}` }, `run ${j.runId}${j.done !== undefined && j.kind === 'train' ? ` · step ${j.done}${j.total ? `/${j.total}` : ''}` : ''}`));
      if (j.total) li.append(h('progress', { max: String(j.total), value: String(j.done ?? 0), 'aria-label': `${j.label} progress` }));
      const facts: string[] = [];
      if (j.total) facts.push(`${j.done ?? 0}/${j.total}`);
      if (j.calls !== undefined) facts.push(`${j.calls} calls`);
      if (j.cost !== undefined) facts.push(`$${j.cost.toFixed(4)}`);
      if (j.reward !== undefined) facts.push(`reward ${j.reward.toFixed(3)}`);
      li.append(h('p', { class: 'muted' }, [j.message, facts.join(' · ')].filter(Boolean).join(' — ')));
      if (j.curve?.length) {
        let canvas = this.canvases.get(j.id);
        if (!canvas) {
          canvas = document.createElement('canvas');
          canvas.setAttribute('aria-label', `${j.label}: reward curve`);
          canvas.setAttribute('role', 'img');
          canvas.dataset.testid = 'curve';
          this.canvases.set(j.id, canvas);
        }
        keep.add(j.id);
        li.append(h('div', { class: 'curve' }, canvas));
        this.curves.draw(canvas, j.curve);
      }
      const row = h('div', { class: 'row' });
      if (j.status === 'running') row.append(button('Cancel', { appearance: 'secondary', testId: `cancel-${j.kind}`, title: `Cancel ${j.label}`, onClick: () => this.post({ type: 'sidebar/cancelJob', jobId: j.id }) }));
      if (j.resumable) row.append(button('Resume', { testId: `resume-${j.kind}`, title: `Resume ${j.label}`, disabled: !this.state?.trusted, onClick: () => this.post({ type: 'sidebar/resumeJob', jobId: j.id }) }));
      if (row.childElementCount) li.append(row);
      items.push(li);
    }
    for (const id of [...this.canvases.keys()]) if (!keep.has(id)) this.canvases.delete(id);
    this.jobs.replaceChildren(...items, ...batches.map((b) => this.batchItem(b)));
  }

  private renderRuns(state: SidebarState): void {
    if (!state.runs.length) {
      this.runs.replaceChildren(h('li', { class: 'muted' }, 'No runs yet.'));
      return;
    }
    this.runs.replaceChildren(
      ...state.runs.map((r) => {
        const li = h('li', {});
        if (r.hasResults) li.append(button(r.label, { appearance: 'secondary', title: `Open results of ${r.id}`, testId: `run-${r.id}`, onClick: () => this.post({ type: 'sidebar/openRun', runId: r.id }) }));
        else li.append(h('span', { class: 'muted' }, `${r.label} (no results)`));
        return li;
      }),
    );
  }
}

/** "1 hint", "2 hints". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function section(title: string, id: string, ...children: (Node | string)[]): HTMLElement {
  return h('section', { 'aria-labelledby': `h-${id}`, 'data-testid': `section-${id}` }, h('h2', { id: `h-${id}` }, title), ...children);
}

