/**
 * Declared capabilities are a contract: the whole catalog, for each capability restriction, runs
 * against a kernel that throws on any call outside what it declared. The kernel's check is
 * written here, independently of the gate (`src/capability-gate.ts`), and it records every call
 * it refuses; the run must show none, no failed property, and no case the gate had to keep back
 * (every generator and every derivation honours the capabilities by construction — a derived
 * call the gate refuses would show as a "not sent" note).
 */
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import type { KernelCapabilities } from '../src/capabilities.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { verifyKernel } from '../src/runner/verify.js';

interface Attrs {
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly group?: number;
  readonly activation?: { readonly kind: string };
}

/** What a strict kernel declaring `caps` refuses, checked by hand for each capability. */
function violations(
  caps: KernelCapabilities,
  method: string,
  tensors: ReadonlyArray<Tensor | undefined>,
  attrs: Attrs | undefined,
  out: Tensor,
): string[] {
  const found: string[] = [];
  const x = tensors[0]!;
  if (method !== 'dense') {
    const rank = x.shape.length - 2;
    if (caps.spatialRanks && !caps.spatialRanks.includes(rank)) found.push(`rank ${rank}`);
    if (caps.group === false && (attrs?.group ?? 1) !== 1) found.push(`group ${attrs?.group}`);
    const dilated = (attrs?.dilations ?? []).some((d) => d !== 1);
    const strided = (attrs?.strides ?? []).some((s) => s !== 1);
    if (caps.dilation === false && dilated) found.push(`dilations ${attrs?.dilations}`);
    if (caps.strideWithDilation === false && dilated && strided) found.push(`strides ${attrs?.strides} with dilations ${attrs?.dilations}`);
    const p = attrs?.pads ?? [];
    for (let a = 0; a < rank; a++) if (caps.asymmetricPads === false && p[a] !== p[a + rank]) found.push(`pads ${p}`);
  }
  const kind = attrs?.activation?.kind;
  if (kind !== undefined && !(caps.activations ?? []).includes(kind as never)) found.push(`activation ${kind}`);
  if (caps.specialValues === false) {
    for (const t of tensors) if (t && Array.from(t.data).some((v) => !Number.isFinite(v))) found.push('a non-finite input');
  }
  if (caps.maxElements !== undefined) {
    for (const t of [...tensors, out]) if (t && t.data.length > caps.maxElements) found.push(`${t.data.length} elements`);
  }
  return found;
}

/** im2col declaring `caps`, recording (and throwing on) every call outside them. */
function strictKernel(caps: KernelCapabilities, refused: string[]): KernelUnderTest {
  const guard =
    (method: 'conv' | 'dense' | 'convTranspose') =>
    (...args: unknown[]): Tensor => {
      const tensors = args.slice(0, 3) as Array<Tensor | undefined>;
      const attrs = args[3] as Attrs | undefined;
      const out = (im2colKernel[method] as (...a: unknown[]) => Tensor)(...args);
      const v = violations(caps, method, tensors, attrs, out);
      if (v.length > 0) {
        refused.push(`${method}: ${v.join(', ')}`);
        throw new Error(`strict kernel: ${method} called outside its capabilities: ${v.join(', ')}`);
      }
      return out;
    };
  return {
    name: 'strict im2col',
    precision: 'float32',
    capabilities: caps,
    conv: guard('conv'),
    dense: guard('dense'),
    convTranspose: guard('convTranspose'),
  };
}

const RESTRICTIONS: ReadonlyArray<readonly [string, KernelCapabilities]> = [
  ['spatialRanks [1]', { spatialRanks: [1] }],
  ['spatialRanks [2]', { spatialRanks: [2] }],
  ['spatialRanks [3]', { spatialRanks: [3] }],
  ['spatialRanks [1,3]', { spatialRanks: [1, 3] }],
  ['group: false', { group: false }],
  ['dilation: false', { dilation: false }],
  ['strideWithDilation: false', { strideWithDilation: false }],
  ['asymmetricPads: false', { asymmetricPads: false }],
  ['specialValues: false', { specialValues: false }],
  ['maxElements 600', { maxElements: 600 }],
  ['activations [relu]', { activations: ['relu'] }],
  ['everything off', { spatialRanks: [2], group: false, dilation: false, asymmetricPads: false, specialValues: false, maxElements: 2000 }],
];

describe('the catalog honours every capability restriction (a strict kernel throws on any call outside them)', () => {
  for (const [label, caps] of RESTRICTIONS) {
    it(label, async () => {
      const refused: string[] = [];
      const report = await verifyKernel(strictKernel(caps, refused), { seed: 20261207, runs: 40 });
      expect(refused).toEqual([]);
      const failed = report.properties.filter((p) => p.status === 'failed').map((p) => `${p.id}: ${p.failure?.message}`);
      expect(failed).toEqual([]);
      const kept = report.properties.flatMap((p) => (p.notes ?? []).filter((n) => n.includes('not sent')).map((n) => `${p.id}: ${n}`));
      expect(kept).toEqual([]);
      // the restriction left something to check: most of the catalog ran
      expect(report.summary.passed).toBeGreaterThanOrEqual(15);
    }, 120_000);
  }
});
