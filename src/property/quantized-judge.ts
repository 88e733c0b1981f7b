/**
 * Judging integer outputs: bit for bit (`ConvInteger`, `MatMulInteger`), or equal to the exact
 * requantized value except for the one alternative the requantization window allows
 * (`QLinearConv`, `QLinearMatMul`; see `numeric/requantize.ts`). No tolerance anywhere else.
 */
import { unravel } from './judge.js';
import { PropertyViolation } from './violation.js';
import { wholeTensor } from '../vocabulary.js';

/** Expected integer outputs: the value, and per element the one other value allowed (NaN: none). */
export interface IntegerExpectation {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
  /** Per element, the other value a correct implementation may give (a tie inside the window), NaN where none; absent: bit-exact. */
  readonly alternatives?: ArrayLike<number>;
}

/**
 * Throws a `mismatch` violation unless every `actual[i]` equals `expected.values[i]` or, where
 * one is given, `expected.alternatives[i]`. `error` is |actual − expected|; `bound` is 1 where an
 * alternative was allowed, 0 elsewhere.
 */
export function judgeIntegers(label: string, actual: ArrayLike<number>, expected: IntegerExpectation): void {
  const alt = expected.alternatives;
  let first = -1;
  let count = 0;
  let allowed = 0;
  const ratios: Array<number | null> = new Array(expected.values.length);
  for (let i = 0; i < expected.values.length; i++) {
    const e = expected.values[i];
    const a = actual[i];
    const window = alt !== undefined && !Number.isNaN(alt[i]);
    if (window) allowed++;
    const ok = a === e || (window && a === alt[i]);
    ratios[i] = ok ? 0 : Number.isFinite(a) ? Math.abs(a - e) : null;
    if (!ok) {
      count++;
      if (first < 0) first = i;
    }
  }
  if (first < 0) return;
  const total = expected.values.length;
  const e = expected.values[first];
  const a = actual[first];
  const inWindow = alt !== undefined && !Number.isNaN(alt[first]);
  const whole = { expected: wholeTensor(expected.shape, expected.values), actual: wholeTensor(expected.shape, actual) };
  const note =
    alt === undefined ? 'bit-exact' : `exact except ±1 at ${allowed} tie${allowed === 1 ? '' : 's'} inside the requantization window`;
  throw new PropertyViolation({
    kind: 'mismatch',
    message: `${label}: ${count} of ${total} output element${total === 1 ? '' : 's'} differ (${note})${inWindow ? `; at the first, ${alt[first]} was also allowed` : ''}`,
    index: unravel(first, expected.shape),
    expected: e,
    actual: a,
    error: Math.abs(a - e),
    bound: inWindow ? 1 : 0,
    errorOverBound: inWindow ? Math.abs(a - e) : Number.POSITIVE_INFINITY,
    heatmap: { shape: [...expected.shape], ratios },
    ...(whole.expected && whole.actual ? { whole: { expected: whole.expected, actual: whole.actual } } : {}),
  });
}
