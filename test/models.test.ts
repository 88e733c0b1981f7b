/**
 * The production tier's layer tables (exact geometries of real networks) and the `--shapes`
 * file format: every built-in layer is a valid problem with the output size the network has, and
 * a malformed file is a typed error naming the file, the layer and the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cycle } from '../src/arbitraries/cycle.js';
import { ShapesFileError } from '../src/errors.js';
import type { ModelLayer } from '../src/models/layers.js';
import { layerFlops, parseLayerShapes } from '../src/models/layers.js';
import { PRODUCTION_LAYERS, PRODUCTION_NETWORKS } from '../src/models/networks.js';
import { convGeometryOfShapes } from '../src/operators/conv/geometry.js';
import { convProblem } from '../src/operators/conv/problem.js';
import type { ConvSpec } from '../src/operators/conv/problem.js';
import { denseProblem } from '../src/operators/dense/problem.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';

const layer = (network: string, name: string): ModelLayer => {
  const l = PRODUCTION_LAYERS.find((x) => x.network.startsWith(network) && x.name === name);
  if (!l) throw new Error(`no layer ${network} ${name}`);
  return l;
};
const outOf = (l: ModelLayer) => (l.op === 'conv' ? convGeometryOfShapes(l.spec.xShape, l.spec.wShape, undefined, l.spec.attrs).outputShape : [l.spec.xShape[0], l.spec.wShape[0]]);

describe('the built-in networks', () => {
  it('lists the seven networks; every layer is a valid problem', () => {
    expect(PRODUCTION_NETWORKS).toEqual(['LeNet-5', 'VGG-16', 'ResNet-50', 'MobileNet-v2', 'DeepLab-v3 (MobileNet-v2, OS 8)', 'M5 (raw-waveform audio, 1-D)', 'C3D (video, 3-D)']);
    for (const l of PRODUCTION_LAYERS) expect(() => outOf(l), `${l.network} ${l.name}`).not.toThrow();
  });
  it('LeNet-5 C5 and VGG-16 fc6 are full-extent convs (output 1×1), fc7/fc8 1×1 convs', () => {
    expect(outOf(layer('LeNet-5', 'C5 (full-extent conv)'))).toEqual([1, 120, 1, 1]);
    expect(outOf(layer('VGG-16', 'fc6 as 7×7 conv'))).toEqual([1, 4096, 1, 1]);
    expect(layer('VGG-16', 'fc6').spec.xShape).toEqual([1, 512 * 7 * 7]);
    expect(outOf(layer('VGG-16', 'fc8 as 1×1 conv'))).toEqual([1, 1000, 1, 1]);
  });
  it('the sizes each network has: ResNet-50 stem 112×112, stage outputs 56/28/14/7, MobileNet-v2 ends at 7×7', () => {
    expect(outOf(layer('ResNet-50', 'conv1 7×7/2'))).toEqual([1, 64, 112, 112]);
    expect(outOf(layer('ResNet-50', 'layer2 3×3/2 128'))).toEqual([1, 128, 28, 28]);
    expect(outOf(layer('ResNet-50', 'layer4 downsample 1×1/2 1024→2048'))).toEqual([1, 2048, 7, 7]);
    const mobilenet = PRODUCTION_LAYERS.filter((l) => l.network === 'MobileNet-v2');
    expect(outOf(mobilenet.at(-2)!)).toEqual([1, 1280, 7, 7]);
    // the TF SAME variant of a stride-2 depthwise conv has the same output size, padded 0 before and 1 after
    const sym = layer('MobileNet-v2', 'stage2 depthwise 3×3/2 96');
    const tf = layer('MobileNet-v2', 'stage2 depthwise 3×3/2 96 (TF SAME: pads 0 before, 1 after)');
    expect(outOf(tf)).toEqual(outOf(sym));
    expect(tf.op === 'conv' && tf.spec.attrs.pads).toEqual([0, 0, 1, 1]);
    // depthwise: group = C, one input channel per group
    expect(sym.op === 'conv' && sym.spec.attrs.group).toBe(96);
  });
  it('DeepLab-v3 has the 65×65×960 depthwise conv with dilation 4; M5 is 1-D, C3D 3-D', () => {
    const d = layer('DeepLab', 'stage6 depthwise 3×3 960, dilation 4');
    expect(d.op === 'conv' && d.spec.attrs.dilations).toEqual([4, 4]);
    expect(outOf(d)).toEqual([1, 960, 65, 65]);
    expect(outOf(layer('M5', 'conv1 k80/4'))).toEqual([1, 128, 7981]);
    expect(outOf(layer('C3D', 'conv2a'))).toEqual([1, 128, 16, 56, 56]);
    expect(layerFlops(layer('C3D', 'conv2a'))).toBeGreaterThan(2e10);
  });
});

describe('the production tier runs each layer once per property', () => {
  it('cycle yields its items in order, again and again', () => {
    expect(fc.sample(cycle([1, 2, 3]), { numRuns: 7, seed: 1 })).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });
  it('convProblem / denseProblem cycle the plan\'s layers and record how many; constraints and caps filter them', () => {
    const plan = { layers: PRODUCTION_LAYERS, cycleLengths: [] as number[] };
    const convs = PRODUCTION_LAYERS.filter((l) => l.op === 'conv');
    expect(fc.sample(convProblem({ size: 'production', production: plan }), { numRuns: convs.length, seed: 2 })).toEqual(convs.map((l) => l.spec));
    const dense = fc.sample(denseProblem({ size: 'production', production: plan }), { numRuns: 3, seed: 2 });
    expect(dense[0]).toEqual(PRODUCTION_LAYERS.find((l) => l.op === 'dense')!.spec);
    expect(plan.cycleLengths).toEqual([convs.length, PRODUCTION_LAYERS.filter((l) => l.op === 'dense').length]);
    const dilated: number[] = [];
    fc.sample(convProblem({ size: 'production', production: { layers: PRODUCTION_LAYERS, cycleLengths: dilated }, exercises: 'dilation' }), 1);
    expect(dilated).toEqual([2]);
    const capped: number[] = [];
    const specs = fc.sample(convProblem({ size: 'production', production: { layers: PRODUCTION_LAYERS, cycleLengths: capped, maxFlops: 1e9 }, capabilities: { spatialRanks: [2] } }), 200) as ConvSpec[];
    expect(specs.every((s) => s.xShape.length === 4)).toBe(true);
    expect(capped[0]).toBeLessThan(convs.length);
  });
  it('a run over a user\'s layers: each property runs each layer it fits once; a property no layer fits is skipped', async () => {
    const layers = parseLayerShapes(
      {
        network: 'tiny',
        layers: [
          { name: 'c1', op: 'conv', x: [1, 3, 9, 9], w: [4, 3, 3, 3], pads: [1, 1, 1, 1] },
          { name: 'c2', op: 'conv', x: [1, 4, 9, 9], w: [8, 4, 3, 3], strides: [2, 2], bias: false },
          { name: 'fc', op: 'dense', x: [2, 16], w: [5, 16] },
        ],
      },
      'tiny.json',
    );
    const report = await verifyKernel(im2colKernel, { size: 'production', layers, seed: 1, properties: ['conv-matches-reference', 'dense-matches-reference', 'explicit-padding', 'dilation-zero-inserted'] });
    expect(report.properties.map((p) => [p.id, p.status, p.casesRun])).toEqual([
      ['conv-matches-reference', 'passed', 2],
      ['dense-matches-reference', 'passed', 1],
      ['explicit-padding', 'passed', 1],
      ['dilation-zero-inserted', 'skipped', 0],
    ]);
    expect(report.properties[3].skipReason).toMatch(/no layer of the production shapes fits/);
    expect(report.options.size).toBe('production');
  });
});

describe('--shapes files are validated with typed errors', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 42, /^--shapes f.json: expected an object/],
    ['no layers', { network: 'n' }, /layers: must be a non-empty array/],
    ['unknown top-level field', { network: 'n', layers: [], extra: 1 }, /extra: unknown top-level field/],
    ['unknown op', [{ op: 'pool', x: [1, 2], w: [1, 2] }], /layer #0 \(layer0\): op: must be "conv" or "dense", got "pool"/],
    ['non-integer shape', [{ op: 'dense', x: [1, 2.5], w: [3, 2] }], /layer #0 \(layer0\): x: must be an array of integers >= 1, got \[1,2.5\]/],
    ['mismatched dense K', [{ name: 'fc', op: 'dense', x: [1, 8], w: [3, 9] }], /layer #0 \(fc\): x\/w: /],
    ['conv attribute on dense', [{ op: 'dense', x: [1, 8], w: [3, 8], strides: [1] }], /strides: is a conv attribute; a dense layer has none/],
    ['group not dividing C', [{ name: 'g', op: 'conv', x: [1, 6, 5, 5], w: [4, 2, 3, 3], group: 4 }], /layer #0 \(g\): geometry: .*group/],
    ['kernel larger than padded input', [{ name: 'k', op: 'conv', x: [1, 1, 2, 2], w: [1, 1, 3, 3] }], /layer #0 \(k\): geometry: /],
    ['rank 4', [{ op: 'conv', x: [1, 1, 2, 2, 2, 2], w: [1, 1, 1, 1, 1, 1] }], /a conv input is \[N, C, D1..Dn\] with n = 1, 2 or 3/],
    ['duplicate names', [{ name: 'a', op: 'dense', x: [1, 2], w: [1, 2] }, { name: 'a', op: 'dense', x: [1, 2], w: [1, 2] }], /layer #1 \(a\): name: is used by an earlier layer/],
    ['bias not boolean', [{ op: 'dense', x: [1, 2], w: [1, 2], bias: 'yes' }], /bias: must be true or false/],
    ['unknown layer field', [{ op: 'dense', x: [1, 2], w: [1, 2], stride: 2 }], /stride: unknown field/],
  ];
  for (const [what, doc, message] of bad) {
    it(what, () => {
      expect(() => parseLayerShapes(doc, 'f.json')).toThrowError(ShapesFileError);
      expect(() => parseLayerShapes(doc, 'f.json')).toThrowError(message);
      try {
        parseLayerShapes(doc, 'f.json');
      } catch (e) {
        expect((e as ShapesFileError).code).toBe('ERR_SHAPES_FILE');
        expect((e as ShapesFileError).file).toBe('f.json');
      }
    });
  }
  it('defaults: strides/dilations 1, pads 0, group 1, bias true, count 1, name layer<i>; a bare array works', () => {
    const [l] = parseLayerShapes([{ op: 'conv', x: [1, 2, 5], w: [3, 2, 3] }], 'f.json');
    expect(l).toEqual({ network: 'f.json', name: 'layer0', op: 'conv', count: 1, spec: { xShape: [1, 2, 5], wShape: [3, 2, 3], attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 }, hasBias: true } });
  });
});
