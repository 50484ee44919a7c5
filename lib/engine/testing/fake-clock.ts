/**
 * A clock tests control. `advance(ms)` fires due timers in order; with `autoAdvance` the clock
 * jumps to the next timer whenever nothing else is pending (after a macrotask), so a retry
 * backoff of an hour or an approval deadline next week takes no real time.
 */
import { CancelledError } from "@/lib/contracts/errors";
import type { Clock } from "@/lib/contracts/ports";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private autoScheduled = false;
  autoAdvance: boolean;

  constructor(start: Date | number = Date.UTC(2026, 0, 1, 9, 0, 0), options: { autoAdvance?: boolean } = {}) {
    this.t = typeof start === "number" ? start : start.getTime();
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): Date {
    return new Date(this.t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new CancelledError());
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(signal?.reason ?? new CancelledError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.scheduleAuto();
    });
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.timers.length;
  }

  /** Move time forward by `ms`, firing every timer due on the way (in order), letting promises settle between. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.t + ms);
  }

  async advanceTo(target: number | Date): Promise<void> {
    const end = typeof target === "number" ? target : target.getTime();
    for (;;) {
      await settle();
      const next = this.nextTimer();
      if (!next || next.at > end) break;
      this.fire(next);
    }
    this.t = Math.max(this.t, end);
    await settle();
  }

  /** Jump straight to a moment without firing timers on the way (e.g. "the process was down for a day"). */
  set(to: Date | number) {
    this.t = typeof to === "number" ? to : to.getTime();
  }

  private nextTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const x of this.timers) if (!best || x.at < best.at || (x.at === best.at && x.seq < best.seq)) best = x;
    return best;
  }

  private fire(timer: Timer) {
    this.timers = this.timers.filter((x) => x !== timer);
    this.t = Math.max(this.t, timer.at);
    timer.resolve();
  }

  private scheduleAuto() {
    if (!this.autoAdvance || this.autoScheduled) return;
    this.autoScheduled = true;
    setImmediate(() => {
      this.autoScheduled = false;
      if (!this.autoAdvance) return;
      // Only jump once everything else has settled: wait one more macrotask.
      setImmediate(() => {
        const next = this.nextTimer();
        if (!next) return;
        this.fire(next);
        if (this.timers.length > 0) this.scheduleAuto();
      });
    });
  }
}

/** Let queued promise callbacks (and a few macrotasks) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
