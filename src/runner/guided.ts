/**
 * Coverage-guided generation (as FuzzChick, HypoFuzz and targeted property-based testing do):
 * cases that reached kernel code or a shader variant no earlier case reached are kept in a
 * corpus, and later cases are mutants of a kept one (scheduling: `GuidedArbitrary`).
 *
 * A mutant is made by the property's own arbitrary, replaying the random choices that made the
 * kept case with exactly one of them changed (a step of ±1 or a fresh value in the same range),
 * as Hypothesis mutates its choice sequences. Each choice of a conv or dense generator is one
 * parameter of the geometry (rank, batch, group kind, C/group, M/group, a kernel extent, a
 * stride, a dilation, a pad, an extra input extent, bias), so a mutant changes one parameter
 * and keeps the others; and since the arbitrary itself builds it, a mutant honours the kernel's
 * capabilities and the property's constraints exactly as a random case does — nothing outside
 * them is ever generated. Every choice (which case to mutate, which choice, its new value) comes
 * from fast-check's random source, so a run is deterministic from its seed (given a kernel whose
 * coverage is deterministic).
 */
import fc from 'fast-check';

/** One integer choice: the bounds the arbitrary asked for and the value it got. */
interface Choice {
  readonly min: number;
  readonly max: number;
  readonly value: number;
}

const MIN_INT = -0x80000000;
const MAX_INT = 0x7fffffff;

/**
 * A `fc.Random` that records every integer choice, and replays a recorded sequence with one
 * position changed. A replayed value outside the bounds asked at that point (the structure
 * changed upstream) is drawn afresh. `nextBigInt` and `clone` pass through unrecorded (no
 * generator of ours uses them).
 */
class ChoiceRandom {
  readonly choices: Choice[] = [];
  constructor(
    private readonly source: fc.Random,
    private readonly replay?: { readonly choices: readonly Choice[]; readonly at: number },
  ) {}

  nextInt(min = MIN_INT, max = MAX_INT): number {
    const i = this.choices.length;
    const r = this.replay;
    let value: number;
    if (r !== undefined && i === r.at) value = mutateChoice(this.source, r.choices[i], min, max);
    else if (r !== undefined && i < r.choices.length && r.choices[i].value >= min && r.choices[i].value <= max) value = r.choices[i].value;
    else value = this.source.nextInt(min, max);
    this.choices.push({ min, max, value });
    return value;
  }
  next(bits: number): number {
    return this.nextInt(0, (1 << bits) - 1);
  }
  nextBoolean(): boolean {
    return this.nextInt(0, 1) === 1;
  }
  nextDouble(): number {
    // fast-check's own construction from 26 + 27 random bits
    return (this.next(26) * 2 ** 27 + this.next(27)) * 2 ** -53;
  }
  nextBigInt(min: bigint, max: bigint): bigint {
    return this.source.nextBigInt(min, max);
  }
  clone(): fc.Random {
    return this.source.clone();
  }
  getState(): readonly number[] | undefined {
    return undefined;
  }
}

/** The changed value of one choice: a step of ±1 half the time, else any other value in range. */
function mutateChoice(source: fc.Random, was: Choice, min: number, max: number): number {
  if (max <= min) return min;
  const old = Math.min(max, Math.max(min, was.value));
  if (source.nextInt(0, 1) === 0) {
    const up = old === min ? true : old === max ? false : source.nextInt(0, 1) === 1;
    return up ? old + 1 : old - 1;
  }
  const v = source.nextInt(min, max - 1);
  return v >= old ? v + 1 : v;
}

/** A case's shape: the value without its data seeds (`seed`, `seed2`, …) and data regime. */
export function shapeKeyOf(value: unknown): string {
  return JSON.stringify(value, (k, v) => (/^seed\d*$/.test(k) || k === 'regime' ? undefined : v)) ?? '';
}

/** What guidance did in one property. */
export interface GuidanceStats {
  /** Cases drawn at random. */
  random: number;
  /** Cases made by mutating a kept case. */
  mutants: number;
  /** Cases kept because they reached something new (random or mutant). */
  kept: number;
  /** Of those, mutants. */
  keptMutants: number;
}

interface Entry {
  readonly choices: readonly Choice[];
  readonly key: string;
  readonly mutant: boolean;
  /** Mutants still to be made of it. */
  energy: number;
}

