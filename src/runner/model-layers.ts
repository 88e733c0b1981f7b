/**
 * `convcheck verify --model`: from an ONNX file to production layers with the model's own data,
 * and from a run back to a verdict per layer.
 *
 * `prepareModel` reads the model (`models/onnx-reader.ts`), runs it once in onnxruntime-node on the
 * given or a generated input with every layer input exposed as an output
 * (`adapters/onnx-activations.ts`), turns each Conv / ConvTranspose / Gemm / MatMul node into a
 * production layer whose spec names its source (model, hash, input, node), and registers the
 * layer's real x, w and b (`arbitraries/real-data.ts`). The runner then runs the catalog's
 * production tier over these layers exactly as over `--shapes` layers; with `data: 'real'` the
 * properties that draw a data regime take the layer's real tensors (`regime=real`).
 *
 * `LayerVerdicts` watches the run (`VerifyOptions.onCase` and the judge observer) and writes the
 * report's `model` section: per layer, the properties that ran it and failed on it, the cases, the
 * worst error/bound, the counterexample file.
 */
import { ModelFileError } from '../errors.js';
import type { LayerSource } from '../arbitraries/real-data.js';
import { caseSource, clearRealTensors, registerRealTensors, sourceOf } from '../arbitraries/real-data.js';
import { captureActivations } from '../adapters/onnx-activations.js';
import type { ModelLayer } from '../models/layers.js';
import { modelFeeds } from '../models/onnx-input.js';
import type { NodeCandidate, OnnxModel, ReadLayer, SkippedNode } from '../models/onnx-reader.js';
import { layerOfNode, nodeCandidates, readOnnxModel } from '../models/onnx-reader.js';
import { setJudgeObserver } from '../property/judge-observer.js';
import { onCaseEnd } from '../arbitraries/case-memory.js';
import { type LayerVerdict, type ModelReport, propertyFailure, type VerificationReport } from './report.js';

/** Options of `prepareModel`. */
export interface PrepareModelOptions {
  /** `--model-input FILE`; undefined: generated from `seed`. */
  readonly input?: string;
  readonly seed: number;
  /** `--shard i/n` over the model's layers: keep every n-th layer starting at the i-th. */
  readonly shard?: { readonly index: number; readonly count: number };
}

/** A model ready to run: its layers (with their real tensors registered) and the nodes left out. */
export interface PreparedModel {
  readonly model: OnnxModel;
  /** The model input the activations came from (`generated:<seed>` or the file). */
  readonly input: string;
  /** The layers this run checks (this shard's, with `--shard`), in node order. */
  readonly layers: ReadonlyArray<ReadLayer & { readonly candidate: NodeCandidate }>;
  readonly skipped: readonly SkippedNode[];
}

/**
 * Reads `file`, runs it once, and returns its layers. Throws `ModelFileError` for a model that
 * cannot be read or run, or that has no checkable node.
 */
export async function prepareModel(file: string, options: PrepareModelOptions): Promise<PreparedModel> {
  const model = await readOnnxModel(file);
  const { candidates, skipped } = nodeCandidates(model);
  const none = (why: string) =>
    new ModelFileError(file, undefined, `no checkable node (Conv, ConvTranspose, Gemm, MatMul with a constant 2-D weight)${why}`);
  if (candidates.length === 0)
    throw none(skipped.length > 0 ? `: ${skipped.map((s) => `${s.node} (${s.opType}): ${s.reason}`).join('; ')}` : '');
  const { feeds, input } = await modelFeeds(model, options.input, options.seed);
  // the layers' inputs: graph inputs are fed; the rest come out of the run
  const capture = [...new Set(candidates.map((c) => c.input).filter((name) => !feeds.has(name) && !model.constants.has(name)))];
  const captured = capture.length > 0 ? await captureActivations(model, feeds, capture) : new Map();
  const layers: Array<ReadLayer & { candidate: NodeCandidate }> = [];
  const all = [...skipped];
  const source: Omit<LayerSource, 'node' | 'index'> = { model: file, sha256: model.sha256, input };
  for (const c of candidates) {
    const fed = feeds.get(c.input);
    const x = fed !== undefined ? { dims: fed.dims, dataType: 1, data: fed.data } : captured.get(c.input);
    if (x === undefined) {
      all.push({ node: c.node, opType: c.opType, reason: `its input ${c.input} is a constant, not an activation` });
      continue;
    }
    const read = layerOfNode(model, c, x.dims, x.dataType, source);
    if ('reason' in read) {
      all.push({ node: c.node, opType: c.opType, reason: read.reason });
      continue;
    }
    registerRealTensors(sourceOf(read.layer.spec)!, { x: Float64Array.from(x.data!), w: read.w, b: read.b });
    layers.push({ ...read, candidate: c });
  }
  if (layers.length === 0) throw none(`: ${all.map((s) => `${s.node} (${s.opType}): ${s.reason}`).join('; ')}`);
  const order = (s: SkippedNode) => candidates.find((c) => c.node === s.node)?.index ?? -1;
  const mine = options.shard === undefined ? layers : layers.filter((_, i) => i % options.shard!.count === options.shard!.index - 1);
  return { model, input, layers: mine, skipped: all.sort((a, b) => order(a) - order(b)) };
}

