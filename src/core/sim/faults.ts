/**
 * Fault injection for the simulated LLM, to exercise the client's retries: each fault fires on a
 * seeded share of requests. One uniform draw per request picks at most one fault.
 */
import { Rng } from '../util/rng';

export interface SimFaults {
  /** Added to every response, in ms. */
  latencyMs?: number;
  /** Share of requests answered 429 with a Retry-After header. */
  rate429?: number;
  /** Retry-After value sent with 429s, in seconds (default 1). */
  retryAfterS?: number;
  /** Share answered HTTP 500. */
  rate500?: number;
  /** Share never answered (the client's timeout fires). */
  rateTimeout?: number;
  /** Share answered 200 with a body that is not valid JSON. */
  rateMalformed?: number;
  /** Share answered with the text cut in half and finish_reason "length". */
  rateTruncated?: number;
}

export type FaultKind = 'none' | '429' | '500' | 'timeout' | 'malformed' | 'truncated';

export class FaultPlan {
  private readonly rng: Rng;
  constructor(private readonly faults: SimFaults, seed: number) {
    this.rng = new Rng(`sim-faults/${seed}`);
    for (const [k, v] of Object.entries(faults)) {
      if (k.startsWith('rate') && (typeof v !== 'number' || v < 0 || v > 1)) throw new RangeError(`fault ${k} must be a rate in [0, 1], got ${v}`);
    }
  }

  next(): FaultKind {
    const f = this.faults;
    const u = this.rng.next();
    let edge = 0;
    const table: [FaultKind, number | undefined][] = [
      ['429', f.rate429],
      ['500', f.rate500],
      ['timeout', f.rateTimeout],
      ['malformed', f.rateMalformed],
      ['truncated', f.rateTruncated],
    ];
    for (const [kind, rate] of table) {
      edge += rate ?? 0;
      if (u < edge) return kind;
    }
    return 'none';
  }
}
