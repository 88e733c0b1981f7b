/** The kernels every example runs through, and runners that hand them data of their precision. */
import { expect } from 'vitest';
import type { ConvAttributes } from '../../src/operators/conv/contract.js';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { im2colKernel, im2colKernel64 } from '../../src/kernels/im2col.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { withPrecision } from '../../src/tensor.js';

/** Every built-in kernel; on small-integer data they must all agree exactly. */
export const KERNELS: readonly KernelUnderTest[] = [referenceKernel, im2colKernel, im2colKernel64];

/** The typed array a kernel of this precision must return. */
function expectPrecision(kernel: KernelUnderTest, y: Tensor): void {
  const Ctor = kernel.precision === 'float32' ? Float32Array : Float64Array;
  expect(y.data, `${kernel.name} returns ${kernel.precision} data`).toBeInstanceOf(Ctor);
}

/** Snapshots of the inputs, to check afterwards that the kernel did not write into them. */
function snapshot(ts: readonly (Tensor | undefined)[]): number[][] {
  return ts.map((x) => (x ? Array.from(x.data) : []));
}

/**
 * Runs `kernel.conv` on copies of x, w, b converted to the kernel's precision (small integers
 * convert exactly), checking that the inputs are left alone and the result has the kernel's precision.
 */
export async function runConv(kernel: KernelUnderTest, x: Tensor, w: Tensor, b: Tensor | undefined, a: ConvAttributes): Promise<Tensor> {
  if (!kernel.conv) throw new Error(`${kernel.name} has no conv`);
  const args = [x, w, b].map((v) => (v ? withPrecision(v, kernel.precision) : undefined));
  const before = snapshot(args);
  const y = await kernel.conv(args[0]!, args[1]!, args[2], a);
  expect(snapshot(args), `${kernel.name}.conv left its inputs alone`).toEqual(before);
  expectPrecision(kernel, y);
  return y;
}

/** Runs `kernel.dense` like `runConv` runs `kernel.conv`. */
export async function runDense(kernel: KernelUnderTest, x: Tensor, w: Tensor, b: Tensor | undefined): Promise<Tensor> {
  if (!kernel.dense) throw new Error(`${kernel.name} has no dense`);
  const args = [x, w, b].map((v) => (v ? withPrecision(v, kernel.precision) : undefined));
  const before = snapshot(args);
  const y = await kernel.dense(args[0]!, args[1]!, args[2]);
  expect(snapshot(args), `${kernel.name}.dense left its inputs alone`).toEqual(before);
  expectPrecision(kernel, y);
  return y;
}
