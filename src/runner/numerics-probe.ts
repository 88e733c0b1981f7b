/**
 * The numerics probe: before a run generates anything, a few small calls find out what the kernel
 * does with tiny products, subnormal inputs and products, NaN, ±Infinity, Infinity·0, long exact
 * integer sums and how wide it accumulates (docs/numerics.md). Every call goes through the
 * guarded kernel, so a kernel that throws, hangs or returns garbage here is recorded as a probe
 * fault (its findings "not probed") rather than crashing the run.
 *
 * The findings become the run's data limits (`arbitraries/data-limits.ts`): the float regime
 * keeps clear of magnitudes the kernel loses, the exact regime of integer sums it cannot hold,
 * and the special regime is skipped, with the reason, when NaN / Infinity do not propagate and the
 * kernel did not declare that they do. The error bound is never changed.
 *
 * Each probe is one call of a matrix product Y = X·Wᵀ + b through the kernel's own operator:
 * `conv` as a 1×1 convolution (preferred: most properties run conv), else `dense`, else
 * `convTranspose` with a 1×1 kernel — group 1, stride 1, no padding, the lowest declared rank:
 * a call every kernel's capabilities admit.
 */
import type { KernelUnderTest, Precision } from '../contract.js';
import type { CompleteCapabilities } from '../capabilities.js';
import { PRECISION_FACTS } from '../precision.js';
import type { CheckedKernel, Data64 } from '../vocabulary.js';
import { formatShape } from '../tensor.js';
import { CallInterrupted, errorMessage } from './guarded-call.js';
import { KernelFault } from '../vocabulary.js';
import type { PlatformNumerics, ValueHandling } from './platform-numerics.js';

/** Y[N×M] = X[N×K]·W[M×K]ᵀ + b through one kernel call; `describe` names the call. */
interface MatrixProduct {
  describe(n: number, k: number, m: number): string;
  run(x: readonly number[][], w: readonly number[][], b: readonly number[] | undefined): Promise<Float64Array>;
}

const ones = (n: number) => new Array<number>(n).fill(1);
const zerosOf = (n: number) => new Array<number>(n).fill(0);

/** The matrix product through the kernel's conv, dense or convTranspose (in that order of preference); undefined when it has none. */
function matrixProduct(k: CheckedKernel, capabilities: CompleteCapabilities): MatrixProduct | undefined {
  const r = Math.min(...capabilities.spatialRanks);
  const unit = ones(r);
  const flat = (rows: readonly number[][]) => Float64Array.from(rows.flat());
  const t = (shape: number[], data: Float64Array): Data64 => ({ shape, data });
  if (k.has('conv')) {
    return {
      describe: (n, kk, m) => `conv x=${formatShape([n, kk, ...unit])} w=${formatShape([m, kk, ...unit])}`,
      run: (x, w, b) =>
        k.call(
          'conv',
          [
            ['x', t([x.length, x[0].length, ...unit], flat(x))],
            ['w', t([w.length, w[0].length, ...unit], flat(w))],
            ['b', b && t([b.length], Float64Array.from(b))],
          ],
          { strides: unit, pads: zerosOf(2 * r), dilations: unit, group: 1 },
          [x.length, w.length, ...unit],
        ),
    };
  }
  if (k.has('dense')) {
    return {
      describe: (n, kk, m) => `dense x=${formatShape([n, kk])} w=${formatShape([m, kk])}`,
      run: (x, w, b) =>
        k.call(
          'dense',
          [
            ['x', t([x.length, x[0].length], flat(x))],
            ['w', t([w.length, w[0].length], flat(w))],
            ['b', b && t([b.length], Float64Array.from(b))],
          ],
          undefined,
          [x.length, w.length],
        ),
    };
  }
  if (k.has('convTranspose')) {
    // ConvTranspose's w is [C, M/group, k…]: the transpose of W
    return {
      describe: (n, kk, m) => `convTranspose x=${formatShape([n, kk, ...unit])} w=${formatShape([kk, m, ...unit])}`,
      run: (x, w, b) => {
        const wt = Float64Array.from({ length: w.length * w[0].length }, (_, i) => w[i % w.length][Math.floor(i / w.length)]);
        return k.call(
          'convTranspose',
          [
            ['x', t([x.length, x[0].length, ...unit], flat(x))],
            ['w', t([w[0].length, w.length, ...unit], wt)],
            ['b', b && t([b.length], Float64Array.from(b))],
          ],
          { strides: unit, pads: zerosOf(2 * r), dilations: unit, group: 1, outputPadding: zerosOf(r) },
          [x.length, w.length, ...unit],
        );
      },
    };
  }
  return undefined;
}

