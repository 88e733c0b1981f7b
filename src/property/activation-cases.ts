/** Generated fused activations, honouring the kernel's declared kinds and the data regime. */
import fc from 'fast-check';
import type { Activation, ActivationKind } from '../activation.js';

/**
 * Activations of the given kinds. Exact regime: only those that keep integer sums exact —
 * clip with integer bounds, leakyRelu with α a power of two (or 0), never sigmoid or tanh.
 * Float regime: float32-representable clip bounds and α ∈ [0, 1]. `min = max` is included.
 */
export function activationArbitrary(kinds: readonly ActivationKind[], regime: 'exact' | 'float'): fc.Arbitrary<Activation> | undefined {
  const f32 = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map((v) => Math.fround(v));
  const arbs: Array<fc.Arbitrary<Activation>> = [];
  for (const kind of kinds) {
    if (kind === 'relu' || kind === 'relu6') arbs.push(fc.constant({ kind }));
    if ((kind === 'sigmoid' || kind === 'tanh') && regime === 'float') arbs.push(fc.constant({ kind }));
    if (kind === 'clip') {
      // the width is generated, not filtered: max = min + width, width >= 0
      const bounds =
        regime === 'exact'
          ? fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 30 })).map(([lo, w]) => [lo, lo + w])
          : fc.tuple(f32(-8, 8), f32(0, 16)).map(([lo, w]) => [lo, Math.fround(lo + w) < lo ? lo : Math.fround(lo + w)]);
      arbs.push(bounds.map(([min, max]): Activation => ({ kind: 'clip', min, max })));
    }
    if (kind === 'leakyRelu') {
      const alpha = regime === 'exact' ? fc.constantFrom(0, 0.5, 0.25, 0.125, 0.0625, 2) : f32(0, 1);
      arbs.push(alpha.map((a): Activation => ({ kind: 'leakyRelu', alpha: a })));
    }
  }
  return arbs.length === 0 ? undefined : fc.oneof(...arbs);
}
