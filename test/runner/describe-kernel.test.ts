/**
 * `describeKernel` registers one vitest test per property: here for a conv-only kernel, so the
 * dense property is registered as skipped; and `formatFailure`, the assertion message of a failure.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import { im2colKernel64 } from '../../src/kernels/im2col.js';
import { describeKernel, formatFailure } from '../../src/runner/describe-kernel.js';

const convOnly: KernelUnderTest = {
  name: 'conv-only-im2col64',
  precision: 'float64',
  conv: (x, w, b, a) => im2colKernel64.conv!(x, w, b, a),
};

// Registers "convcheck: conv-only-im2col64" with output-shape (run) and dense-matches-reference (skipped: no dense).
describeKernel(convOnly, {
  runs: 3,
  seed: 9,
  size: 'small',
  properties: ['output-shape', 'dense-matches-reference'],
  testTimeoutMs: 30_000,
});

describe('formatFailure', () => {
  it('formats a mismatch with its index, values and replay command', () => {
    const text = formatFailure('conv-matches-reference', {
      kind: 'mismatch',
      problem: 'x [1,1,3] w [1,1,2]',
      message: 'differs',
      index: [0, 0, 1],
      expected: 5,
      actual: 6,
      error: 1,
      bound: 1e-6,
      errorOverBound: 1e6,
      seed: 42,
      path: '3:1',
      replayCommand: 'npx convcheck replay f.json',
    });
    expect(text.split('\n')).toEqual([
      'conv-matches-reference failed (mismatch): differs',
      '  problem: x [1,1,3] w [1,1,2]',
      '  first mismatch at [0,0,1]: expected 5, actual 6, error 1, bound 0.000001, error/bound 1000000',
      '  seed 42, path 3:1',
      '  replay: npx convcheck replay f.json',
    ]);
  });

  it('leaves out the mismatch and replay lines when absent, and shows a missing path as -', () => {
    expect(formatFailure('p', { kind: 'threw', problem: 'P', message: 'boom', seed: 1 })).toBe(
      'p failed (threw): boom\n  problem: P\n  seed 1, path -',
    );
  });
});
