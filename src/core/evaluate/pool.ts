/**
 * Maps over items with at most `limit` promises in flight, keeping the input order. The first
 * error stops new work and is rethrown once the running tasks settle; a cancelled signal does the
 * same with a CancelledError. (The LLM client bounds its own concurrency too; this keeps the
 * evaluator from queueing thousands of requests at once.)
 */
import { throwIfCancelled, type CancelSignal } from '../util/log';

export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  signal?: CancelSignal,
  onDone?: (done: number) => void,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        throwIfCancelled(signal);
        out[i] = await fn(items[i]!, i);
        done++;
        onDone?.(done);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
  return out;
}
