/**
 * How the simulated LLM ranks candidates. A SIMULATOR for demos, tests and benchmarks, NOT a
 * recommender: its only purpose is to give the Re2LLM pipeline a learning signal that behaves
 * like a real LLM's (modest base accuracy; some hints help some sessions).
 *
 * For a session (the history shown in the prompt):
 * 1. Per attribute family f, the history's value distribution p_f (recent items weigh more) and
 *    how concentrated it is: the lift, max over values of p_f(v) minus the value's dataset base rate.
 * 2. Hidden per-session weights h = softmax(tau * d_f + eta * n_f), where d_f is the lift
 *    standardised over the dataset's own session histories (calibration below; never targets) and
 *    n_f a standard normal drawn from a hash of the history. The same session always gets the
 *    same weights, and with a small eta the dominant family is almost always the family the
 *    history is most concentrated on: observable content (what the state encoder sees), so a
 *    policy can learn which hint to give.
 * 3. Each candidate's affinity on f: 0.5 * mean + 0.5 * max of p_f over its values (era: adjacent
 *    decades count half), z-scored across the candidates and clipped to [-3, 3].
 * 4. gate_f = (h_f / max h)^gatePower: 1 for the session's focus family, near 0 for the others.
 *    Without a hint the "LLM" attends generically: a_f = lambda * h_f + (1 - lambda) / F *
 *    (1 - neglect * gate_f), i.e. it under-uses exactly what this session is focused on (with
 *    several families; a title-only dataset has no focus to miss). A hint naming family f (by
 *    keyword, or by one of the history's values in f) adds gamma * gate_f to a_f and, when f is
 *    not the focus, scales the other families' attention by 1 - distraction * (1 - gate_f): the
 *    right hint helps a lot, a misdirected one does little or slightly hurts. Values the hint
 *    names ("Horror", "1990s") add a bonus to candidates that have them (also gated).
 *    So the best hint differs between sessions and follows their content, and one fixed hint
 *    (whatever the family) helps only the sessions focused on its family: a per-session policy
 *    can clearly beat the best fixed hint (signal.ts measures both).
 * 5. score(c) = alpha * sum_f a_f z_f(c) + noise(c) + epsilon * hintNoise(c); the noise is seeded by
 *    (simulator seed, history, candidate), so it is identical with and without a hint.
 * The target is never known here: hints help only because real targets relate to their history.
 */
import type { SessionDataset } from '../data/types';
import { Rng, hashString } from '../util/rng';
import { decadeOf, mentionsLower, profileOf, type DatasetProfile } from './families';
import { promptedHistory } from '../prompts/history';

export interface RankModelParams {
  /** Signal strength relative to the unit-variance noise. */
  alpha: number;
  /** How sharply hidden weights follow distinctiveness. */
  tau: number;
  /** Spread of the per-session random part of the hidden weights. */
  eta: number;
  /** Share of the hidden weights the no-hint LLM already attends to. */
  lambda: number;
  /** Attention added by a hint that names a family. */
  gamma: number;
  /** Bonus (in z units) for candidates having a value the hint names. */
  valueBonus: number;
  /** Hint-dependent noise (why irrelevant hints are not exactly neutral). */
  epsilon: number;
  /**
   * How much the no-hint LLM under-uses the session's focus families: their default attention
   * is scaled by 1 - neglect * gate (0: uniform attention). Why a focus hint has room to help.
   */
  neglect?: number;
  /** Sharpness of the gate (h_f / max h)^gatePower that decides how much a hint on f can do. */
  gatePower?: number;
  /**
   * Share of its attention on the other families the LLM loses when a hint names a family this
   * session is not focused on (scaled by 1 - gate): a misdirected hint distracts, slightly.
   */
  distraction?: number;
}

export const DEFAULT_RANK_PARAMS: RankModelParams = {
  alpha: 2,
  tau: 3,
  eta: 0.25,
  lambda: 0,
  gamma: 2.5,
  valueBonus: 0.6,
  epsilon: 0.15,
  neglect: 0.8,
  gatePower: 3,
  distraction: 0.5,
};

export interface SessionModel {
  /** Family names in profile order. */
  families: string[];
  /** Hidden weights h (sum 1). */
  hidden: number[];
  /** Distinctiveness d_f. */
  distinct: number[];
  /** History value distribution per family. */
  dist: Map<string, number>[];
}

