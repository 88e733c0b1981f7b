/**
 * Real tensors of a model's layers (`convcheck verify --model`): the weights and bias from the
 * model's initializers and the activation the layer really sees, registered by the runner before a
 * run (or a replay) and looked up by the `source` a layer's problem spec carries. A case in the
 * `real` regime takes its x, w and b from here instead of drawing them from its seed.
 *
 * The spec carries only the reference (`LayerSource`: model file, hash, input, node), so saved
 * counterexamples stay small and name exactly which model layer they came from.
 */

/** Which model layer a production spec came from (JSON, saved with counterexamples). */
export interface LayerSource {
  /** The model file as given on the command line. */
  readonly model: string;
  /** SHA-256 of the model file, hex. */
  readonly sha256: string;
  /** The model input the activations came from: an input file, or `generated:<seed>`. */
  readonly input: string;
  /** Node name (or `#<index> <opType>` for an unnamed node) and its position in the graph. */
  readonly node: string;
  readonly index: number;
}

/** A layer's real tensors, as float64 copies of the model's values (x: the layer's input activation). */
export interface RealTensors {
  readonly x: Float64Array;
  readonly w: Float64Array;
  readonly b: Float64Array | undefined;
}

const registry = new Map<string, RealTensors>();

/** The registry key of a source: the model's hash, its input and the node's position. */
export const realDataKey = (s: LayerSource): string => `${s.sha256}\u0000${s.input}\u0000${s.index}`;

/** Registers a layer's real tensors (replacing earlier ones of the same source). */
export function registerRealTensors(source: LayerSource, tensors: RealTensors): void {
  registry.set(realDataKey(source), tensors);
}

/** A layer's real tensors, or undefined when no run or replay has loaded them. */
export function realTensorsOf(source: LayerSource): RealTensors | undefined {
  return registry.get(realDataKey(source));
}

/** Forgets every registered tensor (a run's end; tests). */
export function clearRealTensors(): void {
  registry.clear();
}

/** The `source` of a spec-like object, when it has one. */
export function sourceOf(spec: object): LayerSource | undefined {
  const s = (spec as { source?: unknown }).source;
  return typeof s === 'object' && s !== null && typeof (s as LayerSource).sha256 === 'string' ? (s as LayerSource) : undefined;
}

/**
 * A spec derived from a model layer's (other shapes) with its `source` dropped: it is no longer
 * the model's layer, so it cannot take the layer's tensors.
 */
export function detachedFromModel<T extends object>(spec: T): T {
  if (!('source' in spec)) return spec;
  const { source: _dropped, ...rest } = spec as T & { source?: unknown };
  return rest as T;
}

/** ` node=<model>#<node>` for a model layer's spec (the problem line of a case names its layer), '' otherwise. */
export function describeSource(spec: object): string {
  const s = sourceOf(spec);
  return s === undefined ? '' : ` node=${s.model}#${s.node}`;
}

/** The model layer a case names, if any: the `source` of the first spec (an object with `xShape`) found in it. */
export function caseSource(c: unknown, depth = 0): LayerSource | undefined {
  if (typeof c !== 'object' || c === null || depth > 4) return undefined;
  const own = 'xShape' in c ? sourceOf(c) : undefined;
  if (own !== undefined) return own;
  for (const v of Object.values(c)) {
    const s = caseSource(v, depth + 1);
    if (s !== undefined) return s;
  }
  return undefined;
}

/**
 * Why a saved case cannot be replayed in this run — it names a model layer whose tensors this run
 * did not load (a run without `--model`, or another model or input) — or undefined.
 */
export function unloadedModelLayer(c: unknown): string | undefined {
  const s = caseSource(c);
  if (s === undefined || realTensorsOf(s) !== undefined) return undefined;
  return `it names layer ${s.node} of model ${s.model} (sha256 ${s.sha256.slice(0, 12)}…, input ${s.input}), which this run did not load`;
}
