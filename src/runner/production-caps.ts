/**
 * The production tier's cost cap: multi-call properties leave out the layers above
 * `VerifyOptions.productionRelationFlops` / `productionRelationElements` and say which in a note;
 * and how many layers each property cycles through.
 */
import type { CompleteCapabilities } from '../capabilities.js';
import type { PropertyDefinition } from '../property/definition.js';
import type { LayerShape, ProductionPlan } from '../vocabulary.js';
import { formatElements, formatFlops } from '../vocabulary.js';

/**
 * How many production layers a property cycles through (undefined: its generator is not
 * layer-based, e.g. the FC ≡ conv equivalences, which generate their own cases).
 */
export function productionCycles(
  def: PropertyDefinition,
  capabilities: CompleteCapabilities,
  layers: readonly LayerShape[],
  operators: readonly string[],
  caps: Cap,
  realData?: boolean,
): { cycles: number | undefined; leftOut: string[] } {
  const production: ProductionPlan = { layers, cycleLengths: [], ...capFields(caps), ...(realData ? { realData } : {}) };
  def.arbitrary({ capabilities, size: 'production', operators, production });
  const cycles = production.cycleLengths.length === 0 ? undefined : production.cycleLengths.reduce((a, b) => a + b, 0);
  return { cycles, leftOut: production.leftOut ?? [] };
}

/** A multi-call property's production cap (finite limits only). */
export interface Cap {
  readonly maxFlops?: number;
  readonly maxElements?: number;
}

/** The plan fields of a cap: only finite limits. */
export function capFields(c: Cap | undefined): Pick<ProductionPlan, 'maxFlops' | 'maxElements' | 'leftOut'> {
  const flops = c?.maxFlops !== undefined && Number.isFinite(c.maxFlops) ? { maxFlops: c.maxFlops } : {};
  const elements = c?.maxElements !== undefined && Number.isFinite(c.maxElements) ? { maxElements: c.maxElements } : {};
  return { ...flops, ...elements, ...(Object.keys(flops).length + Object.keys(elements).length > 0 ? { leftOut: [] } : {}) };
}

/** The note of a property that left out production layers above its cost cap. */
export function leftOutSentence(leftOut: readonly string[], c: Cap): string {
  const limits = [
    c.maxFlops !== undefined && Number.isFinite(c.maxFlops) ? formatFlops(c.maxFlops) : undefined,
    c.maxElements !== undefined && Number.isFinite(c.maxElements) ? `${formatElements(c.maxElements)} elements in a tensor` : undefined,
  ].filter((v) => v !== undefined);
  return (
    `left out ${leftOut.length} layer${leftOut.length === 1 ? '' : 's'} above ${limits.join(' or ')} — ${leftOut.join(', ')} — ` +
    'because this property calls the kernel two or more times per layer and they would take the production run past its few minutes; ' +
    'the single-call properties (the differential ones, output-shape, inputs-not-mutated) run them (--every-layer runs them here too)'
  );
}
