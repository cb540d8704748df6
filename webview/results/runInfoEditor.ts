/**
 * The run's own annotations in the results panel header: an editable name (Rename -> inline text
 * field, Enter saves, Escape cancels), a star toggle (aria-pressed) and a notes field with Save.
 * VS Code panel only: each control posts `results/updateRun` and the host answers with a fresh
 * `results/show`, which re-renders the page; nothing is changed locally, so what shows is what is
 * on disk. The standalone report renders the read-only title and notes instead.
 */
import type { RunInfo } from '../../src/protocol/results';
import { RUN_INFO_LIMITS, type ResultsCommand } from '../../src/protocol/webview';
import { h, button } from '../shared/dom';

/** Ids of the controls (the view puts focus back on one after the host's re-render). */
export const RUN_INFO_IDS = {
  name: 're-run-name',
  nameInput: 're-run-name-input',
  rename: 're-run-rename',
  star: 're-run-star',
  notes: 're-run-notes',
  saveNotes: 're-run-notes-save',
} as const;

export interface RunInfoEditorOptions {
  run: RunInfo;
  post(cmd: ResultsCommand): void;
  /** Which control to focus once the host's new snapshot is rendered. */
  refocus(id: string): void;
  /** Unsaved notes typed before a re-render (kept per run by the view). */
  draftNotes?: string;
  onDraftNotes(text: string | undefined): void;
}

/** The read-only title: star mark and the run's name, or its id when unnamed. */
export function runTitle(run: RunInfo): HTMLHeadingElement {
  return h('h1', { id: RUN_INFO_IDS.name },
    run.starred ? h('span', { class: 're-star', 'aria-label': 'starred', title: 'starred' }, '★ ') : null,
    run.name ?? run.id);
}

/** Title row with Rename and the star toggle. */
export function editableTitle(o: RunInfoEditorOptions): HTMLElement {
  const { run } = o;
  const row = h('div', { class: 're-title-row' });
  const title = runTitle(run);
  const update = (patch: { name?: string; starred?: boolean }) => o.post({ type: 'results/updateRun', runId: run.id, ...patch });

  const rename = button('Rename', () => startEditing(), { id: RUN_INFO_IDS.rename, class: 're-btn re-btn-secondary re-btn-small', 'aria-label': 'Rename this run' });
  const star = button(run.starred ? '★' : '☆', () => {
    o.refocus(RUN_INFO_IDS.star);
    update({ starred: !run.starred });
  }, {
    id: RUN_INFO_IDS.star,
    class: `re-btn re-btn-secondary re-btn-small re-star-toggle${run.starred ? ' re-starred' : ''}`,
    'aria-pressed': run.starred ? 'true' : 'false',
    'aria-label': 'Star this run',
    title: run.starred ? 'Starred: click to unstar' : 'Star this run',
  });

  function startEditing(): void {
    const input = h('input', {
      id: RUN_INFO_IDS.nameInput,
      type: 'text',
      class: 're-name-input',
      value: run.name ?? '',
      placeholder: run.id,
      maxlength: RUN_INFO_LIMITS.name,
      'aria-label': 'Run name (Enter saves, Escape cancels)',
    });
    const cancel = () => {
      input.replaceWith(title);
      rename.hidden = false;
      rename.focus();
    };
    input.addEventListener('keydown', (ev: KeyboardEvent) => {
      if (ev.key === 'Escape') {
        ev.preventDefault();
        cancel();
      } else if (ev.key === 'Enter') {
        ev.preventDefault();
        if (input.value.trim() === (run.name ?? '')) return cancel();
        input.disabled = true;
        o.refocus(RUN_INFO_IDS.rename);
        update({ name: input.value });
      }
    });
    title.replaceWith(input);
    rename.hidden = true;
    input.focus();
    input.select();
  }

  row.append(title, star, rename);
  return row;
}

/** Notes textarea with Save (Ctrl/Cmd+Enter saves too). */
export function notesEditor(o: RunInfoEditorOptions): HTMLElement {
  const { run } = o;
  const saved = run.notes ?? '';
  const text = h('textarea', {
    id: RUN_INFO_IDS.notes,
    class: 're-notes-input',
    rows: 3,
    maxlength: RUN_INFO_LIMITS.notes,
    placeholder: 'What is this run for? What did you change?',
  });
  text.value = o.draftNotes ?? saved;
  const save = button('Save notes', () => submit(), { id: RUN_INFO_IDS.saveNotes, class: 're-btn re-btn-small', disabled: text.value === saved });
  const status = h('span', { class: 're-muted re-notes-status', 'aria-live': 'polite' });
  function submit(): void {
    if (text.value === saved) return;
    save.disabled = true;
    status.textContent = 'Saving…';
    // The draft stays until a snapshot holds these notes, so a failed save loses no text.
    o.refocus(RUN_INFO_IDS.notes);
    o.post({ type: 'results/updateRun', runId: run.id, notes: text.value });
  }
  text.addEventListener('input', () => {
    save.disabled = text.value === saved;
    o.onDraftNotes(text.value === saved ? undefined : text.value);
  });
  text.addEventListener('keydown', (ev: KeyboardEvent) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      submit();
    }
  });
  return h('div', { class: 're-notes-edit' },
    h('label', { for: RUN_INFO_IDS.notes, class: 're-notes-label' }, 'Notes'),
    text,
    h('div', { class: 're-notes-actions' }, save, status));
}
