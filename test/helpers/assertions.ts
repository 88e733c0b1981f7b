/** Assertions shared by the example tests: exact tensor equality and typed-error checks. */
import { expect } from 'vitest';
import type { Tensor } from '../../src/contract.js';
import { ConvcheckError, type EmptyOutputError, type InvalidArgumentError } from '../../src/errors.js';
import { stridesOf } from '../../src/tensor.js';

/** What an expected tensor may be given as: a tensor, or a shape with literal data. */
export interface ExpectedTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Multi-index of flat index `i` in `shape`, for failure messages: `[0,1,2,0]`. */
function indexOf(i: number, shape: readonly number[]): string {
  const strides = stridesOf(shape);
  return `[${strides.map((s, a) => Math.floor(i / s) % shape[a]).join(',')}]`;
}

/**
 * Exact equality of shape and values (NaN equals NaN; +0 equals −0, as `===` says). On a mismatch
 * the message names the first differing multi-index, the expected and the actual value.
 */
export function expectTensorEqual(actual: Tensor, expected: ExpectedTensor, label = ''): void {
  const prefix = label ? `${label}: ` : '';
  expect([...actual.shape], `${prefix}shape`).toEqual([...expected.shape]);
  expect(actual.data.length, `${prefix}data length`).toBe(expected.data.length);
  const mismatches: string[] = [];
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const e = expected.data[i];
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e)))) {
      mismatches.push(`at ${indexOf(i, expected.shape)} (flat ${i}): expected ${e}, actual ${a}`);
    }
  }
  expect(mismatches, `${prefix}${mismatches.length} mismatching element(s); actual ${JSON.stringify(Array.from(actual.data))}`).toEqual([]);
}

/** The classes a rejection of bad input may have. */
export type ArgumentErrorClass = typeof InvalidArgumentError | typeof EmptyOutputError;

/** What a rejection must look like. `message` is the whole message (string) or a pattern for it. */
export interface RejectionSpec {
  /** The error class; `EmptyOutputError` is checked as itself, not merely as an `InvalidArgumentError`. */
  readonly type: ArgumentErrorClass;
  readonly code: 'ERR_INVALID_ARGUMENT' | 'ERR_EMPTY_OUTPUT';
  readonly fn: string;
  readonly argument: string;
  readonly message: string | RegExp;
  /** When given, the offending value the error keeps (compared with `toEqual`). */
  readonly value?: unknown;
}

/** Runs `call` (sync or async) and returns what it threw or rejected with; fails the test if it did not. */
export async function caught(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  expect.fail('expected the call to throw, but it returned');
}

/** Asserts that `call` throws (or rejects with) an error matching `spec` in class, code, fn, argument and message. */
export async function expectRejection(call: () => unknown, spec: RejectionSpec): Promise<void> {
  const e = await caught(call);
  expect(e).toBeInstanceOf(ConvcheckError);
  expect((e as Error).constructor, `error class of: ${String(e)}`).toBe(spec.type);
  const err = e as InvalidArgumentError;
  expect(err.name).toBe(spec.type.name);
  expect({ code: err.code, fn: err.fn, argument: err.argument }).toEqual({ code: spec.code, fn: spec.fn, argument: spec.argument });
  if (typeof spec.message === 'string') expect(err.message).toBe(spec.message);
  else expect(err.message).toMatch(spec.message);
  // Every message starts with the function that rejected the input.
  expect(err.message.startsWith(`${spec.fn}: `), err.message).toBe(true);
  if ('value' in spec) expect(err.value).toEqual(spec.value);
}
