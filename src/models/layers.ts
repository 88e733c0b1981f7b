/**
 * Layer shapes: one conv, ConvTranspose or dense layer of a real network with its exact geometry, the JSON form
 * users write in a `--shapes` file, and its validation (typed errors naming the file, the layer
 * and the field).
 *
 * File format (also accepted: a bare array of layers):
 *
 *     { "network": "my-net",
 *       "layers": [
 *         { "name": "conv1", "op": "conv", "x": [1, 3, 224, 224], "w": [64, 3, 7, 7],
 *           "strides": [2, 2], "pads": [3, 3, 3, 3], "dilations": [1, 1], "group": 1, "bias": false },
 *         { "name": "up1", "op": "convTranspose", "x": [1, 512, 4, 4], "w": [512, 256, 4, 4],
 *           "strides": [2, 2], "pads": [1, 1, 1, 1], "outputPadding": [0, 0], "bias": false },
 *         { "name": "fc", "op": "dense", "x": [1, 2048], "w": [1000, 2048] } ] }
 *
 * conv: x `[N, C, D1..Dn]`, w `[M, C/group, k1..kn]` (ONNX), `pads` in ONNX order (all begins,
 * then all ends); `strides`, `dilations` default to 1, `pads` to 0, `group` to 1. convTranspose: x
 * `[N, C, D1..Dn]`, w `[C, M/group, k1..kn]` (ONNX), the conv attributes plus `outputPadding`
 * (default 0). dense: x `[N, K]`,
 * w `[M, K]`, optionally `flattens`: the feature map `[C, D1..Dn]` (channels-first, C·∏D = K) its input
 * is flattened from, which the FC ≡ conv equivalences use as the conv's window. `bias` defaults to true. `name` is optional (default `layer<i>`), `count` (how many
 * layers of the network share the geometry, for the report) defaults to 1.
 */
import { ShapesFileError } from '../errors.js';
import { convGeometryOfShapes } from '../operators/conv/geometry.js';
import type { ConvSpec } from '../operators/conv/spec.js';
import { denseGeometryOfShapes } from '../operators/dense/geometry.js';
import type { DenseSpec } from '../operators/dense/problem.js';
import { convTransposeGeometryOfShapes } from '../operators/conv-transpose/geometry.js';
import type { ConvTransposeSpec } from '../operators/conv-transpose/problem.js';
import { sizeOf } from '../tensor.js';

/** One layer of a network with its exact geometry (a typed `LayerShape` of the core vocabulary). */
export type ModelLayer =
  | { readonly network: string; readonly name: string; readonly op: 'conv'; readonly spec: ConvSpec; readonly count: number }
  | {
      readonly network: string;
      readonly name: string;
      readonly op: 'dense';
      readonly spec: DenseSpec;
      readonly count: number;
      readonly flattens?: readonly number[];
    }
  | {
      readonly network: string;
      readonly name: string;
      readonly op: 'convTranspose';
      readonly spec: ConvTransposeSpec;
      readonly count: number;
    };

/** The validated geometry of a ConvTranspose layer. */
const transposeGeometry = (s: ConvTransposeSpec) => convTransposeGeometryOfShapes(s.xShape, s.wShape, undefined, s.attrs);

/** Multiply-adds of one layer, ×2: 2·N·M·(C/g)·∏k·∏O (conv), 2·N·M·K (dense), 2·N·C·(M/g)·∏k·∏D (ConvTranspose: every input element scatters through every tap). */
export function layerFlops(l: ModelLayer): number {
  if (l.op === 'dense') return 2 * l.spec.xShape[0] * l.spec.wShape[0] * l.spec.xShape[1];
  if (l.op === 'convTranspose') {
    const g = transposeGeometry(l.spec);
    return 2 * g.batch * g.inChannels * g.outChannelsPerGroup * sizeOf(g.kernelSpatial) * sizeOf(g.inSpatial);
  }
  const g = convGeometryOfShapes(l.spec.xShape, l.spec.wShape, undefined, l.spec.attrs);
  return 2 * g.batch * g.outChannels * g.reductionLength * g.outSpatialSize;
}

