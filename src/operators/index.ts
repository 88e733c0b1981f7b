/** The registered operators, in name order, and lookups by method name. */
import type { CompleteCapabilities } from '../capabilities.js';
import type { KernelUnderTest } from '../contract.js';
import type { ShapePlan } from '../arbitraries/shape-plan.js';
import type { OperatorDefinition } from './operator.js';
import * as table from './table.js';

/** Every operator of the table, sorted by name (module namespaces list their exports sorted). */
export const operators: readonly OperatorDefinition[] = Object.values(table as Record<string, OperatorDefinition>).sort((a, b) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
);

/** The kernel method names of the table: `conv`, `dense`, …. */
export const operatorNames: readonly string[] = operators.map((o) => o.name);

/** The operator with this method name, or undefined. */
export function operatorByName(name: string): OperatorDefinition | undefined {
  return operators.find((o) => o.name === name);
}

/** The operator methods a kernel implements, in table order. */
export function implementedOperators(kernel: object): string[] {
  return operatorNames.filter((n) => typeof (kernel as Record<string, unknown>)[n] === 'function');
}

/**
 * `kernel` plus every operator of the table it lacks but can compute through its other
 * operators (see `OperatorDefinition.derive`). The kernel's own methods are never replaced.
 */
export function withDerivedOperators<K extends KernelUnderTest>(kernel: K): K {
  const out: Record<string, unknown> = { ...(kernel as object) };
  for (const op of operators) {
    if (typeof out[op.name] === 'function' || op.derive === undefined) continue;
    const f = op.derive(out as unknown as KernelUnderTest);
    if (f !== undefined) out[op.name] = f;
  }
  return out as K;
}

/**
 * The run-wide shape plan: each implemented operator's covering array of shape classes under
 * `capabilities`, deterministic from the run's `seed` (`arbitraries/shape-plan.ts`).
 */
export function buildShapePlan(capabilities: CompleteCapabilities, seed: number, implemented: readonly string[]): ShapePlan {
  return { seed, operators: operators.filter((o) => implemented.includes(o.name) && o.cases.plan !== undefined).map((o) => o.cases.plan!(capabilities, seed)) };
}
