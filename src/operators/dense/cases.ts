/** Dense cases, the guarded call, the reference as an expectation and the one-line description. */
import fc from 'fast-check';
import { describeSource } from '../../arbitraries/real-data.js';
import type { Precision } from '../../contract.js';
import type { CoverageKey, GenerationContext } from '../../property/definition.js';
import { NOT_APPLICABLE } from '../../property/definition.js';
import { batchBucket, elementBucket, lengthBucket } from '../../arbitraries/sizes.js';
import type { CaseTensors } from '../../property/cases.js';
import { dataSeed, tensorsOf } from '../../property/cases.js';
import type { Expectation } from '../../property/judge.js';
import type { CheckedKernel, Data64, Regime } from '../../vocabulary.js';
import type { DenseAttributes } from './contract.js';
import { describeDense } from './geometry.js';
import type { DenseSpec } from './spec.js';
import { denseProblem } from './problem.js';
import { trustedDense } from './fast-reference.js';

/** A dense case. */
export interface DenseCase {
  readonly spec: DenseSpec;
  readonly regime: Regime;
  readonly seed: number;
}

/** The guarded `dense` call; the output shape is `[N, M]`. */
export function runDense(k: CheckedKernel, x: Data64, w: Data64, b: Data64 | undefined, attrs?: DenseAttributes): Promise<Float64Array> {
  return k.call(
    'dense',
    [
      ['x', x],
      ['w', w],
      ['b', b],
    ],
    attrs,
    [x.shape[0], w.shape[0]],
  );
}

/** Arbitrary dense cases. */
export function denseCases(ctx: GenerationContext, regime: fc.Arbitrary<Regime>): fc.Arbitrary<DenseCase> {
  return fc.record({
    spec: denseProblem({ size: ctx.size, maxElements: ctx.capabilities.maxElements, production: ctx.production, plan: ctx.plan }),
    regime,
    seed: dataSeed(),
  });
}

/** Builds the float64 tensors of a dense case from its seed. */
export function denseTensors(c: DenseCase, headroom = 1, precision: Precision = 'float32'): CaseTensors {
  return tensorsOf(c.spec, c.spec.wShape[0], c.spec.xShape[1], true, c.regime, c.seed, headroom, precision);
}

/** One-line description of a dense case. */
export function describeDenseCase(c: DenseCase, extra = ''): string {
  return `${describeDense(c.spec.xShape, c.spec.wShape, c.spec.hasBias)}${extra} regime=${c.regime}${describeSource(c.spec)}`;
}

/** The trusted dense for a kernel of this precision as an expectation. */
export function referenceDenseExpectation(t: CaseTensors, precision: Precision): Expectation {
  const r = trustedDense(t.x, t.w, t.b, precision);
  return { shape: r.output.shape, values: r.output.data, magnitude: r.magnitude, terms: r.termCount, accumulation: r.accumulation };
}

/**
 * Coverage key of a dense spec along `COVERAGE_DIMENSIONS`: the bias, the reduction length K, the
 * output features M, the batch N and the largest tensor; the conv-only columns are `NOT_APPLICABLE`.
 */
export function coverageOfDense(spec: DenseSpec): CoverageKey {
  const [N, K] = spec.xShape;
  const M = spec.wShape[0];
  const na = NOT_APPLICABLE;
  return [
    'dense',
    na,
    na,
    spec.hasBias ? 'yes' : 'no',
    na,
    na,
    na,
    na,
    lengthBucket(K),
    lengthBucket(M),
    batchBucket(N),
    elementBucket(Math.max(N * K, M * K, N * M)),
  ];
}
