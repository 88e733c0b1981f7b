/**
 * The run-wide shape plan: shapes chosen by design, not by chance. Each operator of the table
 * describes its shapes as parameter classes (rank, group kind, C/group and M/group by residue
 * mod 4 and block, each spatial and output extent by residue mod 4, kernel extent, stride,
 * dilation, padding kind, bias, batch) and builds a pairwise covering array of them under the
 * kernel's capabilities (`covering-array.ts`): every pair of classes occurs in some shape. The
 * plan is built once per run from the run's seed, and every property draws its shapes from it —
 * so a GPU program compiled for a plan shape serves every property that can use that shape.
 *
 * `plannedSpecs` is the arbitrary a problem generator returns when the generation context holds a
 * plan draw: plan shapes in order (fresh data come from the case's own data seed), or in the
 * default Node run every fourth case a plan shape and the others random. Plan shapes shrink with
 * the operator's own shrinker (smaller valid shapes within the capabilities), random ones as
 * their generator shrinks them.
 */
import fc from 'fast-check';

/** The plan of one operator: its classes, its shapes and what they cover. */
export interface OperatorShapePlan<S = unknown> {
  /** The operator (`conv`, `dense`, `convTranspose`). */
  readonly operator: string;
  /** Parameter names, in column order. */
  readonly parameters: readonly string[];
  /** The shapes (the operator's spec type), one per row. */
  readonly specs: readonly S[];
  /** Each row's classes, one label per parameter (`n/a` where a parameter does not apply). */
  readonly rows: ReadonlyArray<readonly string[]>;
  /** Pairs of classes covered, of `total`. */
  readonly pairsCovered: number;
  readonly pairsTotal: number;
  /** Pairs no shape within the capabilities and the plan's size limits can hold, and why. */
  readonly uncovered: ReadonlyArray<{ readonly pair: string; readonly reason: string }>;
  /** Classes the kernel's capabilities leave out entirely (not counted in the pairs). */
  readonly excluded: readonly string[];
}

/** The run-wide plan: one operator plan per operator the kernel implements. */
export interface ShapePlan {
  readonly seed: number;
  readonly operators: readonly OperatorShapePlan[];
}

/**
 * How one property draws from the plan (a fresh object per property run).
 *
 * `all` (the browser, `--shape-budget`): every case a plan shape. The differential properties
 * (`walksPlan`) walk the whole plan; any other property with a `budget` takes that many plan shapes
 * from `offset` on (its place in the run), so the relations together walk the plan again while
 * each compiles only a few derived programs.
 *
 * `mixed` (the default Node run): single-call properties (the differential ones, output shape,
 * input integrity) run each plan shape once *on top of* their random cases, spread evenly among
 * them (the runner adds `rows` to their case count, so the random cases keep their number); the
 * other properties draw random shapes only.
 */
export interface PlanDraw {
  readonly plan: ShapePlan;
  readonly mode: 'all' | 'mixed';
  readonly budget?: number;
  readonly offset: number;
  readonly singleCall: boolean;
  /** In `all` mode: walk every plan shape (the differential properties) rather than `budget` of them. */
  readonly walksPlan: boolean;
  /** Set by a generator that draws from the plan (the runner then applies no shape budget of its own). */
  used: boolean;
  /** Plan shapes the property's generators draw (summed over operators). */
  rows: number;
  /** The property's total case count, set by the runner before the run (`mixed` spreads the plan shapes over it). */
  runs?: number;
}

/** The operator plan of `operator` in a draw, or undefined. */
export function operatorPlan<S>(draw: PlanDraw | undefined, operator: string): OperatorShapePlan<S> | undefined {
  return draw?.plan.operators.find((o) => o.operator === operator) as OperatorShapePlan<S> | undefined;
}

/** Without a known case count, every fourth case of a `mixed` draw is a plan shape. */
export const MIXED_PLAN_EVERY = 4;

type PlannedContext = { readonly kind: 'plan' } | { readonly kind: 'random'; readonly context: unknown };

class PlannedArbitrary<S> extends fc.Arbitrary<S> {
  private next = 0;
  private nextPlan = 0;
  constructor(
    private readonly specs: readonly S[],
    private readonly draw: PlanDraw,
    private readonly random: fc.Arbitrary<S>,
    private readonly shrinkSpec: (s: S) => readonly S[],
  ) {
    super();
  }

