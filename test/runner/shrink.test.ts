/** `ShrinkLoop`: when one property's shrink stops, on a clock the test controls. */
import { describe, expect, it } from 'vitest';
import { type HangShrinkClock, ShrinkLoop } from '../../src/runner/shrink.js';

/** A fake clock and a hang budget that stops after `hangBudgetMs` of shrink time in total. */
function setup(budgetMs: number, hangBudgetMs = Number.POSITIVE_INFINITY) {
  let now = 1_000;
  let spent = 0;
  const clock: HangShrinkClock = {
    addShrinkTime: (ms) => {
      spent += ms;
    },
    shrinkStop: () => (spent > hangBudgetMs ? `the run's ${hangBudgetMs} ms for shrinking hangs is spent` : undefined),
  };
  const loop = new ShrinkLoop(budgetMs, clock, () => now);
  return {
    loop,
    advance: (ms: number) => {
      now += ms;
    },
    spent: () => spent,
  };
}

describe('ShrinkLoop', () => {
  it('is inactive until the first failure, then counts the candidates it lets through', () => {
    const { loop, advance } = setup(100);
    expect(loop.active).toBe(false);
    expect(() => loop.next()).toThrow(/before the first failure/);
    loop.begin('mismatch');
    expect(loop.active).toBe(true);
    for (let i = 0; i < 3; i++) {
      advance(10);
      expect(loop.next()).toBe(true);
    }
    expect(loop.attempts).toBe(3);
    expect(loop.note()).toBeUndefined();
  });

  it('budget 100 ms: a candidate at 100 ms runs, one at 101 ms does not, nor any later one', () => {
    const { loop, advance } = setup(100);
    loop.begin('mismatch');
    advance(100);
    expect(loop.next()).toBe(true);
    advance(1);
    expect(loop.next()).toBe(false);
    expect(loop.next()).toBe(false);
    expect(loop.attempts).toBe(1);
    expect(loop.stopReason).toBe('shrinking took longer than its 100 ms budget');
    expect(loop.note()).toBe(
      'shrinking stopped after 1 attempts because shrinking took longer than its 100 ms budget; the counterexample is the smallest found until then',
    );
  });

  it('budget 0 ms: no candidate runs, not even one in the same millisecond as the failure', () => {
    const { loop } = setup(0);
    loop.begin('timeout');
    expect(loop.next()).toBe(false);
    expect(loop.attempts).toBe(0);
    expect(loop.stopReason).toBe('the shrink budget is 0 ms');
  });

  it('a second begin does not restart the clock', () => {
    const { loop, advance } = setup(100);
    loop.begin('mismatch');
    advance(90);
    loop.begin('mismatch');
    advance(20);
    expect(loop.next()).toBe(false);
  });

  it('shrinking a timeout charges its wall time to the run and stops when the run says so', () => {
    const { loop, advance, spent } = setup(60_000, 50);
    loop.begin('timeout');
    advance(30);
    expect(loop.next()).toBe(true);
    expect(spent()).toBe(30);
    advance(30);
    expect(loop.next()).toBe(false);
    expect(spent()).toBe(60);
    expect(loop.stopReason).toBe("the run's 50 ms for shrinking hangs is spent");
  });

  it('a failure that is not a timeout does not charge the hang budget', () => {
    const { loop, advance, spent } = setup(60_000, 0);
    loop.begin('mismatch');
    advance(30);
    expect(loop.next()).toBe(true);
    expect(spent()).toBe(0);
  });

  it('stop: the first reason stands, and no candidate runs after it', () => {
    const { loop } = setup(100);
    loop.begin('threw');
    loop.stop('the run was interrupted while shrinking');
    loop.stop('another reason');
    expect(loop.next()).toBe(false);
    expect(loop.note()).toMatch(/^shrinking stopped after 0 attempts because the run was interrupted while shrinking;/);
  });
});
