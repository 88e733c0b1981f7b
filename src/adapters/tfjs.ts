/**
 * TensorFlow.js (`@tensorflow/tfjs-core` with the `cpu` or `wasm` backend) behind the
 * `KernelUnderTest` contract.
 *
 * tfjs is channels-last, so each call transposes x `[N, C, D…]` → `[N, D…, C]` and
 * w `[M, C/group, k…]` → `[k…, C/group, M]`, runs the tfjs op and transposes the result back.
 * Rank 1 runs as rank 2 with a leading spatial axis of size 1 (what `tf.conv1d` itself does).
 * Rank 2 uses `tf.fused.conv2d` with explicit (asymmetric) padding and a fused bias — the op
 * tfjs-layers and converted graph models run; `group = C` uses `tf.depthwiseConv2d` (depth
 * multiplier M / C) plus a bias add; any other group splits the channels and concatenates
 * per-group convs.
 * Rank 3: `tf.conv3d` only accepts 'same' / 'valid', so the input is zero-padded with `tf.pad`
 * and convolved 'valid'; the bias is added afterwards.
 *
 * tfjs keeps one global engine: the adapter switches it to its backend before each call (calls
 * are queued so cpu and wasm kernels can be used together), which also affects other tfjs code
 * running in the same process.
 */
import type { ConvAttributes } from '../operators/conv/contract.js';
import type { KernelUnderTest, Tensor } from '../contract.js';
import type { KernelCapabilities } from '../capabilities.js';
import { checkActivation } from '../activation.js';
import type { Activation } from '../activation.js';
import { KernelLoadError } from '../errors.js';
import type { ConvTransposeAttributes } from '../operators/conv-transpose/contract.js';
import { convTransposeGeometry } from '../operators/conv-transpose/geometry.js';
import type { ConvTransposeGeometry } from '../operators/conv-transpose/geometry.js';
import type { DenseAttributes } from '../operators/dense/contract.js';
import { convGeometry, type ConvGeometry } from '../operators/conv/geometry.js';
import { denseGeometry } from '../operators/dense/geometry.js';
import { padSpatial, sliceAxis0, sliceChannels, zeroInsertKernel } from '../property/tensor-ops.js';
import type { Data64 } from '../vocabulary.js';
import { sizeOf, stridesOf } from '../tensor.js';

type Tf = typeof import('@tensorflow/tfjs-core');
type TfTensor = import('@tensorflow/tfjs-core').Tensor;
type TfTensor4D = import('@tensorflow/tfjs-core').Tensor4D;
type TfTensor5D = import('@tensorflow/tfjs-core').Tensor5D;

/** Backends the adapter can run on; `webgl` and `webgpu` need a browser (convcheck runs them in one). */
export type TfjsBackend = 'cpu' | 'wasm' | 'webgl' | 'webgpu';

/**
 * What tfjs 4.22 supports, checked against its source and by running it:
 * `conv2d`, `depthwiseConv2d` and `conv3d` all assert `eitherStridesOrDilationsAreOne`
 * ("Error in conv2D: Either strides or dilations must be 1."), across all axes at once.
 */
const TFJS_CAPABILITIES: KernelCapabilities = {
  spatialRanks: [1, 2, 3],
  group: true,
  dilation: true,
  strideWithDilation: false,
  asymmetricPads: true,
  specialValues: true,
  // what `tf.fused.conv2d` / `tf.fused.matMul` fuse among our kinds (tfjs has no fused clip or tanh)
  activations: ['relu', 'relu6', 'leakyRelu', 'sigmoid'],
};

/** tfjs's name of a fused activation, and its leakyrelu alpha. */
function tfjsActivation(a: Activation | undefined): { activation?: 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid'; leakyreluAlpha?: number } {
  if (a === undefined) return {};
  switch (a.kind) {
    case 'relu':
    case 'relu6':
    case 'sigmoid':
      return { activation: a.kind };
    case 'leakyRelu':
      return { activation: 'leakyrelu', leakyreluAlpha: a.alpha };
    default:
      throw new Error(`tfjs adapter: activation ${a.kind} is not fused by tfjs (not declared in capabilities.activations)`);
  }
}

