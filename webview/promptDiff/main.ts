/**
 * The prompt-diff panel (promptfoo-style): one session's two sides (two conditions, or two runs)
 * in two columns: where the target landed, the hint, the prompt and the answer with word-level
 * differences marked (removed on the left, added on the right; long unchanged stretches fold),
 * and both rankings with the target highlighted. Renders the host's complete snapshot; the last
 * one persists with setState.
 */
import { isPromptDiffNotification, type DiffSide, type PromptDiffCommand, type PromptDiffNotification } from '../../src/protocol/promptDiff';
import { connectHost } from '../shared/api';
import { button, registerKit } from '../shared/kit';
import { foldSame, rankText, sideBySide, type Seg } from './model';
import { h } from '../shared/dom';

interface Persisted {
  shown?: PromptDiffNotification;
}

registerKit();
const root = document.getElementById('root') ?? document.body;
const api = connectHost<PromptDiffCommand, Persisted>({ type: 'diff/ready' }, (data) => {
  if (isPromptDiffNotification(data)) render(data);
});

/** Segments into a <pre>: changed words marked, long unchanged stretches in a <details>. */
function pre(segs: Seg[], testId: string): HTMLElement {
  const p = h('pre', { class: 'diff', 'data-testid': testId });
  for (const s of segs) {
    if (s.kind !== 'same') {
      p.append(h(s.kind === 'added' ? 'ins' : 'del', {}, s.text));
      continue;
    }
    const f = foldSame(s.text);
    p.append(f.head);
    if (f.folded !== undefined) {
      p.append(h('details', { class: 'fold' }, h('summary', {}, `… ${f.lines} unchanged lines`), f.folded), f.tail ?? '');
    }
  }
  return p;
}

function ranking(side: DiffSide, other: DiffSide, testId: string): HTMLElement {
  const target = side.detail.targetTitle;
  const inOther = new Set(other.detail.ranking);
  const ol = h('ol', { class: 'ranking', 'data-testid': testId });
  for (const title of side.detail.ranking) {
    const cls = [title === target ? 'target' : '', inOther.has(title) ? '' : 'only-here'].filter(Boolean).join(' ');
    ol.append(h('li', cls ? { class: cls, ...(inOther.has(title) ? {} : { title: 'Not in the other ranking' }) } : {}, title));
  }
  return ol;
}

function column(side: DiffSide, other: DiffSide, prompt: Seg[], answer: Seg[], which: 'left' | 'right'): HTMLElement {
  const d = side.detail;
  const k = Math.max(d.ranking.length, 1);
  const rank = h('span', { class: `rank ${d.targetRank === null ? 'miss' : 'hit'}`, 'data-testid': `diff-${which}-rank` }, `target ${rankText(d.targetRank, k)}`);
  const hint = d.hintId ? h('div', { class: 'hint' }, h('strong', {}, `Hint ${d.hintId}: `), d.hintText ?? '(text not found in the KB)') : h('div', { class: 'hint muted' }, 'No hint');
  return h('section', { class: 'col', 'data-testid': `diff-${which}` },
    h('h2', {}, side.label, ' ', rank),
    hint,
    h('h3', {}, 'Prompt'), pre(prompt, `diff-${which}-prompt`),
    h('h3', {}, 'Answer'), pre(answer, `diff-${which}-answer`),
    h('h3', {}, 'Ranking as scored'), ranking(side, other, `diff-${which}-ranking`));
}

function render(m: PromptDiffNotification): void {
  const prompts = sideBySide(m.left.detail.prompt, m.right.detail.prompt);
  const answers = sideBySide(m.left.detail.answer, m.right.detail.answer);
  const summary = h('span', { class: 'muted', 'data-testid': 'diff-summary' },
    `prompts: ${prompts.changed ? `${prompts.changed} changed word${prompts.changed === 1 ? '' : 's'}` : 'identical'} · answers: ${answers.changed ? `${answers.changed} changed word${answers.changed === 1 ? '' : 's'}` : 'identical'}`);
  root.replaceChildren(
    h('div', { class: 'toolbar' },
      h('h1', {}, `Session ${m.sessionId}`),
      h('span', {}, 'target: ', h('strong', { class: 'target-title' }, m.left.detail.targetTitle)),
      summary,
      button('Choose another pair…', { appearance: 'secondary', testId: 'diff-pick', onClick: () => api.post({ type: 'diff/pick' }) })),
    h('div', { class: 'legend muted' }, h('del', {}, 'only on the left'), ' ', h('ins', {}, 'only on the right'), ' · ', h('span', { class: 'target' }, 'the target'), ' · ', h('span', { class: 'only-here' }, 'not in the other ranking')),
    h('div', { class: 'cols' }, column(m.left, m.right, prompts.left, answers.left, 'left'), column(m.right, m.left, prompts.right, answers.right, 'right')),
  );
  api.setState({ shown: m });
  document.body.dataset.shown = m.sessionId;
}

const saved = api.getState();
if (saved?.shown) render(saved.shown);
else root.replaceChildren(h('p', { class: 'muted' }, 'Loading the two answers…'));
document.body.dataset.ready = 'true';
