/**
 * A task pool whose width changes while it runs: `width()` is read again whenever a task ends
 * and whenever `onWiden` fires. The online executor uses it with the client's width (its
 * in-flight limit plus the requests waiting to retry, `clientWidth`), so a request that backs off
 * lets another start instead of holding a pool slot through its wait. The first error starts
 * nothing more and is rethrown once the tasks still out have settled (none is left running
 * unobserved, writing after its caller has moved on).
 */
import { clientWidth, type LlmClient } from './types';

/** A pool's width as runWide reads it: read again whenever a task ends and whenever `onWiden` fires. */
export interface PoolWidth {
  width: () => number;
  onWiden?: (listener: () => void) => () => void;
}

/** The width of a pool of requests through `client`: its clientWidth, read again when a request starts waiting to retry. */
export function clientPoolWidth(client: LlmClient, configured: number): PoolWidth {
  return { width: () => clientWidth(client, configured), ...(client.onBackoff ? { onWiden: client.onBackoff.bind(client) } : {}) };
}

export function runWide(
  count: number,
  width: () => number,
  task: (index: number) => Promise<void>,
  onWiden?: (listener: () => void) => () => void,
): Promise<void> {
  if (count <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let outstanding = 0;
    let failure: { error: unknown } | undefined;
    const unsubscribe = onWiden?.(() => pump());
    const settled = (): void => {
      outstanding--;
      if (outstanding > 0 || (!failure && next < count)) return pump();
      unsubscribe?.();
      if (failure) reject(failure.error);
      else resolve();
    };
    function pump(): void {
      if (failure) return;
      // At least one outstanding, whatever width() says, so the pool always moves.
      while (next < count && (outstanding === 0 || outstanding < width())) {
        const i = next++;
        outstanding++;
        task(i).then(settled, (error: unknown) => {
          failure ??= { error };
          settled();
        });
      }
    }
    pump();
  });
}
