/**
 * The generators: every feature the catalog relies on occurs with real probability in a default
 * run, capabilities are honoured, nothing invalid is generated, and shrinking ends small.
 */
import fc from 'fast-check';
import { completeCapabilities } from '../src/capabilities.js';
import { describe, expect, it } from 'vitest';
import { convProblem } from '../src/operators/conv/problem.js';
import { denseProblem } from '../src/operators/dense/problem.js';
import type { ConvSpec } from '../src/operators/conv/spec.js';
import { problemData, exactRanges } from '../src/arbitraries/data.js';
import { fcEqualsFullExtentConvWith } from '../src/catalog/equivalences.js';
import { geometryOf } from '../src/operators/conv/cases.js';
import { InvalidArgumentError } from '../src/errors.js';
import { fcToConv } from '../src/fc-as-conv/conversions.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';
import { GuardedKernel } from '../src/runner/guarded-call.js';
import { propertyFailure } from '../src/runner/report.js';

const SAMPLES = 2000;
const specs = fc.sample(convProblem(), { numRuns: SAMPLES, seed: 11 });

/** Fraction of generated problems with a feature. */
const share = (f: (s: ConvSpec) => boolean) => specs.filter(f).length / SAMPLES;
const rank = (s: ConvSpec) => s.xShape.length - 2;
const spatialAxes = (s: ConvSpec) => Array.from({ length: rank(s) }, (_, a) => a);

describe('convProblem covers what real bugs need, in a default run', () => {
  const features: Array<[string, (s: ConvSpec) => boolean, number]> = [
    ['rank 1', (s) => rank(s) === 1, 0.15],
    ['rank 2', (s) => rank(s) === 2, 0.15],
    ['rank 3', (s) => rank(s) === 3, 0.1],
    ['N > 1', (s) => s.xShape[0] > 1, 0.3],
    ['asymmetric pads on axis 0', (s) => s.attrs.pads[0] !== s.attrs.pads[rank(s)], 0.3],
    ['asymmetric pads on every axis', (s) => spatialAxes(s).every((a) => s.attrs.pads[a] !== s.attrs.pads[a + rank(s)]), 0.1],
    ['stride > 1 on one axis only', (s) => rank(s) > 1 && s.attrs.strides.filter((v) => v > 1).length === 1, 0.05],
    [
      'stride > kernel extent',
      (s) => spatialAxes(s).some((a) => s.attrs.strides[a] > s.attrs.dilations[a] * (s.wShape[2 + a] - 1) + 1),
      0.1,
    ],
    ['dilation > 1', (s) => s.attrs.dilations.some((d) => d > 1), 0.3],
    ['dilation > 1 with stride > 1', (s) => s.attrs.dilations.some((d) => d > 1) && s.attrs.strides.some((v) => v > 1), 0.2],
    ['group > 1 (not depthwise)', (s) => s.attrs.group > 1 && s.attrs.group < s.xShape[1], 0.1],
    ['depthwise (group = C)', (s) => s.attrs.group > 1 && s.attrs.group === s.xShape[1], 0.1],
    ['depth multiplier > 1', (s) => s.attrs.group > 1 && s.attrs.group === s.xShape[1] && s.wShape[0] > s.attrs.group, 0.05],
    ['bias present', (s) => s.hasBias, 0.3],
    ['bias absent', (s) => !s.hasBias, 0.3],
    ['output size 1 on some axis', (s) => geometryOf(s).outSpatial.some((o) => o === 1), 0.1],
    [
      'kernel larger than the unpadded input',
      (s) => spatialAxes(s).some((a) => s.attrs.dilations[a] * (s.wShape[2 + a] - 1) + 1 > s.xShape[2 + a]),
      0.05,
    ],
    [
      'a window entirely inside padding',
      (s) => spatialAxes(s).some((a) => s.attrs.pads[a] >= s.attrs.dilations[a] * (s.wShape[2 + a] - 1) + 1),
      0.05,
    ],
    ['width >= 64', (s) => s.xShape.slice(2).some((d) => d >= 64), 0.01],
    ['reduction length >= 512', (s) => geometryOf(s).reductionLength >= 512, 0.01],
    ['N >= 8', (s) => s.xShape[0] >= 8, 0.01],
    ['M >= 17 and C >= 33', (s) => s.wShape[0] >= 17 && s.xShape[1] >= 33, 0.01],
  ];
  for (const [name, f, min] of features) {
    it(`${name}: at least ${min * 100}% of problems`, () => {
      expect(share(f)).toBeGreaterThanOrEqual(min);
    });
  }

  it('generates only valid problems (the geometry accepts every one)', () => {
    for (const s of specs) expect(() => geometryOf(s)).not.toThrow();
  });

  it('the small tier stays small', () => {
    const small = fc.sample(convProblem({ size: 'small' }), { numRuns: 300, seed: 3 });
    for (const s of small) expect(Math.max(...s.xShape)).toBeLessThanOrEqual(12);
  });
});

