/**
 * The catalog: every property, in the order they run and are reported — each operator's
 * agreement with the reference, the FC ↔ conv equivalences, each operator's relations, then
 * hygiene (each operator's, and determinism and input integrity over the whole table).
 */
import { operators } from '../operators/index.js';
import type { PropertyDefinition } from '../property/definition.js';
import { fusedActivation } from './activations.js';
import { fcEqualsFullExtentConv, fcnNetwork, fcSlidesAsConv, linearEquals1x1Conv } from './equivalences.js';
import { deterministic, inputsNotMutated } from './hygiene.js';
import {
  matMulIntegerEquals1x1Conv,
  matMulIntegerEqualsFullExtentConv,
  qlinearMatMulEquals1x1Conv,
  qlinearMatMulEqualsFullExtentConv,
} from './quantized-equivalences.js';

/** Every property of the catalog. */
export const catalog: readonly PropertyDefinition[] = [
  ...operators.flatMap((o) => o.properties.reference),
  fcEqualsFullExtentConv,
  linearEquals1x1Conv,
  fcSlidesAsConv,
  fcnNetwork,
  matMulIntegerEqualsFullExtentConv,
  matMulIntegerEquals1x1Conv,
  qlinearMatMulEqualsFullExtentConv,
  qlinearMatMulEquals1x1Conv,
  ...operators.flatMap((o) => o.properties.relations),
  fusedActivation,
  ...operators.flatMap((o) => o.properties.hygiene),
  deterministic,
  inputsNotMutated,
];

/** The property with this id, or undefined. */
export function propertyById(id: string): PropertyDefinition | undefined {
  return catalog.find((p) => p.id === id);
}
