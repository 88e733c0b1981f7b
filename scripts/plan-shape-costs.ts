/**
 * What each plan shape costs a kernel: every conv / ConvTranspose / dense shape of the run's plan
 * called twice with the same data — the first call pays for the kernel's program compiles, the
 * second only for running — with the slowest shapes listed. For finding where a browser run's time
 * goes (`node --import tsx scripts/plan-shape-costs.ts tfjs:webgl [seed] [operator]`).
 */
import { createBrowserKernel } from '../src/browser/browser-kernel.js';
import { completeCapabilities } from '../src/capabilities.js';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import { buildShapePlan } from '../src/operators/index.js';
import { tensor } from '../src/tensor.js';

const [spec = 'tfjs:webgl', seedText = '1', only] = process.argv.slice(2);
const kernel = await createBrowserKernel(spec, { timeoutMs: 120_000 });
const caps = completeCapabilities(kernel.capabilities);
const implemented = ['conv', 'convTranspose', 'dense'].filter(
  (m) => typeof (kernel as unknown as Record<string, unknown>)[m] === 'function',
);
const plan = buildShapePlan(caps, Number(seedText), implemented);
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const fill = (shape: readonly number[]): Tensor =>
  tensor(
    [...shape],
    Array.from({ length: size(shape) }, (_, i) => ((i * 7) % 11) - 5),
    'float32',
  );
type Row = { op: string; shape: string; first: number; second: number };
const rows: Row[] = [];
for (const p of plan.operators) {
  if (only !== undefined && p.operator !== only) continue;
  for (const s of p.specs as Array<{ xShape: number[]; wShape: number[]; attrs?: unknown; hasBias: boolean }>) {
    const x = fill(s.xShape);
    const w = fill(s.wShape);
    const m = p.operator === 'convTranspose' ? s.wShape[1] * (s.attrs as { group: number }).group : s.wShape[0];
    const b = s.hasBias ? fill([m]) : undefined;
    const call = () => (kernel as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[p.operator](x, w, b, s.attrs ?? {});
    const t0 = performance.now();
    await call();
    const t1 = performance.now();
    await call();
    const t2 = performance.now();
    rows.push({
      op: p.operator,
      shape: `x=${JSON.stringify(s.xShape)} w=${JSON.stringify(s.wShape)} ${JSON.stringify(s.attrs ?? {})}`,
      first: t1 - t0,
      second: t2 - t1,
    });
  }
}
await (kernel as KernelUnderTest & { close(): Promise<void> }).close();
for (const op of new Set(rows.map((r) => r.op))) {
  const mine = rows.filter((r) => r.op === op);
  const sum = (f: (r: Row) => number) => (mine.reduce((a, r) => a + f(r), 0) / 1000).toFixed(1);
  console.log(`${op}: ${mine.length} shapes, first calls ${sum((r) => r.first)} s, second calls ${sum((r) => r.second)} s`);
}
for (const r of [...rows].sort((a, b) => b.first - a.first).slice(0, 12))
  console.log(`${r.first.toFixed(0).padStart(6)} ms  ${r.second.toFixed(0).padStart(6)} ms  ${r.op} ${r.shape}`);
