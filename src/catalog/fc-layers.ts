/**
 * The fully connected layers of the production tier's networks, as the FC ≡ conv equivalences
 * run them: every layer that is an FC layer in either form — a dense layer (with the feature map
 * it flattens, where the network has one), or a conv whose kernel covers its whole input (no
 * padding, stride 1: LeNet-5's C5, VGG's fc6 as a 7×7 conv, fc7/fc8 as 1×1 convs on 1×1 maps) —
 * once per distinct geometry; the 1×1 convs that apply a linear layer at every position; and the
 * FC heads (a windowed FC layer and the FC layers after it).
 */
import type { CompleteCapabilities } from '../capabilities.js';
import type { ConvSpec } from '../operators/conv/spec.js';
import type { DenseSpec } from '../operators/dense/spec.js';
import { sizeOf } from '../tensor.js';
import type { LayerShape } from '../vocabulary.js';

/** An FC layer: `out` outputs from `channels` maps of size `window` (∏window = 1: a plain K → M layer). */
export interface FcLayer {
  /** `network layer-name` of the first layer with this geometry. */
  readonly layer: string;
  readonly network: string;
  readonly rank: number;
  readonly batch: number;
  readonly channels: number;
  readonly out: number;
  /** The window per axis (first `rank` used, the rest 1). */
  readonly window: readonly number[];
  readonly hasBias: boolean;
}

/** A 1×1 conv (stride 1, no padding, group 1) over a map larger than 1×1: a linear layer at every position. */
export interface PointwiseLayer {
  readonly layer: string;
  readonly rank: number;
  readonly batch: number;
  readonly channels: number;
  readonly out: number;
  readonly spatial: readonly number[];
  readonly hasBias: boolean;
}

/** An FC head: a windowed FC layer, then the FC layers that read its output, in network order. */
export interface FcHead {
  readonly layer: string;
  readonly rank: number;
  readonly channels: number;
  readonly window: readonly number[];
  /** Outputs of each FC layer of the head, first the windowed one. */
  readonly widths: readonly number[];
}

const pad3 = (v: readonly number[]) => [...v, 1, 1, 1].slice(0, 3);
const key = (f: Omit<FcLayer, 'layer' | 'network'>) => JSON.stringify([f.rank, f.batch, f.channels, f.out, f.window, f.hasBias]);

/** The rank a plain K → M layer is run at as a conv: 2 (PyTorch's `Conv2d`) where the kernel has it. */
function plainRank(caps: CompleteCapabilities): number | undefined {
  return caps.spatialRanks.includes(2) ? 2 : caps.spatialRanks[0];
}

/**
 * Every distinct FC layer of `layers` the kernel's capabilities allow, in layer order; `within:
 * 'network'` keeps a geometry once per network (the heads need C3D's fc7 even though VGG-16 has
 * the same one), else once in all.
 */
export function fcLayersOf(layers: readonly LayerShape[], caps: CompleteCapabilities, within: 'all' | 'network' = 'all'): FcLayer[] {
  const out: FcLayer[] = [];
  const seen = new Set<string>();
  for (const l of layers) {
    let f: Omit<FcLayer, 'layer' | 'network'> | undefined;
    if (l.op === 'conv') {
      const s = l.spec as ConvSpec;
      const r = s.xShape.length - 2;
      const k = s.wShape.slice(2);
      const fullExtent =
        s.attrs.group === 1 &&
        s.attrs.strides.every((v) => v === 1) &&
        s.attrs.dilations.every((v) => v === 1) &&
        s.attrs.pads.every((p) => p === 0) &&
        k.every((v, a) => v === s.xShape[2 + a]);
      if (fullExtent) f = { rank: r, batch: s.xShape[0], channels: s.xShape[1], out: s.wShape[0], window: pad3(k), hasBias: s.hasBias };
    } else if (l.op === 'dense') {
      const s = l.spec as DenseSpec;
      const map = l.flattens;
      const rank = map !== undefined && caps.spatialRanks.includes(map.length - 1) ? map.length - 1 : plainRank(caps);
      if (rank !== undefined) {
        f =
          map !== undefined && rank === map.length - 1
            ? { rank, batch: s.xShape[0], channels: map[0], out: s.wShape[0], window: pad3(map.slice(1)), hasBias: s.hasBias }
            : { rank, batch: s.xShape[0], channels: s.xShape[1], out: s.wShape[0], window: [1, 1, 1], hasBias: s.hasBias };
      }
    }
    if (f === undefined || !caps.spatialRanks.includes(f.rank)) continue;
    const K = f.channels * sizeOf(f.window);
    if (Math.max(f.batch * K, f.out * K) > caps.maxElements) continue;
    const k = within === 'network' ? `${l.network}\u0000${key(f)}` : key(f);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ layer: `${l.network} ${l.name}`, network: l.network, ...f });
  }
  return out;
}

/** Every distinct pointwise conv layer of `layers` (1×1, stride 1, no padding, group 1, a map larger than 1) the capabilities allow. */
export function pointwiseLayersOf(layers: readonly LayerShape[], caps: CompleteCapabilities): PointwiseLayer[] {
  const out: PointwiseLayer[] = [];
  const seen = new Set<string>();
  for (const l of layers) {
    if (l.op !== 'conv') continue;
    const s = l.spec as ConvSpec;
    const r = s.xShape.length - 2;
    const spatial = s.xShape.slice(2);
    const pointwise =
      s.attrs.group === 1 &&
      s.wShape.slice(2).every((v) => v === 1) &&
      s.attrs.strides.every((v) => v === 1) &&
      s.attrs.pads.every((p) => p === 0);
    if (!pointwise || sizeOf(spatial) === 1 || !caps.spatialRanks.includes(r)) continue;
    const [N, C] = s.xShape;
    const M = s.wShape[0];
    if (Math.max(N * C * sizeOf(spatial), N * M * sizeOf(spatial)) > caps.maxElements) continue;
    const k = JSON.stringify([N, C, M, spatial, s.hasBias]);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ layer: `${l.network} ${l.name}`, rank: r, batch: N, channels: C, out: M, spatial, hasBias: s.hasBias });
  }
  return out;
}

/**
 * The FC heads of `layers`: each windowed FC layer (∏window > 1) followed by the plain FC layers
 * of the same network that read its output, one after the other (VGG-16: fc6 7×7×512 → 4096,
 * fc7 → 4096, fc8 → 1000; LeNet-5: C5, F6, output; C3D: fc6 on 512×1×4×4, fc7, fc8).
 */
export function fcHeadsOf(layers: readonly LayerShape[], caps: CompleteCapabilities): FcHead[] {
  const fcs = fcLayersOf(layers, caps, 'network');
  const heads: FcHead[] = [];
  fcs.forEach((f, i) => {
    if (sizeOf(f.window.slice(0, f.rank)) === 1) return;
    const widths = [f.out];
    for (const g of fcs.slice(i + 1)) {
      if (g.network !== f.network || sizeOf(g.window) !== 1 || g.channels !== widths[widths.length - 1]) continue;
      widths.push(g.out);
    }
    heads.push({ layer: f.layer, rank: f.rank, channels: f.channels, window: f.window, widths });
  });
  return heads;
}
