/**
 * The shape plan: the covering array covers every feasible pair and honours its constraints; the
 * operator plans realise the classes they claim, never leave the kernel's capabilities, and are
 * deterministic from the seed; plan shapes shrink to smaller valid shapes; and the planted narrow
 * bugs of the blocked kernel (examples/narrow-bugs.ts, the WGSL kernel's algorithm in Node) are
 * caught with plan shapes at browser settings, while the correct kernel passes.
 */
import { describe, expect, it } from 'vitest';
import type { CompleteCapabilities, KernelCapabilities } from '../src/capabilities.js';
import { completeCapabilities } from '../src/capabilities.js';
import type { CoveringModel } from '../src/arbitraries/covering-array.js';
import { coveringArray } from '../src/arbitraries/covering-array.js';
import { convShapePlan, shrinkConvSpec } from '../src/operators/conv/plan.js';
import { convTransposeShapePlan, shrinkConvTransposeSpec } from '../src/operators/conv-transpose/plan.js';
import { denseShapePlan } from '../src/operators/dense/plan.js';
import { convGeometryOfShapes } from '../src/operators/conv/geometry.js';
import { convTransposeGeometryOfShapes } from '../src/operators/conv-transpose/geometry.js';
import type { ConvSpec } from '../src/operators/conv/spec.js';
import { largestTensor } from '../src/operators/conv/problem.js';
import { largestTransposeTensor } from '../src/operators/conv-transpose/problem.js';
import { createNarrowBugKernel, NARROW_BUGS } from '../examples/narrow-bugs.js';
import { verifyKernel } from '../src/runner/verify.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { MarkdownReportWriter } from '../src/reports/markdown.js';
import { HtmlReportWriter } from '../src/reports/html.js';
import { propertyFailure } from '../src/runner/report.js';

/** Every pair (p = v, q = u) of counted values present in the rows. */
function pairsIn(rows: ReadonlyArray<readonly string[]>, skip = (label: string) => label === 'n/a'): Set<string> {
  const seen = new Set<string>();
  for (const r of rows) {
    for (let p = 0; p < r.length; p++)
      for (let q = p + 1; q < r.length; q++) if (!skip(r[p]) && !skip(r[q])) seen.add(`${p}=${r[p]}|${q}=${r[q]}`);
  }
  return seen;
}

describe('coveringArray', () => {
  // a ∈ {0,1,2}, b ∈ {0,1,2}, c ∈ {x,y}, d ∈ {0,1}; constraint: a = 2 forbids b = 0
  const model: CoveringModel = {
    parameters: [
      { name: 'a', values: ['0', '1', '2'] },
      { name: 'b', values: ['0', '1', '2'] },
      { name: 'c', values: ['x', 'y'] },
      { name: 'd', values: ['0', '1'] },
    ],
    violation: (r) => (r[0] === 2 && r[1] === 0 ? 'a = 2 needs b > 0' : undefined),
  };

  it('covers every feasible pair, never breaks the constraint, and names the excluded pair', () => {
    const ca = coveringArray(model, 1);
    expect(ca.rows.every((r) => !(r[0] === 2 && r[1] === 0))).toBe(true);
    expect(ca.uncovered).toEqual([{ pair: 'a=2 & b=0', reason: 'a = 2 needs b > 0' }]);
    // 3·3 + 3·2 + 3·2 + 3·2 + 3·2 + 2·2 = 37 pairs, one infeasible
    expect(ca.total).toBe(37);
    expect(ca.covered).toBe(36);
    const labels = ca.rows.map((r) => r.map((v, p) => model.parameters[p].values[v]));
    expect(pairsIn(labels).size).toBe(36);
    // at least |a|·|b| − 1 rows; greedy stays close
    expect(ca.rows.length).toBeGreaterThanOrEqual(8);
    expect(ca.rows.length).toBeLessThanOrEqual(10);
  });

  it('is deterministic from the seed', () => {
    expect(coveringArray(model, 7).rows).toEqual(coveringArray(model, 7).rows);
  });
});

