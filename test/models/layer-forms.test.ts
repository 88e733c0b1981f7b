/**
 * Layers are each operator's own (`operators/<op>/layer.ts`, the `layer` field of its definition):
 * `models/layers.ts` reads and costs them through the table. Every production layer written as a
 * `--shapes` entry parses back to itself, its cost is its operator's, and the messages name the
 * operators of the table.
 */
import { describe, expect, it } from 'vitest';
import { ShapesFileError } from '../../src/errors.js';
import { layerFlops, layerLargestTensor, parseLayerShapes } from '../../src/models/layers.js';
import type { ModelLayer } from '../../src/models/layers.js';
import { PRODUCTION_LAYERS } from '../../src/models/networks.js';
import { operatorByName, operators } from '../../src/operators/index.js';

/** A layer as a user writes it in a `--shapes` file: the attributes are the file's fields by the same names. */
function asFileEntry(l: ModelLayer): Record<string, unknown> {
  const { xShape, wShape, hasBias, ...rest } = l.spec as { xShape: number[]; wShape: number[]; hasBias: boolean; attrs?: object };
  return {
    name: l.name,
    op: l.op,
    x: xShape,
    w: wShape,
    ...(rest.attrs ?? {}),
    bias: hasBias,
    count: l.count,
    ...(l.flattens !== undefined ? { flattens: l.flattens } : {}),
  };
}

const fails = (layer: Record<string, unknown>): string => {
  try {
    parseLayerShapes([layer], 's.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ShapesFileError);
    return (e as Error).message;
  }
  throw new Error('parseLayerShapes accepted the layer');
};

describe('layer forms: one per operator with layers, read through the table', () => {
  const withLayers = operators.filter((o) => o.layer !== undefined).map((o) => o.name);

  it('conv, convTranspose and dense have layers; the quantized operators run the float layers', () => {
    expect(withLayers).toEqual(['conv', 'convTranspose', 'dense']);
  });

  it('every production layer of every network, written as a --shapes entry, parses back to itself', () => {
    const networks = new Set(PRODUCTION_LAYERS.map((l) => l.network));
    for (const network of networks) {
      const layers = PRODUCTION_LAYERS.filter((l) => l.network === network);
      expect(parseLayerShapes({ network, layers: layers.map(asFileEntry) }, 'n.json')).toEqual(layers);
    }
    expect(new Set(PRODUCTION_LAYERS.map((l) => l.op))).toEqual(new Set(withLayers));
  });

  it("a layer's cost is its operator's", () => {
    for (const l of PRODUCTION_LAYERS) {
      const form = operatorByName(l.op)!.layer!;
      expect(layerFlops(l)).toBe(form.flops(l.spec));
      expect(layerLargestTensor(l)).toBe(form.largestTensor(l.spec));
      expect(layerFlops(l)).toBeGreaterThan(0);
    }
  });

  it('messages name the operators and the owner of a field another operator reads', () => {
    expect(fails({ op: 'qlinearConv', x: [1, 2, 3], w: [1, 2, 3] })).toMatch(
      /op: must be "conv", "convTranspose" or "dense", got "qlinearConv"/,
    );
    expect(fails({ op: 'dense', x: [1, 8], w: [3, 8], outputPadding: [0] })).toMatch(
      /outputPadding: is a ConvTranspose attribute; a dense layer has none/,
    );
    expect(fails({ op: 'convTranspose', x: [1, 2, 3], w: [2, 1, 3], flattens: [2, 3] })).toMatch(
      /flattens: is a dense attribute; a convTranspose layer has none/,
    );
    expect(fails({ op: 'dense', x: [1, 8], w: [3, 8], group: 1 })).toMatch(/group: is a conv attribute; a dense layer has none/);
  });

  it('a layer whose op has no layers is a typed error when costed', () => {
    const bogus = { ...PRODUCTION_LAYERS[0], op: 'pool' } as unknown as ModelLayer;
    expect(() => layerFlops(bogus)).toThrow(
      /layerFlops: layer .* has op "pool", which has no layers \("conv", "convTranspose" or "dense"\)/,
    );
  });
});
