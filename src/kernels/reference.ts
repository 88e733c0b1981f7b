/**
 * The trusted reference kernel: every operator of the table computed by its reference — direct
 * loops that read like the ONNX definitions, accumulated with a compensated dot product (see
 * `AccurateSum`) so that the reference's own error is far below any float64 kernel's.
 */
import { ACTIVATION_KINDS } from '../activation.js';
import type { KernelUnderTest, Tensor } from '../contract.js';
import { operators } from '../operators/index.js';

/** The trusted float64 reference kernel (direct loops, compensated accumulation). */
export const referenceKernel: KernelUnderTest = {
  name: 'builtin:reference',
  precision: 'float64',
  capabilities: { activations: ACTIVATION_KINDS },
  ...Object.fromEntries(
    operators.map((op) => [
      op.name,
      op.kernelMethod ?? ((x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: unknown) => op.reference!(x, w, b, attrs).output),
    ]),
  ),
};