/**
 * Mutation tries per mutant before a random case is drawn instead: a try that changes a choice
 * the shape does not depend on (an axis beyond the rank, the data seed) or repeats a shape
 * already drawn is discarded, so each mutant is a new shape (generating is cheap; a kernel call
 * on a new shape is not).
 */
const MUTATION_TRIES = 32;

/** Mutants made of a kept case at least, and at most (see `GuidedArbitrary.feedback`). */
const MIN_ENERGY = 2;
const MAX_ENERGY = 8;

/** Options of `guidedArbitrary`. */
export interface GuidedOptions {
  /** Cases drawn at random before mutants are made (default 2). */
  readonly warmup?: number;
}

/**
 * The arbitrary of `guidedArbitrary`; call `feedback` after each case. Scheduling follows AFL's
 * energy: each kept case is given a number of mutants — more when it broke a longer run of cases
 * that reached nothing new (its discovery was rarer), from `MIN_ENERGY` to `MAX_ENERGY` — and
 * the newest kept case with energy left is mutated first (the frontier). When no kept case has
 * energy left, cases are drawn at random again, so a kernel whose coverage gives no gradient
 * costs the run no random exploration beyond those mutants. Random cases are drawn exactly as
 * without guidance (fast-check's bias toward small values included).
 */
export class GuidedArbitrary<T> extends fc.Arbitrary<T> {
  readonly stats: GuidanceStats = { random: 0, mutants: 0, kept: 0, keptMutants: 0 };
  private readonly corpus: Entry[] = [];
  private readonly seen = new Set<string>();
  private readonly pending = new WeakMap<object, Entry>();
  private readonly warmup: number;
  /** Cases in a row that reached nothing new. */
  private dry = 0;

  constructor(
    private readonly inner: fc.Arbitrary<T>,
    options: GuidedOptions = {},
  ) {
    super();
    this.warmup = Math.max(0, options.warmup ?? 2);
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    const drawn = this.stats.random + this.stats.mutants;
    let parent: Entry | undefined;
    for (let i = this.corpus.length - 1; i >= 0 && parent === undefined; i--) if (this.corpus[i].energy > 0) parent = this.corpus[i];
    if (parent !== undefined && drawn >= this.warmup) {
      parent.energy--;
      for (let t = 0; t < MUTATION_TRIES && parent.choices.length > 0; t++) {
        const rec = new ChoiceRandom(mrng, { choices: parent.choices, at: mrng.nextInt(0, parent.choices.length - 1) });
        const v = this.inner.generate(rec as unknown as fc.Random, biasFactor);
        const key = shapeKeyOf(v.value);
        if (key === parent.key || this.seen.has(key)) continue;
        this.stats.mutants++;
        return this.remember(v, { choices: rec.choices, key, mutant: true, energy: 0 });
      }
    }
    const rec = new ChoiceRandom(mrng);
    const v = this.inner.generate(rec as unknown as fc.Random, biasFactor);
    this.stats.random++;
    return this.remember(v, { choices: rec.choices, key: shapeKeyOf(v.value), mutant: false, energy: 0 });
  }

  private remember(v: fc.Value<T>, e: Entry): fc.Value<T> {
    this.seen.add(e.key);
    if (typeof v.value === 'object' && v.value !== null) this.pending.set(v.value, e);
    return v;
  }

  /** After a case ran: keep it when it reached something new. Cases this arbitrary did not make are ignored. */
  feedback(value: unknown, reachedNew: boolean): void {
    if (typeof value !== 'object' || value === null) return;
    const e = this.pending.get(value);
    if (e === undefined) return;
    this.pending.delete(value);
    if (!reachedNew) {
      this.dry++;
      return;
    }
    e.energy = Math.min(MAX_ENERGY, MIN_ENERGY + this.dry);
    this.dry = 0;
    this.corpus.push(e);
    this.stats.kept++;
    if (e.mutant) this.stats.keptMutants++;
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return this.inner.canShrinkWithoutContext(value);
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.inner.shrink(value, context);
  }
}

/**
 * `arbitrary` with coverage guidance: call `feedback(case, reachedNew)` after each case.
 * @example const g = guidedArbitrary(def.arbitrary(ctx)); fc.check(fc.asyncProperty(withShapeBudget(g, 6), async (c) => { …; g.feedback(c, collector.endCase().newBlocks > 0); }))
 */
export function guidedArbitrary<T>(arbitrary: fc.Arbitrary<T>, options: GuidedOptions = {}): GuidedArbitrary<T> {
  return new GuidedArbitrary(arbitrary, options);
}
