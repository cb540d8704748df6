/**
 * Plain-text tables of a ResultsFile for terminals and logs (the CLI prints them; the HTML report
 * and the panel draw their own).
 */
import type { ResultsFile } from '../../protocol/results';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Metric means per condition (NDCG@1 left out: it equals HR@1), then usage and answer rates. */
export function formatMetricTable(r: ResultsFile): string {
  const names = Object.keys(r.conditions[0]?.metrics ?? {}).filter((m) => m !== 'NDCG@1');
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const metrics = table(
    ['condition', 'n', ...names],
    r.conditions.map((c) => [c.hintId ? `${c.condition} (${c.hintId})` : c.condition, String(c.n), ...names.map((m) => c.metrics[m]!.mean.toFixed(4))]),
  );
  const k = r.ks.includes(10) ? 10 : Math.max(...r.ks);
  // The "failed" column appears only when some answer failed for good, so clean runs read as before.
  const anyFailed = r.conditions.some((c) => (c.failures ?? 0) > 0);
  const cis = table(
    ['condition', `NDCG@${k} 95% CI`, `HR@${k} 95% CI`, 'calls', 'cached', 'tokens', 'cost', 'invalid', 'halluc.', 'unparsable', ...(anyFailed ? ['failed'] : [])],
    r.conditions.map((c) => {
      const ci = (m: string): string => {
        const e = c.metrics[m];
        return e ? `[${e.ciLow.toFixed(3)}, ${e.ciHigh.toFixed(3)}]` : '-';
      };
      return [
        c.condition,
        ci(`NDCG@${k}`),
        ci(`HR@${k}`),
        String(c.usage.calls),
        String(c.usage.cacheHits),
        String(c.usage.promptTokens + c.usage.completionTokens),
        c.usage.cost.toFixed(4),
        pct(c.rates.invalidOutput),
        pct(c.rates.hallucination),
        pct(c.rates.parseFailure),
        ...(anyFailed ? [String(c.failures ?? 0)] : []),
      ];
    }),
  );
  const parts = [metrics, '', cis];
  if (r.comparisons.length) {
    parts.push(
      '',
      table(
        ['paired test', 'metric', 'diff', 'p', 'p (Holm)', 'n'],
        r.comparisons.map((c) => [`${c.a} vs ${c.b}`, c.metric, (c.diff >= 0 ? '+' : '') + c.diff.toFixed(4), c.pValue.toFixed(4), c.pHolm === undefined ? '-' : c.pHolm.toFixed(4), String(c.n)]),
      ),
    );
  }
  const picked = r.hints.filter((h) => h.picks > 0);
  if (picked.length) {
    parts.push(
      '',
      table(
        ['agent pick', 'picks', 'mean reward', 'text'],
        picked.map((h) => [h.id, String(h.picks), h.meanReward === null ? '-' : h.meanReward.toFixed(4), h.text.length > 60 ? h.text.slice(0, 57) + '...' : h.text]),
      ),
    );
  }
  return parts.join('\n');
}