function historyDistributions(profile: DatasetProfile, history: string[]): Map<string, number>[] {
  const F = profile.families.length;
  const dist = Array.from({ length: F }, () => new Map<string, number>());
  const n = history.length;
  let total = 0;
  history.forEach((id, i) => {
    const per = profile.values.get(id);
    if (!per) return;
    const w = 0.5 + (0.5 * (i + 1)) / n; // recent items weigh up to twice the oldest
    total += w;
    for (let f = 0; f < F; f++) for (const v of per[f]!) dist[f]!.set(v, (dist[f]!.get(v) ?? 0) + w);
  });
  if (total > 0) for (const m of dist) for (const [v, x] of m) m.set(v, x / total);
  return dist;
}

/** How much the history over-represents its most over-represented value of a family. */
function lift(p: Map<string, number>, base: Map<string, number>): number {
  let best = 0;
  for (const [v, x] of p) best = Math.max(best, x - (base.get(v) ?? 0));
  return best;
}

function sessionKey(seed: number, history: string[]): string {
  return `${seed}|${history.join(',')}`;
}

/** Sessions sampled from the dataset to calibrate each family (histories only, never targets). */
const CALIBRATION_SESSIONS = 300;

interface Calibration {
  /** Mean and sd of each family's lift over the dataset's session histories. */
  mean: number[];
  sd: number[];
}

const calibrations = new WeakMap<SessionDataset, Calibration>();
/** The history the calibration reads of each session (the default prompt.historyLimit). */
const CALIBRATION_HISTORY = 50;

/**
 * Standardising the lift makes "unusually focused on one director" and "unusually focused on one
 * decade" comparable: high-cardinality families (directors) and skewed ones (countries: mostly
 * USA) would otherwise always win or always lose.
 */
function calibration(dataset: SessionDataset, historyLimit: number): Calibration {
  const cached = calibrations.get(dataset);
  if (cached) return cached;
  const profile = profileOf(dataset);
  const F = profile.families.length;
  const all = [...dataset.splits.train, ...dataset.splits.validation, ...dataset.splits.test];
  const step = Math.max(1, Math.floor(all.length / CALIBRATION_SESSIONS));
  const lifts: number[][] = profile.families.map(() => []);
  for (let i = 0; i < all.length && lifts[0]!.length < CALIBRATION_SESSIONS; i += step) {
    const history = promptedHistory(all[i]!, historyLimit);
    const dist = historyDistributions(profile, history);
    for (let f = 0; f < F; f++) lifts[f]!.push(lift(dist[f]!, profile.baseRates[f]!));
  }
  const meanOf = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const mean = lifts.map(meanOf);
  const sd = lifts.map((xs, f) => Math.sqrt(meanOf(xs.map((x) => (x - mean[f]!) ** 2))) || 1);
  const out = { mean, sd };
  calibrations.set(dataset, out);
  return out;
}

/** Builds the per-dataset state the first answer would otherwise build (profile, calibration). */
export function warmRankModel(dataset: SessionDataset): void {
  calibration(dataset, CALIBRATION_HISTORY);
}

export function sessionModel(dataset: SessionDataset, history: string[], seed: number, params: RankModelParams = DEFAULT_RANK_PARAMS): SessionModel {
  const profile = profileOf(dataset);
  const dist = historyDistributions(profile, history);
  const cal = calibration(dataset, CALIBRATION_HISTORY);
  const distinct = dist.map((p, f) => (lift(p, profile.baseRates[f]!) - cal.mean[f]!) / cal.sd[f]!);
  const rng = new Rng(`sim-hidden/${sessionKey(seed, history)}`);
  const logits = distinct.map((d) => params.tau * d + params.eta * rng.normal());
  const mx = Math.max(...logits);
  const ex = logits.map((l) => Math.exp(l - mx));
  const sum = ex.reduce((a, b) => a + b, 0);
  return { families: profile.families.map((f) => f.name), hidden: ex.map((e) => e / sum), distinct, dist };
}

/** A candidate's affinity to the history on one family; era: adjacent decades count half. */
function affinity(kind: string, values: string[], p: Map<string, number>): number {
  if (!values.length) return 0;
  let sum = 0;
  let max = 0;
  for (const v of values) {
    let s = p.get(v) ?? 0;
    if (kind === 'era') {
      const y = Number(v.slice(0, 4));
      s += 0.5 * ((p.get(`${y - 10}s`) ?? 0) + (p.get(`${y + 10}s`) ?? 0));
    }
    sum += s;
    if (s > max) max = s;
  }
  return 0.5 * (sum / values.length) + 0.5 * max;
}

