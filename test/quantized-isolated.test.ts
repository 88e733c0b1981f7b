/**
 * A quantized kernel module in its own process: typed integer tensors cross the process boundary
 * both ways, and the guard still sees an input the kernel wrote into (here its uint8 / int8 zero
 * point) — with a shrunk counterexample naming the element.
 */
import { describe, expect, it } from 'vitest';
import { createIsolatedKernel } from '../src/runner/isolated-kernel.js';
import { verifyKernel } from '../src/runner/verify.js';
import { propertyFailure } from '../src/runner/report.js';

describe('quantized kernel in its own process', () => {
  it('matMulInteger writing into a_zero_point fails with mutated-input, across the process boundary', { timeout: 120_000 }, async () => {
    const k = await createIsolatedKernel('test/fixtures/kernels/quantized-writes-zero-point.mjs', { timeoutMs: 5000 });
    try {
      const report = await verifyKernel(k, { runs: 40, seed: 11, properties: ['matmul-integer-matches-reference', 'inputs-not-mutated'] });
      const byId = Object.fromEntries(report.properties.map((p) => [p.id, p]));
      // every guarded call checks its inputs after the call, so both properties see the write
      for (const id of ['matmul-integer-matches-reference', 'inputs-not-mutated']) {
        const f = byId[id];
        expect(f.status, id).toBe('failed');
        expect(propertyFailure(f)?.kind).toBe('mutated-input');
        expect(propertyFailure(f)?.message).toMatch(/wrote into its input aZeroPoint \(element 0 changed from -?\d+ to 0\)/);
        expect(propertyFailure(f)?.problem).toMatch(/a=\[\d+,\d+\] b=/);
      }
    } finally {
      await k.close();
    }
  });
});
