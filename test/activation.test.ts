/** Fused activations: values, validation (typed errors naming the value), and the bound carried through φ. */
import { describe, expect, it } from 'vitest';
import { activationIsExact, applyActivation, checkActivation } from '../src/activation.js';
import { activationBound } from '../src/bound/activation-bound.js';
import type { Activation } from '../src/activation.js';
import { InvalidArgumentError } from '../src/errors.js';
import { im2colKernel, im2colKernel64 } from '../src/kernels/im2col.js';
import { validateKernel } from '../src/kernels/load-kernel.js';
import { referenceKernel } from '../src/kernels/reference.js';
import { referenceDense } from '../src/operators/dense/reference.js';
import { referenceConv } from '../src/operators/conv/reference.js';
import { tensor } from '../src/tensor.js';

const plain1 = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };

describe('applyActivation', () => {
  const cases: Array<[Activation, number, number]> = [
    [{ kind: 'relu' }, -3, 0],
    [{ kind: 'relu' }, 2.5, 2.5],
    [{ kind: 'relu6' }, 7, 6],
    [{ kind: 'relu6' }, -1, 0],
    [{ kind: 'relu6' }, 3, 3],
    [{ kind: 'clip', min: -1, max: 2 }, -5, -1],
    [{ kind: 'clip', min: -1, max: 2 }, 5, 2],
    [{ kind: 'clip', min: 1, max: 1 }, 0, 1],
    [{ kind: 'leakyRelu', alpha: 0.25 }, -8, -2],
    [{ kind: 'leakyRelu', alpha: 0.25 }, 8, 8],
    [{ kind: 'sigmoid' }, 0, 0.5],
    [{ kind: 'tanh' }, 0, 0],
  ];
  it.each(cases)('%o(%d) = %d', (a, v, y) => expect(applyActivation(a, v)).toBe(y));
  it('keeps NaN for every kind', () => {
    for (const [a] of cases) expect(applyActivation(a, Number.NaN)).toBeNaN();
  });
});

describe('invalid activations are typed errors naming the value', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['clip min > max', { kind: 'clip', min: 3, max: 1 }, /clip min \(3\) must be <= max \(1\)/],
    ['clip NaN bound', { kind: 'clip', min: Number.NaN, max: 1 }, /clip min and max must be numbers \(not NaN\), got min NaN/],
    ['leakyRelu NaN alpha', { kind: 'leakyRelu', alpha: Number.NaN }, /leakyRelu alpha must be a finite number, got NaN/],
    ['unknown kind', { kind: 'gelu' }, /activation must be one of .*got \{"kind":"gelu"\}/],
  ];
  for (const [what, a, message] of bad) {
    it(`${what}: checkActivation, referenceConv, im2col conv and im2col dense reject it`, () => {
      const run = [
        () => checkActivation('f', a),
        () => referenceConv(tensor([1, 1, 2], [1, 2]), tensor([1, 1, 1], [1]), undefined, { ...plain1, activation: a as Activation }),
        () =>
          im2colKernel.conv!(tensor([1, 1, 2], [1, 2], 'float32'), tensor([1, 1, 1], [1], 'float32'), undefined, {
            ...plain1,
            activation: a as Activation,
          }),
        () => im2colKernel64.dense!(tensor([1, 2], [1, 2]), tensor([1, 2], [1, 1]), undefined, { activation: a as Activation }),
        () => referenceDense(tensor([1, 2], [1, 2]), tensor([1, 2], [1, 1]), undefined, { activation: a as Activation }),
      ];
      for (const f of run) {
        let error: unknown;
        try {
          f();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).argument).toBe('activation');
        expect((error as InvalidArgumentError).value).toBe(a);
        expect((error as Error).message).toMatch(message);
      }
    });
  }
  it('clip with min = max and infinite bounds is valid', () => {
    expect(() => checkActivation('f', { kind: 'clip', min: 2, max: 2 })).not.toThrow();
    expect(() => checkActivation('f', { kind: 'clip', min: Number.NEGATIVE_INFINITY, max: 6 })).not.toThrow();
  });
  it('the loader rejects unknown kinds in capabilities.activations', () => {
    const k = { name: 'k', precision: 'float32', capabilities: { activations: ['relu', 'swish'] }, conv: () => undefined };
    expect(() => validateKernel(k, 'k.js')).toThrow(
      /kernel\.capabilities\.activations must be an array of activation kinds from \{relu, relu6, clip, leakyRelu, sigmoid, tanh\}/,
    );
  });
});

describe('activationBound carries the pre-activation bound through φ', () => {
  const u = 2 ** -24;
  it('relu, relu6, clip: the bound itself (1-Lipschitz, evaluated exactly)', () => {
    for (const a of [{ kind: 'relu' }, { kind: 'relu6' }, { kind: 'clip', min: 0, max: 1 }] as Activation[])
      expect(activationBound(a, 1e-6, 3, 'float32')).toBe(1e-6);
  });
  it('leakyRelu: max(1, |α|) times the bound plus one rounding of α·ŷ', () => {
    expect(activationBound({ kind: 'leakyRelu', alpha: 3 }, 1e-6, -6, 'float32')).toBeCloseTo(3e-6 * (1 + u) + 6 * u, 20);
    expect(activationBound({ kind: 'leakyRelu', alpha: 0.1 }, 1e-6, -0.2, 'float32')).toBeCloseTo(1e-6 * (1 + u) + 0.2 * u, 20);
  });
  it('sigmoid: a quarter of the bound plus 16 ulps; tanh: the bound plus 16 ulps', () => {
    expect(activationBound({ kind: 'sigmoid' }, 4e-6, 0.5, 'float32')).toBe(1e-6 + 16 * u);
    expect(activationBound({ kind: 'tanh' }, 4e-6, 0.5, 'float32')).toBe(4e-6 + 16 * u);
  });
  it('which activations keep exact data exact', () => {
    expect(activationIsExact({ kind: 'leakyRelu', alpha: 0.125 })).toBe(true);
    expect(activationIsExact({ kind: 'leakyRelu', alpha: 0.1 })).toBe(false);
    expect(activationIsExact({ kind: 'sigmoid' })).toBe(false);
    expect(activationIsExact({ kind: 'clip', min: -1, max: 1 })).toBe(true);
  });
});

describe('f(x) = ReLU(Wx + b) fused, W = [[0,1,1],[2,3,5]], b = [8,13]', () => {
  const x = [1, 2, 3, 0, 0, 0, -1, -2, -3, 0, -5, -5, 1, -4, 0, 2, -5, -1];
  const activated = [13, 36, 8, 13, 3, 0, 0, 0, 4, 3, 2, 0];
  for (const k of [referenceKernel, im2colKernel, im2colKernel64]) {
    it(`${k.name}: dense and the full-extent conv x=[6,1,3] w=[2,1,3] with a fused relu`, async () => {
      const p = k.precision;
      const d = await k.dense!(tensor([6, 3], x, p), tensor([2, 3], [0, 1, 1, 2, 3, 5], p), tensor([2], [8, 13], p), {
        activation: { kind: 'relu' },
      });
      expect(Array.from(d.data)).toEqual(activated);
      const c = await k.conv!(tensor([6, 1, 3], x, p), tensor([2, 1, 3], [0, 1, 1, 2, 3, 5], p), tensor([2], [8, 13], p), {
        ...plain1,
        activation: { kind: 'relu' },
      });
      expect(c.shape).toEqual([6, 2, 1]);
      expect(Array.from(c.data)).toEqual(activated);
    });
  }
});