function zscores(xs: number[]): number[] {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  if (sd < 1e-12) return xs.map(() => 0);
  return xs.map((x) => Math.max(-3, Math.min(3, (x - mean) / sd)));
}

/**
 * How much a hint on family f can do in this session: (h_f / max h)^p. The session's dominant
 * family gets 1; the others fade fast, so a hint naming a family this session is not focused on
 * does little (and its hint noise makes it slightly harmful on average).
 */
function gates(hidden: number[], power: number): number[] {
  const mx = Math.max(...hidden);
  return hidden.map((h) => (mx > 0 ? (h / mx) ** power : 0));
}

export interface HintReading {
  /** Family indices the hint names. */
  families: number[];
  /** Per family index, the values the hint names. */
  values: Map<number, Set<string>>;
}

/** Which families (and values) a hint names, judged against this session's history values. */
export function readHint(dataset: SessionDataset, hint: string, model: SessionModel): HintReading {
  const profile = profileOf(dataset);
  const families = new Set<number>();
  const values = new Map<number, Set<string>>();
  const text = hint.toLowerCase();
  profile.families.forEach((fam, f) => {
    if (fam.keywords.some((k) => mentionsLower(text, k.toLowerCase()))) families.add(f);
    for (const v of model.dist[f]!.keys()) {
      const forms = fam.kind === 'era' ? [v, v.slice(2)] : [v];
      if (v.length >= 3 && forms.some((form) => mentionsLower(text, form.toLowerCase()))) {
        families.add(f);
        if (!values.has(f)) values.set(f, new Set());
        values.get(f)!.add(v);
      }
    }
  });
  return { families: [...families].sort((a, b) => a - b), values };
}

export interface RankOutcome {
  /** Candidate ids, best first (all of them). */
  order: string[];
  scores: Map<string, number>;
  model: SessionModel;
  hint?: HintReading;
}

export function rankCandidatesSim(
  dataset: SessionDataset,
  history: string[],
  candidates: string[],
  hint: string | undefined,
  seed: number,
  params: RankModelParams = DEFAULT_RANK_PARAMS,
): RankOutcome {
  const profile = profileOf(dataset);
  const F = profile.families.length;
  const model = sessionModel(dataset, history, seed, params);
  const z = profile.families.map((fam, f) =>
    zscores(candidates.map((c) => affinity(fam.kind, profile.values.get(c)?.[f] ?? [], model.dist[f]!))),
  );
  const gate = gates(model.hidden, params.gatePower ?? 3);
  // One family (title words only): every session's focus is the same, nothing to under-use.
  const neglect = F > 1 ? (params.neglect ?? 0) : 0;
  // Without a hint the LLM's focus is generic: it under-uses what this session is focused on.
  const attention = model.hidden.map((h, f) => params.lambda * h + ((1 - params.lambda) / F) * (1 - neglect * gate[f]!));
  const hintReading = hint ? readHint(dataset, hint, model) : undefined;
  if (hintReading && hintReading.families.length) {
    // A hint that names the focus (among others) does not distract; one that misses it does.
    const named = new Set(hintReading.families);
    const lost = (params.distraction ?? 0) * (1 - Math.max(...hintReading.families.map((f) => gate[f]!)));
    for (let f = 0; f < F; f++) attention[f] = named.has(f) ? attention[f]! + params.gamma * gate[f]! : attention[f]! * (1 - lost);
  }
  const key = sessionKey(seed, history);
  const hintKey = hint ? hashString(hint.toLowerCase()) : 0;
  const scores = new Map<string, number>();
  candidates.forEach((c, i) => {
    let s = 0;
    for (let f = 0; f < F; f++) s += attention[f]! * z[f]![i]!;
    s *= params.alpha;
    if (hintReading) {
      for (const [f, vs] of hintReading.values) {
        const cv = profile.values.get(c)?.[f] ?? [];
        if (cv.some((v) => vs.has(v))) s += params.valueBonus * gate[f]!;
      }
      s += params.epsilon * new Rng(`sim-hint/${key}/${hintKey}/${c}`).normal();
    }
    s += new Rng(`sim-noise/${key}/${c}`).normal();
    scores.set(c, s);
  });
  // Ties (equal scores) break by candidate id so the order never depends on the Map's history.
  const order = [...new Set(candidates)].sort((a, b) => scores.get(b)! - scores.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  return { order, scores, model, ...(hintReading ? { hint: hintReading } : {}) };
}

/** Exported for tests and the signal report: the decade label a year maps to. */
export { decadeOf };
