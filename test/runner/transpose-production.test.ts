/**
 * The production tier's ConvTranspose layers are filtered by the kernel's declared capabilities
 * (src/operators/conv-transpose/problem.ts): a layer outside them is never sent, so the property
 * runs exactly the layers that remain, once each.
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest } from '../../src/contract.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { parseLayerShapes } from '../../src/models/layers.js';
import { verifyKernel } from '../../src/runner/verify.js';

const layers = parseLayerShapes(
  [
    { name: 'plain', op: 'convTranspose', x: [1, 2, 3, 3], w: [2, 2, 2, 2], strides: [2, 2] },
    { name: 'grouped', op: 'convTranspose', x: [1, 4, 3, 3], w: [4, 1, 2, 2], group: 2 },
    { name: 'dilated', op: 'convTranspose', x: [1, 2, 3, 3], w: [2, 2, 2, 2], dilations: [2, 2] },
    { name: 'asymmetric', op: 'convTranspose', x: [1, 2, 4, 4], w: [2, 2, 3, 3], pads: [0, 1, 1, 0] },
    { name: 'strided-dilated', op: 'convTranspose', x: [1, 2, 3, 3], w: [2, 2, 2, 2], strides: [2, 2], dilations: [2, 2] },
    { name: 'one-d', op: 'convTranspose', x: [1, 2, 5], w: [2, 2, 3] },
  ],
  'layers.json',
);
const withCaps = (name: string, caps: object): KernelUnderTest => ({
  ...im2colKernel,
  name,
  capabilities: { ...im2colKernel.capabilities, ...caps },
});
const casesOf = async (k: KernelUnderTest): Promise<number> => {
  const r = await verifyKernel(k, { size: 'production', layers, seed: 1, properties: ['conv-transpose-matches-reference'] });
  expect(r.properties[0].status).toBe('passed');
  return r.properties[0].casesRun;
};

describe('ConvTranspose production layers and capabilities', () => {
  it('all six layers for a kernel that declares everything', async () => {
    expect(await casesOf(withCaps('all', {}))).toBe(6);
  });
  it('2-D only, no group, no dilation, no asymmetric pads: only the plain layer', async () => {
    expect(await casesOf(withCaps('narrow', { spatialRanks: [2], group: false, dilation: false, asymmetricPads: false }))).toBe(1);
  });
  it('dilation but not together with a stride: every layer but strided-dilated', async () => {
    expect(await casesOf(withCaps('no-stride-with-dilation', { strideWithDilation: false }))).toBe(5);
  });
});
