/**
 * Kernel hygiene over every operator of the table: the same inputs give bit-identical results
 * (catches stale workspace buffers), and inputs are never written to. Every guarded call checks
 * shape and mutation; these properties name the checks and exercise them on their own.
 */
import fc from 'fast-check';
import { cycleParts } from '../arbitraries/cycle.js';
import { operators } from '../operators/index.js';
import type { OperatorDefinition } from '../operators/operator.js';
import { regimes } from '../property/cases.js';
import type { GenerationContext } from '../property/definition.js';
import { defineProperty } from '../property/definition.js';
import { unravel } from '../property/judge.js';
import { formatShape } from '../tensor.js';
import { KernelFault } from '../vocabulary.js';
import type { Regime } from '../vocabulary.js';

/** A case of one of the table's operators. */
interface AnyCase {
  readonly op: string;
  readonly c: unknown;
}

const byName = (name: string): OperatorDefinition => operators.find((o) => o.name === name)!;

/**
 * Cases of every operator of the table, tagged with the operator's name. In the production tier:
 * every layer of every operator the kernel implements, one operator's layers after the other (the
 * plan records their total), never small stand-ins for an operator without layers.
 */
function anyCase(ctx: GenerationContext, regime: fc.Arbitrary<Regime>): fc.Arbitrary<AnyCase> {
  // the operators the kernel implements (those it lacks would only give cases that test nothing)
  const usable = operators.filter((o) => ctx.operators.includes(o.name));
  const ops = usable.length > 0 ? usable : operators;
  const tagged = (o: OperatorDefinition, c: GenerationContext) => o.cases.arbitrary(c, regime).map((v): AnyCase => ({ op: o.name, c: v }));
  const plan = ctx.production;
  if (plan === undefined) return fc.oneof(...ops.map((o) => tagged(o, ctx)));
  const parts = ops.map((o) => {
    const own = { ...plan, cycleLengths: [] as number[] };
    const arbitrary = tagged(o, { ...ctx, production: own });
    return { arbitrary, count: own.cycleLengths.reduce((a, b) => a + b, 0) };
  });
  const total = parts.reduce((a, p) => a + p.count, 0);
  plan.cycleLengths.push(total);
  // no layer for any operator: the runner skips the property, the stand-in is never run
  return total > 0 ? cycleParts(parts) : parts[0].arbitrary;
}

const describeAny = (v: AnyCase): string => `${v.op} ${byName(v.op).cases.describe(v.c)}`;
const coverageAny = (v: AnyCase) => byName(v.op).cases.coverage?.(v.c);

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Two calls with equal inputs are bit-identical. */
export const deterministic = defineProperty({
  id: 'deterministic',
  statement: `the same inputs twice (in fresh buffers) give bit-identical results, for ${listed(operators.map((o) => o.name))}`,
  needs: [], // any operator of the table the kernel implements
  arbitrary: (ctx) => anyCase(ctx, regimes(ctx, true)),
  async check(k, v) {
    const op = byName(v.op);
    if (!k.has(op.name)) return;
    const first = await op.cases.run(k, v.c);
    // a different problem in between, to flush any state a kernel keeps between calls
    await op.cases.run(k, op.cases.reseed(v.c, ((v.c as { seed: number }).seed + 1) % 0x7fffffff));
    const second = await op.cases.run(k, v.c);
    const at = firstDifference(first.y, second.y);
    if (at >= 0) {
      throw new KernelFault(
        'nondeterministic',
        `${op.name}() gave ${first.y[at]} then ${second.y[at]} at index ${formatShape(unravel(at, first.shape))} for the same inputs`,
      );
    }
  },
  describe: describeAny,
  coverage: coverageAny,
});

/** x, w and b are left as they were. */
export const inputsNotMutated = defineProperty({
  id: 'inputs-not-mutated',
  statement: `${listed(operators.map((o) => o.name))} never write into x, w or b`,
  singleCall: true,
  needs: [], // any operator of the table the kernel implements
  arbitrary: (ctx) => anyCase(ctx, regimes(ctx, false)),
  async check(k, v) {
    // the guarded call compares every input bit for bit after the call (kind mutated-input)
    const op = byName(v.op);
    if (k.has(op.name)) await op.cases.run(k, v.c);
  },
  describe: describeAny,
  coverage: coverageAny,
});
