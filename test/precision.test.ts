/**
 * Precisions and error models end to end, through `verifyKernel` and every report format:
 * float16 kernels (float16 and float32 accumulation, and one that lies about its accumulation),
 * and Winograd / FFT kernels declaring the normwise model.
 */
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../src/cli/summary.js';
import { HtmlReportWriter } from '../src/reports/html.js';
import { JunitReportWriter } from '../src/reports/junit.js';
import { MarkdownReportWriter } from '../src/reports/markdown.js';
import { JsonReportWriter } from '../src/reports/json.js';
import { KernelLoadError } from '../src/errors.js';
import { verifyKernel } from '../src/runner/verify.js';
import type { VerificationReport } from '../src/runner/report.js';
import { fftKernel, winogradKernel } from './helpers/fast-conv.js';
import { falselyMixedKernel, float16Kernel, mixedKernel } from './helpers/float16-kernels.js';
import { propertyFailure, propertyReason } from '../src/runner/report.js';

const SEED = Number(process.env.CONVCHECK_SEED ?? 20261201);
const statusOf = (r: VerificationReport, id: string) => r.properties.find((p) => p.id === id)?.status;
const failedIds = (r: VerificationReport) =>
  r.properties.filter((p) => p.status === 'failed').map((p) => `${p.id}: ${p.failure?.problem} ${p.failure?.message}`);

