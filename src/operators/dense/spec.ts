/** A dense problem's shapes: its own file, so the generator and the shape plan share it without an import cycle. */

/** A dense problem's shapes (JSON-serialisable). */
export interface DenseSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly hasBias: boolean;
}

// The spec of this operator's layers of real networks (`LayerShape`, `operators/<op>/layer.ts`).
declare module '../../vocabulary.js' {
  interface LayerSpecs {
    /** A dense layer's spec: its shapes and attributes. */
    dense: DenseSpec;
  }
}