/** A value rounded to the kernel's storage precision (float16 values are carried as numbers). */
function store(v: number, precision: Precision): number {
  return PRECISION_FACTS[precision].round(v);
}

/** IEEE-754 Y = X·Wᵀ + b, left to right in float64, rounded to `precision` (exact for the probes' finite values). */
function expectedProduct(
  x: readonly number[][],
  w: readonly number[][],
  b: readonly number[] | undefined,
  precision: Precision,
): Float64Array {
  const y = new Float64Array(x.length * w.length);
  for (let n = 0; n < x.length; n++) {
    for (let m = 0; m < w.length; m++) {
      let s = 0;
      for (let i = 0; i < x[n].length; i++) s += x[n][i] * w[m][i];
      y[n * w.length + m] = store(s + (b ? b[m] : 0), precision);
    }
  }
  return y;
}

/** Same value, NaN equal to NaN, +0 equal to −0. */
const same = (a: number, b: number): boolean => (Number.isNaN(a) ? Number.isNaN(b) : a === b);

const show = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

/** The base-2 exponents of the tiny-product ladder: values 1.5·2^−a; 133 and 140 are float32 subnormals. */
export const TINY_LADDER: readonly number[] = [-20, 0, 10, 20, 30, 40, 50, 60, 64, 70, 75, 80, 90, 100, 110, 120, 126, 133, 140];

const F32_MIN_NORMAL = PRECISION_FACTS.float32.minNormal;

/** Findings of the tiny-value probe. */
interface TinyFindings {
  readonly smallestRight?: number;
  readonly largestLost?: number;
  /** The smallest product computed right above every lost one (what the data may rely on). */
  readonly rightAboveLost?: number;
  /** Why the results are not platform numerics but a defect (a large product wrong, or losses not below a threshold). */
  readonly defect?: string;
  readonly subnormalInputs: ValueHandling;
  readonly subnormalProducts: ValueHandling;
}

/** Whether all `(expected, actual)` pairs agree, are all flushed to zero, or something else. */
function handling(pairs: ReadonlyArray<readonly [number, number]>): ValueHandling {
  if (pairs.length === 0) return 'not probed';
  if (pairs.every(([e, a]) => same(e, a))) return 'kept';
  if (pairs.every(([e, a]) => same(e, a) || a === 0)) return 'flushed to zero';
  return 'wrong';
}

/** Tiny products: every pair of ladder values multiplied once (K = 1), so each output is one product. */
async function probeTiny(p: MatrixProduct): Promise<TinyFindings & { call: string }> {
  const v = TINY_LADDER.map((a) => [1.5 * 2 ** -a]);
  const y = await p.run(v, v, undefined);
  const L = TINY_LADDER.length;
  let smallestRight: number | undefined;
  let largestLost: number | undefined;
  const right: number[] = [];
  const subIn: Array<[number, number]> = [];
  const subProd: Array<[number, number]> = [];
  for (let i = 0; i < L; i++) {
    for (let j = 0; j < L; j++) {
      const xi = v[i][0];
      const wj = v[j][0];
      const exact = xi * wj; // exact in float64 (two 2-bit significands)
      const e = Math.fround(exact);
      const a = y[i * L + j];
      const normalInputs = xi >= F32_MIN_NORMAL && wj >= F32_MIN_NORMAL;
      if (!normalInputs) {
        if (e >= F32_MIN_NORMAL) subIn.push([e, a]);
        continue;
      }
      if (e >= F32_MIN_NORMAL) {
        if (same(e, a)) {
          smallestRight = smallestRight === undefined ? e : Math.min(smallestRight, e);
          right.push(e);
        } else largestLost = largestLost === undefined ? e : Math.max(largestLost, e);
      } else if (e > 0) subProd.push([e, a]);
    }
  }
  const above = largestLost === undefined ? [] : right.filter((r) => r > largestLost!);
  const rightAboveLost = above.length > 0 ? Math.min(...above) : undefined;
  // A platform loses what is small: every lost product below every right one, and nothing near 1
  // lost (float32 arithmetic keeps products ≥ 2⁻²⁴ whatever it does with tiny ones). Anything else
  // — the tail of a dispatch left unwritten, say — is a defect, and the data are not bent around it.
  const defect =
    largestLost === undefined
      ? undefined
      : largestLost >= PRECISION_FACTS.float32.unitRoundoff
        ? `a product of ${show(largestLost)} came out wrong`
        : smallestRight !== undefined && smallestRight < largestLost
          ? `products were lost above others that came out right (${show(largestLost)} lost, ${show(smallestRight)} right)`
          : undefined;
  return {
    call: p.describe(L, 1, L),
    smallestRight,
    largestLost,
    rightAboveLost,
    ...(defect ? { defect } : {}),
    subnormalInputs: handling(subIn),
    subnormalProducts: handling(subProd),
  };
}

