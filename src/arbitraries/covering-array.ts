/**
 * `coveringArray`: a pairwise (strength-2) covering array built greedily in parameter order
 * (IPOG, "in-parameter-order", as in NIST's ACTS), with constraints honoured while covering.
 *
 * Combinatorial testing's observation (NIST's studies of real failures): most interaction faults
 * need two parameters at particular values. A covering array makes every pair of values of every
 * two parameters occur in some row, in a number of rows that grows with the product of the two
 * largest domains and only logarithmically with the number of parameters.
 *
 * Constraints are not filtered afterwards (that loses pairs silently): every row is kept
 * *completable* — some assignment of its unset parameters satisfies every constraint — at every
 * step, so a pair is placed only where it can stand, and a pair no valid row can hold is reported
 * as uncovered with the constraint that excludes it.
 */
import { InvalidArgumentError } from '../errors.js';
import { Prng } from './prng.js';

/** One parameter: its name and the labels of its value classes. */
export interface CoveringParameter {
  readonly name: string;
  readonly values: readonly string[];
}

/** A row under construction: a value index per parameter, or undefined (not yet set). */
export type PartialRow = ReadonlyArray<number | undefined>;

/** The parameters and constraints of a covering array. */
export interface CoveringModel {
  readonly parameters: readonly CoveringParameter[];
  /**
   * The first constraint a partial row already violates, as a sentence naming it (`dilation > 1
   * needs a kernel wider than 1`), or undefined. It must judge only what the set values decide: a
   * constraint with an unset parameter it depends on is not violated yet (a lower bound may prune).
   */
  violation(row: PartialRow): string | undefined;
  /** Whether value `v` of parameter `p` takes part in pairs (false: a placeholder such as `n/a`). Default: all do. */
  counts?(p: number, v: number): boolean;
  /**
   * Whether the pair (p = v, q = u) is a pair at all (false: one value rules the other parameter
   * out, e.g. rank 1 and an outer axis's class — not counted, neither covered nor uncovered).
   */
  applies?(p: number, v: number, q: number, u: number): boolean;
  /** Value indices of `p` in the order to try when completing a row (cheapest first). Default: in order. */
  preference?(p: number): readonly number[];
}

/** A pair of parameter values no valid row can hold, and why. */
export interface UncoveredPair {
  readonly pair: string;
  readonly reason: string;
}

/** A built covering array. */
export interface CoveringArray {
  /** Complete rows: a value index per parameter; every row satisfies every constraint. */
  readonly rows: ReadonlyArray<readonly number[]>;
  /** Pairs that occur in some row. */
  readonly covered: number;
  /** Pairs of counted values of two different parameters (covered + uncovered). */
  readonly total: number;
  readonly uncovered: readonly UncoveredPair[];
}

/** Completion search gives up after this many nodes (then the partial row counts as infeasible). */
const SEARCH_LIMIT = 20_000;
/** Valid rows kept to complete later rows by overlay before searching. */
const POOL = 24;

class Completer {
  private readonly memo = new Map<string, readonly number[] | null>();
  /** Reasons met while a search failed (for the uncovered pairs' explanation). */
  lastReasons = new Map<string, number>();
  constructor(private readonly model: CoveringModel) {}

  /** A complete valid row extending `row`, or undefined. */
  complete(row: PartialRow): readonly number[] | undefined {
    const key = row.map((v) => (v === undefined ? '*' : v)).join(',');
    const hit = this.memo.get(key);
    if (hit !== undefined) {
      this.lastReasons = this.reasons.get(key) ?? new Map();
      return hit ?? undefined;
    }
    this.lastReasons = new Map();
    const work = [...row];
    let nodes = 0;
    const m = this.model;
    const n = m.parameters.length;
    const search = (p: number): boolean => {
      if (++nodes > SEARCH_LIMIT) return false;
      if (p === n) return true;
      if (work[p] !== undefined) return search(p + 1);
      for (const v of m.preference?.(p) ?? m.parameters[p].values.map((_, i) => i)) {
        work[p] = v;
        const why = m.violation(work);
        if (why === undefined) {
          if (search(p + 1)) return true;
        } else {
          this.lastReasons.set(why, (this.lastReasons.get(why) ?? 0) + 1);
        }
      }
      work[p] = undefined;
      return false;
    };
    const first = m.violation(row);
    if (first !== undefined) this.lastReasons.set(first, Number.POSITIVE_INFINITY);
    // first the cheap way: a valid row met before, with this row's values laid over it
    let found: readonly number[] | null = first === undefined ? this.repair(row) : null;
    if (found === null && first === undefined && search(0)) {
      found = work as number[];
      this.pool.unshift(found);
      if (this.pool.length > POOL) this.pool.pop();
    }
    this.memo.set(key, found);
    if (found === null) this.reasons.set(key, this.lastReasons);
    return found ?? undefined;
  }

  /** Why each infeasible row was found infeasible. */
  private readonly reasons = new Map<string, Map<string, number>>();

  /** Recent complete rows found by search, for `repair`. */
  private readonly pool: Array<readonly number[]> = [];

  private repair(row: PartialRow): readonly number[] | null {
    for (const w of this.pool) {
      const candidate = w.map((v, p) => row[p] ?? v);
      if (this.model.violation(candidate) === undefined) return candidate;
    }
    return null;
  }

  feasible(row: PartialRow): boolean {
    return this.complete(row) !== undefined;
  }
}

/** A pair as one number: parameters and values below 256 each (p < q after ordering). */
const pairKey = (p: number, v: number, q: number, u: number): number =>
  p < q ? ((p * 256 + v) * 256 + q) * 256 + u : ((q * 256 + u) * 256 + p) * 256 + v;
