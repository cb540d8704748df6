/**
 * Maps over items with at most `width` promises in flight (runWide: a number, or a PoolWidth such
 * as a client's, read again as tasks end and when it widens), keeping the input order. The first error stops
 * new work and is rethrown once the running tasks settle; a cancelled signal does the same with a
 * CancelledError. (The LLM client bounds its own concurrency too; this keeps the evaluator from
 * queueing thousands of requests at once.)
 */
import { runWide, type PoolWidth } from '../llm/widePool';
import { throwIfCancelled, type CancelSignal } from '../util/log';

export async function mapPool<T, R>(
  items: readonly T[],
  width: number | PoolWidth,
  fn: (item: T, index: number) => Promise<R>,
  signal?: CancelSignal,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const pool = typeof width === 'number' ? { width: () => width } : width;
  const out = new Array<R>(items.length);
  let done = 0;
  await runWide(
    items.length,
    pool.width,
    async (i) => {
      throwIfCancelled(signal);
      out[i] = await fn(items[i]!, i);
      onDone?.(++done);
    },
    pool.onWiden,
  );
  return out;
}
