/**
 * The production tier's note for a multi-call property when only the element cap applies (the
 * FLOP cap lifted, as `--every-layer` lifts both): the sentence names the element limit alone.
 */
import { describe, expect, it } from 'vitest';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { parseLayerShapes } from '../../src/models/layers.js';
import { verifyKernel } from '../../src/runner/verify.js';

describe('productionRelationElements alone', () => {
  it('x=[1,2,12,12] (288 elements) is left out of linearity-in-x above 100 elements, x=[1,2,4,4] runs; no FLOP limit is named', async () => {
    const layers = parseLayerShapes(
      {
        network: 'caps',
        layers: [
          { name: 'big', op: 'conv', x: [1, 2, 12, 12], w: [2, 2, 3, 3] },
          { name: 'small', op: 'conv', x: [1, 2, 4, 4], w: [2, 2, 3, 3] },
        ],
      },
      'caps.json',
    );
    const report = await verifyKernel(im2colKernel, {
      size: 'production',
      layers,
      seed: 1,
      properties: ['linearity-in-x'],
      productionRelationFlops: Number.POSITIVE_INFINITY,
      productionRelationElements: 100,
    });
    const [lin] = report.properties;
    expect(lin.status).toBe('passed');
    expect(lin.casesRun).toBe(1);
    expect(lin.notes).toEqual([expect.stringMatching(/^left out 1 layer above 100 elements in a tensor — caps big \(/)]);
    expect(lin.notes?.[0]).not.toMatch(/FLOP or/);
  });
});
