/** A ConvTranspose problem's shapes and attributes: its own file, so the generator and the shape plan share it without an import cycle. */
import type { ConvTransposeAttributes } from './contract.js';

/** A ConvTranspose problem's shapes and attributes (JSON-serialisable). */
export interface ConvTransposeSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly attrs: ConvTransposeAttributes;
  readonly hasBias: boolean;
}

// The spec of this operator's layers of real networks (`LayerShape`, `operators/<op>/layer.ts`).
declare module '../../vocabulary.js' {
  interface LayerSpecs {
    /** A convTranspose layer's spec: its shapes and attributes. */
    convTranspose: ConvTransposeSpec;
  }
}