  /** Mixed mode: whether case `i` is a plan shape — `specs.length` of them spread evenly over the run's cases. */
  private planSlot(i: number): boolean {
    const n = this.specs.length;
    const total = this.draw.runs;
    if (this.nextPlan >= n) return false;
    if (total === undefined || total <= n) return i % MIXED_PLAN_EVERY === MIXED_PLAN_EVERY - 1;
    return Math.floor(((i + 1) * n) / total) > Math.floor((i * n) / total);
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<S> {
    const i = this.next++;
    if (this.draw.mode === 'mixed' && !this.planSlot(i)) {
      const v = this.random.generate(mrng, biasFactor);
      return new fc.Value(v.value_, { kind: 'random', context: v.context } satisfies PlannedContext);
    }
    const s = this.specs[this.nextPlan++ % this.specs.length];
    return new fc.Value(s, { kind: 'plan' } satisfies PlannedContext);
  }

  canShrinkWithoutContext(value: unknown): value is S {
    return false;
  }

  shrink(value: S, context: unknown): fc.Stream<fc.Value<S>> {
    const c = context as PlannedContext | undefined;
    if (c?.kind === 'random')
      return this.random
        .shrink(value, c.context)
        .map((v) => new fc.Value(v.value_, { kind: 'random', context: v.context } satisfies PlannedContext));
    if (c?.kind !== 'plan') return fc.Stream.nil();
    // smaller valid shapes first-found-first: fast-check keeps the first that still fails and shrinks on from it
    return fc.Stream.of(...this.shrinkSpec(value)).map((s) => new fc.Value(s, { kind: 'plan' } satisfies PlannedContext));
  }
}

/**
 * The specs a property draws from the plan: the operator plan's shapes that `accept` takes (after
 * `adjust`, e.g. a forced bias), for a multi-call property with a budget only `budget` of them
 * from its offset on. Undefined when the draw holds no such shape (the caller then generates
 * randomly, and the draw stays unused).
 */
export function plannedSpecs<S>(
  draw: PlanDraw | undefined,
  operator: string,
  options: {
    readonly random: fc.Arbitrary<S>;
    readonly accept?: (s: S) => boolean;
    readonly adjust?: (s: S) => S;
    readonly shrink: (s: S) => readonly S[];
  },
): fc.Arbitrary<S> | undefined {
  const plan = operatorPlan<S>(draw, operator);
  if (draw === undefined || plan === undefined || (draw.mode === 'mixed' && !draw.singleCall)) return undefined;
  const accept = options.accept ?? (() => true);
  const adjust = options.adjust ?? ((s: S) => s);
  const specs = plan.specs.map(adjust).filter(accept);
  if (specs.length === 0) return undefined;
  const mine =
    draw.mode === 'all' && !draw.walksPlan && draw.budget !== undefined && draw.budget < specs.length
      ? Array.from({ length: draw.budget }, (_, i) => specs[(draw.offset * draw.budget! + i) % specs.length])
      : specs;
  draw.used = true;
  draw.rows += mine.length;
  const shrink = (s: S) => options.shrink(s).map(adjust).filter(accept);
  return new PlannedArbitrary(mine, draw, options.random, shrink);
}

/** A label for a channel count's class: residue mod 4 and block band. */
export const RESIDUES = ['0', '1', '2', '3'] as const;
/** Bands of a channel count: up to 4, or around a vector width / block (b − 1 … b + 2). */
export const BANDS = ['≤4', '~8', '~16', '~32', '~64'] as const;

/**
 * The channel count of a (residue, band) class: in band `≤4` the residue's smallest positive value
 * (4, 1, 2, 3 — or 5 for residue 1 when `min2`, a count that must be at least 2); around block b
 * the value in b − 1 … b + 2 with that residue (b − 1, b, b + 1, b + 2).
 */
export function channelCount(residue: number, band: number, min2 = false): number {
  if (band === 0) return residue === 0 ? 4 : residue === 1 && min2 ? 5 : residue;
  const b = 4 * 2 ** band; // 8, 16, 32, 64
  return residue === 3 ? b - 1 : b + residue;
}

/** The smallest count in a band (for lower bounds on sizes). */
export function smallestInBand(band: number | undefined): number {
  return band === undefined || band === 0 ? 1 : 4 * 2 ** band - 1;
}