/** Largest tensor of a layer (x, w or y), in elements. */
export function layerLargestTensor(l: ModelLayer): number {
  if (l.op === 'dense') return Math.max(sizeOf(l.spec.xShape), sizeOf(l.spec.wShape), l.spec.xShape[0] * l.spec.wShape[0]);
  if (l.op === 'convTranspose')
    return Math.max(sizeOf(l.spec.xShape), sizeOf(l.spec.wShape), sizeOf(transposeGeometry(l.spec).outputShape));
  const g = convGeometryOfShapes(l.spec.xShape, l.spec.wShape, undefined, l.spec.attrs);
  return Math.max(sizeOf(l.spec.xShape), sizeOf(l.spec.wShape), sizeOf(g.outputShape));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const FIELDS = new Set(['name', 'op', 'x', 'w', 'strides', 'pads', 'dilations', 'group', 'outputPadding', 'flattens', 'bias', 'count']);

/**
 * Validates a parsed `--shapes` document (see the module comment) and returns its layers.
 * @example parseLayerShapes({ network: 'n', layers: [{ op: 'dense', x: [1, 8], w: [4, 8] }] }, 'n.json')
 */
export function parseLayerShapes(doc: unknown, file: string): ModelLayer[] {
  let network = file;
  let layers: unknown;
  if (Array.isArray(doc)) layers = doc;
  else if (isRecord(doc)) {
    if (doc.network !== undefined) {
      if (typeof doc.network !== 'string' || doc.network === '')
        throw new ShapesFileError(
          file,
          undefined,
          'network',
          doc.network,
          `must be a non-empty string, got ${JSON.stringify(doc.network)}`,
        );
      network = doc.network;
    }
    for (const k of Object.keys(doc))
      if (k !== 'network' && k !== 'layers')
        throw new ShapesFileError(file, undefined, k, doc[k], `unknown top-level field (expected "network" and "layers")`);
    layers = doc.layers;
  } else
    throw new ShapesFileError(
      file,
      undefined,
      undefined,
      doc,
      `expected an object {"network", "layers": [...]} or an array of layers, got ${doc === null ? 'null' : typeof doc}`,
    );
  if (!Array.isArray(layers) || layers.length === 0)
    throw new ShapesFileError(file, undefined, 'layers', layers, 'must be a non-empty array of layers');
  const seen = new Set<string>();
  return layers.map((raw, i) => {
    if (!isRecord(raw)) throw new ShapesFileError(file, `#${i}`, undefined, raw, `must be an object, got ${JSON.stringify(raw)}`);
    const name = raw.name === undefined ? `layer${i}` : raw.name;
    if (typeof name !== 'string' || name === '')
      throw new ShapesFileError(file, `#${i}`, 'name', raw.name, `must be a non-empty string, got ${JSON.stringify(raw.name)}`);
    const where = `#${i} (${name})`;
    if (seen.has(name)) throw new ShapesFileError(file, where, 'name', name, 'is used by an earlier layer; names must be unique');
    seen.add(name);
    for (const k of Object.keys(raw))
      if (!FIELDS.has(k)) throw new ShapesFileError(file, where, k, raw[k], `unknown field (known: ${[...FIELDS].join(', ')})`);
    const ints = (field: string, v: unknown, min: number): number[] => {
      if (!Array.isArray(v) || v.some((e) => !Number.isSafeInteger(e) || (e as number) < min)) {
        throw new ShapesFileError(file, where, field, v, `must be an array of integers >= ${min}, got ${JSON.stringify(v)}`);
      }
      return v as number[];
    };
    const x = ints('x', raw.x, 1);
    const w = ints('w', raw.w, 1);
    const bias = raw.bias ?? true;
    if (typeof bias !== 'boolean')
      throw new ShapesFileError(file, where, 'bias', raw.bias, `must be true or false, got ${JSON.stringify(raw.bias)}`);
    const count = raw.count ?? 1;
    if (!Number.isSafeInteger(count) || (count as number) < 1)
      throw new ShapesFileError(file, where, 'count', raw.count, `must be an integer >= 1, got ${JSON.stringify(raw.count)}`);
    const op = raw.op;
    if (op === 'dense') {
      for (const k of ['strides', 'pads', 'dilations', 'group', 'outputPadding'])
        if (raw[k] !== undefined) throw new ShapesFileError(file, where, k, raw[k], 'is a conv attribute; a dense layer has none');
      try {
        denseGeometryOfShapes(x, w, bias ? [w[0]] : undefined, 'dense');
      } catch (e) {
        throw new ShapesFileError(file, where, 'x/w', { x, w }, e instanceof Error ? e.message : String(e));
      }
      if (raw.flattens === undefined) return { network, name, op, spec: { xShape: x, wShape: w, hasBias: bias }, count: count as number };
      const flattens = ints('flattens', raw.flattens, 1);
      if (flattens.length < 2 || flattens.length > 4 || sizeOf(flattens) !== x[1]) {
        throw new ShapesFileError(
          file,
          where,
          'flattens',
          raw.flattens,
          `must be the feature map [C, D1..Dn] (n = 1..3) the input is flattened from, with C·∏D = K = ${x[1]}, got ${JSON.stringify(raw.flattens)}`,
        );
      }
      return { network, name, op, spec: { xShape: x, wShape: w, hasBias: bias }, count: count as number, flattens };
    }
    if (raw.flattens !== undefined)
      throw new ShapesFileError(
        file,
        where,
        'flattens',
        raw.flattens,
        'is a dense attribute (the feature map a dense layer flattens); a conv layer has none',
      );
    if (op !== 'conv' && op !== 'convTranspose')
      throw new ShapesFileError(file, where, 'op', op, `must be "conv", "convTranspose" or "dense", got ${JSON.stringify(op)}`);
    const rank = x.length - 2;
    if (rank < 1 || rank > 3)
      throw new ShapesFileError(file, where, 'x', x, `a ${op} input is [N, C, D1..Dn] with n = 1, 2 or 3, got ${x.length} dimensions`);
    const ones = Array.from({ length: rank }, () => 1);
    const group = raw.group ?? 1;
    if (typeof group !== 'number' || !Number.isSafeInteger(group) || group < 1)
      throw new ShapesFileError(file, where, 'group', raw.group, `must be an integer >= 1, got ${JSON.stringify(raw.group)}`);
    const attrs = {
      strides: raw.strides === undefined ? ones : ints('strides', raw.strides, 1),
      pads: raw.pads === undefined ? [...ones, ...ones].map(() => 0) : ints('pads', raw.pads, 0),
      dilations: raw.dilations === undefined ? ones : ints('dilations', raw.dilations, 1),
      group,
    };
    if (op === 'convTranspose') {
      const outputPadding = raw.outputPadding === undefined ? ones.map(() => 0) : ints('outputPadding', raw.outputPadding, 0);
      const spec: ConvTransposeSpec = { xShape: x, wShape: w, attrs: { ...attrs, outputPadding }, hasBias: bias };
      try {
        convTransposeGeometryOfShapes(x, w, bias ? [w[1] * group] : undefined, spec.attrs, 'convTranspose');
      } catch (e) {
        throw new ShapesFileError(file, where, 'geometry', { x, w, ...spec.attrs }, e instanceof Error ? e.message : String(e));
      }
      return { network, name, op, spec, count: count as number };
    }
    if (raw.outputPadding !== undefined)
      throw new ShapesFileError(file, where, 'outputPadding', raw.outputPadding, 'is a ConvTranspose attribute; a conv layer has none');
    const spec: ConvSpec = { xShape: x, wShape: w, attrs, hasBias: bias };
    try {
      convGeometryOfShapes(x, w, bias ? [w[0]] : undefined, spec.attrs, 'conv');
    } catch (e) {
      throw new ShapesFileError(file, where, 'geometry', { x, w, ...attrs }, e instanceof Error ? e.message : String(e));
    }
    return { network, name, op, spec, count: count as number };
  });
}
