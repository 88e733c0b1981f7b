/**
 * The geometry of a conv case, in a file of its own: the generators (`problem.ts`, `boundary.ts`),
 * the cases, the model layers and the FC layers all speak it, and `problem.ts` imports
 * `boundary.ts`, so it cannot live in either.
 */
import type { ConvAttributes } from './contract.js';

/** A conv problem's shapes and attributes (JSON-serialisable): the geometry of a case, without its data. */
export interface ConvSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly attrs: ConvAttributes;
  readonly hasBias: boolean;
}

// The spec of this operator's layers of real networks (`LayerShape`, `operators/<op>/layer.ts`).
declare module '../../vocabulary.js' {
  interface LayerSpecs {
    /** A conv layer's spec: its shapes and attributes. */
    conv: ConvSpec;
  }
}
