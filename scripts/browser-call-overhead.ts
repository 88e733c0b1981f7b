/**
 * What one kernel call in the browser costs beyond the kernel's own work: 100 calls of a 2×3 by
 * 4×3 dense on a kernel page, after one warm-up call (which compiles whatever the kernel compiles).
 * On `examples/correct-kernel.ts` (plain JavaScript) that is the Node ↔ page round trip alone
 * (`node --import tsx scripts/browser-call-overhead.ts [kernel]`, default tfjs:webgl).
 */
import { createBrowserKernel } from '../src/browser/browser-kernel.js';
import type { KernelUnderTest } from '../src/contract.js';
import { tensor } from '../src/tensor.js';

const spec = process.argv[2] ?? 'tfjs:webgl';
const kernel = await createBrowserKernel(spec, { timeoutMs: 120_000 });
const x = tensor([2, 3], [1, 2, 3, 4, 5, 6], 'float32');
const w = tensor([4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'float32');
const dense = (kernel as KernelUnderTest & Required<Pick<KernelUnderTest, 'dense'>>).dense.bind(kernel);
await dense(x, w, undefined, {});
const calls = 100;
const t0 = performance.now();
for (let i = 0; i < calls; i++) await dense(x, w, undefined, {});
console.log(`${spec}: ${((performance.now() - t0) / calls).toFixed(2)} ms per call (${calls} calls of a 2×3 · 3×4 dense)`);
await (kernel as KernelUnderTest & { close(): Promise<void> }).close();