/** The classes a conv spec realises, in the plan's column order (see spatial-plan.ts). */
function convClasses(s: ConvSpec): Record<string, string> {
  const r = s.xShape.length - 2;
  const g = convGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs);
  const axis = (a: number, label: string): Record<string, string> => {
    if (a < 0) return {};
    const pb = s.attrs.pads[a];
    const pe = s.attrs.pads[a + r];
    const pad = pb === 0 && pe === 0 ? 'none' : pb === pe ? 'sym' : pe === 0 ? 'begin' : pb === 0 ? 'end' : 'asym';
    return {
      [`k${label}`]: String(s.wShape[2 + a]),
      [`s${label}`]: String(s.attrs.strides[a]),
      [`d${label}`]: String(s.attrs.dilations[a]),
      [`pad${label}`]: pad,
      [`O${label}%4`]: String(g.outSpatial[a] % 4),
      [`D${label}%4`]: String(s.xShape[2 + a] % 4),
    };
  };
  const C = s.xShape[1];
  const group = s.attrs.group;
  const kind = group === 1 ? '1' : group === C ? (s.wShape[0] > group ? 'depthwise×mult' : 'depthwise') : 'grouped';
  const channels = kind.startsWith('depthwise') ? C : C / group;
  return {
    rank: String(r),
    group: kind,
    'C/group%4': String(channels % 4),
    'M/group%4': String((s.wShape[0] / group) % 4),
    bias: s.hasBias ? 'yes' : 'no',
    batch: s.xShape[0] === 1 ? '1' : '≥2',
    ...axis(r - 1, 'W'),
    ...axis(r - 2, 'H'),
    ...axis(r - 3, 'D'),
  };
}

function withinConvCapabilities(s: ConvSpec, caps: CompleteCapabilities): string | undefined {
  const r = s.xShape.length - 2;
  const pads = s.attrs.pads;
  if (!caps.spatialRanks.includes(r)) return `rank ${r}`;
  if (!caps.group && s.attrs.group > 1) return 'group';
  if (!caps.dilation && s.attrs.dilations.some((d) => d > 1)) return 'dilation';
  if (!caps.strideWithDilation && s.attrs.strides.some((v) => v > 1) && s.attrs.dilations.some((d) => d > 1)) return 'stride with dilation';
  if (!caps.asymmetricPads && pads.slice(0, r).some((p, a) => p !== pads[a + r])) return 'asymmetric pads';
  if (largestTensor(s) > caps.maxElements) return 'maxElements';
  convGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs); // throws on an invalid problem
  return undefined;
}

const RESTRICTIONS: ReadonlyArray<KernelCapabilities> = [
  {},
  { spatialRanks: [2] },
  { spatialRanks: [1, 3] },
  { group: false },
  { dilation: false },
  { strideWithDilation: false },
  { asymmetricPads: false },
  { maxElements: 2000 },
  { spatialRanks: [2], group: false, strideWithDilation: false }, // tfjs-like
];

/** The sum of every number of a spec (bias counted as 1). */
const measure = (s: ConvSpec) =>
  [...s.xShape, ...s.wShape, ...s.attrs.strides, ...s.attrs.pads, ...s.attrs.dilations, s.attrs.group, s.hasBias ? 1 : 0].reduce(
    (a, b) => a + b,
    0,
  );

describe('convShapePlan', () => {
  it.each(RESTRICTIONS.map((c) => [JSON.stringify(c), c] as const))(
    'capabilities %s: every shape within them, realising its row, every pair covered or excluded',
    (_label, c) => {
      const caps = completeCapabilities(c);
      const plan = convShapePlan(caps, 3);
      expect(plan.specs.length).toBe(plan.rows.length);
      plan.specs.forEach((s, i) => {
        expect(withinConvCapabilities(s, caps), JSON.stringify(s)).toBeUndefined();
        const classes = convClasses(s);
        plan.parameters.forEach((name, p) => {
          const label = plan.rows[i][p];
          if (label === 'n/a' || !(name in classes)) return;
          expect(`${name}=${classes[name]}`).toBe(`${name}=${label}`);
        });
      });
      const labels = plan.rows;
      // pairs present in the rows, minus the pairs a rank without that axis makes meaningless
      expect(pairsIn(labels).size).toBe(plan.pairsCovered);
      expect(plan.pairsCovered + plan.uncovered.length).toBe(plan.pairsTotal);
      expect(plan.uncovered.every((u) => u.reason.length > 0)).toBe(true);
    },
  );

  it('default capabilities: every pair of kernel extent 1–7 with every stride, dilation and padding class on W is present', () => {
    const plan = convShapePlan(completeCapabilities({}), 1);
    const have = new Set(
      plan.specs.map((s) => {
        const c = convClasses(s);
        return `${c.kW}/${c.sW}`;
      }),
    );
    for (let k = 1; k <= 7; k++) for (let s = 1; s <= 3; s++) expect(have.has(`${k}/${s}`), `kW=${k} sW=${s}`).toBe(true);
    // the only uncovered pairs are dilation on a 1-wide kernel and depthwise (multiplier 1) with M/group ≠ 1
    expect(new Set(plan.uncovered.map((u) => u.reason))).toEqual(
      new Set(['dilation > 1 needs a kernel wider than 1', 'depthwise (multiplier 1) has M/group = 1']),
    );
  });

  it('is deterministic from the seed, and another seed gives other shapes', () => {
    const caps = completeCapabilities({});
    expect(convShapePlan(caps, 5).specs).toEqual(convShapePlan(caps, 5).specs);
    expect(convShapePlan(caps, 6).specs).not.toEqual(convShapePlan(caps, 5).specs);
  });

  it('shrinking a plan shape gives smaller valid shapes within the capabilities', () => {
    for (const c of RESTRICTIONS) {
      const caps = completeCapabilities(c);
      for (const s of convShapePlan(caps, 2).specs.slice(0, 10)) {
        for (const t of shrinkConvSpec(s, caps)) {
          expect(withinConvCapabilities(t, caps)).toBeUndefined();
          // every step lowers the sum of the spec's numbers (so shrinking ends), no step adds an axis
          expect(measure(t)).toBeLessThan(measure(s));
          expect(t.xShape.length).toBeLessThanOrEqual(s.xShape.length);
        }
      }
    }
  });
});

