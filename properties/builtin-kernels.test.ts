/**
 * The whole catalog against the built-in kernels: the float64 reference, the float32 im2col path
 * and its float64 variant — plus the im2col path with its JavaScript loops (no WebAssembly: the
 * direct float32 conv and the GEMM) and with tiny GEMM blocks and workspace (direct convs in
 * output-channel blocks, GEMM fallbacks), so every fallback and every block tail the fast path
 * has is proven by the same properties. Fixed seed by default (CONVCHECK_SEED overrides), ≥ 200
 * cases per property (CONVCHECK_RUNS overrides).
 */
import type { KernelUnderTest } from '../src/contract.js';
import { describeKernel } from '../src/runner/describe-kernel.js';
import { referenceKernel } from '../src/kernels/reference.js';
import { createIm2colKernel, im2colKernel, im2colKernel64 } from '../src/kernels/im2col.js';

const options = {
  seed: Number(process.env.CONVCHECK_SEED ?? 20261128),
  runs: Number(process.env.CONVCHECK_RUNS ?? 200),
};

const renamed = (k: KernelUnderTest, name: string): KernelUnderTest => ({ name, precision: k.precision, conv: k.conv, dense: k.dense });

describeKernel(referenceKernel, options);
describeKernel(im2colKernel, options);
describeKernel(im2colKernel64, options);
describeKernel(renamed(createIm2colKernel('float32', { simd: false }), 'builtin:im2col (JavaScript loops)'), options);
describeKernel(
  renamed(
    createIm2colKernel('float32', { blocking: { mc: 8, kc: 16, nc: 12 }, workspaceBytes: 64 * 1024 }),
    'builtin:im2col (tiny blocks, 64 KiB workspace)',
  ),
  options,
);
