/**
 * The options of a verification run: what a user may give (`VerifyOptions`, the public API), their
 * validation, and `resolveOptions`, the one place where every default is decided — for the API
 * (`verifyKernel`) and the CLI (`convcheck verify`) alike. A default that depends on where the
 * kernel runs (a browser page compiles a GPU program per shape) is decided here too, from the
 * `KernelPlace` the caller knows.
 */
import { catalog } from '../catalog/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { KernelPlace } from '../kernels/registry.js';
import { PRODUCTION_LAYERS } from '../models/networks.js';
import type { LayerShape } from '../vocabulary.js';
import { SIZE_TIERS } from '../vocabulary.js';
import type { VerifyCoverageOptions } from './kernel-coverage-run.js';
import type { PropertyResult, ShardOption } from './report.js';
import type { SizeTier } from '../vocabulary.js';
import { type ResolvedSeed, resolveSeed } from './seed.js';

/** Options of `verifyKernel`. */
export interface VerifyOptions {
  /** Generated cases per property (default 200). */
  readonly runs?: number;
  /**
   * Seed: any integer or string (default: random). A signed 32-bit integer is used as is, a
   * larger one modulo 2³², a string hashed (`resolveSeed`); the report records both.
   */
  readonly seed?: number | string;
  /** Property ids to run (default: the whole catalog). */
  readonly properties?: readonly string[];
  /** Per-call timeout of the kernel, ms (default 5000; `PRODUCTION_TIMEOUT_MS` in the production tier). */
  readonly timeoutMs?: number;
  readonly size?: SizeTier;
  /**
   * The layers the `production` tier runs (default: `PRODUCTION_LAYERS`, the built-in networks);
   * each layer runs once per property it fits, with fresh data (unless `runs` is given).
   */
  readonly layers?: readonly LayerShape[];
  /**
   * Production tier: properties that call the kernel more than once per case leave out the layers
   * above this many FLOPs, and say so in a note (default `PRODUCTION_RELATION_FLOPS`; `Infinity`:
   * no FLOP limit). Single-call properties always run every layer.
   */
  readonly productionRelationFlops?: number;
  /** Likewise for the largest tensor's elements (default `PRODUCTION_RELATION_ELEMENTS`; `Infinity`: no limit). */
  readonly productionRelationElements?: number;
  /** Recorded as `report.kernel.source` (e.g. `builtin:im2col` or the module path). */
  readonly source?: string;
  /** Failing cases are saved here and replayed first on the next run against the same kernel. */
  readonly counterexampleDir?: string;
  /** How the report prints the replay command of a saved file. */
  readonly replayCommand?: (file: string) => string;
  readonly onProgress?: (e: ProgressEvent) => void;
  /**
   * Abort → resolves at once (a call in flight is abandoned, its worker terminated) with the
   * partial report, `status: 'interrupted'`.
   */
  readonly signal?: AbortSignal;
  /** Time spent shrinking one failure before the smallest case so far is reported (default 30 s; 0: no shrinking). */
  readonly shrinkBudgetMs?: number;
  /**
   * Wall time the whole run may spend shrinking cases that timed out (default max(10 s,
   * 2 × timeoutMs), at most a quarter of it per property; see `CallClock`).
   */
  readonly timeoutBudgetMs?: number;
  /**
   * Distinct shapes drawn per property; later cases re-use them with fresh data
   * (`withShapeBudget`). Default: no budget (every case draws its own shape).
   */
  readonly shapeBudget?: number;
  /**
   * Wall-clock budget for the whole run, ms: each property gets an equal share of what is left
   * when it starts (time a property leaves unused goes to the ones after it) and runs cases until
   * its share is spent — at least one case, at most `runs` (default then: `BUDGET_RUNS_CAP`). For
   * kernels whose calls are slow (GPU, production sizes); `casesRun` reports what each property got.
   */
  readonly timeBudgetMs?: number;
  /**
   * The run-wide shape plan (`arbitraries/shape-plan.ts`): `all` — every case of a planned
   * property takes a plan shape (default with a `shapeBudget`); `mixed` — the single-call
   * properties run each plan shape once on top of their random cases, the others stay random;
   * `off` — random shapes only (default without a `shapeBudget`). The production tier never plans.
   */
  readonly shapePlan?: 'all' | 'mixed' | 'off';
  /**
   * Collect the kernel's own block coverage and the shader variants it created, and put them in
   * `report.kernelCoverage` (`true`, or where to write the HTML view and lcov). The kernel must
   * come from `createIsolatedKernel` / `createBrowserKernel` with their `coverage` option.
   * Coverage only observes: the cases are the same as without it. Default: off.
   */
  readonly coverage?: boolean | VerifyCoverageOptions;
  /**
   * Coverage-guided generation (`guided.ts`): keep the cases that reached new kernel code or a
   * new shader variant and make later cases by mutating them, within the shape budget. Implies
   * `coverage`. Default: off.
   */
  readonly guided?: boolean;
  /**
   * Probe the kernel's numerics before generating (tiny products, subnormals, NaN / ±Infinity,
   * exact integer sums; `numerics-probe.ts`) and keep the data within what it handles (default
   * true). `false`: no probe calls, the data as for an IEEE-754 kernel.
   */
  readonly probeNumerics?: boolean;
  /** Recorded in the report (`options.shard`) when this run is one shard of several, for `convcheck merge`. */
  readonly shard?: ShardOption;
  /**
   * Production tier: the layers carry a model's own tensors (`--model`, `arbitraries/real-data.ts`);
   * properties that draw a data regime run them in the `real` regime (default false: generated data).
   */
  readonly realData?: boolean;
  /** Called after each counted case (not shrink attempts) with the property, the case and whether it failed (`--model`'s per-layer verdicts). */
  readonly onCase?: (property: string, c: unknown, failed: boolean) => void;
}

