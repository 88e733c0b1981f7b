/**
 * The built-in quantized path's two accumulations — WebAssembly SIMD (`i32x4.dot_i16x8_s`) and the
 * JavaScript loops that specify it — give bit-identical results, on shapes around the 8-lane
 * boundary of the reduction and with the module memory split into several position chunks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { useWasmIntegerPath } from '../../src/kernels/integer-im2col.js';
import { WasmIntDot } from '../../src/numeric/wasm-int-dot.js';
import { Prng } from '../../src/arbitraries/prng.js';
import type { TypedTensor } from '../../src/quantized.js';

type Q = (...a: unknown[]) => TypedTensor;
const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });
afterEach(() => useWasmIntegerPath(true));

function both(run: () => TypedTensor): [number[], number[]] {
  useWasmIntegerPath(true);
  const a = Array.from(run().data);
  useWasmIntegerPath(false);
  const b = Array.from(run().data);
  return [a, b];
}

describe('WebAssembly SIMD integer path = JavaScript loops', () => {
  it('WebAssembly SIMD is available here', () => {
    expect(WasmIntDot.instance()).toBeDefined();
  });
  for (const [C, k, M, side, group] of [
    [1, 1, 1, 1, 1],
    [7, 1, 3, 5, 1],
    [8, 1, 4, 4, 1],
    [3, 3, 5, 6, 1],
    [9, 3, 9, 7, 3],
    [16, 3, 16, 9, 16],
  ] as const) {
    it(`convInteger / qlinearConv x=[2,${C},${side},${side}] w=[${M},${C / group},${k},${k}] group=${group} pads=1 stride=2`, () => {
      const rng = new Prng(C * 100 + k);
      const x = t(
        [2, C, side, side],
        Uint8Array.from({ length: 2 * C * side * side }, () => rng.int(0, 255)),
      );
      const w = t(
        [M, C / group, k, k],
        Int8Array.from({ length: (M * C * k * k) / group }, () => rng.int(-128, 127)),
      );
      const a = { strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2], group };
      const zp = [
        t([], Uint8Array.of(rng.int(0, 255))),
        t(
          [M],
          Int8Array.from({ length: M }, () => rng.int(-128, 127)),
        ),
      ];
      const [wasm, js] = both(() => (im2colKernel.convInteger as unknown as Q)(x, w, zp[0], zp[1], a));
      expect(wasm).toEqual(js);
      const q = [
        x,
        t([], Float32Array.of(0.02)),
        zp[0],
        w,
        t(
          [M],
          Float32Array.from({ length: M }, () => Math.fround(0.01 * rng.next() + 0.001)),
        ),
        zp[1],
        t([], Float32Array.of(3)),
        t([], Uint8Array.of(100)),
        t(
          [M],
          Int32Array.from({ length: M }, () => rng.int(-9999, 9999)),
        ),
        a,
      ];
      const [wq, jq] = both(() => (im2colKernel.qlinearConv as unknown as Q)(...q));
      expect(wq).toEqual(jq);
    });
  }
  it('matMulInteger a=[4100,4096] b=[4096,3]: rows in three chunks of the module memory (~2,046 rows of 4,096 fit)', () => {
    const rng = new Prng(3);
    const a = t(
      [4100, 4096],
      Uint8Array.from({ length: 4100 * 4096 }, () => rng.int(0, 255)),
    );
    const b = t(
      [4096, 3],
      Int8Array.from({ length: 4096 * 3 }, () => rng.int(-128, 127)),
    );
    const [wasm, js] = both(() =>
      (im2colKernel.matMulInteger as unknown as Q)(a, b, t([], Uint8Array.of(3)), t([3], Int8Array.of(-128, 0, 127))),
    );
    expect(wasm).toEqual(js);
  });
  it('convInteger with a reduction of 33,000 (K·255² near 2³¹): exact in int32 lanes', () => {
    const x = t([1, 33000, 1], new Uint8Array(33000).fill(255));
    const w = t([1, 33000, 1], new Int8Array(33000).fill(-128));
    const a = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };
    const [wasm, js] = both(() => (im2colKernel.convInteger as unknown as Q)(x, w, t([], Uint8Array.of(0)), t([], Int8Array.of(127)), a));
    expect(wasm).toEqual(js);
    expect(wasm).toEqual([33000 * 255 * -255]);
  });
});