/** Findings of the special-value probe. */
interface SpecialFindings {
  readonly propagate: boolean;
  /** Set when a finite output (1 + 1) is wrong: a defect, not special-value numerics. */
  readonly defect?: string;
  readonly infTimesZero: string;
  readonly deviations: string[];
}

/**
 * NaN, ±Infinity, Infinity − Infinity, Infinity·0 and special biases, in one call: three rows of
 * X (finite, with a NaN, with an Infinity) against eight rows of W with their biases. Every
 * expected value is order-independent under IEEE-754 (NaN absorbs, ∞ + finite = ∞, ∞ − ∞ = NaN).
 */
async function probeSpecials(p: MatrixProduct, precision: Precision): Promise<SpecialFindings & { call: string }> {
  const inf = Number.POSITIVE_INFINITY;
  const x = [
    [1, 1, 0],
    [Number.NaN, 1, 0],
    [inf, 1, 0],
  ];
  const w = [
    [Number.NaN, 1, 0],
    [inf, 1, 0],
    [-inf, 1, 0],
    [inf, -inf, 0],
    [1, 1, inf], // meets x's 0: Infinity·0
    [1, 1, 0],
    [1, 1, 0],
    [1, 1, 0],
  ];
  const b = [0, 0, 0, 0, 0, -inf, Number.NaN, 0];
  const y = await p.run(x, w, b);
  const e = expectedProduct(x, w, b, precision);
  const deviations: string[] = [];
  for (let n = 0; n < x.length; n++) {
    for (let m = 0; m < w.length; m++) {
      const i = n * w.length + m;
      if (!same(e[i], y[i]))
        deviations.push(`x=[${x[n].map(show)}]·w=[${w[m].map(show)}] + b=${show(b[m])}: expected ${show(e[i])}, got ${show(y[i])}`);
    }
  }
  // the finite control 1·1 + 1·1 + 0·0 = 2 must be right whatever the platform does with specials
  const defect = same(e[7], y[7]) ? undefined : `the finite control 1 + 1 gave ${show(y[7])}`;
  return {
    call: p.describe(x.length, 3, w.length),
    propagate: deviations.length === 0,
    infTimesZero: show(y[4]),
    deviations,
    ...(defect ? { defect } : {}),
  };
}

/** Findings of the exact-sum probe. */
interface SumFindings {
  readonly exactBits: number;
  readonly probedBits: number;
  readonly longSum: { readonly terms: number; readonly exact: boolean } | undefined;
  readonly accumulation: string;
  /** Set when the sums fail where every floating-point format holds them (up to 2⁸), or not from some k on: a defect. */
  readonly defect?: string;
}

/**
 * Exact integer sums: X is one row of ones; W's rows are 2^(k−1), 2^(k−2), …, 1 (sum 2^k − 1, exact
 * in any order iff the accumulator holds k bits) for a ladder of k up to what the storage holds
 * (at most 24: the exact regime never asks more), one row of ones over the whole length (a long
 * sum), and 1, u, u, … (16 × u, the storage's unit roundoff) that tells a rounding accumulator of
 * the storage width (1) from a wider one (1 + 16u).
 */
