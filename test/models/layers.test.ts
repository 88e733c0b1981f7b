/**
 * `--shapes` validation cases and layer costs that test/models/models.test.ts leaves out
 * (src/models/layers.ts): the network field, null documents, malformed layers, counts, groups,
 * and the flops / largest tensor of each operator by hand.
 */
import { describe, expect, it } from 'vitest';
import { ShapesFileError } from '../../src/errors.js';
import type { ModelLayer } from '../../src/models/layers.js';
import { layerFlops, layerLargestTensor, parseLayerShapes } from '../../src/models/layers.js';

const fails = (doc: unknown): ShapesFileError => {
  try {
    parseLayerShapes(doc, 's.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ShapesFileError);
    return e as ShapesFileError;
  }
  throw new Error('parseLayerShapes accepted the document');
};

describe('--shapes documents rejected', () => {
  it('network not a non-empty string; null; a layer that is not an object; a name not a non-empty string', () => {
    expect(fails({ network: '', layers: [{ op: 'dense', x: [1, 2], w: [1, 2] }] }).message).toMatch(
      /network: must be a non-empty string, got ""/,
    );
    expect(fails({ network: 7, layers: [{ op: 'dense', x: [1, 2], w: [1, 2] }] }).message).toMatch(
      /network: must be a non-empty string, got 7/,
    );
    expect(fails(null).message).toMatch(/expected an object \{"network", "layers": \[\.\.\.\]\} or an array of layers, got null/);
    expect(fails('text').message).toMatch(/or an array of layers, got string/);
    expect(fails([3]).message).toMatch(/#0.*must be an object, got 3/);
    expect(fails([{ name: '', op: 'dense', x: [1, 2], w: [1, 2] }]).message).toMatch(/#0.*name: must be a non-empty string, got ""/);
    expect(fails([{ name: 5, op: 'dense', x: [1, 2], w: [1, 2] }]).message).toMatch(/name: must be a non-empty string, got 5/);
  });
  it('count not an integer >= 1; group not an integer >= 1; dilations, pads and outputPadding below their minimum', () => {
    expect(fails([{ op: 'dense', x: [1, 2], w: [1, 2], count: 0 }]).message).toMatch(/count: must be an integer >= 1, got 0/);
    expect(fails([{ op: 'dense', x: [1, 2], w: [1, 2], count: 1.5 }]).message).toMatch(/count: must be an integer >= 1, got 1.5/);
    expect(fails([{ op: 'conv', x: [1, 2, 4], w: [2, 2, 3], group: '2' }]).message).toMatch(/group: must be an integer >= 1, got "2"/);
    expect(fails([{ op: 'conv', x: [1, 2, 4], w: [2, 2, 3], group: 0 }]).message).toMatch(/group: must be an integer >= 1, got 0/);
    expect(fails([{ op: 'conv', x: [1, 2, 4], w: [2, 2, 3], dilations: [0] }]).message).toMatch(
      /dilations: must be an array of integers >= 1, got \[0\]/,
    );
    expect(fails([{ op: 'conv', x: [1, 2, 4], w: [2, 2, 3], pads: [-1, 0] }]).message).toMatch(/pads: must be an array of integers >= 0/);
    expect(fails([{ op: 'convTranspose', x: [1, 2, 4], w: [2, 2, 3], outputPadding: [-1] }]).message).toMatch(
      /outputPadding: must be an array of integers >= 0/,
    );
    expect(fails([{ op: 'convTranspose', x: [1, 2], w: [2, 2] }]).message).toMatch(/a convTranspose input is \[N, C, D1..Dn\]/);
  });
  it('a dense layer without a bias is checked without one; its network is the file name when the document is a bare array', () => {
    const [fc] = parseLayerShapes([{ op: 'dense', x: [2, 3], w: [4, 3], bias: false }], 's.json');
    expect(fc).toEqual({
      network: 's.json',
      name: 'layer0',
      op: 'dense',
      spec: { xShape: [2, 3], wShape: [4, 3], hasBias: false },
      count: 1,
    });
  });
});

describe('layer costs by hand', () => {
  const [conv, up, fc] = parseLayerShapes(
    {
      network: 'n',
      layers: [
        // conv x=[2,4,5,5] w=[6,2,3,3] group 2 pad 1: out [2,6,5,5], 2·2·6·(2·9)·25 = 10 800
        { name: 'c', op: 'conv', x: [2, 4, 5, 5], w: [6, 2, 3, 3], group: 2, pads: [1, 1, 1, 1], bias: false },
        // convTranspose x=[1,3,4] w=[3,2,3] s=2: out [1,2,9]; 2·1·3·2·3·4 = 144
        { name: 'u', op: 'convTranspose', x: [1, 3, 4], w: [3, 2, 3], strides: [2], dilations: [1] },
        // dense x=[5,7] w=[9,7]: 2·5·9·7 = 630; largest is w (63) over y (45) and x (35)
        { name: 'f', op: 'dense', x: [5, 7], w: [9, 7] },
      ],
    },
    's.json',
  ) as [ModelLayer, ModelLayer, ModelLayer];
  it('flops: conv 2·N·M·(C/g)·∏k·∏O, ConvTranspose 2·N·C·(M/g)·∏k·∏D, dense 2·N·M·K', () => {
    expect(layerFlops(conv)).toBe(10_800);
    expect(layerFlops(up)).toBe(144);
    expect(layerFlops(fc)).toBe(630);
  });
  it('largest tensor: conv y (300) over x (200), ConvTranspose y (18) over w (18) and x (12), dense w (63)', () => {
    expect(layerLargestTensor(conv)).toBe(300);
    expect(layerLargestTensor(up)).toBe(18);
    expect(layerLargestTensor(fc)).toBe(63);
    const [wide] = parseLayerShapes([{ op: 'dense', x: [100, 2], w: [50, 2] }], 's.json');
    expect(layerLargestTensor(wide)).toBe(5000);
  });
});
