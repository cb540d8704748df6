/**
 * One file written by one writer, as often as asked but never twice at once: a write asked while
 * one is under way runs once after it, with the state as it is then. Writes are ordered, so the
 * file always ends holding the latest state. Reflection checkpoints through this: a session that
 * adds nothing to the KB need not wait for its record to reach the disk (a crash loses at most
 * the records written since, which a resume redoes from the response cache).
 */
export class CoalescedWrite {
  private running: Promise<void> | undefined;
  private again = false;
  private failure: { error: unknown } | undefined;
  /** Ends the gathering wait of a background write now (set while it waits). */
  private wake: (() => void) | undefined;

  /**
   * `gatherMs`: how long a background write waits for more state before it writes, so a burst of
   * `soon()`s costs one write (a reflection checkpoint is re-serialised whole each time). `now()`,
   * `flushed()` and `settled()` end the wait at once.
   */
  constructor(private readonly write: () => Promise<void>, private readonly gatherMs = 0) {}

  /** A write soon, not waited for. Its failure is thrown by the next `now()` or `flushed()`. */
  soon(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop();
  }

  /** Writes now (after the write under way) and waits for it; throws an earlier failure first. */
  async now(): Promise<void> {
    await this.flushed();
    await this.write();
  }

  /** Waits until every write asked so far is done; throws the first that failed. */
  async flushed(): Promise<void> {
    this.wake?.();
    while (this.running) await this.running;
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      throw error;
    }
  }

  /** Waits like `flushed`, keeping a failure for the next call (a `finally` that must not throw). */
  async settled(): Promise<void> {
    this.wake?.();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      if (this.gatherMs > 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.gatherMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
      do {
        this.again = false;
        await this.write();
      } while (this.again);
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.running = undefined;
    }
  }
}
