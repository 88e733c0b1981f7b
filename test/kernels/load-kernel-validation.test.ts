/**
 * Kernel loading and the worker's side of it, for the cases test/kernels/load-kernel.test.ts and
 * test/runner/worker-handler.test.ts leave out: capabilities that cannot be listed, values described
 * in messages, long error messages, the numeric fields in the
 * ready reply, and thrown things whose getters throw.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import { KernelLoadError } from '../../src/errors.js';
import { describeError, validateKernel } from '../../src/kernels/load-kernel.js';
import { describeThrown, readyReply } from '../../src/runner/worker-handler.js';

const conv = () => ({ shape: [1], data: new Float64Array(1) });
const loadError = (value: unknown): string => {
  try {
    validateKernel(value, 'k.mjs');
  } catch (e) {
    expect(e).toBeInstanceOf(KernelLoadError);
    return (e as Error).message;
  }
  throw new Error('validateKernel accepted the value');
};

describe('validateKernel', () => {
  it('describes a wrong default export: a long string cut at 40 characters, a bigint, a boolean, an array', () => {
    expect(loadError('x'.repeat(50))).toMatch(new RegExp(`default export is '${'x'.repeat(40)}…', expected a KernelUnderTest`));
    expect(loadError(10n)).toMatch(/default export is 10, expected/);
    expect(loadError(true)).toMatch(/default export is true, expected/);
    expect(loadError({ name: 'k', precision: 'float64', conv: [1, 'a', {}, 4, 5, 6] })).toMatch(
      /kernel\.conv must be a function, got an array \[1, a, object, 4, 5, …\]/,
    );
  });
  it('capabilities whose keys cannot be listed are a load error naming what threw', () => {
    const capabilities = new Proxy(
      {},
      {
        ownKeys() {
          throw new RangeError('no keys for you');
        },
      },
    );
    expect(loadError({ name: 'k', precision: 'float64', conv, capabilities })).toMatch(
      /listing kernel\.capabilities threw RangeError: no keys for you/,
    );
  });
});

describe('describeError', () => {
  it("one line; the error name when the message lacks it; cut at 300 characters; esbuild's location line; non-Errors as text", () => {
    expect(describeError(new TypeError('a\n  b'))).toBe('TypeError: a b');
    expect(describeError(new Error('plain'))).toBe('plain');
    const long = describeError(new Error('y'.repeat(400)));
    expect(long).toBe(`${'y'.repeat(300)}…`);
    expect(describeError(new Error('Transform failed with 1 error:\nk.ts:3:5: ERROR: Expected ";"\nmore'))).toBe(
      'k.ts:3:5: ERROR: Expected ";"',
    );
    expect(describeError('just\ntext')).toBe('just text');
  });
});

describe('worker handler', () => {
  it('the ready reply carries accumulation, error model and factor when the kernel declares them, and no capabilities when it has none', () => {
    const k: KernelUnderTest = {
      name: 'mixed',
      precision: 'float16',
      accumulation: 'float32',
      errorModel: 'normwise',
      errorFactor: 3,
      conv: conv as unknown as KernelUnderTest['conv'],
    };
    expect(readyReply(k)).toEqual({
      type: 'ready',
      name: 'mixed',
      precision: 'float16',
      accumulation: 'float32',
      errorModel: 'normwise',
      errorFactor: 3,
      capabilities: undefined,
      operators: ['conv'],
    });
  });
  it('describeThrown survives getters that throw and values that cannot be printed', () => {
    const throwing = {
      get: () => {
        throw new Error('x');
      },
    };
    const hostile = Object.create(Error.prototype, { name: throwing, message: throwing, stack: throwing }) as Error;
    expect(hostile).toBeInstanceOf(Error);
    expect(describeThrown(hostile)).toEqual({ name: 'Error', message: '(message cannot be read)' });
    const unprintable = {
      toString: () => {
        throw new Error('no');
      },
    };
    expect(describeThrown(unprintable)).toEqual({
      name: 'Error',
      message: 'kernel threw a non-Error value: a value that cannot be printed',
    });
    expect(describeThrown(42)).toEqual({ name: 'Error', message: 'kernel threw a non-Error value: 42' });
    const numbered = Object.assign(new Error('n'), { name: 7 });
    expect(describeThrown(numbered).name).toBe('7');
  });
});
