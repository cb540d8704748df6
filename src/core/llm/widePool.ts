/**
 * A task pool whose width changes while it runs: `width()` is read again whenever a task ends
 * and whenever `onWiden` fires. The online executor uses it with the client's width (its
 * in-flight limit plus the requests waiting to retry, `clientWidth`), so a request that backs off
 * lets another start instead of holding a pool slot through its wait.
 */
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
    let failed = false;
    const unsubscribe = onWiden?.(() => pump());
    const finish = (err?: unknown): void => {
      unsubscribe?.();
      if (err === undefined) resolve();
      else reject(err);
    };
    function pump(): void {
      if (failed) return;
      // At least one outstanding, whatever width() says, so the pool always moves.
      while (next < count && (outstanding === 0 || outstanding < width())) {
        const i = next++;
        outstanding++;
        task(i).then(
          () => {
            outstanding--;
            if (next >= count && outstanding === 0) finish();
            else pump();
          },
          (err: unknown) => {
            outstanding--;
            // The first error ends the run; tasks still out finish on their own, unobserved.
            if (!failed) {
              failed = true;
              finish(err);
            }
          },
        );
      }
    }
    pump();
  });
}