async function probeSums(p: MatrixProduct, precision: Precision, maxElements: number): Promise<SumFindings & { call: string }> {
  const top = Math.min(24, PRECISION_FACTS[precision].significandBits);
  const ladder = [...new Set([4, 8, 11, 12, 16, 20, 22, 23, 24].map((k) => Math.min(k, top)))];
  const M = ladder.length + 2;
  // ones sum exactly up to 2ᵖ − 1 terms: float16's 2047; 4097 (just past 2¹²) for the wider formats
  const wanted = Math.min(4097, 2 ** PRECISION_FACTS[precision].significandBits - 1);
  // the long sum shortens to what maxElements allows for W; below the ladder's needs it is dropped
  const K = Math.max(top, 17, Math.min(wanted, Math.floor(maxElements / M)));
  const withLong = K >= 64;
  const rows: number[][] = ladder.map((k) => Array.from({ length: K }, (_, i) => (i < k ? 2 ** (k - 1 - i) : 0)));
  const u = PRECISION_FACTS[precision].unitRoundoff;
  rows.push(Array.from({ length: K }, (_, i) => (i === 0 ? 1 : i <= 16 ? u : 0)));
  if (withLong) rows.push(ones(K));
  const y = await p.run([ones(K)], rows, undefined);
  let exactBits = 0;
  for (let r = 0; r < ladder.length; r++) {
    if (y[r] !== 2 ** ladder[r] - 1) break;
    exactBits = ladder[r];
  }
  const firstWrong = ladder.findIndex((k, r) => y[r] !== 2 ** k - 1);
  const rightLater = firstWrong >= 0 && ladder.some((k, r) => r > firstWrong && y[r] === 2 ** k - 1);
  const defect =
    firstWrong >= 0 && ladder[firstWrong] <= 8
      ? `the sum ${2 ** ladder[firstWrong] - 1} (${ladder[firstWrong]} bits) gave ${show(y[firstWrong])}`
      : rightLater
        ? `sums were wrong at 2^${ladder[firstWrong]} but right above it`
        : undefined;
  const acc = y[ladder.length];
  const longSum = withLong ? { terms: K, exact: y[ladder.length + 1] === K } : undefined;
  const accumulation =
    exactBits < top
      ? `narrower than ${precision}: integer sums are exact only below 2^${exactBits}`
      : acc === 1 + 16 * u
        ? `at least ${precision}; 1 + 16 terms of ${precision}'s unit roundoff gave 1 + 16u, so it is wider than ${precision} or adds the small terms first`
        : acc === 1
          ? `${precision}, rounding after each addition (1 + 16 terms of its unit roundoff gave 1)`
          : acc > 1 && acc < 1 + 16 * u && Number.isInteger((acc - 1) / u)
            ? `${precision}, summed in blocks: 1 + 16 terms of its unit roundoff u gave 1 + ${(acc - 1) / u}u (some rounded away against the 1, others added together first)`
            : `unclear: 1 + 16 terms of ${precision}'s unit roundoff gave ${show(acc)}`;
  return { call: p.describe(1, K, rows.length), exactBits, probedBits: top, longSum, accumulation, ...(defect ? { defect } : {}) };
}

/** Where a probe call failed, as one line (`CallInterrupted` is passed on: the run stops). */
function faultOf(what: string, e: unknown): string {
  if (e instanceof CallInterrupted) throw e;
  return `${what}: ${errorMessage(e)}`;
}

/**
 * Probes `k` and decides the run's data limits and whether the special regime runs.
 * `declaredSpecialValues` is the kernel's own `capabilities.specialValues` (undefined: not declared).
 * @example const numerics = await probeNumerics(guarded, completeCapabilities(kernel.capabilities), kernel.capabilities?.specialValues);
 */
