/** The display helpers and the production plan's bookkeeping in src/vocabulary.ts. */
import { describe, expect, it } from 'vitest';
import { formatElements, formatFlops, type LayerShape, type ProductionPlan, withinPlan } from '../src/vocabulary.js';

describe('formatFlops / formatElements', () => {
  it('GFLOP from 1e9, MFLOP from 1e6, plain FLOP below; one decimal, no trailing .0', () => {
    expect(formatFlops(22.2e9)).toBe('22.2 GFLOP');
    expect(formatFlops(1e9)).toBe('1 GFLOP');
    expect(formatFlops(999_999_999)).toBe('1000 MFLOP');
    expect(formatFlops(3.54e6)).toBe('3.5 MFLOP');
    expect(formatFlops(1e6)).toBe('1 MFLOP');
    expect(formatFlops(999_999)).toBe('999999 FLOP');
    expect(formatElements(33.6e6)).toBe('33.6 M');
    expect(formatElements(4096)).toBe('4096');
  });
});

describe('withinPlan', () => {
  // withinPlan reads only the network and layer names
  const layer = { network: 'ResNet-50', name: 'conv1', op: 'conv', spec: {}, count: 1 } as unknown as LayerShape;
  it('a layer over maxFlops is left out once, however often it is asked about', () => {
    const plan: ProductionPlan = { layers: [layer], cycleLengths: [], maxFlops: 1e6, leftOut: [] };
    expect(withinPlan(plan, layer, 1e6, 10)).toBe(true);
    expect(withinPlan(plan, layer, 2.5e6, 10)).toBe(false);
    expect(withinPlan(plan, layer, 2.5e6, 10)).toBe(false);
    expect(plan.leftOut).toEqual(['ResNet-50 conv1 (2.5 MFLOP, 10 elements)']);
  });
  it('a layer over maxElements is left out; without a leftOut list nothing is recorded', () => {
    const plan: ProductionPlan = { layers: [layer], cycleLengths: [], maxElements: 100 };
    expect(withinPlan(plan, layer, 10, 101)).toBe(false);
    expect(withinPlan(plan, layer, 10, 100)).toBe(true);
    expect(plan.leftOut).toBeUndefined();
  });
});
