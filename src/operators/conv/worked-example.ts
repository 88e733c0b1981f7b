/**
 * The question this project started from, as a property: f(x) = ReLU(Wx + b) with
 * W = [[0,1,1],[2,3,5]], b = [8,13], computed by the kernel as a conv with a fused relu — as a
 * 1×1 conv (the 3 inputs as channels of one pixel) and as a conv whose kernel covers its whole
 * input (the 3 inputs along one spatial axis) — on any subset of six inputs worked out by hand.
 */
import fc from 'fast-check';
import { defineProperty } from '../../property/definition.js';
import { judge } from '../../property/judge.js';
import { formatShape } from '../../tensor.js';
import type { Data64 } from '../../vocabulary.js';
import { plainAttrs, runConv } from './cases.js';

const W = [0, 1, 1, 2, 3, 5];
const B = [8, 13];
/** Six inputs and ReLU(Wx + b) by hand, e.g. [−1, −2, −3] → [−2−3+8, −2−6−15+13] = [3, −10] → [3, 0]. */
const ROWS: ReadonlyArray<{ readonly x: readonly number[]; readonly y: readonly number[] }> = [
  { x: [1, 2, 3], y: [13, 36] },
  { x: [0, 0, 0], y: [8, 13] },
  { x: [-1, -2, -3], y: [3, 0] },
  { x: [0, -5, -5], y: [0, 0] },
  { x: [1, -4, 0], y: [4, 3] },
  { x: [2, -5, -1], y: [2, 0] },
];

interface WorkedCase {
  readonly form: '1x1' | 'full-extent';
  readonly rank: number;
  /** Spatial axis holding the 3 inputs (full-extent form). */
  readonly axis: number;
  /** Which of the six inputs, in which order, make the batch. */
  readonly rows: readonly number[];
}

export const workedExampleRelu = defineProperty<WorkedCase>({
  id: 'worked-example-relu',
  statement:
    'ReLU(Wx + b) with W = [[0,1,1],[2,3,5]], b = [8,13] as a conv with a fused relu (1×1 and full-extent forms, ranks 1–3) gives the values worked out by hand',
  needs: ['conv'],
  skipReason: (caps) => (caps.activations.includes('relu') ? undefined : "kernel declares no fused 'relu' (capabilities.activations)"),
  arbitrary: (ctx) =>
    fc.record({
      form: fc.constantFrom('1x1' as const, 'full-extent' as const),
      rank: fc.constantFrom(...ctx.capabilities.spatialRanks),
      axis: fc.integer({ min: 0, max: 2 }),
      rows: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 1 }),
    }),
  async check(k, c) {
    const N = c.rows.length;
    const axis = c.axis % c.rank;
    const ones = Array.from({ length: c.rank }, () => 1);
    const spatial = c.form === '1x1' ? ones : ones.map((_, a) => (a === axis ? 3 : 1));
    const channels = c.form === '1x1' ? 3 : 1;
    // the same 3 numbers per input either as 3 channels or along the axis: identical memory order
    const x: Data64 = { shape: [N, channels, ...spatial], data: Float64Array.from(c.rows.flatMap((r) => ROWS[r].x)) };
    const w: Data64 = { shape: [2, channels, ...spatial], data: Float64Array.from(W) };
    const b: Data64 = { shape: [2], data: Float64Array.from(B) };
    const outShape = [N, 2, ...ones];
    const y = await runConv(k, x, w, b, { ...plainAttrs(c.rank), activation: { kind: 'relu' } }, outShape);
    const values = Float64Array.from(c.rows.flatMap((r) => ROWS[r].y));
    judge('fused relu conv vs ReLU(Wx + b) by hand', k.precision, 'exact', y, {
      shape: outShape,
      values,
      magnitude: new Float64Array(values.length),
      terms: 0,
    });
  },
  describe: (c) => {
    const spatial = Array.from({ length: c.rank }, (_, a) => (c.form === 'full-extent' && a === c.axis % c.rank ? 3 : 1));
    return `${c.form} x=${formatShape([c.rows.length, c.form === '1x1' ? 3 : 1, ...spatial])} rows=${formatShape(c.rows)} activation=relu regime=exact`;
  },
});
