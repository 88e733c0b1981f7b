/** `denseProblem`: fast-check arbitrary of valid dense (FC / `Gemm(transB=1)`) problems. */
import fc from 'fast-check';
import { InvalidArgumentError } from '../../errors.js';
import type { SizeTier } from '../../vocabulary.js';

/** A dense problem's shapes (JSON-serialisable). */
export interface DenseSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly hasBias: boolean;
}
import { largeThenSmall } from '../../arbitraries/large-then-small.js';
import { withinMaxElements } from '../../arbitraries/max-elements.js';

/** Constraints of `denseProblem`. */
export interface DenseProblemConstraints {
  readonly size?: SizeTier;
  /** Largest tensor the kernel accepts. */
  readonly maxElements?: number;
  readonly bias?: boolean;
}

/**
 * Arbitrary dense problems x `[N, K]`, w `[M, K]`: mostly small, and in the default and large
 * tiers a share with N ≥ 8, M ≥ 17 and K ≥ 512, to reach the tails of blocked GEMMs.
 * @example fc.sample(denseProblem(), 3)
 */
export function denseProblem(constraints: DenseProblemConstraints = {}): fc.Arbitrary<DenseSpec> {
  const size = constraints.size ?? 'default';
  if (size !== 'small' && size !== 'default' && size !== 'large') {
    throw new InvalidArgumentError('denseProblem', 'size', size, `size must be 'small', 'default' or 'large', got ${JSON.stringify(size)}`);
  }
  const max = size === 'small' ? 8 : size === 'default' ? 40 : 80;
  const shape = (n: fc.Arbitrary<number>, m: fc.Arbitrary<number>, k: fc.Arbitrary<number>) =>
    fc.record({ n, m, k, bias: constraints.bias === undefined ? fc.boolean() : fc.constant(constraints.bias) });
  const regular = shape(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max }), fc.integer({ min: 1, max }));
  const large = shape(largeThenSmall(8, 12), largeThenSmall(17, 40), largeThenSmall(512, 700));
  const params = size === 'small' ? regular : fc.oneof({ withCrossShrink: true }, { arbitrary: regular, weight: size === 'large' ? 2 : 6 }, { arbitrary: large, weight: 1 });
  const specs = params.map((p): DenseSpec => ({ xShape: [p.n, p.k], wShape: [p.m, p.k], hasBias: p.bias }));
  const limit = constraints.maxElements ?? Number.POSITIVE_INFINITY;
  return withinMaxElements('denseProblem', specs, (s) => Math.max(s.xShape[0] * s.xShape[1], s.wShape[0] * s.wShape[1]), limit);
}