export async function probeNumerics(
  k: CheckedKernel,
  capabilities: CompleteCapabilities,
  declaredSpecialValues: boolean | undefined,
): Promise<PlatformNumerics> {
  const started = Date.now();
  const p = matrixProduct(k, capabilities);
  const faults: string[] = [];
  const probedWith: string[] = [];
  let tiny: (TinyFindings & { call: string }) | undefined;
  let specials: (SpecialFindings & { call: string }) | undefined;
  let sums: (SumFindings & { call: string }) | undefined;
  // a kernel that timed out once is not asked again: each further probe would cost another timeout
  let timedOut = false;
  const attempt = async <T extends { call: string }>(what: string, probe: () => Promise<T>): Promise<T | undefined> => {
    if (timedOut) return undefined;
    try {
      const found = await probe();
      probedWith.push(found.call);
      return found;
    } catch (e) {
      if (e instanceof KernelFault && e.kind === 'timeout') timedOut = true;
      faults.push(faultOf(what, e));
      return undefined;
    }
  };
  if (p !== undefined) {
    if (k.precision === 'float32') tiny = await attempt('tiny products', () => probeTiny(p));
    if (capabilities.specialValues) specials = await attempt('special values', () => probeSpecials(p, k.precision));
    sums = await attempt('exact sums', () => probeSums(p, k.precision, capabilities.maxElements));
  }

  const limits: { lostBelowExponent?: number; exactBits?: number } = {};
  const consequences: string[] = [];
  // a probe whose own controls fail found a defect, not platform numerics: no data bend around it
  const defects = [
    ...(tiny?.defect ? [`tiny products: ${tiny.defect}`] : []),
    ...(specials?.defect ? [`special values: ${specials.defect}`] : []),
    ...(sums?.defect ? [`integer sums: ${sums.defect}`] : []),
  ];
  for (const d of defects)
    consequences.push(`${d} — a defect, not platform numerics: the data are not adapted to it, and the properties will show it`);
  if (tiny && !tiny.defect) {
    // Results below 2^P may be lost. Between the largest lost product and the next one probed right
    // nothing is known, so P is taken at that next right one (above everything probed: one binade
    // above the largest lost); a flushed subnormal range alone gives P = −126.
    const fromNormal =
      tiny.largestLost === undefined
        ? undefined
        : tiny.rightAboveLost !== undefined
          ? Math.ceil(Math.log2(tiny.rightAboveLost))
          : Math.floor(Math.log2(tiny.largestLost)) + 1;
    const fromSubnormal = tiny.subnormalProducts === 'kept' || tiny.subnormalProducts === 'not probed' ? undefined : -126;
    const P = fromNormal === undefined ? fromSubnormal : fromSubnormal === undefined ? fromNormal : Math.max(fromNormal, fromSubnormal);
    if (P !== undefined) {
      limits.lostBelowExponent = P;
      consequences.push(
        `float regime: results below 2^${P} may be lost, so x and w are drawn with base exponents raised until every product, and every partial sum in any order, is a multiple of 2^${P} or more (the bound is unchanged)`,
      );
    }
  }
  if (sums && !sums.defect && sums.exactBits < sums.probedBits) {
    limits.exactBits = sums.exactBits;
    consequences.push(
      `exact regime: every Σ|w·x| + |b| is kept below 2^${sums.exactBits}, where the kernel's integer sums were exact (equality is still required)`,
    );
  }
  let specialRegime: PlatformNumerics['specialRegime'] = { runs: true };
  if (!capabilities.specialValues) specialRegime = { runs: false, reason: 'the kernel declares specialValues: false' };
  else if (specials && !specials.defect && !specials.propagate) {
    const first = specials.deviations[0];
    if (declaredSpecialValues === true) {
      consequences.push(
        `special regime: the kernel declares specialValues: true but the probe found ${specials.deviations.length} deviation(s) from IEEE-754 (first: ${first}); the regime runs and its failures stand`,
      );
    } else {
      specialRegime = {
        runs: false,
        reason: `NaN / ±Infinity do not propagate as IEEE-754 says (${specials.deviations.length} probe case(s), first: ${first}) and the kernel does not declare specialValues`,
      };
      consequences.push(`special regime: skipped — ${specialRegime.reason}`);
    }
  }
  if (p === undefined) faults.push('the kernel has no conv, dense or convTranspose to probe with');
  return {
    probedWith,
    tinyProducts: tiny
      ? {
          ...(tiny.smallestRight !== undefined ? { smallestRight: tiny.smallestRight } : {}),
          ...(tiny.largestLost !== undefined ? { largestLost: tiny.largestLost } : {}),
        }
      : 'not probed',
    subnormalInputs: tiny?.subnormalInputs ?? 'not probed',
    subnormalProducts: tiny?.subnormalProducts ?? 'not probed',
    ...(specials ? { specialsPropagate: specials.propagate, infTimesZero: specials.infTimesZero } : {}),
    specialDeviations: specials?.deviations ?? [],
    ...(sums ? { exactSums: { exactBits: sums.exactBits, probedBits: sums.probedBits, longSum: sums.longSum } } : {}),
    accumulation: sums?.accumulation ?? 'not probed',
    dataLimits: limits,
    consequences,
    defects,
    specialRegime,
    faults,
    durationMs: Date.now() - started,
  };
}

/** The kernel's own declaration of `specialValues`, read from its capabilities snapshot (undefined: left to the default). */
export function declaredSpecialValues(k: KernelUnderTest): boolean | undefined {
  const v = k.capabilities?.specialValues;
  return typeof v === 'boolean' ? v : undefined;
}
