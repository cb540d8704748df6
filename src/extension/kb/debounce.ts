/** Per-key debouncing (one pending validation per document), with injectable timers for tests. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Debouncer {
  private readonly pending = new Map<string, unknown>();
  constructor(
    private readonly ms: number,
    private readonly timers: Timers = realTimers,
  ) {}

  schedule(key: string, fn: () => void): void {
    const prev = this.pending.get(key);
    if (prev !== undefined) this.timers.clear(prev);
    this.pending.set(
      key,
      this.timers.set(() => {
        this.pending.delete(key);
        fn();
      }, this.ms),
    );
  }

  cancel(key: string): void {
    const prev = this.pending.get(key);
    if (prev !== undefined) this.timers.clear(prev);
    this.pending.delete(key);
  }

  dispose(): void {
    for (const h of this.pending.values()) this.timers.clear(h);
    this.pending.clear();
  }
}
