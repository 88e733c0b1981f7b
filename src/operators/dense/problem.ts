/** `denseProblem`: fast-check arbitrary of valid dense (FC / `Gemm(transB=1)`) problems. */
import fc from 'fast-check';
import { InvalidArgumentError } from '../../errors.js';
import { blockSize, flatSize, smallBlockSize } from '../../arbitraries/sizes.js';
import type { ProductionPlan, SizeTier } from '../../vocabulary.js';
import { SIZE_TIERS, withinPlan } from '../../vocabulary.js';
import { cycle } from '../../arbitraries/cycle.js';

import type { DenseSpec } from './spec.js';
import { largeThenSmall } from '../../arbitraries/large-then-small.js';
import { withinMaxElements } from '../../arbitraries/max-elements.js';
import type { PlanDraw } from '../../arbitraries/shape-plan.js';
import { plannedSpecs } from '../../arbitraries/shape-plan.js';
import { shrinkDenseSpec } from './plan.js';

/** Constraints of `denseProblem`. */
export interface DenseProblemConstraints {
  readonly size?: SizeTier;
  /** Largest tensor the kernel accepts. */
  readonly maxElements?: number;
  readonly bias?: boolean;
  /** Production tier: the layers to run; the cycle length is recorded in the plan. */
  readonly production?: ProductionPlan;
  /** The run-wide shape plan as this property draws from it (plan shapes instead of, or mixed with, random ones). */
  readonly plan?: PlanDraw;
}

/** Multiply-adds of a dense problem, ×2: 2·N·M·K. */
export function denseFlops(spec: DenseSpec): number {
  return 2 * spec.xShape[0] * spec.wShape[0] * spec.xShape[1];
}

/** Largest tensor of a dense problem (x `[N, K]`, w `[M, K]` or y `[N, M]`), in elements. */
export function largestDenseTensor(spec: DenseSpec): number {
  const [N, K] = spec.xShape;
  const M = spec.wShape[0];
  return Math.max(N * K, M * K, N * M);
}

/**
 * Arbitrary dense problems x `[N, K]`, w `[M, K]`: mostly small, and in the default and large
 * tiers a share with N ≥ 8, M ≥ 17 and K from 512 to 3,100 (across the 1,024 boundary), and a
 * share of boundary sizes: one of N, K, M around a block size (`arbitraries/sizes.ts`), or
 * K around 2¹⁶ / 2²⁴ elements, the other two small (3…17, themselves around 4 and 8).
 * @example fc.sample(denseProblem(), 3)
 */
export function denseProblem(constraints: DenseProblemConstraints = {}): fc.Arbitrary<DenseSpec> {
  const size = constraints.size ?? 'default';
  if (!SIZE_TIERS.includes(size)) {
    throw new InvalidArgumentError(
      'denseProblem',
      'size',
      size,
      `size must be one of ${SIZE_TIERS.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(size)}`,
    );
  }
  const limit = constraints.maxElements ?? Number.POSITIVE_INFINITY;
  if (size === 'production') {
    if (constraints.production === undefined)
      throw new InvalidArgumentError(
        'denseProblem',
        'production',
        undefined,
        'the production tier needs the layers to run (constraints.production)',
      );
    const specs = constraints.production.layers
      .filter((l) => l.op === 'dense')
      .filter(
        (l) =>
          Math.max(
            (l.spec as DenseSpec).xShape[0] * (l.spec as DenseSpec).xShape[1],
            (l.spec as DenseSpec).wShape[0] * (l.spec as DenseSpec).wShape[1],
          ) <= limit,
      )
      .filter((l) => withinPlan(constraints.production!, l, denseFlops(l.spec as DenseSpec), largestDenseTensor(l.spec as DenseSpec)))
      .map((l) => l.spec as DenseSpec) // validated when the layer table was built (models/)
      .map((s) => (constraints.bias === undefined ? s : { ...s, hasBias: constraints.bias }));
    constraints.production.cycleLengths.push(specs.length);
    if (specs.length > 0) return cycle(specs);
    return denseProblem({ ...constraints, size: 'small', production: undefined }); // never run: the runner skips a property with no layer
  }
  const max = size === 'small' ? 8 : size === 'default' ? 40 : 80;
  const shape = (n: fc.Arbitrary<number>, m: fc.Arbitrary<number>, k: fc.Arbitrary<number>) =>
    fc.record({ n, m, k, bias: constraints.bias === undefined ? fc.boolean() : fc.constant(constraints.bias) });
  const regular = shape(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max }), fc.integer({ min: 1, max }));
  const large = shape(largeThenSmall(8, 12), largeThenSmall(17, 40), largeThenSmall(512, 3100));
  const small = smallBlockSize();
  const flat = fc.oneof(
    { weight: 40, arbitrary: flatSize([2 ** 16]) },
    { weight: size === 'large' ? 10 : 0, arbitrary: flatSize([2 ** 24]) },
  );
  const boundary = fc.oneof(
    { weight: 1, arbitrary: shape(blockSize(), small, small) },
    { weight: 2, arbitrary: shape(small, small, blockSize()) },
    { weight: 1, arbitrary: shape(small, blockSize(), small) },
    { weight: 1, arbitrary: shape(fc.constant(1), fc.integer({ min: 1, max: 2 }), flat) },
  );
  const params =
    size === 'small'
      ? regular
      : fc.oneof(
          { withCrossShrink: true },
          { arbitrary: regular, weight: size === 'large' ? 2 : 6 },
          { arbitrary: large, weight: 1 },
          { arbitrary: boundary, weight: size === 'large' ? 3 : 3 },
        );
  const specs = params.map((p): DenseSpec => ({ xShape: [p.n, p.k], wShape: [p.m, p.k], hasBias: p.bias }));
  const largest = (s: DenseSpec) => Math.max(s.xShape[0] * s.xShape[1], s.wShape[0] * s.wShape[1], s.xShape[0] * s.wShape[0]);
  const random = withinMaxElements('denseProblem', specs, (s) => Math.max(s.xShape[0] * s.xShape[1], s.wShape[0] * s.wShape[1]), limit);
  return (
    plannedSpecs(constraints.plan, 'dense', {
      random,
      accept: (s) => largest(s) <= limit,
      adjust: (s) => (constraints.bias === undefined ? s : { ...s, hasBias: constraints.bias }),
      shrink: shrinkDenseSpec,
    }) ?? random
  );
}
