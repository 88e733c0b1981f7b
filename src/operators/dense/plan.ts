/**
 * The dense shape plan (`arbitraries/shape-plan.ts`): a pairwise covering array of N (the batch),
 * K (the reduction) and M (the output features), each by residue mod 4 and band (≤ 4, around 8,
 * 16, 32, 64), and bias; and the shrinker of plan shapes.
 */
import type { CompleteCapabilities } from '../../capabilities.js';
import type { OperatorShapePlan } from '../../arbitraries/shape-plan.js';
import { BANDS, channelCount, RESIDUES, smallestInBand } from '../../arbitraries/shape-plan.js';
import type { CoveringModel } from '../../arbitraries/covering-array.js';
import { coveringArray } from '../../arbitraries/covering-array.js';
import type { DenseSpec } from './spec.js';

/** Largest tensor and multiply-adds of a dense plan shape. */
const PLAN_MAX_ELEMENTS = 2 ** 14;
const PLAN_MAX_MACS = 2 ** 16;

const largest = (N: number, K: number, M: number) => Math.max(N * K, M * K, N * M);

/**
 * The dense plan for a kernel's capabilities (only `maxElements` applies), deterministic from `seed`.
 * @example denseShapePlan(completeCapabilities({}), 1).specs.length
 */
export function denseShapePlan(capabilities: CompleteCapabilities, seed: number): OperatorShapePlan<DenseSpec> {
  const dims = ['N', 'K', 'M'];
  const parameters = [
    ...dims.flatMap((d) => [
      { name: `${d}%4`, values: [...RESIDUES] },
      { name: `${d} band`, values: [...BANDS] },
    ]),
    { name: 'bias', values: ['no', 'yes'] },
  ];
  const limit = Math.min(PLAN_MAX_ELEMENTS, capabilities.maxElements);
  const size = (row: ReadonlyArray<number | undefined>, i: number) =>
    row[2 * i] !== undefined && row[2 * i + 1] !== undefined ? channelCount(row[2 * i]!, row[2 * i + 1]!) : smallestInBand(row[2 * i + 1]);
  const model: CoveringModel = {
    parameters,
    violation(row) {
      const [N, K, M] = [0, 1, 2].map((i) => size(row, i));
      if (largest(N, K, M) > limit)
        return `a tensor above ${limit} elements${limit === capabilities.maxElements ? " (the kernel's maxElements)" : " (the plan's size limit)"}`;
      if (N * K * M > PLAN_MAX_MACS) return `more than ${PLAN_MAX_MACS} multiply-adds (the plan's cost limit)`;
      return undefined;
    },
  };
  const covering = coveringArray(model, seed);
  const specs = covering.rows.map((r): DenseSpec => {
    const [N, K, M] = [0, 1, 2].map((i) => channelCount(r[2 * i], r[2 * i + 1]));
    return { xShape: [N, K], wShape: [M, K], hasBias: r[6] === 1 };
  });
  return {
    operator: 'dense',
    parameters: parameters.map((p) => p.name),
    specs,
    rows: covering.rows.map((r) => r.map((v, p) => parameters[p].values[v])),
    pairsCovered: covering.covered,
    pairsTotal: covering.total,
    uncovered: covering.uncovered,
    excluded: [],
  };
}

/** Smaller dense specs: each of N, K, M to 1, − 4 (keeping its residue), halved, − 1; bias off. */
export function shrinkDenseSpec(s: DenseSpec): DenseSpec[] {
  const [N, K] = s.xShape;
  const M = s.wShape[0];
  const smaller = (v: number) => [...new Set([1, v - 4, Math.floor(v / 2), v - 1])].filter((x) => x >= 1 && x < v);
  return [
    ...smaller(N).map((n) => ({ ...s, xShape: [n, K] })),
    ...smaller(K).map((k) => ({ ...s, xShape: [N, k], wShape: [M, k] })),
    ...smaller(M).map((m) => ({ ...s, wShape: [m, K] })),
    ...(s.hasBias ? [{ ...s, hasBias: false }] : []),
  ];
}
