/**
 * One answer in full (fetched from the host on demand by id): the prompt, the hint, the raw
 * answer, and the parsed ranking with the target highlighted.
 */
import type { SessionDetail } from '../../src/protocol/webview';
import { h, button } from '../shared/dom';
import { conditionLabel } from '../shared/format';

export function renderDetailLoading(sessionId: string, condition: string): HTMLElement {
  return h('div', { class: 're-detail re-detail-loading' }, `Loading ${sessionId} (${conditionLabel(condition)})…`);
}

export function renderDetail(d: SessionDetail, opts: { onOpenHint?: (hintId: string) => void; onCompare?: () => void; onClose: () => void }): HTMLElement {
  const targetLine = d.targetRank === null ? `not in the answer's top ${Math.max(10, d.ranking.length)}` : `rank ${d.targetRank}`;
  return h('article', { class: 're-detail', 'aria-label': `Session ${d.sessionId}, ${conditionLabel(d.condition)}`, 'data-detail-session': d.sessionId },
    h('div', { class: 're-detail-head' },
      h('h3', {}, `Session ${d.sessionId} · ${conditionLabel(d.condition)}`),
      h('span', {},
        opts.onCompare && d.condition !== 'no-hint'
          ? button('Diff against no-hint', opts.onCompare, { class: 're-btn re-btn-secondary', 'data-compare-prompts': d.sessionId, title: 'Open the prompt diff: this condition and no-hint side by side' })
          : null,
        button('Close', opts.onClose, { class: 're-btn re-btn-secondary', 'aria-label': 'Close session detail' }))),
    h('dl', { class: 're-facts' },
      h('dt', {}, 'Target'), h('dd', {}, h('span', { class: 're-target' }, d.targetTitle), ` — ${targetLine}`),
      h('dt', {}, 'Hint'),
      h('dd', {}, d.hintId && d.hintId !== 'none'
        ? [h('span', { class: 're-mono' }, d.hintId), ' ', d.hintText ? `“${d.hintText}”` : '', ' ',
          opts.onOpenHint ? button('Open in KB', () => opts.onOpenHint?.(d.hintId as string), { class: 're-link', 'data-open-hint': d.hintId }) : null]
        : 'none (base prompt)')),
    h('div', { class: 're-detail-cols' },
      h('div', {},
        h('h4', {}, 'Parsed ranking'),
        d.ranking.length
          ? h('ol', { class: 're-ranking' }, d.ranking.map((title, i) => {
            const isTarget = d.targetRank !== null ? i + 1 === d.targetRank : title === d.targetTitle;
            return h('li', { class: isTarget ? 're-hit' : undefined, 'aria-current': isTarget ? 'true' : undefined }, title, isTarget ? h('span', { class: 're-badge' }, 'target') : null);
          }))
          : h('p', { class: 're-muted' }, 'No candidate could be parsed from the answer.')),
      h('div', {},
        h('h4', {}, 'Answer'),
        h('pre', { class: 're-pre', 'data-answer': '' }, d.answer))),
    h('details', { class: 're-prompt' },
      h('summary', {}, 'Prompt'),
      h('pre', { class: 're-pre' }, d.prompt)));
}