/** The activation as a separate tfjs op, for the paths tfjs does not fuse (depthwise with explicit pads, conv3d, conv transposes). */
function applyTfjsActivation(tf: Tf, y: TfTensor, a: Activation | undefined): TfTensor {
  if (a === undefined) return y;
  const { activation, leakyreluAlpha } = tfjsActivation(a);
  if (activation === 'relu') return tf.relu(y);
  if (activation === 'relu6') return tf.relu6(y);
  if (activation === 'leakyrelu') return tf.leakyRelu(y, leakyreluAlpha);
  return tf.sigmoid(y);
}

/*
 * WebGL and WebGPU (measured in headless Chromium on SwiftShader, tests/browser): NaN and ±Infinity
 * propagate as IEEE-754 says (0·∞ = NaN), so `specialValues` holds on the GPU backends too;
 * subnormal inputs and products are flushed to zero, which every run's numerics probe finds and
 * keeps the data clear of (docs/numerics.md), so the bound is the same as on the CPU.
 */

/** A conv problem as tfjs sees it: rank 2 or 3, rank 1 already lifted to rank 2. */
interface TfjsConvPlan {
  readonly rank: 2 | 3;
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  readonly padsBegin: readonly number[];
  readonly padsEnd: readonly number[];
  readonly group: number;
  readonly inChannels: number;
  /** The ONNX output shape `[N, M, O…]` (rank 1 unlifted). */
  readonly outShape: readonly number[];
  readonly activation?: Activation;
}

function planOf(g: ConvGeometry, activation?: Activation): TfjsConvPlan {
  const common = { group: g.group, inChannels: g.inChannels, activation, outShape: g.outputShape };
  if (g.rank === 1) {
    // A size-1 axis with kernel 1, stride 1, dilation 1 and no padding changes nothing.
    return {
      ...common,
      rank: 2,
      xShape: [g.batch, g.inChannels, 1, g.inSpatial[0]],
      wShape: [g.outChannels, g.inChannelsPerGroup, 1, g.kernelSpatial[0]],
      strides: [1, g.strides[0]],
      dilations: [1, g.dilations[0]],
      padsBegin: [0, g.padsBegin[0]],
      padsEnd: [0, g.padsEnd[0]],
    };
  }
  return {
    ...common,
    rank: g.rank as 2 | 3,
    xShape: g.inputShape,
    wShape: g.weightShape,
    strides: g.strides,
    dilations: g.dilations,
    padsBegin: g.padsBegin,
    padsEnd: g.padsEnd,
  };
}

function float32(data: Float32Array | Float64Array): Float32Array {
  return data instanceof Float32Array ? data : new Float32Array(data);
}

/** [from, from+1, …, to−1]. */
function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

