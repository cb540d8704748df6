/**
 * random-hint as the exact expectation over the enabled hints. The paper's "w/o DRL" ablation is
 * "a uniformly random hint"; one draw per session adds the draw's own variance to the
 * comparison. When every hint's answer to a test session is obtained anyway (the oracle asks
 * them all, through the same cache), the expectation costs nothing more: the session's metric is
 * the mean over hints of the metric under each hint (records carry `expectedOver`). The answer
 * shown per session stays one seeded draw (the same as RandomHintRanker's).
 */
import type { Session } from '../data/types';
import type { ActionHint } from '../kb/types';
import type { CancelSignal } from '../util/log';
import { RandomHintRanker, type HintedRank } from './llmRankers';
import type { RankOutcome, Ranker } from '../rank/ranker';

export class RandomHintExpectationRanker implements Ranker {
  readonly name = 'random-hint';
  private readonly draw: RandomHintRanker;
  /** Session id -> the target's rank under each enabled hint, in KB order. */
  readonly ranksBySession = new Map<string, Array<number | null>>();
  constructor(
    private readonly rankWith: HintedRank,
    private readonly hints: readonly ActionHint[],
    seed: number,
  ) {
    this.draw = new RandomHintRanker(rankWith, hints, seed);
  }
  fit(): void {}
  async rank(session: Session, signal?: CancelSignal): Promise<RankOutcome> {
    const outcomes = await Promise.all(this.hints.map((h) => this.rankWith(session, h, signal)));
    this.ranksBySession.set(session.id, outcomes.map((o) => o.targetRank));
    const drawn = this.draw.hintFor(session);
    return outcomes[this.hints.indexOf(drawn)]!;
  }
}