/** The production layers of a prepared model, for `VerifyOptions.layers`. */
export const productionLayersOf = (m: PreparedModel): ModelLayer[] => m.layers.map((l) => l.layer);

/** The model layer a case ran, if it ran one (`caseSource`). */
export const layerSourceOfCase = (c: unknown): LayerSource | undefined => caseSource(c);

/** The worse of two error/bound ratios: NaN (a non-finite value where it should not be) is the worst there is. */
function worse(a: number | undefined, b: number): number {
  if (a === undefined || Number.isNaN(b)) return b;
  return Number.isNaN(a) || a >= b ? a : b;
}

/** The watching `LayerVerdicts`, told when each case (counted or a shrink attempt) ends. */
let watching: LayerVerdicts | undefined;
onCaseEnd(() => watching?.caseEnded());

interface Tally {
  cases: number;
  properties: Set<string>;
  failed: Set<string>;
  worst: number | undefined;
}

/**
 * Per-layer verdicts of a model run: `onCase` for `VerifyOptions.onCase`; `start()` installs the
 * judge observer (the worst error/bound of each case's judgements), `stop()` removes it;
 * `report(...)` builds the report's `model` section.
 */
export class LayerVerdicts {
  private readonly tallies = new Map<number, Tally>();
  private caseWorst: number | undefined;
  /** The worst of the case that ended last: `onCase` follows its case's end only for counted cases, so shrink attempts leave nothing behind. */
  private endedWorst: number | undefined;
  private previous: ReturnType<typeof setJudgeObserver>;

  constructor(private readonly prepared: PreparedModel) {
    for (const l of prepared.layers)
      this.tallies.set(l.candidate.index, { cases: 0, properties: new Set(), failed: new Set(), worst: undefined });
  }

  start(): void {
    this.previous = setJudgeObserver((r) => {
      this.caseWorst = worse(this.caseWorst, r);
    });
    watching = this;
  }

  stop(): void {
    setJudgeObserver(this.previous);
    if (watching === this) watching = undefined;
  }

  /** A case ended (`onCaseEnd`): its worst error/bound is the one `onCase` may take. */
  caseEnded(): void {
    this.endedWorst = this.caseWorst;
    this.caseWorst = undefined;
  }

  /** After each counted case: which layer it ran (if a model layer), whether it failed, its worst error/bound. */
  readonly onCase = (property: string, c: unknown, failed: boolean): void => {
    const worst = this.endedWorst;
    this.endedWorst = undefined;
    const source = layerSourceOfCase(c);
    const t = source === undefined || source.sha256 !== this.prepared.model.sha256 ? undefined : this.tallies.get(source.index);
    if (t === undefined) return;
    t.cases++;
    t.properties.add(property);
    if (failed) t.failed.add(property);
    if (worst !== undefined) t.worst = worse(t.worst, worst);
  };

  /** The `model` section of `report`. */
  report(report: VerificationReport, data: ModelReport['data']): ModelReport {
    const layers = this.prepared.layers.map((l): LayerVerdict => {
      const t = this.tallies.get(l.candidate.index)!;
      const failedIds = [...t.failed];
      const file = failedIds
        .map((id) => propertyFailure(report.properties.find((p) => p.id === id))?.counterexampleFile)
        .find((f) => f !== undefined);
      return {
        index: l.candidate.index,
        node: l.candidate.node,
        opType: l.candidate.opType,
        operator: l.layer.op,
        shapes: l.shapes,
        status: failedIds.length > 0 ? 'failed' : t.cases > 0 ? 'passed' : 'not-run',
        cases: t.cases,
        properties: [...t.properties],
        failedProperties: failedIds,
        ...(t.worst !== undefined ? { worstErrorOverBound: Number.isFinite(t.worst) ? t.worst : String(t.worst) } : {}),
        ...(file !== undefined ? { counterexampleFile: file } : {}),
      };
    });
    return {
      file: this.prepared.model.file,
      sha256: this.prepared.model.sha256,
      data,
      input: this.prepared.input,
      layers,
      skipped: this.prepared.skipped,
    };
  }
}

/**
 * Before replaying a saved case of a model layer: reads the model the case names, checks that it
 * is the file the case was saved from (its SHA-256), runs it on the same input and registers its
 * layers' tensors. Does nothing for a case of no model layer.
 */
export async function restoreModelData(savedCase: unknown): Promise<void> {
  const source = layerSourceOfCase(savedCase);
  if (source === undefined) return;
  const generated = /^generated:(-?\d+)$/.exec(source.input);
  const prepared = await prepareModel(source.model, generated ? { seed: Number(generated[1]) } : { input: source.input, seed: 0 });
  if (prepared.model.sha256 !== source.sha256) {
    throw new ModelFileError(
      source.model,
      `node ${source.node}`,
      `has changed since the case was saved (sha256 ${prepared.model.sha256.slice(0, 12)}…, the case names ${source.sha256.slice(0, 12)}…)`,
    );
  }
}

/** Forgets the model tensors a replay (or run) registered: a later run in this process must not use them. */
export const forgetModelData = (): void => clearRealTensors();
