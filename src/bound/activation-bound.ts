/**
 * The error bound carried through a fused activation φ (docs/precision.md, "The error bound
 * through a fused activation"): the sum's bound times φ's Lipschitz constant, plus the rounding
 * of φ's own evaluation in the kernel's precision. Apart from `activation.ts` because it needs the
 * precision of the contract, which itself rests on `activation.ts` (through the capabilities).
 */
import type { Activation } from '../activation.js';
import type { Precision } from '../contract.js';
import { PRECISION_FACTS } from '../precision.js';

/**
 * Units of roundoff allowed for evaluating sigmoid or tanh in the kernel's precision, as an
 * absolute error (both are bounded by 1 in magnitude). A correctly rounded evaluation needs
 * ½; library `exp`/`tanh` and the division 1/(1+e⁻ˣ) add a few ulps each, and vectorised
 * rational approximations (onnxruntime's MLAS, XNNPACK) document errors of a few ulps. 16 covers
 * those while staying 10⁵ times below the smallest wrong-activation error we generate.
 */
export const TRANSCENDENTAL_ULPS = 16;

/**
 * The bound on |φ̂(ŷ) − φ(y)| given |ŷ − y| ≤ `pre` (the pre-activation bound of that element) and
 * the exact activated value `post` = φ(y): L·pre plus the rounding of φ's own evaluation
 * (none for relu, relu6 and clip, one rounding of α·ŷ for leakyRelu, `TRANSCENDENTAL_ULPS`·u for
 * sigmoid and tanh). Twice `pre` when both sides are kernel results (`kernelOnBothSides`).
 */
export function activationBound(a: Activation | undefined, pre: number, post: number, precision: Precision): number {
  if (a === undefined) return pre;
  const u = PRECISION_FACTS[precision].unitRoundoff;
  switch (a.kind) {
    case 'relu':
    case 'relu6':
    case 'clip':
      return pre;
    case 'leakyRelu': {
      const L = Math.max(1, Math.abs(a.alpha));
      return L * pre * (1 + u) + u * Math.abs(post);
    }
    case 'sigmoid':
      return 0.25 * pre + TRANSCENDENTAL_ULPS * u;
    case 'tanh':
      return pre + TRANSCENDENTAL_ULPS * u;
  }
}