describe('convProblem honours kernel capabilities', () => {
  const sample = (capabilities: Parameters<typeof convProblem>[0]) => fc.sample(convProblem(capabilities), { numRuns: 500, seed: 5 });
  it('spatialRanks', () => {
    for (const s of sample({ capabilities: { spatialRanks: [2] } })) expect(s.xShape.length).toBe(4);
  });
  it('group: false', () => {
    for (const s of sample({ capabilities: { group: false } })) expect(s.attrs.group).toBe(1);
  });
  it('dilation: false', () => {
    for (const s of sample({ capabilities: { dilation: false } })) expect(s.attrs.dilations.every((d) => d === 1)).toBe(true);
  });
  it('strideWithDilation: false', () => {
    const all = sample({ capabilities: { strideWithDilation: false } });
    for (const s of all) expect(s.attrs.strides.every((v) => v === 1) || s.attrs.dilations.every((d) => d === 1)).toBe(true);
    expect(all.some((s) => s.attrs.strides.some((v) => v > 1))).toBe(true);
    expect(all.some((s) => s.attrs.dilations.some((d) => d > 1))).toBe(true);
  });
  it('asymmetricPads: false', () => {
    for (const s of sample({ capabilities: { asymmetricPads: false } })) {
      const r = s.xShape.length - 2;
      expect(s.attrs.pads.slice(0, r)).toEqual(s.attrs.pads.slice(r));
    }
  });
  it('maxElements', () => {
    for (const s of sample({ capabilities: { maxElements: 200 } })) expect(s.xShape.reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(200);
  });
  it('rejects impossible constraints with a typed error', () => {
    expect(() => convProblem({ capabilities: { spatialRanks: [4] } })).toThrowError(InvalidArgumentError);
    expect(() => convProblem({ capabilities: { spatialRanks: [4] } })).toThrowError(/convProblem: no spatial rank/);
    expect(() => denseProblem({ size: 'huge' as never })).toThrowError(/denseProblem: size must be/);
  });
});

describe('data regimes', () => {
  it('exact regime keeps n·max|x|·max|w| + max|b| below 2^24', () => {
    for (const n of [1, 9, 100, 512, 5000, 100_000]) {
      const { xw, bias } = exactRanges(n);
      expect(n * xw * xw + bias).toBeLessThan(2 ** 24);
      expect(xw).toBeGreaterThanOrEqual(1);
    }
  });
  it('float regime values are float32-representable, never tiny × tiny', () => {
    for (let seed = 0; seed < 200; seed++) {
      const d = problemData({ xSize: 50, wSize: 50, bSize: 3, reductionLength: 50, specialWeights: false }, 'float', seed);
      for (const v of [...d.x, ...d.w, ...d.b!]) expect(Math.fround(v)).toBe(v);
      const minNonZero = (a: Float64Array) => Math.min(...[...a].filter((v) => v !== 0).map(Math.abs), Infinity);
      expect(minNonZero(d.x) * minNonZero(d.w)).toBeGreaterThanOrEqual(2 ** -126);
    }
  });
  it('special regime puts NaN/±Infinity into weights only when allowed', () => {
    let inX = 0;
    for (let seed = 0; seed < 200; seed++) {
      const d = problemData({ xSize: 20, wSize: 20, bSize: 2, reductionLength: 20, specialWeights: false }, 'special', seed);
      expect([...d.w, ...d.b!].every(Number.isFinite)).toBe(true);
      if (![...d.x].every(Number.isFinite)) inX++;
    }
    expect(inX).toBe(200);
  });
});

describe('fc-equals-full-extent-conv detects a wrong flatten order', () => {
  it('a conversion that uses the other order fails with a counterexample', async () => {
    const swapped = fcEqualsFullExtentConvWith((w, shape, order) =>
      fcToConv(w, shape, order === 'channels-first' ? 'channels-last' : 'channels-first'),
    );
    const arb = swapped.arbitrary({ capabilities: completeCapabilities(undefined), size: 'default', operators: ['conv', 'dense'] });
    const k = new GuardedKernel(im2colKernel, 5000);
    const details = await fc.check(
      fc.asyncProperty(arb, (c) => swapped.check(k, c)),
      { seed: 1, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    const c = details.counterexample![0] as { channels: number; window: number[]; rank: number };
    // the smallest case where the orders differ: more than one channel and more than one position
    expect(c.channels).toBeGreaterThan(1);
    expect(c.window.slice(0, c.rank).reduce((a, b) => a * b, 1)).toBeGreaterThan(1);
  });
  it('the correct conversion passes on the same cases', async () => {
    const report = await verifyKernel(im2colKernel, { runs: 200, seed: 1, properties: ['fc-equals-full-extent-conv'] });
    expect(report.properties[0].status).toBe('passed');
  });
});

describe('shrinking leads to a small, readable counterexample', () => {
  it('a kernel wrong only for group > 1 with stride > 1 shrinks to a tiny problem', async () => {
    const buggy = {
      ...im2colKernel,
      name: 'bug:grouped-strided',
      conv: async (...args: Parameters<NonNullable<typeof im2colKernel.conv>>) => {
        const y = await im2colKernel.conv!(...args);
        const a = args[3];
        if (a.group > 1 && a.strides.some((s) => s > 1)) y.data[0] += 1;
        return y;
      },
    };
    const report = await verifyKernel(buggy, { runs: 300, seed: 2, properties: ['conv-matches-reference'] });
    const f = propertyFailure(report.properties[0])!;
    expect(f.kind).toBe('mismatch');
    expect(f.index).toEqual(f.index!.map(() => 0));
    // the shrunk problem: x with N = 1 and spatial sizes of at most a few elements
    const x = JSON.parse(f.problem.match(/x=(\[[\d,]+\])/)![1]) as number[];
    expect(x[0]).toBe(1);
    expect(x.slice(2).reduce((a, b) => a * b, 1)).toBeLessThanOrEqual(8);
    expect(f.problem).toMatch(/group=[2-9]/);
  });
});
