/**
 * Boundary conv problems (see `sizes.ts`): one dimension on or around a block size, a flat
 * element count or a texture side, the others tiny. Built geometry-first: every spatial extent is
 * at least its kernel, pads are 0 or 1, so each problem is valid by construction.
 */
import fc from 'fast-check';
import type { ConvSpec } from './spec.js';
import type { SizeClass } from '../../arbitraries/sizes.js';
import { blockSize, flatSize, smallDivisors, textureSide } from '../../arbitraries/sizes.js';

/** What a boundary conv problem must honour (a subset of `convProblem`'s complete constraints). */
export interface BoundaryConvConstraints {
  readonly ranks: readonly number[];
  readonly bias: boolean | undefined;
  readonly group: boolean;
  readonly padding: boolean;
  readonly asymmetricPads: boolean;
  readonly stride: boolean;
  /** Relative weight of flat counts around 2²⁴ (16.7 M elements, ~1 s a case) against 2¹⁶. */
  readonly flat24Weight: number;
}

interface Shape {
  batch: number;
  groups: number;
  cg: number;
  mg: number;
  spatial: number[];
  kernel: number[];
  stride: number[];
  padBegin: number[];
  padEnd: number[];
  bias: boolean;
}

const int = (min: number, max: number) => fc.integer({ min, max });

/** Tiny axes: extents 1–`maxD`, kernels up to the extent (≤ 2), stride 1, pads 0–1. */
function tinyAxes(rank: number, maxD = 3): fc.Arbitrary<Pick<Shape, 'spatial' | 'kernel' | 'stride' | 'padBegin' | 'padEnd'>> {
  return fc.array(fc.tuple(int(1, maxD), int(1, 2), int(0, 1), int(0, 1)), { minLength: rank, maxLength: rank }).map((axes) => ({
    spatial: axes.map(([d]) => d),
    kernel: axes.map(([d, k]) => Math.min(d, k)),
    stride: axes.map(() => 1),
    padBegin: axes.map(([, , p]) => p),
    padEnd: axes.map(([, , , p]) => p),
  }));
}

/** One long axis of extent `D` (kernel 1–3 ≤ D, stride 1–2, pads 0–1) among tiny ones. */
function longAxis(
  rank: number,
  D: fc.Arbitrary<number>,
  others: 'tiny' | 'one',
): fc.Arbitrary<Pick<Shape, 'spatial' | 'kernel' | 'stride' | 'padBegin' | 'padEnd'>> {
  return fc
    .record({ axes: tinyAxes(rank), axis: int(0, rank - 1), D, k: int(1, 3), s: int(1, 2), pb: int(0, 1), pe: int(0, 1) })
    .map(({ axes, axis, D: d, k, s, pb, pe }) => {
      const a = {
        spatial: [...axes.spatial],
        kernel: [...axes.kernel],
        stride: [...axes.stride],
        padBegin: [...axes.padBegin],
        padEnd: [...axes.padEnd],
      };
      if (others === 'one') for (let i = 0; i < rank; i++) [a.spatial[i], a.kernel[i], a.padBegin[i], a.padEnd[i]] = [1, 1, 0, 0];
      a.spatial[axis] = d;
      a.kernel[axis] = Math.min(k, d);
      a.stride[axis] = s;
      a.padBegin[axis] = pb;
      a.padEnd[axis] = pe;
      return a;
    });
}

