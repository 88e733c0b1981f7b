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
 *
 * Each operator reads its own fields and knows its own cost (`operators/<op>/layer.ts`, the
 * `layer` field of its definition); this file validates the common fields and dispatches through
 * the operator table, so an operator with layers is added without touching it.
 */
import { InvalidArgumentError, ShapesFileError } from '../errors.js';
import type { LayerForm, LayerInput } from '../operators/operator.js';
import { operators } from '../operators/index.js';
import type { LayerShape } from '../vocabulary.js';

/**
 * One layer of a network with its exact geometry: the core vocabulary's `LayerShape` (a union
 * over the operators with layers: `op` tells `spec`'s type), under the name the models, the
 * `--shapes` reader and the public API use.
 */
export type ModelLayer = LayerShape;

/** The operators that have layers, with their forms, in table (name) order. */
const FORMS: ReadonlyArray<readonly [string, LayerForm]> = operators.flatMap((o) =>
  o.layer === undefined ? [] : [[o.name, o.layer] as const],
);

/** The layer form of `op`, or undefined when no operator of the table has layers by that name. */
function formOf(op: unknown): LayerForm | undefined {
  return FORMS.find(([name]) => name === op)?.[1];
}

/** The form of a layer that is already validated (a network's table, a parsed file), for its cost. */
function formOfLayer(fn: string, l: LayerShape): LayerForm {
  const form = formOf(l.op);
  if (form === undefined) {
    throw new InvalidArgumentError(fn, 'layer', l.op, `layer ${l.name} has op ${JSON.stringify(l.op)}, which has no layers (${opList()})`);
  }
  return form;
}

/** `"conv", "convTranspose" or "dense"`: the operators a layer may name. */
function opList(): string {
  const quoted = FORMS.map(([name]) => JSON.stringify(name));
  return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** Multiply-adds of one layer, ×2 (each operator's own count: 2·N·M·(C/g)·∏k·∏O for conv, 2·N·M·K for dense, …). */
export function layerFlops(l: ModelLayer): number {
  return formOfLayer('layerFlops', l).flops(l.spec);
}

/** Largest tensor of a layer (x, w or y), in elements. */
export function layerLargestTensor(l: ModelLayer): number {
  return formOfLayer('layerLargestTensor', l).largestTensor(l.spec);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields every layer may have; each operator adds its own (`LayerForm.fields`). */
const COMMON_FIELDS = ['name', 'op', 'x', 'w', 'bias', 'count'];
const FIELDS = new Set([...COMMON_FIELDS, ...FORMS.flatMap(([, form]) => form.fields)]);

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
    const fail = (field: string, value: unknown, detail: string): never => {
      throw new ShapesFileError(file, where, field, value, detail);
    };
    const ints = (field: string, v: unknown, min: number): number[] => {
      if (!Array.isArray(v) || v.some((e) => !Number.isSafeInteger(e) || (e as number) < min)) {
        fail(field, v, `must be an array of integers >= ${min}, got ${JSON.stringify(v)}`);
      }
      return v as number[];
    };
    const x = ints('x', raw.x, 1);
    const w = ints('w', raw.w, 1);
    const bias = raw.bias ?? true;
    if (typeof bias !== 'boolean') fail('bias', raw.bias, `must be true or false, got ${JSON.stringify(raw.bias)}`);
    const count = raw.count ?? 1;
    if (!Number.isSafeInteger(count) || (count as number) < 1)
      fail('count', raw.count, `must be an integer >= 1, got ${JSON.stringify(raw.count)}`);
    const op = raw.op;
    const form = formOf(op);
    if (form === undefined) return fail('op', op, `must be ${opList()}, got ${JSON.stringify(op)}`);
    // a field another operator reads: named with its owner
    for (const k of Object.keys(raw)) {
      if (COMMON_FIELDS.includes(k) || form.fields.includes(k)) continue;
      const owner = FORMS.find(([, f]) => f.fields.includes(k))?.[1].label;
      fail(k, raw[k], `is a ${owner} attribute; a ${op as string} layer has none`);
    }
    const input: LayerInput = {
      raw,
      x,
      w,
      bias: bias as boolean,
      ints: (field, min) => ints(field, raw[field], min),
      fail,
      check(field, value, check) {
        try {
          check();
        } catch (e) {
          fail(field, value, e instanceof Error ? e.message : String(e));
        }
      },
    };
    const parsed = form.parse(input);
    // the operator's parser made the spec of its own `LayerSpecs` entry
    return {
      network,
      name,
      op,
      spec: parsed.spec,
      count: count as number,
      ...(parsed.flattens !== undefined ? { flattens: parsed.flattens } : {}),
    } as ModelLayer;
  });
}