const unpair = (key: number): [number, number, number, number] => [
  Math.floor(key / 2 ** 24),
  Math.floor(key / 2 ** 16) % 256,
  Math.floor(key / 256) % 256,
  key % 256,
];

/**
 * A pairwise covering array of `model`, deterministic for a given `seed` (the seed breaks ties
 * between equally good values and orders the rows, so different seeds give different arrays).
 * @example coveringArray({ parameters: [{ name: 'a', values: ['0', '1'] }, { name: 'b', values: ['x', 'y'] }], violation: () => undefined }, 1).rows.length // 4
 */
export function coveringArray(model: CoveringModel, seed: number): CoveringArray {
  const params = model.parameters;
  if (params.length < 2) throw new InvalidArgumentError('coveringArray', 'model', params.length, 'needs at least two parameters');
  for (const p of params) {
    if (p.values.length === 0) throw new InvalidArgumentError('coveringArray', 'model', p.name, `parameter ${p.name} has no values`);
  }
  const rng = new Prng(seed ^ 0x5bd1e995);
  const counts = (p: number, v: number) => model.counts?.(p, v) ?? true;
  const completer = new Completer(model);
  const n = params.length;
  const blank = (): Array<number | undefined> => new Array<number | undefined>(n).fill(undefined);
  const uncovered: UncoveredPair[] = [];
  let total = 0;
  const describe = (p: number, v: number, q: number, u: number) =>
    `${params[p].name}=${params[p].values[v]} & ${params[q].name}=${params[q].values[u]}`;

  // the rows (partial while parameters are added), one parameter at a time
  let rows: Array<Array<number | undefined>> = [];
  // IPOG covers best when the largest domains come first (their product is the floor of the row count)
  const order = params.map((_, i) => i).sort((a, b) => params[b].values.length - params[a].values.length || a - b);
  for (let pi = 0; pi < n; pi++) {
    const p = order[pi];
    const prior = order.slice(0, pi);
    // the pairs parameter p forms with the parameters before it, each checked for feasibility
    const pending = new Set<number>();
    for (const q of prior) {
      for (let u = 0; u < params[q].values.length; u++) {
        if (!counts(q, u)) continue;
        for (let v = 0; v < params[p].values.length; v++) {
          if (!counts(p, v) || model.applies?.(q, u, p, v) === false) continue;
          total++;
          const r = blank();
          r[q] = u;
          r[p] = v;
          if (completer.feasible(r)) pending.add(pairKey(q, u, p, v));
          else uncovered.push({ pair: describe(q, u, p, v), reason: mainReason(completer.lastReasons) });
        }
      }
    }
    if (pi === 0) {
      // the first parameter alone: one row per value (pairs start with the second)
      const alone = (v: number) => blank().map((x, i) => (i === p ? v : x));
      rows = params[p].values
        .map((_, v) => v)
        .filter((v) => completer.feasible(alone(v)))
        .map(alone);
      continue;
    }
    const gain = (row: ReadonlyArray<number | undefined>, v: number): number => {
      let g = 0;
      for (const q of prior) if (row[q] !== undefined && pending.has(pairKey(q, row[q]!, p, v))) g++;
      return g;
    };
    const take = (row: ReadonlyArray<number | undefined>) => {
      for (const q of prior) if (row[q] !== undefined && row[p] !== undefined) pending.delete(pairKey(q, row[q]!, p, row[p]!));
    };
    // horizontal growth: each existing row gets the value of p that covers the most new pairs
    for (const row of rows) {
      let best: number | undefined;
      let bestGain = -1;
      const order = shuffled(
        params[p].values.map((_, v) => v),
        rng,
      );
      for (const v of order) {
        const g = gain(row, v);
        if (g <= bestGain) continue;
        row[p] = v;
        if (completer.feasible(row)) {
          best = v;
          bestGain = g;
        }
        row[p] = undefined;
      }
      // a row that gains nothing keeps p unset (a don't-care, filled at the end)
      if (best !== undefined && bestGain > 0) {
        row[p] = best;
        take(row);
      }
    }
    // vertical growth: each pair still pending goes into a row where it fits, or a new row
    for (const key of [...pending]) {
      if (!pending.has(key)) continue;
      const [a, av, b, bv] = unpair(key);
      const [q, u, v] = a === p ? [b, bv, av] : [a, av, bv];
      let placed = false;
      for (const row of rows) {
        if ((row[p] !== undefined && row[p] !== v) || (row[q] !== undefined && row[q] !== u)) continue;
        const before = [row[p], row[q]];
        row[p] = v;
        row[q] = u;
        if (completer.feasible(row)) {
          placed = true;
          take(row);
          break;
        }
        [row[p], row[q]] = before;
      }
      if (!placed) {
        const row = blank();
        row[q] = u;
        row[p] = v;
        rows.push(row);
        take(row);
      }
    }
  }
  // don't-cares: the cheapest completion (every row is completable by construction)
  const complete = rows.map((r) => completer.complete(r)!).filter((r) => r !== undefined);
  const seen = new Set<number>();
  for (const r of complete) {
    for (let p = 0; p < n; p++) {
      if (!counts(p, r[p])) continue;
      for (let q = p + 1; q < n; q++)
        if (counts(q, r[q]) && model.applies?.(p, r[p], q, r[q]) !== false) seen.add(pairKey(p, r[p], q, r[q]));
    }
  }
  return { rows: complete, covered: seen.size, total, uncovered };
}

/** The most frequent reason met (a violation of the row itself counts above all). */
function mainReason(reasons: ReadonlyMap<string, number>): string {
  let best = 'no valid completion found within the search limit';
  let count = 0;
  for (const [r, c] of reasons) {
    if (c > count) {
      best = r;
      count = c;
    }
  }
  return best;
}

function shuffled<T>(items: T[], rng: Prng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
