/** Dense geometry: x `[N, K]`, w `[M, K]`, b `[M]`, validated once at the boundary. */
import type { Tensor } from '../../contract.js';
import { InvalidArgumentError } from '../../errors.js';
import { checkShape, checkTensor, formatShape } from '../../tensor.js';

/** Dense geometry: x `[N, K]`, w `[M, K]` → `[N, M]`. */
export interface DenseGeometry {
  readonly batch: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hasBias: boolean;
  readonly outputShape: readonly number[];
}

/** Validates dense shapes: x `[N, K]`, w `[M, K]`, b `[M]`. */
export function denseGeometryOfShapes(
  xShape: readonly number[],
  wShape: readonly number[],
  bShape: readonly number[] | undefined,
  fn = 'dense',
): DenseGeometry {
  checkShape(fn, 'x', xShape);
  checkShape(fn, 'w', wShape);
  if (xShape.length !== 2) throw new InvalidArgumentError(fn, 'x', xShape, `x must be [N, K], got shape ${formatShape(xShape)}`);
  if (wShape.length !== 2) throw new InvalidArgumentError(fn, 'w', wShape, `w must be [M, K], got shape ${formatShape(wShape)}`);
  const [batch, inFeatures] = xShape;
  const [outFeatures, wK] = wShape;
  if (batch < 1 || inFeatures < 1 || outFeatures < 1) {
    throw new InvalidArgumentError(fn, 'x', { xShape, wShape }, `sizes must be >= 1: x ${formatShape(xShape)}, w ${formatShape(wShape)}`);
  }
  if (wK !== inFeatures) {
    throw new InvalidArgumentError(
      fn,
      'w',
      wShape,
      `w in-features (${wK}) do not match x features (${inFeatures}): x ${formatShape(xShape)}, w ${formatShape(wShape)}`,
    );
  }
  if (bShape !== undefined) {
    checkShape(fn, 'b', bShape);
    if (bShape.length !== 1 || bShape[0] !== outFeatures) {
      throw new InvalidArgumentError(fn, 'b', bShape, `b shape ${formatShape(bShape)} must be [${outFeatures}]`);
    }
  }
  return { batch, inFeatures, outFeatures, hasBias: bShape !== undefined, outputShape: [batch, outFeatures] };
}

/** Validates dense tensors (shapes and data lengths), returning the geometry. */
export function denseGeometry(x: Tensor, w: Tensor, b: Tensor | undefined, fn = 'dense'): DenseGeometry {
  checkTensor(fn, 'x', x);
  checkTensor(fn, 'w', w);
  if (b !== undefined) checkTensor(fn, 'b', b);
  return denseGeometryOfShapes(x.shape, w.shape, b?.shape, fn);
}

/** One-line description of a dense problem: `x=[4,10] w=[3,10] bias=no`. */
export function describeDense(xShape: readonly number[], wShape: readonly number[], hasBias: boolean): string {
  return `x=${formatShape(xShape)} w=${formatShape(wShape)} bias=${hasBias ? 'yes' : 'no'}`;
}
