/**
 * A budget of distinct shapes per property, for kernels where a new shape is expensive: a GPU
 * kernel compiles a program per shape (measured in headless Chromium on SwiftShader: ~0.15 s per
 * new conv shape for tfjs WebGL, ~0.9 s for WebGPU; a repeated shape costs 3–12 ms), so a run that
 * draws a fresh shape for every case spends nearly all its time compiling.
 *
 * `withShapeBudget(arbitrary, n)` draws the first `n` cases of a property as usual — each brings
 * its own shape — and every later case re-uses one of those `n` shapes with fresh data: the
 * case's data seeds (fields named `seed`, `seed2`, …; every catalog case derives its data from
 * them) are mixed with a fresh random number. Shrinking a failure shrinks the original case's
 * shape as usual and keeps the fresh data, so counterexamples are as small as without a budget.
 */
import fc from 'fast-check';
import type { KernelUnderTest, Tensor } from '../contract.js';
import { implementedOperators } from '../operators/index.js';

const SEED_FIELD = /^seed\d*$/;

/** A 31-bit mix of a data seed and a fresh draw (so different cases get different data). */
function mix(seed: number, fresh: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ fresh;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

/** `value` with every integer field named `seed*` replaced by its mix with `fresh` (a copy). */
export function reseed<T>(value: T, fresh: number): T {
  if (Array.isArray(value)) return value.map((v) => reseed(v, fresh)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SEED_FIELD.test(k) && Number.isInteger(v) ? mix(v as number, fresh) : reseed(v, fresh);
  }
  return out as T;
}

interface PooledContext<T> {
  /** The case as the inner arbitrary made it (with its shrink context). */
  readonly base: fc.Value<T>;
  /** The fresh draw mixed into its data seeds; undefined for a case used as drawn. */
  readonly fresh: number | undefined;
}

class ShapeBudgetArbitrary<T> extends fc.Arbitrary<T> {
  private readonly pool: Array<fc.Value<T>> = [];
  constructor(
    private readonly inner: fc.Arbitrary<T>,
    private readonly budget: number,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    if (this.pool.length < this.budget) {
      const base = this.inner.generate(mrng, biasFactor);
      this.pool.push(base);
      return new fc.Value(base.value, { base, fresh: undefined } satisfies PooledContext<T>);
    }
    const base = this.pool[mrng.nextInt(0, this.pool.length - 1)];
    const fresh = mrng.nextInt(0, 0x7fffffff);
    return new fc.Value(reseed(base.value, fresh), { base, fresh } satisfies PooledContext<T>);
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return this.inner.canShrinkWithoutContext(value);
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    if (context === undefined) {
      // a saved counterexample replayed as an example: shrink it as the inner arbitrary would
      return this.inner
        .shrink(value, undefined)
        .map((v) => new fc.Value(v.value, { base: v, fresh: undefined } satisfies PooledContext<T>));
    }
    const { base, fresh } = context as PooledContext<T>;
    return this.inner
      .shrink(base.value, base.context)
      .map((v) => new fc.Value(fresh === undefined ? v.value : reseed(v.value, fresh), { base: v, fresh } satisfies PooledContext<T>));
  }
}

/**
 * The cases of `arbitrary` limited to `budget` distinct draws of shape per run; later cases re-use
 * those shapes with fresh data. Each call returns a new pool (one per property run).
 * @example fc.check(fc.asyncProperty(withShapeBudget(def.arbitrary(ctx), 6), predicate))
 */
export function withShapeBudget<T>(arbitrary: fc.Arbitrary<T>, budget: number): fc.Arbitrary<T> {
  return new ShapeBudgetArbitrary(arbitrary, budget);
}

/** The shapes and attributes of one kernel call: what a GPU kernel compiles a program for. */
function signature(op: string, args: readonly unknown[]): string {
  return `${op} ${args
    .map((a) =>
      a !== null && typeof a === 'object' && 'shape' in a
        ? `[${(a as Tensor).shape.join(',')}]`
        : a === undefined
          ? '-'
          : JSON.stringify(a),
    )
    .join(' ')}`;
}

/**
 * Wraps `kernel` so that every operator call's signature (operation, shapes, attributes) is
 * added to `seen`: the distinct shapes — for a GPU kernel, the programs — a run exercised.
 */
export function countingShapes(kernel: KernelUnderTest, seen: Set<string>): KernelUnderTest {
  const methods = kernel as unknown as Record<string, (...a: unknown[]) => unknown>;
  // Everything the kernel declares (precision, numerics, capabilities, …) is kept as is; only the
  // operator methods are wrapped.
  return {
    ...kernel,
    ...Object.fromEntries(
      implementedOperators(kernel).map((op) => [
        op,
        (...args: unknown[]) => {
          seen.add(signature(op, args));
          return methods[op].apply(kernel, args);
        },
      ]),
    ),
  };
}
