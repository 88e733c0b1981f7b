/**
 * The whole catalog against the built-in kernels: the float64 reference, the float32 im2col path
 * and its float64 variant. Fixed seed by default (CONVCHECK_SEED overrides), ≥ 200 cases per
 * property (CONVCHECK_RUNS overrides).
 */
import { describeKernel } from '../src/runner/describe-kernel.js';
import { referenceKernel } from '../src/kernels/reference.js';
import { im2colKernel, im2colKernel64 } from '../src/kernels/im2col.js';

const options = {
  seed: Number(process.env.CONVCHECK_SEED ?? 20261128),
  runs: Number(process.env.CONVCHECK_RUNS ?? 200),
};

describeKernel(referenceKernel, options);
describeKernel(im2colKernel, options);
describeKernel(im2colKernel64, options);