/** Progress of a run. */
export type ProgressEvent =
  | { type: 'property-start'; id: string; index: number; count: number; casesTotal: number }
  | { type: 'case'; id: string; casesDone: number; casesTotal: number }
  | { type: 'property-end'; result: PropertyResult };

/** Cases per property unless `runs` is given (in Node). */
export const DEFAULT_RUNS = 200;
/** Per-call timeout of the kernel unless one is given, ms. */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Time spent shrinking one failure unless `shrinkBudgetMs` is given, ms. */
export const DEFAULT_SHRINK_BUDGET_MS = 30_000;

/**
 * The production tier's cap for properties that call the kernel more than once per case: layers
 * above 3·10⁹ FLOPs or with a tensor above 2²⁵ elements are left out of them (and named in a
 * note). Among the built-in networks: C3D's conv2a…conv4b (5.5–22 GFLOP), VGG-16's four
 * 3.7-GFLOP 3×3 convs, and VGG-16's fc6 in both its forms (10⁸ weights: drawing its data,
 * converting and checking them cost ~5 s per property) — 11 of 111 layers, 87 of the 105 conv
 * GFLOP. The whole-run times that chose this cap (10¹⁰ FLOPs, 3·10⁹ FLOPs, 3·10⁹ FLOPs or 2²⁵
 * elements) are in docs/benchmarks.md, "`--size production`: measured". The single-call
 * properties and the FC ≡ conv equivalences run every layer.
 */
export const PRODUCTION_RELATION_FLOPS = 3e9;
/** Elements of the largest tensor of a layer a multi-call property runs in the production tier (see `PRODUCTION_RELATION_FLOPS`). */
export const PRODUCTION_RELATION_ELEMENTS = 2 ** 25;

/** Per-call timeout of the production tier unless one is given: its big layers take seconds in a slow kernel (C3D conv2a: 22 GFLOP). */
export const PRODUCTION_TIMEOUT_MS = 120_000;

/** Cases per property at most under a time budget when `runs` is not given. */
export const BUDGET_RUNS_CAP = 1_000_000;

