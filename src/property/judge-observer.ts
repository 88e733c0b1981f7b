/**
 * An optional observer of every judgement (`judge`): the worst |actual − expected| / bound of the
 * outputs it compared. The model runner (`runner/model-layers.ts`) installs one to report each
 * layer's worst error relative to its bound, passing or not; with none installed judging costs
 * nothing extra.
 */

/** Receives the worst error/bound of one judgement: 0 for an exact match, Infinity for an error where the bound is 0, NaN for a non-finite value where the other side is not (or another non-finite value). */
export type JudgeObserver = (worstErrorOverBound: number) => void;

let current: JudgeObserver | undefined;

/** Installs `observer` (undefined: none) and returns the one it replaces. */
export function setJudgeObserver(observer: JudgeObserver | undefined): JudgeObserver | undefined {
  const previous = current;
  current = observer;
  return previous;
}

/** The installed observer, if any. */
export function judgeObserver(): JudgeObserver | undefined {
  return current;
}

/** The worst error/bound over `actual` vs `expected` with per-element (or one) bounds, as `compareOutputs` rates elements. */
export function worstErrorOverBound(actual: ArrayLike<number>, expected: ArrayLike<number>, bounds: ArrayLike<number> | number): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i];
    if (Number.isNaN(e) ? Number.isNaN(a) : a === e) continue;
    if (!Number.isFinite(e) || !Number.isFinite(a)) return Number.NaN;
    const bound = typeof bounds === 'number' ? bounds : bounds[i];
    const r = bound === 0 ? Number.POSITIVE_INFINITY : Math.abs(a - e) / bound;
    if (r > worst) worst = r;
  }
  return worst;
}