describe('convTransposeShapePlan and denseShapePlan', () => {
  it.each(RESTRICTIONS.map((c) => [JSON.stringify(c), c] as const))(
    'ConvTranspose, capabilities %s: valid shapes within them, pairs accounted for',
    (_label, c) => {
      const caps = completeCapabilities(c);
      const plan = convTransposeShapePlan(caps, 4);
      for (const s of plan.specs) {
        const r = s.xShape.length - 2;
        expect(caps.spatialRanks).toContain(r);
        if (!caps.group) expect(s.attrs.group).toBe(1);
        if (!caps.dilation) expect(s.attrs.dilations.every((d) => d === 1)).toBe(true);
        if (!caps.asymmetricPads) expect(s.attrs.pads.slice(0, r)).toEqual(s.attrs.pads.slice(r));
        if (!caps.strideWithDilation) expect(s.attrs.strides.some((v) => v > 1) && s.attrs.dilations.some((d) => d > 1)).toBe(false);
        expect(largestTransposeTensor(s)).toBeLessThanOrEqual(caps.maxElements);
        convTransposeGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs);
        for (const t of shrinkConvTransposeSpec(s, caps)) {
          convTransposeGeometryOfShapes(t.xShape, t.wShape, undefined, t.attrs);
          expect(largestTransposeTensor(t)).toBeLessThanOrEqual(caps.maxElements);
        }
      }
      expect(pairsIn(plan.rows).size).toBe(plan.pairsCovered);
      expect(plan.pairsCovered + plan.uncovered.length).toBe(plan.pairsTotal);
    },
  );

  it('dense: every pair of N, K, M classes and bias, N=[1…65] K=[1…65] M=[1…65]', () => {
    const plan = denseShapePlan(completeCapabilities({}), 1);
    expect(plan.uncovered).toEqual([]);
    expect(plan.pairsCovered).toBe(plan.pairsTotal);
    expect(pairsIn(plan.rows).size).toBe(plan.pairsTotal);
    const Ks = new Set(plan.specs.map((s) => s.xShape[1]));
    for (const k of [63, 64, 65, 66]) expect(Ks.has(k), `K=${k}`).toBe(true);
  });
});

describe('the catalog on plan shapes never leaves the capabilities', () => {
  // the capability gate (src/capability-gate.ts) refuses any call outside them and says so in a note
  it.each(
    [
      { spatialRanks: [2] },
      { group: false, dilation: false },
      { strideWithDilation: false, asymmetricPads: false },
      { maxElements: 600 },
    ].map((c) => [JSON.stringify(c), c] as const),
  )('capabilities %s: every case of every property sent, none refused', { timeout: 300_000 }, async (_label, c) => {
    const report = await verifyKernel(
      { ...im2colKernel, capabilities: c },
      { seed: 3, runs: 12, shapeBudget: 3, shapePlan: 'all', shrinkBudgetMs: 1_000 },
    );
    expect(report.shapePlan?.mode).toBe('all');
    expect(report.properties.filter((p) => p.status === 'failed').map((p) => p.id)).toEqual([]);
    const refused = report.properties.flatMap((p) =>
      (p.notes ?? []).filter((n) => n.includes("outside the kernel's capabilities")).map((n) => `${p.id}: ${n}`),
    );
    expect(refused).toEqual([]);
  });
});

