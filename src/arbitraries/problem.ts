/** Problem specifications: the geometry of a generated case, without its data. */
import type { ConvAttributes } from '../contract.js';

/** A conv problem's shapes and attributes (JSON-serialisable). */
export interface ConvSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly attrs: ConvAttributes;
  readonly hasBias: boolean;
}

/** A dense problem's shapes. */
export interface DenseSpec {
  readonly xShape: readonly number[];
  readonly wShape: readonly number[];
  readonly hasBias: boolean;
}

/** Group kind of a conv problem, for coverage counting. */
export function groupKind(spec: ConvSpec): 'none' | 'grouped' | 'depthwise' {
  const g = spec.attrs.group;
  if (g === 1) return 'none';
  return g === spec.xShape[1] ? 'depthwise' : 'grouped';
}
