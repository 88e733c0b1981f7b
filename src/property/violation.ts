/** How a property reports that the kernel violated it. */
import type { FailureHeatmap, FailureKind, WholeTensor } from '../vocabulary.js';

/** Where a property's case was violated, before the runner adds seed, path and replay command. */
export interface ViolationDetail {
  readonly kind: FailureKind;
  readonly message: string;
  readonly index?: readonly number[];
  readonly expected?: number;
  readonly actual?: number;
  readonly error?: number;
  readonly bound?: number;
  readonly errorOverBound?: number;
  readonly heatmap?: FailureHeatmap;
  /** The whole expected and actual outputs, when the output is small (`SMALL_TENSOR_ELEMENTS`). */
  readonly whole?: { readonly expected: WholeTensor; readonly actual: WholeTensor };
}

/** Thrown by a property's check when the kernel violates it. */
export class PropertyViolation extends Error {
  readonly detail: ViolationDetail;
  constructor(detail: ViolationDetail) {
    super(detail.message);
    this.name = 'PropertyViolation';
    this.detail = detail;
  }
}