/** A tensor's data laid out in JavaScript before it is handed to tfjs. */
interface LaidOut {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** `t` with its axes permuted (`perm[i]` is the source axis of result axis i), as `tf.transpose` would. */
function permuted(t: Data64, perm: readonly number[]): LaidOut {
  const out = new Float32Array(t.data.length);
  const outShape = perm.map((a) => t.shape[a]);
  const srcStrides = stridesOf(t.shape);
  const stride = perm.map((a) => srcStrides[a]);
  const index = new Array<number>(perm.length).fill(0);
  let src = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = t.data[src];
    // odometer over the result's index, keeping the source offset in step
    for (let a = perm.length - 1; a >= 0; a--) {
      src += stride[a];
      if (++index[a] < outShape[a]) break;
      src -= stride[a] * outShape[a];
      index[a] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** tfjs's channels-last layout: x `[N, C, D…]` as `[N, D…, C]`, a kernel `[A, B, k…]` as `[k…, B, A]`. */
function channelsLast(t: Data64, kind: 'x' | 'w'): LaidOut {
  const spatial = range(2, t.shape.length);
  return permuted(t, kind === 'x' ? [0, ...spatial, 1] : [...spatial, 1, 0]);
}

/** Group `i` of `group` (its channels of x `[N, C, D…]`, or its rows of a kernel `[A, B, k…]`) in tfjs's layout. */
function groupChannelsLast(t: Data64, kind: 'x' | 'w', i: number, group: number): LaidOut {
  if (group === 1) return channelsLast(t, kind);
  const size = t.shape[kind === 'x' ? 1 : 0] / group;
  return channelsLast(kind === 'x' ? sliceChannels(t, i * size, (i + 1) * size) : sliceAxis0(t, i * size, (i + 1) * size), kind);
}

function tensorOf(tf: Tf, t: LaidOut): TfTensor {
  return tf.tensor(t.data, [...t.shape], 'float32');
}

/**
 * A conv's result as tfjs leaves it: one channels-last tensor `[N, O…, M/parts]` per group of
 * output channels, in channel order, and the ONNX shape `[N, M, O…]` they make up.
 */
interface GroupParts {
  readonly parts: readonly TfTensor[];
  readonly outShape: readonly number[];
}

/** The parts' data (channels-last, one block of channels each) interleaved into channels-first `outShape`. */
function assembleChannelsFirst(parts: readonly Float32Array[], outShape: readonly number[]): Tensor {
  const [batch, channels] = outShape;
  const plane = sizeOf(outShape.slice(2));
  const out = new Float32Array(batch * channels * plane);
  const per = channels / parts.length;
  parts.forEach((data, part) => {
    let i = 0;
    for (let n = 0; n < batch; n++)
      for (let s = 0; s < plane; s++) for (let m = 0; m < per; m++) out[(n * channels + part * per + m) * plane + s] = data[i++];
  });
  return { shape: [...outShape], data: out };
}

/** Channels-last conv of one group (or of all channels when group = 1). */
function convChannelsLast(
  tf: Tf,
  p: TfjsConvPlan,
  x: TfTensor,
  filter: TfTensor,
  bias: TfTensor | undefined,
  depthwise: boolean,
): TfTensor {
  if (p.rank === 2) {
    const args = {
      x: x as TfTensor4D,
      filter: filter as TfTensor4D,
      strides: p.strides as [number, number],
      pad: [
        [0, 0],
        [p.padsBegin[0], p.padsEnd[0]],
        [p.padsBegin[1], p.padsEnd[1]],
        [0, 0],
      ] as [[0, 0], [number, number], [number, number], [0, 0]],
      dilations: p.dilations as [number, number],
      bias,
    };
    if (!depthwise) return tf.fused.conv2d({ ...args, ...tfjsActivation(p.activation) });
    // tf.fused.depthwiseConv2d is not typed for explicit padding; the unfused op is.
    const y = tf.depthwiseConv2d(args.x, args.filter, args.strides, args.pad, 'NHWC', args.dilations);
    return applyTfjsActivation(tf, bias === undefined ? y : tf.add(y, bias), p.activation);
  }
  // x arrives zero-padded (`convOnnxLayout`): tf.conv3d takes only 'same' / 'valid'.
  const y = tf.conv3d(
    x as TfTensor5D,
    filter as TfTensor5D,
    p.strides as [number, number, number],
    'valid',
    'NDHWC',
    p.dilations as [number, number, number],
  );
  return applyTfjsActivation(tf, bias === undefined ? y : tf.add(y, bias), p.activation);
}

/** `tf.pad` with zeros, except on the GPU backends, whose rank-5 pad is broken (docs/findings.md): there `padByConcat`. */
function zeroPad(tf: Tf, x: TfTensor, pads: Array<[number, number]>): TfTensor {
  const gpu = tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu';
  return gpu ? padByConcat(tf, x, pads) : tf.pad(x, pads);
}

/** Zero padding of `x` as concatenations with zero blocks, axis by axis (same result as `tf.pad`). */
function padByConcat(tf: Tf, x: TfTensor, pads: ReadonlyArray<readonly [number, number]>): TfTensor {
  let t = x;
  pads.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const block = (n: number) =>
      tf.zeros(
        t.shape.map((d, i) => (i === axis ? n : d)),
        'float32',
      );
    t = tf.concat([...(before > 0 ? [block(before)] : []), t, ...(after > 0 ? [block(after)] : [])], axis);
  });
  return t;
}

/**
 * ONNX-layout conv through tfjs. x and w are laid out channels-last in JavaScript, sliced per group
 * there too, and each group's channels-last result is read back and interleaved into `[N, M, O…]`
 * by `assembleChannelsFirst` — so the GPU runs the conv ops alone (each tfjs transpose, split or
 * concat would be one more program compiled per shape; see `docs/gpu.md`).
 */
function convOnnxLayout(tf: Tf, p: TfjsConvPlan, x: Float32Array, w: Float32Array, b: Float32Array | undefined): GroupParts {
  const x64: Data64 = { shape: [...p.xShape], data: Float64Array.from(x) };
  const w64: Data64 = { shape: [...p.wShape], data: Float64Array.from(w) };
  // tf.conv3d takes only 'same' / 'valid': a rank-3 x is zero-padded here, before the upload (tfjs's
  // own GPU pad of rank-5 tensors is broken, docs/findings.md)
  const xp = p.rank === 3 ? padSpatial(x64, p.padsBegin, p.padsEnd) : x64;
  const outShape = p.outShape;
  const bias = (from: number, to: number) => b && tf.tensor1d(b.subarray(from, to), 'float32');
  if (p.rank === 2 && p.group > 1 && p.group === p.inChannels) {
    // w laid out is [kh, kw, 1, M] with m = c·(M/C) + q, so the same data are the depthwise [kh, kw, C, M/C].
    const wt = channelsLast(w64, 'w');
    const [kh, kw, , m] = wt.shape;
    const filter = tf.tensor(wt.data, [kh, kw, p.inChannels, m / p.inChannels], 'float32');
    return { parts: [convChannelsLast(tf, p, tensorOf(tf, channelsLast(xp, 'x')), filter, bias(0, m), true)], outShape };
  }
  // Output channel m belongs to group ⌊m / (M/group)⌋: equal channel slices of x and of w's output
  // axis line up, and the groups' outputs in order are the output channels in order.
  const mg = p.wShape[0] / p.group;
  const parts = range(0, p.group).map((i) =>
    convChannelsLast(
      tf,
      p,
      tensorOf(tf, groupChannelsLast(xp, 'x', i, p.group)),
      tensorOf(tf, groupChannelsLast(w64, 'w', i, p.group)),
      bias(i * mg, (i + 1) * mg),
      false,
    ),
  );
  return { parts, outShape };
}

/**
 * A ConvTranspose as tfjs's channels-last transposes see it (rank 1 lifted to 2), its tensors laid
 * out in JavaScript: x `[N, D…, C]`, w `[k…, M/G, C]` and, when dilated, w zero-inserted.
 */
interface TfjsTransposePlan {
  readonly g: ConvTransposeGeometry;
  readonly n: 2 | 3;
  readonly K: readonly number[];
  readonly S: readonly number[];
  readonly L: readonly number[];
  readonly outputPadding: readonly number[];
  readonly padsBegin: readonly number[];
  readonly outSpatial: readonly number[];
  /** The 'valid' transpose's extent s·(D−1) + d·(k−1) + 1, and that of a 1×1 kernel, s·(D−1) + 1. */
  readonly full: readonly number[];
  readonly base: readonly number[];
  /** x `[N, C, D…]`, w `[C, M/G, k…]` and, when dilated, w zero-inserted `[C, M/G, d·(k−1)+1…]` (lifted). */
  readonly x: Data64;
  readonly w: Data64;
  readonly wDilated: Data64 | undefined;
  /** The groups that take the tap-by-tap path (`tapSums`): dilated, with ±Inf or NaN in their x. */
  readonly tapByTap: ReadonlySet<number>;
}

function transposePlan(g: ConvTransposeGeometry, x: Float32Array, w: Float32Array): TfjsTransposePlan {
  const lifted = g.rank === 1;
  const n = lifted ? 2 : (g.rank as 2 | 3);
  const lift = <T>(v: readonly T[], one: T): T[] => (lifted ? [one, ...v] : [...v]);
  const D = lift(g.inSpatial, 1);
  const K = lift(g.kernelSpatial, 1);
  const S = lift(g.strides, 1);
  const L = lift(g.dilations, 1);
  const eff = K.map((k, a) => L[a] * (k - 1) + 1);
  // tf.conv*Transpose has no dilations. A group whose x is finite runs one transpose with the
  // zero-inserted kernel (0·finite x adds an exact 0); a group whose x holds ±Inf or NaN would get
  // NaN from those zeros, so it goes tap by tap (`tapSums`).
  const dilated = L.some((d) => d > 1);
  const tapByTap = dilated ? groupsWithNonFinite(g, x) : new Set<number>();
  return {
    g,
    n,
    K,
    S,
    L,
    outputPadding: lift(g.outputPadding, 0),
    padsBegin: lift(g.padsBegin, 0),
    outSpatial: lift(g.outSpatial, 1),
    full: D.map((d, a) => S[a] * (d - 1) + eff[a]),
    base: D.map((d, a) => S[a] * (d - 1) + 1),
    x: { shape: [g.batch, g.inChannels, ...D], data: Float64Array.from(x) },
    w: { shape: [g.inChannels, g.outChannelsPerGroup, ...K], data: Float64Array.from(w) },
    wDilated:
      dilated && tapByTap.size < g.group
        ? {
            shape: [g.inChannels, g.outChannelsPerGroup, ...eff],
            data: zeroInsertKernel(
              { shape: [g.inChannels, g.outChannelsPerGroup, ...g.kernelSpatial], data: Float64Array.from(w) },
              g.dilations,
            ).data,
          }
        : undefined,
    tapByTap,
  };
}

/** `tf.conv2dTranspose` / `tf.conv3dTranspose`, 'valid', onto `extent`. */
function tfTranspose(tf: Tf, p: TfjsTransposePlan, xg: TfTensor, wg: TfTensor, extent: readonly number[]): TfTensor {
  const outShape = [p.g.batch, ...extent, wg.shape[p.n] as number];
  return p.n === 2
    ? tf.conv2dTranspose(xg as TfTensor4D, wg as TfTensor4D, outShape as [number, number, number, number], p.S as [number, number], 'valid')
    : tf.conv3dTranspose(
        xg as TfTensor5D,
        wg as TfTensor5D,
        outShape as [number, number, number, number, number],
        p.S as [number, number, number],
        'valid',
      );
}

/**
 * The tap-by-tap groups' 'valid' results `[N, full…, M/G]`. One transpose computes every tap at
 * once — w's taps as the P·(M/G) output channels of a 1×1 kernel, so tap t of output channel m is
 * channel t·(M/G) + m — and its result is shifted by k·d per tap and summed here, tap after tap,
 * in float32 (a Float32Array store rounds each sum as a float32 add does). No zero ever multiplies
 * the non-finite x. (One 1×1 transpose, pad and add per tap on the GPU was up to 4 programs × 343
 * taps per group and call: most of a WebGL run's ConvTranspose time.)
 */
async function tapSums(tf: Tf, p: TfjsTransposePlan): Promise<Map<number, LaidOut>> {
  const sums = new Map<number, LaidOut>();
  const { g, K, L, full, base } = p;
  const taps = sizeOf(K);
  const cg = g.inChannelsPerGroup;
  const mg = g.outChannelsPerGroup;
  const fullSize = sizeOf(full);
  const baseSize = sizeOf(base);
  const fullStrides = stridesOf(full);
  const baseStrides = stridesOf(base);
  // a base position's offset in the full extent (same coordinates)
  const baseToFull = Int32Array.from({ length: baseSize }, (_, q) =>
    base.reduce((o, _e, a) => o + (Math.floor(q / baseStrides[a]) % base[a]) * fullStrides[a], 0),
  );
  const kStrides = stridesOf(K);
  for (const i of [...p.tapByTap].sort((a, b) => a - b)) {
    const xg = groupChannelsLast(p.x, 'x', i, g.group);
    const wg = groupChannelsLast(p.w, 'w', i, g.group); // [k…, M/G, C/G]: the same data as [1…, P·M/G, C/G]
    const z = tf.tidy(() => tfTranspose(tf, p, tensorOf(tf, xg), tf.tensor(wg.data, [...K.map(() => 1), taps * mg, cg], 'float32'), base));
    let zd: Float32Array;
    try {
      zd = new Float32Array((await z.data()) as Float32Array);
    } finally {
      z.dispose();
    }
    const out = new Float32Array(g.batch * fullSize * mg);
    for (let t = 0; t < taps; t++) {
      const shift = K.reduce((s, _k, a) => s + (Math.floor(t / kStrides[a]) % K[a]) * L[a] * fullStrides[a], 0);
      for (let nb = 0; nb < g.batch; nb++)
        for (let q = 0; q < baseSize; q++) {
          const src = ((nb * baseSize + q) * taps + t) * mg;
          const dst = (nb * fullSize + baseToFull[q] + shift) * mg;
          for (let m = 0; m < mg; m++) out[dst + m] += zd[src + m];
        }
    }
    sums.set(i, { data: out, shape: [g.batch, ...full, mg] });
  }
  return sums;
}

/**
 * ONNX ConvTranspose through `tf.conv2dTranspose` / `tf.conv3dTranspose`: tfjs's transposes take
 * neither dilation, group, output_padding nor a bias, so the adapter composes — each group runs
 * 'valid' onto the full extent s·(D−1) + d·(k−1) + 1 (dilated: with the zero-inserted kernel, or
 * from `sums` for a group whose x is not finite), `tf.pad` appends the outputPadding elements (no
 * tap reaches them), `tf.slice` crops the pads, then the bias and the activation are added.
 */
function convTransposeOnnxLayout(
  tf: Tf,
  p: TfjsTransposePlan,
  sums: ReadonlyMap<number, LaidOut>,
  b: Float32Array | undefined,
  activation: Activation | undefined,
): GroupParts {
  const { g, outputPadding: op, padsBegin: pb, outSpatial: O } = p;
  const mg = g.outChannelsPerGroup;
  const group = (i: number): TfTensor => {
    const laid = (t: Data64, kind: 'x' | 'w') => tensorOf(tf, groupChannelsLast(t, kind, i, g.group));
    const sum = sums.get(i);
    let y = sum !== undefined ? tensorOf(tf, sum) : tfTranspose(tf, p, laid(p.x, 'x'), laid(p.wDilated ?? p.w, 'w'), p.full);
    if (op.some((v) => v > 0)) y = zeroPad(tf, y, [[0, 0], ...op.map((v): [number, number] => [0, v]), [0, 0]]);
    if (pb.some((v) => v > 0) || O.some((o, a) => o !== y.shape[1 + a])) y = tf.slice(y, [0, ...pb, 0], [g.batch, ...O, mg]);
    if (b !== undefined) y = tf.add(y, tf.tensor1d(b.subarray(i * mg, (i + 1) * mg), 'float32'));
    return applyTfjsActivation(tf, y, activation);
  };
  return { parts: range(0, g.group).map(group), outShape: g.outputShape };
}

/** The groups whose x channels hold an infinite or NaN value (in any batch). */
function groupsWithNonFinite(g: ConvTransposeGeometry, x: Float32Array): Set<number> {
  const bad = new Set<number>();
  const plane = g.inSpatial.reduce((p, d) => p * d, 1);
  for (let i = 0; i < x.length; i++)
    if (!Number.isFinite(x[i])) bad.add(Math.floor((Math.floor(i / plane) % g.inChannels) / g.inChannelsPerGroup));
  return bad;
}

/**
 * tfjs has one global engine and one current backend. Calls through these adapters are queued, so
 * a `tfjs:cpu` call never runs while a `tfjs:wasm` call has switched the backend (other tfjs code in
 * the same process is not covered).
 */
let tfjsQueue: Promise<unknown> = Promise.resolve();
function exclusive<T>(job: () => Promise<T>): Promise<T> {
  const result = tfjsQueue.then(job);
  tfjsQueue = result.catch(() => undefined);
  return result;
}

/** `tf.tidy` for a conv's group parts: every intermediate tensor is freed, the parts are kept. */
function tidyParts(tf: Tf, compute: () => GroupParts): GroupParts {
  let outShape: readonly number[] = [];
  const parts = tf.tidy(() => {
    const r = compute();
    outShape = r.outShape;
    return [...r.parts];
  });
  return { parts, outShape };
}

/** Copies a tfjs result out and frees it (asynchronously: WebGPU has no synchronous read-back). */
async function readAndDispose(t: TfTensor): Promise<Tensor> {
  try {
    return { shape: [...t.shape], data: new Float32Array((await t.data()) as Float32Array) };
  } finally {
    t.dispose();
  }
}

/**
 * Creates a kernel backed by TensorFlow.js. tfjs is imported lazily, so convcheck works
 * without it; both packages (`@tensorflow/tfjs-core` and the backend) must be installed.
 * The wasm backend runs single-threaded (`setThreadsCount(1)`; Node has no wasm threads anyway)
 * and finds its `.wasm` files next to its own module in Node.
 * @example const kernel = await createTfjsKernel('wasm'); // name 'tfjs:wasm'
 */
export async function createTfjsKernel(backend: TfjsBackend): Promise<KernelUnderTest> {
  const name = `tfjs:${backend}`;
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
  } else if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(1);
  } else if (backend === 'webgl') {
    await import('@tensorflow/tfjs-backend-webgl');
  } else {
    await import('@tensorflow/tfjs-backend-webgpu');
  }

  async function selectBackend(): Promise<void> {
    if (tf.getBackend() === backend) return;
    if (!(await tf.setBackend(backend))) {
      throw new KernelLoadError(`@tensorflow/tfjs-backend-${backend}`, `tf.setBackend('${backend}') failed to initialize the backend`);
    }
    await tf.ready();
  }
  await exclusive(selectBackend);

  /** Runs `compute` on this kernel's backend, queued behind every other tfjs adapter call. */
  function onBackend(compute: () => TfTensor): Promise<Tensor> {
    return exclusive(async () => {
      await selectBackend();
      return readAndDispose(compute());
    });
  }

  /** Runs a conv's `compute` like `onBackend` and interleaves its channels-last group results. */
  function convOnBackend(compute: () => GroupParts | Promise<GroupParts>): Promise<Tensor> {
    return exclusive(async () => {
      await selectBackend();
      const { parts, outShape } = await compute();
      try {
        const datas = await Promise.all(parts.map(async (t) => new Float32Array((await t.data()) as Float32Array)));
        return assembleChannelsFirst(datas, outShape);
      } finally {
        for (const t of parts) t.dispose();
      }
    });
  }

  return {
    name,
    precision: 'float32',
    capabilities: TFJS_CAPABILITIES,
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Promise<Tensor> {
      const plan = planOf(convGeometry(x, w, b, attrs, name), attrs.activation);
      return convOnBackend(() => tidyParts(tf, () => convOnnxLayout(tf, plan, float32(x.data), float32(w.data), b && float32(b.data))));
    },
    async convTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): Promise<Tensor> {
      const g = convTransposeGeometry(x, w, b, attrs, name);
      const p = transposePlan(g, float32(x.data), float32(w.data));
      return convOnBackend(async () => {
        const sums = await tapSums(tf, p);
        return tidyParts(tf, () => convTransposeOnnxLayout(tf, p, sums, b && float32(b.data), attrs.activation));
      });
    },
    async dense(x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: DenseAttributes): Promise<Tensor> {
      denseGeometry(x, w, b, name);
      checkActivation(name, attrs?.activation);
      // Gemm(transB=1) + bias is the `_FusedMatMul` (transposeB) that converted graph models run.
      return onBackend(() =>
        tf.tidy(() =>
          tf.fused.matMul({
            a: tf.tensor2d(float32(x.data), [x.shape[0], x.shape[1]], 'float32'),
            b: tf.tensor2d(float32(w.data), [w.shape[0], w.shape[1]], 'float32'),
            transposeA: false,
            transposeB: true,
            bias: b === undefined ? undefined : tf.tensor1d(float32(b.data), 'float32'),
            ...tfjsActivation(attrs?.activation),
          }),
        ),
      );
    },
  };
}
