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
import type { ConvSpec } from '../src/operators/conv/spec.js';
import { denseProblem } from '../src/operators/dense/problem.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';
import { catalog } from '../src/catalog/index.js';
import { exactNonzeros } from '../src/catalog/equivalences.js';
import { fcHeadsOf } from '../src/catalog/fc-layers.js';
import { completeCapabilities } from '../src/capabilities.js';
import { convTransposeGeometryOfShapes } from '../src/operators/conv-transpose/geometry.js';
import { MarkdownReportWriter } from '../src/reports/markdown.js';
import { HtmlReportWriter } from '../src/reports/html.js';
import type { ProductionPlan } from '../src/vocabulary.js';
import { propertyReason } from '../src/runner/report.js';

const layer = (network: string, name: string): ModelLayer => {
  const l = PRODUCTION_LAYERS.find((x) => x.network.startsWith(network) && x.name === name);
  if (!l) throw new Error(`no layer ${network} ${name}`);
  return l;
};
const outOf = (l: ModelLayer) =>
  l.op === 'conv'
    ? convGeometryOfShapes(l.spec.xShape, l.spec.wShape, undefined, l.spec.attrs).outputShape
    : l.op === 'convTranspose'
      ? convTransposeGeometryOfShapes(l.spec.xShape, l.spec.wShape, undefined, l.spec.attrs).outputShape
      : [l.spec.xShape[0], l.spec.wShape[0]];