/** Every boundary class, each as a (weight, arbitrary of shapes) pair. */
function classes(c: BoundaryConvConstraints, rank: number): Array<{ cls: SizeClass; weight: number; arbitrary: fc.Arbitrary<Shape> }> {
  const groups = c.group ? int(1, 2) : fc.constant(1);
  const bias = c.bias === undefined ? fc.boolean() : fc.constant(c.bias);
  // the large dimension multiplies everything else: keep the rest at 1–2 per axis
  const tiny = tinyAxes(rank, 2);
  const flat16 = 40;
  return [
    {
      cls: 'batch',
      weight: 10,
      arbitrary: fc
        .record({ batch: blockSize(), groups: fc.constant(1), cg: int(1, 3), mg: int(1, 3), bias })
        .chain((s) => tiny.map((a) => ({ ...s, ...a }))),
    },
    {
      cls: 'channels',
      weight: 20,
      arbitrary: fc
        .record({ batch: fc.constant(1), groups, cg: blockSize(), mg: int(1, 3), bias })
        .chain((s) => tiny.map((a) => ({ ...s, ...a }))),
    },
    {
      cls: 'outChannels',
      weight: 10,
      arbitrary: fc
        .record({ batch: fc.constant(1), groups, cg: int(1, 3), mg: blockSize(), bias })
        .chain((s) => tiny.map((a) => ({ ...s, ...a }))),
    },
    {
      cls: 'spatial',
      weight: 10,
      arbitrary: fc
        .record({ batch: fc.constant(1), groups: fc.constant(1), cg: int(1, 2), mg: int(1, 2), bias })
        .chain((s) => longAxis(rank, blockSize(), 'tiny').map((a) => ({ ...s, ...a }))),
    },
    {
      cls: 'reduction',
      weight: 20,
      // (C/group)·k = R exactly: k a divisor of R (≤ 16) on the first axis, the rest of R in C/group
      arbitrary: fc
        .record({ R: blockSize(), pick: fc.nat(), mg: int(1, 2), extra: int(0, 2), bias })
        .chain(({ R, pick, mg, extra, bias: hb }) => {
          const ds = smallDivisors(R, 16);
          const k = ds[pick % ds.length];
          return tiny.map((a) => ({
            batch: 1,
            groups: 1,
            cg: R / k,
            mg,
            bias: hb,
            spatial: [k + extra, ...a.spatial.slice(1).map(() => 1)],
            kernel: [k, ...a.kernel.slice(1).map(() => 1)],
            stride: a.stride,
            padBegin: a.padBegin.map(() => 0),
            padEnd: a.padEnd.map(() => 0),
          }));
        }),
    },
    {
      cls: 'flat',
      weight: 10,
      arbitrary: fc
        .record({ mg: int(1, 2), bias })
        .chain((s) =>
          longAxis(
            rank,
            fc.oneof({ weight: flat16, arbitrary: flatSize([2 ** 16]) }, { weight: c.flat24Weight, arbitrary: flatSize([2 ** 24]) }),
            'one',
          ).map((a) => ({ ...s, batch: 1, groups: 1, cg: 1, ...a })),
        ),
    },
    {
      cls: 'textureSide',
      weight: 3,
      arbitrary: fc
        .record({ batch: fc.constant(1), groups: fc.constant(1), cg: int(1, 2), mg: int(1, 2), bias })
        .chain((s) => longAxis(rank, textureSide(), 'tiny').map((a) => ({ ...s, ...a }))),
    },
  ].filter((k) => k.weight > 0) as Array<{ cls: SizeClass; weight: number; arbitrary: fc.Arbitrary<Shape> }>;
}

function toSpec(s: Shape, c: BoundaryConvConstraints): ConvSpec {
  const padBegin = c.padding ? s.padBegin : s.padBegin.map(() => 0);
  const padEnd = !c.padding ? s.padEnd.map(() => 0) : c.asymmetricPads ? s.padEnd : padBegin;
  const stride = c.stride ? s.stride : s.stride.map(() => 1);
  return {
    xShape: [s.batch, s.groups * s.cg, ...s.spatial],
    wShape: [s.groups * s.mg, s.cg, ...s.kernel],
    attrs: { strides: stride, pads: [...padBegin, ...padEnd], dilations: s.kernel.map(() => 1), group: s.groups },
    hasBias: s.bias,
  };
}

/**
 * Arbitrary boundary conv problems: one dimension (N, C/group, M/group, one spatial extent, the
 * reduction length, the flat element count or a texture side) around a block size or limit.
 * @example fc.sample(boundaryConvProblem({ ranks: [2], bias: undefined, group: true, padding: true, asymmetricPads: true, stride: true, flat24Weight: 0 }), 3)
 */
export function boundaryConvProblem(c: BoundaryConvConstraints): fc.Arbitrary<ConvSpec> {
  return fc
    .constantFrom(...c.ranks)
    .chain((rank) =>
      fc.oneof(...classes(c, rank).map(({ weight, arbitrary }) => ({ weight, arbitrary: arbitrary.map((s) => toSpec(s, c)) }))),
    );
}
