import { afterEach, describe, expect, it } from 'vitest';
import { problemData, useWasmFills } from '../../src/arbitraries/data.js';
import { wasmFillAvailable } from '../../src/arbitraries/wasm-fill.js';
import type { Precision } from '../../src/contract.js';

afterEach(() => useWasmFills(true));

/** The first index where a and b differ (Object.is: NaN equal, −0 ≠ 0), or -1. */
function firstDifference(a: Float64Array | undefined, b: Float64Array | undefined): number {
  if (a === undefined || b === undefined) return a === b ? -1 : 0;
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('WebAssembly bulk fills', () => {
  it('are available in Node (so the comparison below compares two implementations)', () => {
    expect(wasmFillAvailable()).toBe(true);
  });

  // sizes on both sides of the 8,192-value chunk and of the 4,096-value threshold
  const layout = { xSize: 20_001, wSize: 8_192 * 2 + 5, bSize: 4_097, reductionLength: 300, specialWeights: true };
  const cases: Array<[string, Precision, number]> = [];
  for (const regime of ['exact', 'float', 'special'])
    for (const precision of ['float32', 'float64', 'float16'] as const)
      for (const headroom of [1, 3]) cases.push([regime, precision, headroom]);

  it.each(cases)('draw the same bits as the JavaScript loops: %s regime, %s, headroom %d, 24 seeds', (regime, precision, headroom) => {
    for (let seed = 0; seed < 24; seed++) {
      const options = { precision, headroom };
      useWasmFills(false);
      const js = problemData(layout, regime as 'exact', seed * 7919, options);
      useWasmFills(true);
      const wasm = problemData(layout, regime as 'exact', seed * 7919, options);
      expect({ seed, x: firstDifference(js.x, wasm.x), w: firstDifference(js.w, wasm.w), b: firstDifference(js.b, wasm.b) }).toEqual({
        seed,
        x: -1,
        w: -1,
        b: -1,
      });
    }
  });

  it('leave the generator where the JavaScript loops leave it (the bias, drawn after, agrees)', () => {
    // a float case whose bias (4,097 values, drawn after x and w) would differ if the state were off by one draw
    useWasmFills(false);
    const js = problemData(layout, 'float', 5);
    useWasmFills(true);
    const wasm = problemData(layout, 'float', 5);
    expect(js.b![0]).not.toBe(0);
    expect(firstDifference(js.b, wasm.b)).toBe(-1);
  });
});
