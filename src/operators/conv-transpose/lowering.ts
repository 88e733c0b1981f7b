/**
 * ConvTranspose as a conv, the way libraries lower it: insert s−1 zeros between the input's
 * elements, pad d·(k−1) − pad_begin at the beginning and d·(k−1) − pad_end + outputPadding at
 * the end (cropping where that is negative), flip the kernel along every spatial axis and swap its
 * channel axes ([C, M/G, k…] → [M, C/G, k…] per group), then run a stride-1 conv with the same
 * dilation and group. Output size: s·(D−1)+1 + 2·(d·(k−1)) − pads + outputPadding − d·(k−1) = O.
 */
import type { KernelUnderTest, Tensor } from '../../contract.js';
import { sizeOf, stridesOf } from '../../tensor.js';
import type { ConvTransposeAttributes } from './contract.js';
import type { ConvTransposeGeometry } from './geometry.js';
import { convTransposeGeometry } from './geometry.js';

type Data = Float32Array | Float64Array;
type Ctor = { new (n: number): Data };

/** Padding before the first input element of the zero-inserted input, per axis (negative: cropped). */
const insertedBegin = (g: ConvTransposeGeometry): number[] => g.effectiveKernel.map((e, a) => e - 1 - g.padsBegin[a]);

/** The spatial sizes of the zero-inserted, re-padded input (see the module comment). */
export function zeroInsertedSpatial(g: ConvTransposeGeometry): number[] {
  const begin = insertedBegin(g);
  return g.inSpatial.map((d, a) => g.strides[a] * (d - 1) + 1 + begin[a] + g.effectiveKernel[a] - 1 - g.padsEnd[a] + g.outputPadding[a]);
}

/** x with s−1 zeros between elements, re-padded (or cropped) per the module comment. */
export function zeroInsertedInput<T extends { shape: readonly number[]; data: Data }>(x: T, g: ConvTransposeGeometry): T {
  const r = g.rank;
  const begin = insertedBegin(g);
  const len = zeroInsertedSpatial(g);
  const shape = [g.batch, g.inChannels, ...len];
  const data = new (x.data.constructor as Ctor)(sizeOf(shape));
  const si = stridesOf(x.shape);
  const so = stridesOf(shape);
  const rec = (axis: number, oi: number, oo: number): void => {
    if (axis === r) {
      data[oo] = x.data[oi];
      return;
    }
    for (let i = 0; i < g.inSpatial[axis]; i++) {
      const j = i * g.strides[axis] + begin[axis];
      if (j >= 0 && j < len[axis]) rec(axis + 1, oi + i * si[2 + axis], oo + j * so[2 + axis]);
    }
  };
  for (let n = 0; n < g.batch; n++) for (let c = 0; c < g.inChannels; c++) rec(0, n * si[0] + c * si[1], n * so[0] + c * so[1]);
  return { ...x, shape, data };
}

/** w [C, M/G, k…] → [M, C/G, k…]: channel axes swapped within each group, every spatial axis flipped. */
export function flippedSwappedKernel<T extends { shape: readonly number[]; data: Data }>(w: T, g: ConvTransposeGeometry): T {
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const k = g.kernelSpatial;
  const P = sizeOf(k);
  const kst = stridesOf(k);
  const shape = [g.outChannels, cg, ...k];
  const data = new (w.data.constructor as Ctor)(sizeOf(shape));
  for (let grp = 0; grp < g.group; grp++) {
    for (let c = 0; c < cg; c++) {
      for (let m = 0; m < mg; m++) {
        const src = ((grp * cg + c) * mg + m) * P;
        const dst = ((grp * mg + m) * cg + c) * P;
        for (let p = 0; p < P; p++) {
          const flipped = kst.reduce((acc, s, a) => acc + (k[a] - 1 - (Math.floor(p / s) % k[a])) * s, 0);
          data[dst + p] = w.data[src + flipped];
        }
      }
    }
  }
  return { ...w, shape, data };
}

/** The conv attributes of the lowered problem: stride 1, no pads (they are in the input), same dilation, group and activation. */
export function loweredAttrs(g: ConvTransposeGeometry, activation: ConvTransposeAttributes['activation']) {
  return {
    strides: g.strides.map(() => 1),
    pads: [...g.padsBegin, ...g.padsEnd].map(() => 0),
    dilations: [...g.dilations],
    group: g.group,
    ...(activation !== undefined ? { activation } : {}),
  };
}

/** A `convTranspose` computed by the kernel's own `conv` on the lowered problem (see the module comment). */
export function convTransposeByConv(conv: NonNullable<KernelUnderTest['conv']>) {
  return (x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): Tensor | Promise<Tensor> => {
    const g = convTransposeGeometry(x, w, b, attrs);
    return conv(zeroInsertedInput(x, g), flippedSwappedKernel(w, g), b, loweredAttrs(g, attrs.activation));
  };
}
