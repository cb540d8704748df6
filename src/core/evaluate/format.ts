/**
 * Plain-text tables of a ResultsFile for terminals and logs (the CLI prints them; the HTML report
 * and the panel draw their own).
 */
import { deltaVsNoHint, formatDelta, formatP, MARGINAL_CI_NOTE, type ResultsFile } from '../../protocol/results';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Metric means per condition (NDCG@1 left out: it equals HR@1), then usage and answer rates. */
export function formatMetricTable(r: ResultsFile): string {
  const names = Object.keys(r.conditions[0]?.metrics ?? {}).filter((m) => m !== 'NDCG@1');
  const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
  const k = r.ks.includes(10) ? 10 : Math.max(...r.ks);
  const primaryMetric = r.statistics?.primaryMetric ?? `NDCG@${k}`;
  const hasDelta = r.comparisons.some((c) => c.b === 'no-hint' && c.ciLow !== undefined);
  const deltaCell = (condition: string): string => {
    const d = deltaVsNoHint(r, condition, primaryMetric);
    return d ? formatDelta(d) : '';
  };
  const metrics = table(
    ['condition', 'n', ...names, ...(hasDelta ? [`Δ ${primaryMetric} vs no-hint [95% CI], p`] : [])],
    r.conditions.map((c) => [
      c.hintId ? `${c.condition} (${c.hintId})` : c.condition,
      String(c.n),
      ...names.map((m) => c.metrics[m]!.mean.toFixed(4)),
      ...(hasDelta ? [deltaCell(c.condition)] : []),
    ]),
  );
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
  const parts = [metrics, '', cis, MARGINAL_CI_NOTE];
  if (r.comparisons.length) {
    const signed = (x: number | undefined): string => (x === undefined ? '-' : (x >= 0 ? '+' : '') + x.toFixed(4));
    const family = (c: (typeof r.comparisons)[number]): string => c.family ?? '-';
    // Primary family first (the hypotheses the evaluation is for), then the exploratory rest.
    const rows = [...r.comparisons].sort((x, y) => Number(y.family === 'primary') - Number(x.family === 'primary'));
    parts.push(
      '',
      table(
        ['paired comparison', 'family', 'metric', 'Δ', '95% CI of Δ', 'p', 'p (Holm)', 'n'],
        rows.map((c) => [
          `${c.a} vs ${c.b}`,
          family(c),
          c.metric,
          signed(c.diff),
          c.ciLow === undefined ? '-' : `[${signed(c.ciLow)}, ${signed(c.ciHigh)}]`,
          formatP(c.pValue),
          c.pHolm === undefined ? '-' : formatP(c.pHolm),
          String(c.n),
        ]),
      ),
    );
    const st = r.statistics;
    if (st) {
      parts.push(
        `Δ: mean per-session difference; CI: percentile bootstrap over sessions (${st.bootstrap} resamples); p: sign-flip permutation test, (b+1)/(B+1) with B = ${st.permutations}.`,
        st.primary.length
          ? `Primary family (Holm-adjusted together): ${st.primary.join(', ')} on ${st.primaryMetric}. Secondary comparisons are unadjusted: exploratory.`
          : `No primary comparison was evaluated (evaluation.primary): every comparison is secondary, unadjusted.`,
      );
      for (const m of st.mde) {
        parts.push(`Minimum detectable effect (${Math.round(m.power * 100)}% power, α = ${st.alpha}, two-sided): ${m.a} vs ${m.b} ${m.metric} ±${m.mde.toFixed(4)} with n = ${m.n} (paired SD ${m.sd.toFixed(4)}).`);
      }
    }
  }
  const bl = r.baselines;
  if (bl?.bestFixedHint) parts.push(`best-fixed-hint: ${bl.bestFixedHint.hintId} (mean reward ${bl.bestFixedHint.reward.toFixed(4)} on ${bl.bestFixedHint.chosenOn}, ${bl.bestFixedHint.sessions} sessions; "none" allowed).`);
  if (bl?.randomHint) parts.push(bl.randomHint.estimate === 'expectation' ? `random-hint: the exact expectation over ${bl.randomHint.hints} enabled hints per session.` : `random-hint: one seeded draw per session (seed ${bl.randomHint.seed}); run the oracle too for the exact expectation.`);
  const at = r.agentTraining;
  if (at?.finalEntropy !== undefined) {
    parts.push(`agent: final policy entropy ${at.finalEntropy.toFixed(3)} of at most ln ${Math.round(Math.exp(at.maxEntropy))} = ${at.maxEntropy.toFixed(3)}${at.steps !== undefined ? ` after ${at.steps} steps` : ''}${at.checkpoint ? `, checkpoint ${at.checkpoint}` : ''}${at.nearUniform ? ' — WARNING: close to uniform, the agent is under-trained (raise agent.steps)' : ''}.`);
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