describe('planted narrow bugs of the blocked kernel (Node), at browser settings: 100 cases, 6 shapes per property', () => {
  const options = {
    runs: 100,
    shapeBudget: 6,
    properties: ['conv-matches-reference', 'dense-matches-reference'],
    shrinkBudgetMs: 2_000,
  } as const;

  it('the correct blocked kernel passes on seeds 1–3', async () => {
    for (const seed of [1, 2, 3]) expect((await verifyKernel(createNarrowBugKernel(), { ...options, seed })).status).toBe('passed');
  });

  it.each(NARROW_BUGS.map((b) => [b]))('%s: caught with plan shapes on seeds 1–3, shrunk to a small case', async (bug) => {
    for (const seed of [1, 2, 3]) {
      const report = await verifyKernel(createNarrowBugKernel(bug), { ...options, seed });
      const f = propertyFailure(report.properties.find((p) => p.id === 'conv-matches-reference')!);
      expect(f?.kind, `seed ${seed}`).toBe('mismatch');
      const x = JSON.parse(/x=(\[[\d,]+\])/.exec(f!.problem)![1]) as number[];
      expect(
        x.reduce((a, b) => a * b, 1),
        f!.problem,
      ).toBeLessThanOrEqual(80);
    }
  });

  it('the report shows the plan: pairs covered per operator and the programs compiled', async () => {
    const report = await verifyKernel(createNarrowBugKernel(), { ...options, seed: 1 });
    expect(report.shapePlan?.mode).toBe('all');
    expect(report.shapePlan?.operators.map((o) => o.operator)).toEqual(['conv', 'dense']);
    const conv = report.shapePlan!.operators[0];
    // the differential properties walk the whole plan: every conv plan shape was called
    expect(report.properties[0].casesRun).toBe(100);
    expect(conv.shapes).toBeLessThanOrEqual(100);
    expect(report.shapePlan!.programs).toBeGreaterThanOrEqual(conv.shapes);
    const md = new MarkdownReportWriter().render(report);
    expect(md).toContain('## Shape plan');
    expect(md).toMatch(/conv: \d+ shapes cover \d+ of \d+ pairs of classes/);
    expect(md).toContain('dilation &gt; 1 needs a kernel wider than 1');
    const html = new HtmlReportWriter().render(report);
    expect(html).toContain('<h2>Shape plan</h2>');
  });

  it('in `all` mode the differential property walks every plan shape, a hygiene property takes its shape budget', async () => {
    const report = await verifyKernel(createNarrowBugKernel(), {
      runs: 100,
      seed: 2,
      shapeBudget: 6,
      properties: ['conv-matches-reference', 'output-shape', 'deterministic'],
    });
    const conv = report.shapePlan!.operators.find((o) => o.operator === 'conv')!;
    const [differential, outputShape, deterministic] = report.properties;
    expect(differential.distinctShapes).toBe(conv.shapes);
    // output-shape and deterministic draw 6 plan shapes each (any operator: conv and dense here)
    expect(outputShape.distinctShapes).toBeLessThanOrEqual(2 * 6);
    expect(deterministic.distinctShapes).toBeLessThanOrEqual(2 * 6);
    expect(outputShape.casesRun).toBe(100);
    // with fewer runs than plan shapes the differential property still walks the plan; the others run `runs` cases
    const few = await verifyKernel(createNarrowBugKernel(), {
      runs: 10,
      seed: 2,
      shapeBudget: 6,
      properties: ['conv-matches-reference', 'output-shape'],
    });
    expect(few.properties[0].casesRun).toBe(conv.shapes);
    expect(few.properties[0].distinctShapes).toBe(conv.shapes);
    expect(few.properties[1].casesRun).toBe(10);
  });

  it('the default Node run draws random shapes only; mixed adds each plan shape once to the single-call properties, on top of the random cases', async () => {
    expect(
      (await verifyKernel(createNarrowBugKernel(), { runs: 5, seed: 1, properties: ['conv-matches-reference'] })).shapePlan,
    ).toBeUndefined();
    const report = await verifyKernel(createNarrowBugKernel(), {
      runs: 50,
      seed: 1,
      properties: ['conv-matches-reference', 'explicit-padding'],
      shapePlan: 'mixed',
    });
    const conv = report.shapePlan!.operators.find((o) => o.operator === 'conv')!;
    expect(report.shapePlan?.mode).toBe('mixed');
    expect(report.properties[0].casesRun).toBe(50 + conv.shapes);
    // a multi-call property keeps its random cases
    expect(report.properties[1].casesRun).toBe(50);
  });
});