describe('the built-in networks', () => {
  it('lists the seven networks; every layer is a valid problem', () => {
    expect(PRODUCTION_NETWORKS).toEqual([
      'LeNet-5',
      'VGG-16',
      'ResNet-50',
      'MobileNet-v2',
      'DeepLab-v3 (MobileNet-v2, OS 8)',
      'M5 (raw-waveform audio, 1-D)',
      'C3D (video, 3-D)',
      'DCGAN generator (64×64)',
      'FCN-8s (500×500)',
    ]);
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

describe('the ConvTranspose layers', () => {
  it("DCGAN's generator goes 1 → 4 → 8 → 16 → 32 → 64 with the channel counts of the model; FCN-8s upsamples 16 → 34 → 70 → 568", () => {
    const dcgan = PRODUCTION_LAYERS.filter((l) => l.network.startsWith('DCGAN'));
    expect(dcgan.every((l) => l.op === 'convTranspose')).toBe(true);
    expect(dcgan.map(outOf)).toEqual([
      [1, 512, 4, 4],
      [1, 256, 8, 8],
      [1, 128, 16, 16],
      [1, 64, 32, 32],
      [1, 3, 64, 64],
    ]);
    // each layer reads what the one before it gives
    for (let i = 1; i < dcgan.length; i++) expect(dcgan[i].spec.xShape).toEqual(outOf(dcgan[i - 1]));
    expect(dcgan[0].spec.xShape).toEqual([1, 100, 1, 1]);
    const fcn = PRODUCTION_LAYERS.filter((l) => l.network.startsWith('FCN-8s'));
    expect(fcn.map(outOf)).toEqual([
      [1, 21, 34, 34],
      [1, 21, 70, 70],
      [1, 21, 568, 568],
    ]);
    // the final 8× upsampling reads the fused 70×70 scores: 0.55 G multiply-adds
    expect(fcn[2].spec.xShape).toEqual(outOf(fcn[1]));
    expect(layerFlops(fcn[2])).toBe(2 * 21 * 21 * 16 * 16 * 70 * 70);
    expect(layerFlops(dcgan[1])).toBe(2 * 512 * 256 * 16 * 16);
  });
});

describe('the production tier runs each layer once per property', () => {
  it('cycle yields its items in order, again and again', () => {
    expect(fc.sample(cycle([1, 2, 3]), { numRuns: 7, seed: 1 })).toEqual([1, 2, 3, 1, 2, 3, 1]);
  });
  it("convProblem / denseProblem cycle the plan's layers and record how many; constraints and caps filter them", () => {
    const plan = { layers: PRODUCTION_LAYERS, cycleLengths: [] as number[] };
    const convs = PRODUCTION_LAYERS.filter((l) => l.op === 'conv');
    expect(fc.sample(convProblem({ size: 'production', production: plan }), { numRuns: convs.length, seed: 2 })).toEqual(
      convs.map((l) => l.spec),
    );
    const dense = fc.sample(denseProblem({ size: 'production', production: plan }), { numRuns: 3, seed: 2 });
    expect(dense[0]).toEqual(PRODUCTION_LAYERS.find((l) => l.op === 'dense')!.spec);
    expect(plan.cycleLengths).toEqual([convs.length, PRODUCTION_LAYERS.filter((l) => l.op === 'dense').length]);
    const dilated: number[] = [];
    fc.sample(
      convProblem({ size: 'production', production: { layers: PRODUCTION_LAYERS, cycleLengths: dilated }, exercises: 'dilation' }),
      1,
    );
    expect(dilated).toEqual([2]);
    const rank2: number[] = [];
    const specs = fc.sample(
      convProblem({
        size: 'production',
        production: { layers: PRODUCTION_LAYERS, cycleLengths: rank2 },
        capabilities: { spatialRanks: [2] },
      }),
      200,
    ) as ConvSpec[];
    expect(specs.every((s) => s.xShape.length === 4)).toBe(true);
    expect(rank2[0]).toBe(convs.filter((l) => l.spec.xShape.length === 4).length);
  });
  it("a run over a user's layers: each property runs each layer it fits once; a property no layer fits is skipped", async () => {
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
    const report = await verifyKernel(im2colKernel, {
      size: 'production',
      layers,
      seed: 1,
      properties: ['conv-matches-reference', 'dense-matches-reference', 'explicit-padding', 'dilation-zero-inserted'],
    });
    expect(report.properties.map((p) => [p.id, p.status, p.casesRun])).toEqual([
      ['conv-matches-reference', 'passed', 2],
      ['dense-matches-reference', 'passed', 1],
      ['explicit-padding', 'passed', 1],
      ['dilation-zero-inserted', 'skipped', 0],
    ]);
    expect(propertyReason(report.properties[3])).toMatch(/no layer of the production shapes fits/);
    expect(report.options.size).toBe('production');
  });
});

/** A few small layers of every operator: a padded conv, a pointwise conv, a full-extent conv, two dense layers (one flattening a map) and a ConvTranspose. */
const tiny = () =>
  parseLayerShapes(
    {
      network: 'tiny',
      layers: [
        { name: 'c1', op: 'conv', x: [1, 3, 9, 9], w: [4, 3, 3, 3], pads: [1, 1, 1, 1] },
        { name: 'pw', op: 'conv', x: [1, 4, 5, 5], w: [6, 4, 1, 1] },
        { name: 'c5', op: 'conv', x: [1, 6, 3, 3], w: [10, 6, 3, 3] },
        { name: 'fc', op: 'dense', x: [1, 10], w: [5, 10] },
        { name: 'fc-flat', op: 'dense', x: [1, 54], w: [7, 54], flattens: [6, 3, 3] },
        { name: 'up', op: 'convTranspose', x: [1, 4, 3, 3], w: [4, 2, 4, 4], strides: [2, 2], pads: [1, 1, 1, 1], bias: false },
      ],
    },
    'tiny.json',
  );

describe('every property of the catalog runs the layers, and only the layers', () => {
  it("each property runs each layer it applies to once (table-wide properties every operator's), none falls back to generated cases", async () => {
    const report = await verifyKernel(im2colKernel, { size: 'production', layers: tiny(), seed: 1 });
    const runs = Object.fromEntries(report.properties.map((p) => [p.id, p.status === 'skipped' ? 'skipped' : p.casesRun]));
    expect(report.status).toBe('passed');
    expect(runs).toEqual({
      'conv-matches-reference': 3,
      'worked-example-relu': 200, // a fixed worked example, not a generated geometry
      'conv-transpose-matches-reference': 1,
      'dense-matches-reference': 2,
      'fc-equals-full-extent-conv': 3, // c5, fc, fc-flat (c5 and fc-flat differ in M)
      'linear-equals-1x1-conv': 2, // fc as a 1×1 conv, pw as a linear layer at every position
      'fc-slides-as-conv': 2, // c5's and fc-flat's 3×3 windows over 6×6 maps
      'fcn-network': 2, // c5 → fc, and fc-flat's head
      'explicit-padding': 1,
      'stride-subsampling': 'skipped',
      'dilation-zero-inserted': 'skipped',
      'group-concat': 'skipped',
      'batch-independence': 'skipped',
      'linearity-in-x': 3,
      'linearity-in-w': 3,
      'bias-additivity': 3,
      'rank-embedding': 3,
      'translation-equivariance': 3,
      'conv-transpose-adjoint': 1,
      'conv-transpose-as-conv': 1,
      'fused-activation': 6, // 3 conv + 2 dense + 1 convTranspose
      'output-shape': 3,
      'conv-transpose-output-shape': 1,
      // the quantized operators on the same layers: 3 convs (convInteger, qlinearConv), 2 dense (the matmuls)
      'conv-integer-matches-reference': 3,
      'qlinear-conv-matches-reference': 3,
      'qlinear-conv-matches-dequantized-float': 3,
      'matmul-integer-matches-reference': 2,
      'qlinear-matmul-matches-reference': 2,
      'matmul-integer-equals-full-extent-conv-integer': 3, // c5, fc, fc-flat
      'qlinear-matmul-equals-full-extent-qlinear-conv': 3,
      'matmul-integer-equals-1x1-conv-integer': 2, // pw, fc
      'qlinear-matmul-equals-1x1-qlinear-conv': 2,
      'conv-integer-zero-point-shift': 3,
      'qlinear-conv-saturates': 3,
      deterministic: 16, // 6 + 3 convInteger + 3 qlinearConv + 2 matMulInteger + 2 qlinearMatMul
      'inputs-not-mutated': 16,
    });
    expect(Object.keys(runs)).toEqual(catalog.map((p) => p.id));
  });

  it("the table-wide properties draw every operator's layers in turn, never a generated case", () => {
    const layers = tiny();
    const caps = completeCapabilities(im2colKernel.capabilities);
    const shapes = new Set(layers.map((l) => JSON.stringify(l.spec.xShape)));
    for (const id of ['deterministic', 'inputs-not-mutated', 'fused-activation']) {
      const def = catalog.find((p) => p.id === id)!;
      const plan: ProductionPlan = { layers, cycleLengths: [] };
      const arb = def.arbitrary({
        capabilities: caps,
        size: 'production',
        operators: ['conv', 'convTranspose', 'dense'],
        production: plan,
      });
      const n = plan.cycleLengths.reduce((a, b) => a + b, 0);
      expect(n, id).toBe(6);
      const cases = fc.sample(arb, { numRuns: n, seed: 3 }) as Array<{ op: string; c: { spec: { xShape: number[] } } }>;
      expect(
        cases.map((v) => v.op),
        id,
      ).toEqual(['conv', 'conv', 'conv', 'convTranspose', 'dense', 'dense']);
      for (const v of cases) expect(shapes.has(JSON.stringify(v.c.spec.xShape)), `${id} ${JSON.stringify(v.c.spec.xShape)}`).toBe(true);
    }
  });

  it('multi-call properties leave out layers above productionRelationFlops and name them in a note; single-call ones run every layer', async () => {
    // c1: 2·4·27·81 = 17,496 FLOPs; pw 1,200; c5 1,080
    const report = await verifyKernel(im2colKernel, {
      size: 'production',
      layers: tiny(),
      seed: 1,
      productionRelationFlops: 5000,
      properties: ['conv-matches-reference', 'linearity-in-x', 'explicit-padding'],
    });
    const [ref, pad, lin] = report.properties; // catalog order
    expect([ref.casesRun, ref.notes]).toEqual([3, undefined]);
    expect(lin, JSON.stringify(lin)).toMatchObject({ casesRun: 2 });
    expect(lin.notes).toEqual([
      expect.stringMatching(
        /^left out 1 layer above 5000 FLOP or 33\.6 M elements in a tensor — tiny c1 \(17496 FLOP, 324 elements\) — because this property calls the kernel two or more times per layer/,
      ),
    ]);
    // c1 was explicit-padding's only padded layer: skipped, saying why
    expect(pad.status).toBe('skipped');
    expect(propertyReason(pad)).toMatch(
      /no layer of the production shapes fits this property within its cost cap: left out 1 layer .* tiny c1/,
    );
    await expect(verifyKernel(im2colKernel, { size: 'production', layers: tiny(), productionRelationFlops: 0 })).rejects.toThrow(
      /productionRelationFlops must be > 0, got 0/,
    );
    // the element cap: the ConvTranspose layer's output (1×2×6×6 = 72) and weights (128) are its largest tensors
    const byElements = await verifyKernel(im2colKernel, {
      size: 'production',
      layers: tiny(),
      seed: 1,
      productionRelationElements: 100,
      properties: ['conv-transpose-matches-reference', 'conv-transpose-as-conv'],
    });
    expect(byElements.properties.map((p) => [p.id, p.status, p.casesRun])).toEqual([
      ['conv-transpose-matches-reference', 'passed', 1],
      ['conv-transpose-as-conv', 'skipped', 0],
    ]);
    // conv-transpose-as-conv is capped by the conv it also runs: over the zero-inserted input,
    // 4×(2·2+1 + 2 + 2)² = 324 elements, 2·2·4·16·6² = 9216 FLOPs (the ConvTranspose: 2304)
    expect(propertyReason(byElements.properties[1])).toMatch(
      /left out 1 layer above 3 GFLOP or 100 elements in a tensor — tiny up \(9216 FLOP, 324 elements\)/,
    );
  });

  it('a kernel without ConvTranspose layers to run skips the ConvTranspose properties instead of running small cases', async () => {
    const layers = tiny().filter((l) => l.op !== 'convTranspose');
    const report = await verifyKernel(im2colKernel, {
      size: 'production',
      layers,
      seed: 2,
      properties: ['conv-transpose-matches-reference', 'deterministic'],
    });
    expect(report.properties.map((p) => [p.id, p.status, p.casesRun])).toEqual([
      ['conv-transpose-matches-reference', 'skipped', 0],
      ['deterministic', 'passed', 15], // 5 float layers + the quantized operators' 3 + 3 + 2 + 2
    ]);
  });

  it('a kernel of one spatial rank (2-D only) skips rank-embedding with its reason in the production tier, instead of failing to plan it', async () => {
    const only2d = { ...im2colKernel, name: 'im2col-2d', capabilities: { ...im2colKernel.capabilities, spatialRanks: [2] } };
    const report = await verifyKernel(only2d, {
      size: 'production',
      layers: tiny(),
      seed: 3,
      properties: ['rank-embedding', 'linearity-in-x'],
    });
    expect(report.properties.map((p) => [p.id, p.status, p.casesRun, propertyReason(p)])).toEqual([
      ['linearity-in-x', 'passed', 3, undefined],
      ['rank-embedding', 'skipped', 0, 'kernel supports no two consecutive spatial ranks'],
    ]);
  });

  it('dense and ConvTranspose cases add coverage rows (operator first, "—" where a column does not apply), rendered in Markdown and HTML', async () => {
    const report = await verifyKernel(im2colKernel, {
      size: 'production',
      layers: tiny(),
      seed: 1,
      properties: ['dense-matches-reference', 'conv-transpose-matches-reference', 'output-shape'],
    });
    const c = report.coverage;
    expect(c.dimensions).toEqual([
      'operator',
      'rank',
      'asymmetricPads',
      'bias',
      'stride>1',
      'dilation>1',
      'group',
      'C/group',
      'reduction',
      'M',
      'N',
      'elements',
    ]);
    const dense = c.rows.filter((r) => r.values[0] === 'dense');
    // fc: K = 10, M = 5; fc-flat: K = 54, M = 7 — both ≤ 64, bias, batch 1
    expect(dense).toEqual([{ values: ['dense', '—', '—', 'yes', '—', '—', '—', '—', '≤64', '≤64', '1', '≤2^16'], count: 2 }]);
    expect(c.rows.find((r) => r.values[0] === 'convTranspose')?.values).toEqual([
      'convTranspose',
      '2',
      'no',
      'no',
      'yes',
      'no',
      'none',
      '≤64',
      '≤64',
      '≤64',
      '1',
      '≤2^16',
    ]);
    expect(c.rows.filter((r) => r.values[0] === 'conv').reduce((a, r) => a + r.count, 0)).toBe(3);
    expect(c.total).toBe(6);
    expect(new MarkdownReportWriter().render(report)).toContain('| dense | — | — | yes | — | — | — | — | ≤64 | ≤64 | 1 | ≤2^16 | 2 |');
    expect(new HtmlReportWriter().render(report)).toContain('<td>dense</td><td>—</td><td>—</td><td>yes</td>');
  });
});

describe("the FC ≡ conv equivalences run the networks' FC layers", () => {
  const caps = completeCapabilities(im2colKernel.capabilities);
  const sample = (id: string) => {
    const plan: ProductionPlan = { layers: PRODUCTION_LAYERS, cycleLengths: [] };
    const arb = catalog
      .find((p) => p.id === id)!
      .arbitrary({ capabilities: caps, size: 'production', operators: ['conv', 'dense'], production: plan });
    const n = plan.cycleLengths.reduce((a, b) => a + b, 0);
    return fc.sample(arb, { numRuns: n, seed: 5 }) as Array<Record<string, unknown>>;
  };
  it('fc-equals-full-extent-conv: LeNet-5 C5, F6, VGG-16 fc6 (7×7×512 → 4096), fc7, fc8, the ResNet-50 and MobileNet-v2 classifiers, C3D fc6 on 512×1×4×4', () => {
    const cases = sample('fc-equals-full-extent-conv');
    const by = (layer: string) => cases.find((c) => c.layer === layer);
    expect(by('LeNet-5 C5 (full-extent conv)')).toMatchObject({ rank: 2, channels: 16, out: 120, window: [5, 5, 1] });
    expect(by('LeNet-5 F6')).toMatchObject({ channels: 120, out: 84, window: [1, 1, 1] });
    expect(by('VGG-16 fc6 as 7×7 conv')).toMatchObject({ channels: 512, out: 4096, window: [7, 7, 1] });
    expect(by('VGG-16 fc7 as 1×1 conv')).toMatchObject({ channels: 4096, out: 4096, window: [1, 1, 1] });
    expect(by('VGG-16 fc8 as 1×1 conv')).toMatchObject({ channels: 4096, out: 1000 });
    expect(by('ResNet-50 fc')).toMatchObject({ channels: 2048, out: 1000 });
    expect(by('MobileNet-v2 classifier')).toMatchObject({ channels: 1280, out: 1000 });
    expect(by('C3D (video, 3-D) fc6')).toMatchObject({ rank: 3, channels: 512, out: 4096, window: [1, 4, 4] });
    // VGG's dense fc6/fc7/fc8 are the same geometries as its conv forms: run once
    expect(cases.filter((c) => c.out === 4096 && c.channels === 512)).toHaveLength(2); // VGG fc6, C3D fc6
    // fresh data per case
    expect(new Set(cases.map((c) => c.seed)).size).toBe(cases.length);
  });
  it('fc-slides-as-conv: VGG-16 fc6 over a 14×14 map (an 8×8 map of outputs, the FCN case), LeNet-5 C5 over 10×10', () => {
    const cases = sample('fc-slides-as-conv') as Array<{ base: { layer: string; window: number[] }; extra: number[]; strides: number[] }>;
    const vgg = cases.find((c) => c.base.layer === 'VGG-16 fc6 as 7×7 conv')!;
    expect(vgg.base.window.map((s, a) => s + vgg.extra[a]).slice(0, 2)).toEqual([14, 14]);
    expect(vgg.strides).toEqual([1, 1, 1]);
    expect(cases.map((c) => c.base.layer)).toEqual(['LeNet-5 C5 (full-extent conv)', 'VGG-16 fc6 as 7×7 conv', 'C3D (video, 3-D) fc6']);
  });
  it('linear-equals-1x1-conv: every plain FC layer as a 1×1 conv, every pointwise conv as a linear layer at every position', () => {
    const cases = sample('linear-equals-1x1-conv');
    expect(cases.find((c) => c.layer === 'ResNet-50 layer1 1×1 64→256 (+ downsample)')).toMatchObject({
      variant: 'linear',
      channels: 64,
      out: 256,
      spatial: [56, 56, 1],
    });
    expect(cases.find((c) => c.layer === 'VGG-16 fc8 as 1×1 conv')).toMatchObject({ variant: 'dense', channels: 4096, out: 1000 });
  });
  it('fcn-network: the real heads (VGG-16 fc6 → fc7 → fc8, LeNet-5 C5 → F6 → output, C3D), with data sparse enough to stay exact', () => {
    const heads = fcHeadsOf(PRODUCTION_LAYERS, caps);
    expect(heads.map((h) => [h.layer, h.widths])).toEqual([
      ['LeNet-5 C5 (full-extent conv)', [120, 84, 10]],
      ['VGG-16 fc6 as 7×7 conv', [4096, 4096, 1000]],
      ['C3D (video, 3-D) fc6', [4096, 4096, 487]],
    ]);
    const cases = sample('fcn-network');
    expect(cases).toHaveLength(3);
    // four layers (the 3×3 conv and three FC layers) with |x| ≤ 1 and R non-zero weights per output: |sums| ≤ R·(R·(R·(R+1)+1)+1)+1 < 2²⁴
    const R = exactNonzeros(4);
    expect(R).toBe(63);
    expect(R * (R * (R * (R + 1) + 1) + 1) + 1).toBeLessThan(2 ** 24);
    expect(cases.every((c) => c.nonzeros === R)).toBe(true);
  });
});

describe('--shapes files are validated with typed errors', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', 42, /^--shapes f.json: expected an object/],
    ['no layers', { network: 'n' }, /layers: must be a non-empty array/],
    ['unknown top-level field', { network: 'n', layers: [], extra: 1 }, /extra: unknown top-level field/],
    [
      'unknown op',
      [{ op: 'pool', x: [1, 2], w: [1, 2] }],
      /layer #0 \(layer0\): op: must be "conv", "convTranspose" or "dense", got "pool"/,
    ],
    [
      'flattens not matching K',
      [{ name: 'fc', op: 'dense', x: [1, 8], w: [3, 8], flattens: [2, 3] }],
      /layer #0 \(fc\): flattens: must be the feature map \[C, D1..Dn\] .* C·∏D = K = 8, got \[2,3\]/,
    ],
    ['flattens on a conv', [{ op: 'conv', x: [1, 2, 3], w: [1, 2, 3], flattens: [2, 3] }], /flattens: is a dense attribute/],
    [
      'outputPadding on a conv',
      [{ op: 'conv', x: [1, 2, 3], w: [1, 2, 3], outputPadding: [0] }],
      /outputPadding: is a ConvTranspose attribute/,
    ],
    [
      'ConvTranspose with too large pads',
      [{ name: 'up', op: 'convTranspose', x: [1, 2, 1], w: [2, 1, 1], pads: [1, 1] }],
      /layer #0 \(up\): geometry: /,
    ],
    [
      'non-integer shape',
      [{ op: 'dense', x: [1, 2.5], w: [3, 2] }],
      /layer #0 \(layer0\): x: must be an array of integers >= 1, got \[1,2.5\]/,
    ],
    ['mismatched dense K', [{ name: 'fc', op: 'dense', x: [1, 8], w: [3, 9] }], /layer #0 \(fc\): x\/w: /],
    [
      'conv attribute on dense',
      [{ op: 'dense', x: [1, 8], w: [3, 8], strides: [1] }],
      /strides: is a conv attribute; a dense layer has none/,
    ],
    ['group not dividing C', [{ name: 'g', op: 'conv', x: [1, 6, 5, 5], w: [4, 2, 3, 3], group: 4 }], /layer #0 \(g\): geometry: .*group/],
    ['kernel larger than padded input', [{ name: 'k', op: 'conv', x: [1, 1, 2, 2], w: [1, 1, 3, 3] }], /layer #0 \(k\): geometry: /],
    ['rank 4', [{ op: 'conv', x: [1, 1, 2, 2, 2, 2], w: [1, 1, 1, 1, 1, 1] }], /a conv input is \[N, C, D1..Dn\] with n = 1, 2 or 3/],
    [
      'duplicate names',
      [
        { name: 'a', op: 'dense', x: [1, 2], w: [1, 2] },
        { name: 'a', op: 'dense', x: [1, 2], w: [1, 2] },
      ],
      /layer #1 \(a\): name: is used by an earlier layer/,
    ],
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
  it('convTranspose: the conv attributes and outputPadding (default 0); dense may name the map it flattens', () => {
    const [up, fc1] = parseLayerShapes(
      [
        { name: 'up', op: 'convTranspose', x: [1, 4, 3, 3], w: [4, 2, 4, 4], strides: [2, 2], pads: [1, 1, 1, 1] },
        { name: 'fc', op: 'dense', x: [1, 54], w: [7, 54], flattens: [6, 3, 3] },
      ],
      'f.json',
    );
    expect(up).toMatchObject({
      op: 'convTranspose',
      spec: { attrs: { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, outputPadding: [0, 0] }, hasBias: true },
    });
    expect(outOf(up)).toEqual([1, 2, 6, 6]); // M = w[1]·group, O = 2·(3−1) + 4 − 2
    expect(fc1).toMatchObject({ op: 'dense', flattens: [6, 3, 3] });
  });
  it('defaults: strides/dilations 1, pads 0, group 1, bias true, count 1, name layer<i>; a bare array works', () => {
    const [l] = parseLayerShapes([{ op: 'conv', x: [1, 2, 5], w: [3, 2, 3] }], 'f.json');
    expect(l).toEqual({
      network: 'f.json',
      name: 'layer0',
      op: 'conv',
      count: 1,
      spec: { xShape: [1, 2, 5], wShape: [3, 2, 3], attrs: { strides: [1], pads: [0, 0], dilations: [1], group: 1 }, hasBias: true },
    });
  });
});
