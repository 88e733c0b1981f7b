/**
 * Fused activations over every operator of the table that takes one: the fused result equals
 * the activation applied to the kernel's own unfused result — the activation follows the bias,
 * with the right slope, bounds and constants.
 */
import fc from 'fast-check';
import { cycleParts } from '../arbitraries/cycle.js';
import { describeActivation } from '../activation.js';
import type { Activation } from '../activation.js';
import { operators } from '../operators/index.js';
import { activationArbitrary } from '../property/activation-cases.js';
import type { GenerationContext } from '../property/definition.js';
import type { ProductionPlan } from '../vocabulary.js';
import { defineProperty } from '../property/definition.js';
import { activated, judge } from '../property/judge.js';

interface FusedCase {
  readonly op: string;
  readonly c: unknown;
  readonly activation: Activation;
}

const fusing = (ctx: GenerationContext) => operators.filter((o) => o.fusesActivation && ctx.operators.includes(o.name));
const byName = (name: string) => operators.find((o) => o.name === name)!;

/**
 * The production tier: every layer of every fusing operator the kernel implements, once, one
 * operator's layers after the other; each case draws its regime (exact or float, where the
 * kernel's activations have one for it) and then an activation for that regime.
 */
function productionFusedCases(ctx: GenerationContext, plan: ProductionPlan): fc.Arbitrary<FusedCase> {
  const kinds = ctx.capabilities.activations;
  const usable = (['exact', 'float'] as const).filter((r) => activationArbitrary(kinds, r) !== undefined);
  const parts = fusing(ctx).map((o) => {
    const own = { ...plan, cycleLengths: [] as number[] };
    const arbitrary = o.cases
      .arbitrary({ ...ctx, production: own }, fc.constantFrom(...(usable.length > 0 ? usable : (['exact'] as const))))
      .chain((c) =>
        activationArbitrary(kinds, (c as { regime: 'exact' | 'float' }).regime)!.map(
          (activation): FusedCase => ({ op: o.name, c, activation }),
        ),
      );
    return { arbitrary, count: usable.length > 0 ? own.cycleLengths.reduce((a, b) => a + b, 0) : 0 };
  });
  const total = parts.reduce((a, p) => a + p.count, 0);
  plan.cycleLengths.push(total);
  // nothing to run (no layer, or no activation declared: the property is skipped)
  return total > 0 ? cycleParts(parts) : fc.constant({ op: 'conv', c: undefined, activation: { kind: 'relu' } });
}

/** fused(x, w, b, φ) = φ(unfused(x, w, b)), both computed by the kernel. */
export const fusedActivation = defineProperty<FusedCase>({
  id: 'fused-activation',
  statement: `a fused activation equals the activation applied after the bias to the kernel's own unfused result (${operators
    .filter((o) => o.fusesActivation)
    .map((o) => o.name)
    .join(', ')}): exactly on exact data, within the bound carried through φ on float data`,
  needs: ['conv'],
  skipReason: (caps) => (caps.activations.length > 0 ? undefined : 'kernel declares no fused activations (capabilities.activations)'),
  arbitrary(ctx) {
    if (ctx.production !== undefined) return productionFusedCases(ctx, ctx.production);
    const arbs: Array<fc.Arbitrary<FusedCase>> = [];
    for (const o of fusing(ctx)) {
      for (const regime of ['exact', 'float'] as const) {
        const act = activationArbitrary(ctx.capabilities.activations, regime);
        if (act === undefined) continue;
        arbs.push(
          fc
            .record({ c: o.cases.arbitrary(ctx, fc.constant(regime)), activation: act })
            .map(({ c, activation }) => ({ op: o.name, c, activation })),
        );
      }
    }
    return fc.oneof(...arbs);
  },
  async check(k, v) {
    const op = byName(v.op);
    const regime = (v.c as { regime: 'exact' | 'float' }).regime;
    const unfused = await op.cases.run(k, v.c);
    const fused = await op.cases.run(k, v.c, v.activation);
    // Σ|terms| (and a normwise kernel's map scale) scale the bound: only the float regime and a
    // normwise kernel have one — an elementwise kernel's exact case is judged by equality, so the
    // reference (a full conv, the costliest part of a production layer) is not computed for it
    const bounded = regime === 'float' || k.numerics.errorModel === 'normwise';
    const ref = bounded
      ? op.cases.expect(v.c, k.numerics)
      : { magnitude: new Float64Array(unfused.y.length), terms: 0, mapScale: undefined };
    const expected = activated(
      {
        shape: unfused.shape,
        values: unfused.y,
        magnitude: ref.magnitude,
        terms: ref.terms,
        ...(ref.mapScale ? { mapScale: ref.mapScale } : {}),
      },
      v.activation,
    );
    judge(
      `fused ${describeActivation(v.activation)} vs ${describeActivation(v.activation)}(unfused ${op.name})`,
      k.numerics,
      regime,
      fused.y,
      expected,
      { expectedFromKernel: true },
    );
  },
  describe: (v) => `${v.op} ${byName(v.op).cases.describe(v.c)} activation=${describeActivation(v.activation)}`,
  coverage: (v) => byName(v.op).cases.coverage?.(v.c),
});
