/** The catalog: every property, in the order they run and are reported. */
import { convMatchesReference, denseMatchesReference } from './differential.js';
import { fcEqualsFullExtentConv, fcnNetwork, fcSlidesAsConv, linearEquals1x1Conv } from './equivalences.js';
import { deterministic, inputsNotMutated, outputShape } from './hygiene.js';
import {
  batchIndependence,
  biasAdditivity,
  dilationZeroInserted,
  explicitPadding,
  groupConcat,
  linearityInW,
  linearityInX,
  rankEmbedding,
  strideSubsampling,
  translationEquivariance,
} from './metamorphic.js';
import type { PropertyDefinition } from './property.js';

/** Every property of the catalog. */
export const catalog: readonly PropertyDefinition[] = [
  convMatchesReference,
  denseMatchesReference,
  fcEqualsFullExtentConv,
  linearEquals1x1Conv,
  fcSlidesAsConv,
  fcnNetwork,
  explicitPadding,
  strideSubsampling,
  dilationZeroInserted,
  groupConcat,
  batchIndependence,
  linearityInX,
  linearityInW,
  biasAdditivity,
  rankEmbedding,
  translationEquivariance,
  outputShape,
  deterministic,
  inputsNotMutated,
];

/** The property with this id, or undefined. */
export function propertyById(id: string): PropertyDefinition | undefined {
  return catalog.find((p) => p.id === id);
}