/**
 * Defaults in the browser, where every new shape compiles a GPU program (~0.15 s WebGL, ~0.9 s
 * WebGPU on SwiftShader) and even a repeated one costs 2–40 ms per call (round trip, upload,
 * kernel, read-back): 6 distinct shapes per property and 100 cases keep a catalog run of tfjs:webgl,
 * tfjs:webgpu or onnxruntime:webgpu within 3 minutes (docs/gpu.md, "What the budget costs").
 */
export const BROWSER_SHAPE_BUDGET = 6;
/** Cases per property in the browser unless `runs` is given (see `BROWSER_SHAPE_BUDGET`). */
export const BROWSER_RUNS = 100;

/**
 * The options of a run with every default decided (`resolveOptions`). The user's callbacks,
 * signal and report fields pass through unchanged.
 */
export interface ResolvedOptions
  extends Omit<
    VerifyOptions,
    'runs' | 'seed' | 'timeoutMs' | 'size' | 'layers' | 'shrinkBudgetMs' | 'shapePlan' | 'probeNumerics' | 'timeoutBudgetMs'
  > {
  /** Cases per property, as the report records it (`options.runs`). */
  readonly runs: number;
  /** The production tier without a given `runs`: each property runs each layer it fits once (its own count). */
  readonly runsPerLayer: boolean;
  readonly seed: ResolvedSeed;
  readonly timeoutMs: number;
  readonly size: SizeTier;
  /** Production tier: the layers (undefined in the other tiers). */
  readonly layers: readonly LayerShape[] | undefined;
  /** Production tier: the cost cap of multi-call properties. */
  readonly productionRelationFlops: number;
  readonly productionRelationElements: number;
  readonly shrinkBudgetMs: number;
  /** Wall time the run may spend shrinking timed-out cases (undefined: `CallClock`'s default from `timeoutMs`). */
  readonly timeoutBudgetMs: number | undefined;
  /** The shape plan's mode, `off` in the production tier. */
  readonly shapePlan: 'all' | 'mixed' | 'off';
  readonly probeNumerics: boolean;
}

/**
 * Validates `options` and decides every default. `where`: where the kernel runs, when the caller
 * knows (the CLI opens the kernel itself); a `browser` kernel gets `BROWSER_RUNS` cases and a
 * `BROWSER_SHAPE_BUDGET`. Undefined (the API): the Node defaults, whatever the kernel.
 * Throws `InvalidArgumentError` naming `fn`, the option and its value.
 * @example resolveOptions({ runs: 50 }).timeoutMs // 5000
 */
export function resolveOptions(options: VerifyOptions, where?: KernelPlace, fn = 'verifyKernel'): ResolvedOptions {
  checkOptions(options, fn);
  const browser = where === 'browser';
  const size = options.size ?? 'default';
  const production = size === 'production';
  const shapeBudget = options.shapeBudget ?? (browser ? BROWSER_SHAPE_BUDGET : undefined);
  const budgeted = options.timeBudgetMs !== undefined;
  // the production tier runs each layer once per property unless runs is given; the report still records a count
  const runs = options.runs ?? (budgeted ? BUDGET_RUNS_CAP : browser && !production ? BROWSER_RUNS : DEFAULT_RUNS);
  return {
    ...options,
    runs,
    runsPerLayer: production && options.runs === undefined,
    seed: resolveSeed(options.seed, fn),
    timeoutMs: options.timeoutMs ?? (production ? PRODUCTION_TIMEOUT_MS : DEFAULT_TIMEOUT_MS),
    size,
    layers: production ? (options.layers ?? PRODUCTION_LAYERS) : undefined,
    productionRelationFlops: options.productionRelationFlops ?? PRODUCTION_RELATION_FLOPS,
    productionRelationElements: options.productionRelationElements ?? PRODUCTION_RELATION_ELEMENTS,
    shrinkBudgetMs: options.shrinkBudgetMs ?? DEFAULT_SHRINK_BUDGET_MS,
    timeoutBudgetMs: options.timeoutBudgetMs,
    shapeBudget,
    // one plan for the whole run, so a shape (a GPU program) serves every property that can use it
    // (the default Node run stays random: shapes cost nothing there, and 200 random draws per
    // property already meet the pairs the plan covers — measured in docs/gpu.md, "Shapes by design")
    shapePlan: production ? 'off' : (options.shapePlan ?? (shapeBudget !== undefined ? 'all' : 'off')),
    probeNumerics: options.probeNumerics !== false,
  };
}

