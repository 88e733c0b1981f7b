/**
 * The shrink phase of one property. fast-check shrinks a failure by calling the predicate again on
 * smaller candidates; it cannot be told to stop, so the predicate asks this object before each
 * candidate whether to try it. Once a reason to stop is known (the shrink's time budget, the run's
 * budget for shrinking hangs, an interruption), every later candidate passes without a call, and
 * fast-check ends with the smallest failure found until then.
 */

/** The run's accounting of time spent shrinking cases that timed out (`CallClock`). */
export interface HangShrinkClock {
  /** Adds wall time spent shrinking a hang to the run's total. */
  addShrinkTime(ms: number): void;
  /** Why shrinking a hang must stop now, `elapsedMs` into this property's shrink, or undefined. */
  shrinkStop(elapsedMs: number): string | undefined;
}

/**
 * One property's shrink: started by its first failure, then asked before each candidate.
 * @example
 * const shrink = new ShrinkLoop(30_000, clock);
 * shrink.begin('mismatch'); // the first failure
 * if (shrink.next()) { … try the candidate … }
 */
export class ShrinkLoop {
  /** Candidates tried (sent to the kernel or refused by the capability gate). */
  attempts = 0;
  /** Why shrinking stopped early, once it has; the failure then stands as the smallest so far. */
  stopReason: string | undefined;
  private startedAt: number | undefined;
  private lastMark = 0;
  private shrinkingHang = false;

  /**
   * @param budgetMs wall time one failure may spend shrinking (`VerifyOptions.shrinkBudgetMs`)
   * @param clock the run's budget for shrinking cases that timed out
   * @param now the clock, ms (tests pass their own)
   */
  constructor(
    private readonly budgetMs: number,
    private readonly clock: HangShrinkClock,
    private readonly now: () => number = Date.now,
  ) {}

  /** True once the first failure was seen: later predicate calls are shrink candidates. */
  get active(): boolean {
    return this.startedAt !== undefined;
  }

  /** The first failure (its kind: `timeout` failures shrink on the run's hang budget too). */
  begin(kind: string | undefined): void {
    if (this.startedAt !== undefined) return;
    this.startedAt = this.lastMark = this.now();
    this.shrinkingHang = kind === 'timeout';
  }

  /** Before a candidate: true to try it; false to pass it untried (a reason to stop is known). */
  next(): boolean {
    if (this.startedAt === undefined) throw new Error('ShrinkLoop.next before the first failure');
    const now = this.now();
    if (this.shrinkingHang) {
      // shrinking a hang: its wall time (timeouts and fresh workers) comes out of the run's budget
      this.clock.addShrinkTime(now - this.lastMark);
      this.lastMark = now;
      this.stopReason ??= this.clock.shrinkStop(now - this.startedAt);
    }
    // a budget of 0 shrinks nothing, even when the first candidate comes within the same millisecond
    if (this.stopReason === undefined && this.budgetMs <= 0) this.stopReason = 'the shrink budget is 0 ms';
    if (this.stopReason === undefined && now - this.startedAt > this.budgetMs)
      this.stopReason = `shrinking took longer than its ${this.budgetMs} ms budget`;
    if (this.stopReason !== undefined) return false;
    this.attempts++;
    return true;
  }

  /** Stops shrinking for `reason` (the first reason given stands). */
  stop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** The result's note when shrinking stopped early, or undefined. */
  note(): string | undefined {
    return this.stopReason === undefined
      ? undefined
      : `shrinking stopped after ${this.attempts} attempts because ${this.stopReason}; the counterexample is the smallest found until then`;
  }
}