describe('float16 kernels', () => {
  it('float16 storage and float16 accumulation, declared as such: the whole catalog passes', async () => {
    const r = await verifyKernel(float16Kernel, { runs: 60, seed: SEED });
    expect(failedIds(r)).toEqual([]);
    expect(r.kernel).toMatchObject({ precision: 'float16', accumulation: 'float16', errorModel: 'elementwise', errorFactor: 1 });
    // the network property's integer sums exceed float16's exact range: skipped, with the reason
    expect(propertyReason(r.properties.find((p) => p.id === 'fcn-network'))).toMatch(/beyond float16's exact integers/);
  }, 300_000);

  it('float16 storage with float32 accumulation, declared: passes', async () => {
    const r = await verifyKernel(mixedKernel, { runs: 60, seed: SEED });
    expect(failedIds(r)).toEqual([]);
    expect(r.kernel).toMatchObject({ precision: 'float16', accumulation: 'float32' });
  }, 300_000);

  it('declares float32 accumulation but accumulates in float16: fails against the reference with a float-regime counterexample', async () => {
    const r = await verifyKernel(falselyMixedKernel, {
      runs: 100,
      seed: SEED,
      properties: ['conv-matches-reference', 'dense-matches-reference'],
    });
    for (const id of ['conv-matches-reference', 'dense-matches-reference']) {
      const p = r.properties.find((q) => q.id === id)!;
      expect(p.status, id).toBe('failed');
      expect(propertyFailure(p)).toMatchObject({ kind: 'mismatch', regime: 'float' });
      expect(Number(propertyFailure(p)!.errorOverBound)).toBeGreaterThan(1);
    }
  }, 300_000);

  it('the same float16 accumulation passes when declared as float16 (the direction the bound must allow)', async () => {
    const honest = { ...falselyMixedKernel, name: 'test:float16-honest', accumulation: undefined };
    const r = await verifyKernel(honest, { runs: 100, seed: SEED, properties: ['conv-matches-reference', 'dense-matches-reference'] });
    expect(failedIds(r)).toEqual([]);
  }, 300_000);
});

describe('normwise kernels through the catalog', () => {
  it('correct Winograd F(2×2, 3×3), F(4×4, 3×3) and FFT pass every property they can take, declaring the normwise model', async () => {
    for (const k of [winogradKernel(2), winogradKernel(4), fftKernel()]) {
      const r = await verifyKernel(k, { runs: 60, seed: SEED });
      expect(failedIds(r), k.name).toEqual([]);
      expect(r.kernel.errorModel).toBe('normwise');
      expect(r.kernel.errorFactor).toBe(k.errorFactor);
      expect(statusOf(r, 'linearity-in-x')).toBe('passed');
      expect(propertyReason(r.properties.find((p) => p.id === 'fcn-network'))).toMatch(/normwise error model/);
    }
  }, 600_000);

  it('F(4×4, 3×3) declared elementwise fails conv-matches-reference (it is never exact on integer data)', async () => {
    // only 2-D, undilated problems: where the kernel takes the Winograd path (3×3, stride 1) at all
    const base = winogradKernel(4);
    const k = {
      ...base,
      name: 'test:winograd-f4x3-elementwise',
      errorModel: undefined,
      errorFactor: undefined,
      capabilities: { ...base.capabilities, spatialRanks: [2], dilation: false },
    };
    const r = await verifyKernel(k, { runs: 200, seed: SEED, properties: ['conv-matches-reference'] });
    expect(statusOf(r, 'conv-matches-reference')).toBe('failed');
  }, 300_000);

  it('a planted bug fails under the normwise model: Winograd with a wrong coefficient, FFT with TF32 inputs or float32 twiddles', async () => {
    // the Winograd kernels only on 2-D, undilated problems: where they take the Winograd path (3×3, stride 1) at all
    const twoD = (k: ReturnType<typeof winogradKernel>) => ({
      ...k,
      capabilities: { ...k.capabilities, spatialRanks: [2], dilation: false },
    });
    for (const k of [
      twoD(winogradKernel(4, 'wrong-coefficient')),
      twoD(winogradKernel(2, 'wrong-coefficient')),
      fftKernel('tf32-inputs'),
      fftKernel('float32-twiddles'),
    ]) {
      const r = await verifyKernel(k, { runs: 200, seed: SEED, properties: ['conv-matches-reference'] });
      const p = r.properties[0];
      expect(p.status, k.name).toBe('failed');
      expect(propertyFailure(p)!.message).toMatch(/exceed the normwise \(κ = \d+\) error bound/);
    }
  }, 300_000);
});

describe('reports state the error model and κ', () => {
  it('JSON, Markdown, HTML, JUnit and the CLI summary', async () => {
    const r = await verifyKernel(winogradKernel(4), { runs: 5, seed: SEED, properties: ['conv-matches-reference'] });
    const json = JSON.parse(new JsonReportWriter().render(r)) as VerificationReport;
    expect(json.kernel).toMatchObject({ precision: 'float32', accumulation: 'float32', errorModel: 'normwise', errorFactor: 4165 });
    expect(new MarkdownReportWriter().render(r)).toContain('**error model** normwise, κ = 4165');
    expect(new HtmlReportWriter().render(r)).toMatch(/Error model<\/dt>\s*<dd>normwise, κ = 4165/);
    const junit = new JunitReportWriter().render(r);
    expect(junit).toContain('<property name="errorModel" value="normwise"/>');
    expect(junit).toContain('<property name="errorFactor" value="4165"/>');
    expect(formatSummary(r, [])).toContain('normwise error model, κ = 4165');
    const mixed = await verifyKernel(mixedKernel, { runs: 5, seed: SEED, properties: ['conv-matches-reference'] });
    expect(new MarkdownReportWriter().render(mixed)).toContain(
      '**precision** float16 · **accumulation** float32 · **error model** elementwise',
    );
    expect(formatSummary(mixed, [])).toContain('float16 storage, float32 accumulation, elementwise error model');
  }, 120_000);

  it('verifyKernel rejects invalid numeric fields with a typed error', async () => {
    await expect(verifyKernel({ ...winogradKernel(2), errorFactor: 0 }, { runs: 1 })).rejects.toThrowError(KernelLoadError);
    await expect(verifyKernel({ ...winogradKernel(2), errorFactor: 0 }, { runs: 1 })).rejects.toThrowError(
      /verifyKernel: kernel\.errorFactor must be a finite number >= 1, got 0/,
    );
    await expect(verifyKernel({ ...float16Kernel, accumulation: 'bfloat16' as 'float32' }, { runs: 1 })).rejects.toThrowError(
      /kernel\.accumulation must be/,
    );
  });
});
