/**
 * Kernel hygiene: the result has the ONNX output shape, the same inputs give bit-identical
 * results (catches stale workspace buffers), and inputs are never written to. Every guarded call
 * checks shape and mutation; these properties name the checks and exercise them on their own.
 */
import fc from 'fast-check';
import { formatShape } from '../tensor.js';
import { KernelFault } from '../runner/guarded-call.js';
import {
  convAsGiven,
  convCases,
  convTensors,
  coverageOf,
  defineProperty,
  denseCases,
  denseTensors,
  describeConvCase,
  describeDenseCase,
  geometryOf,
  regimes,
  unravel,
} from './property.js';

/** Output shape is [N, M, floor((D + pb + pe − eff)/s) + 1, …]. */
export const outputShape = defineProperty({
  id: 'output-shape',
  statement: 'conv returns shape [N, M, O1..On] with O = floor((D + pad_begin + pad_end − (d·(k−1)+1)) / s) + 1, and dense returns [N, M]',
  needs: ['conv'],
  arbitrary: (ctx) => convCases(ctx, fc.constant('exact' as const), {}),
  async check(k, c) {
    // the guarded call raises wrong-shape / wrong-type with both shapes in the message
    await convAsGiven(k, c);
  },
  describe: (c) => describeConvCase(c),
  coverage: (c) => coverageOf(c.spec),
});

function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Two calls with equal inputs are bit-identical. */
export const deterministic = defineProperty({
  id: 'deterministic',
  statement: 'the same inputs twice (in fresh buffers) give bit-identical results, for conv and dense',
  needs: ['conv'],
  arbitrary: (ctx) =>
    fc.oneof(
      convCases(ctx, regimes(ctx, true)).map((c) => ({ op: 'conv' as const, c })),
      denseCases(ctx, regimes(ctx, true)).map((c) => ({ op: 'dense' as const, c })),
    ),
  async check(k, v) {
    let first: Float64Array;
    let second: Float64Array;
    let shape: readonly number[];
    if (v.op === 'conv') {
      const t = convTensors(v.c);
      shape = geometryOf(v.c.spec).outputShape;
      first = await k.conv(t.x, t.w, t.b, v.c.spec.attrs, shape);
      // a different problem in between, to flush any state a kernel keeps between calls
      const other = convTensors({ ...v.c, seed: (v.c.seed + 1) % 0x7fffffff });
      await k.conv(other.x, other.w, other.b, v.c.spec.attrs, shape);
      second = await k.conv(t.x, t.w, t.b, v.c.spec.attrs, shape);
    } else {
      if (!k.kernel.dense) return;
      const t = denseTensors(v.c);
      shape = [v.c.spec.xShape[0], v.c.spec.wShape[0]];
      first = await k.dense(t.x, t.w, t.b);
      const other = denseTensors({ ...v.c, seed: (v.c.seed + 1) % 0x7fffffff });
      await k.dense(other.x, other.w, other.b);
      second = await k.dense(t.x, t.w, t.b);
    }
    const at = firstDifference(first, second);
    if (at >= 0) {
      throw new KernelFault(
        'nondeterministic',
        `${v.op}() gave ${first[at]} then ${second[at]} at index ${formatShape(unravel(at, shape))} for the same inputs`,
      );
    }
  },
  describe: (v) => (v.op === 'conv' ? `conv ${describeConvCase(v.c)}` : `dense ${describeDenseCase(v.c)}`),
  coverage: (v) => (v.op === 'conv' ? coverageOf(v.c.spec) : undefined),
});

/** x, w and b are left as they were. */
export const inputsNotMutated = defineProperty({
  id: 'inputs-not-mutated',
  statement: 'conv and dense never write into x, w or b',
  needs: ['conv'],
  arbitrary: (ctx) =>
    fc.oneof(
      convCases(ctx, regimes(ctx, false)).map((c) => ({ op: 'conv' as const, c })),
      denseCases(ctx, regimes(ctx, false)).map((c) => ({ op: 'dense' as const, c })),
    ),
  async check(k, v) {
    // the guarded call compares every input bit for bit after the call (kind mutated-input)
    if (v.op === 'conv') {
      await convAsGiven(k, v.c);
    } else if (k.kernel.dense) {
      const t = denseTensors(v.c);
      await k.dense(t.x, t.w, t.b);
    }
  },
  describe: (v) => (v.op === 'conv' ? `conv ${describeConvCase(v.c)}` : `dense ${describeDenseCase(v.c)}`),
  coverage: (v) => (v.op === 'conv' ? coverageOf(v.c.spec) : undefined),
});