/** Validates options eagerly, naming the function, the argument and the value. */
function checkOptions(o: VerifyOptions, fn: string): void {
  if (o.runs !== undefined && (!Number.isInteger(o.runs) || o.runs < 1))
    throw new InvalidArgumentError(fn, 'runs', o.runs, `runs must be an integer >= 1, got ${o.runs}`);
  if (o.timeoutMs !== undefined && (!Number.isFinite(o.timeoutMs) || o.timeoutMs <= 0))
    throw new InvalidArgumentError(fn, 'timeoutMs', o.timeoutMs, `timeoutMs must be > 0, got ${o.timeoutMs}`);
  if (o.shapeBudget !== undefined && (!Number.isInteger(o.shapeBudget) || o.shapeBudget < 1))
    throw new InvalidArgumentError(fn, 'shapeBudget', o.shapeBudget, `shapeBudget must be an integer >= 1, got ${o.shapeBudget}`);
  if (o.timeoutBudgetMs !== undefined && !(o.timeoutBudgetMs >= 0))
    throw new InvalidArgumentError(fn, 'timeoutBudgetMs', o.timeoutBudgetMs, `timeoutBudgetMs must be >= 0, got ${o.timeoutBudgetMs}`);
  if (o.shapePlan !== undefined && !['all', 'mixed', 'off'].includes(o.shapePlan))
    throw new InvalidArgumentError(
      fn,
      'shapePlan',
      o.shapePlan,
      `shapePlan must be 'all', 'mixed' or 'off', got ${JSON.stringify(o.shapePlan)}`,
    );
  if (o.timeBudgetMs !== undefined && (!Number.isFinite(o.timeBudgetMs) || o.timeBudgetMs <= 0))
    throw new InvalidArgumentError(fn, 'timeBudgetMs', o.timeBudgetMs, `timeBudgetMs must be a finite number > 0, got ${o.timeBudgetMs}`);
  if (o.size !== undefined && !SIZE_TIERS.includes(o.size))
    throw new InvalidArgumentError(
      fn,
      'size',
      o.size,
      `size must be one of ${SIZE_TIERS.map((t) => `'${t}'`).join(', ')}, got ${JSON.stringify(o.size)}`,
    );
  if (o.layers !== undefined && (o.size ?? 'default') !== 'production')
    throw new InvalidArgumentError(
      fn,
      'layers',
      o.layers.length,
      `layers are run by the production tier only; pass size: 'production' (got size ${JSON.stringify(o.size ?? 'default')})`,
    );
  if (o.layers !== undefined && o.layers.length === 0) throw new InvalidArgumentError(fn, 'layers', 0, 'layers must not be empty');
  if (o.productionRelationFlops !== undefined && !(o.productionRelationFlops > 0))
    throw new InvalidArgumentError(
      fn,
      'productionRelationFlops',
      o.productionRelationFlops,
      `productionRelationFlops must be > 0, got ${o.productionRelationFlops}`,
    );
  if (o.productionRelationElements !== undefined && !(o.productionRelationElements > 0))
    throw new InvalidArgumentError(
      fn,
      'productionRelationElements',
      o.productionRelationElements,
      `productionRelationElements must be > 0, got ${o.productionRelationElements}`,
    );
  for (const id of o.properties ?? []) {
    if (!catalog.some((p) => p.id === id)) {
      throw new InvalidArgumentError(
        fn,
        'properties',
        id,
        `unknown property id ${JSON.stringify(id)} (known: ${catalog.map((p) => p.id).join(', ')})`,
      );
    }
  }
}
