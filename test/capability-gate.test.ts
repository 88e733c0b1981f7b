/**
 * The capability gate (`src/capability-gate.ts`) and what the runner does with a call it refuses:
 * never sent, counted as not sent with the reason, a saved counterexample the kernel's current
 * capabilities exclude not replayed (and said so), `replay` of such a file refused with one line.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeCapabilities } from '../src/capabilities.js';
import { type GatedCall, inadmissibleCall } from '../src/capability-gate.js';
import type { KernelUnderTest, Tensor } from '../src/contract.js';
import type { KernelCapabilities } from '../src/capabilities.js';
import { UsageError } from '../src/errors.js';
import type { ConvAttributes } from '../src/operators/conv/contract.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { GuardedKernel } from '../src/runner/guarded-call.js';
import { replayCounterexample } from '../src/runner/replay.js';
import { verifyKernel } from '../src/runner/verify.js';
import { InadmissibleCall } from '../src/vocabulary.js';
import { propertyFailure } from '../src/runner/report.js';

const t = (shape: number[], fill = 1) => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });

/** A 2-D conv call x=[1,2,5,5] w=[4,1,3,3] with these attributes (group 2 unless given). */
function convCall(attrs: Record<string, unknown>, x = t([1, 2, 5, 5])): GatedCall {
  return {
    method: 'conv',
    inputs: [
      ['x', x],
      ['w', t([4, 1, 3, 3])],
      ['b', undefined],
    ],
    attrs: { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 2, ...attrs },
    outputShape: [1, 4, 5, 5],
  };
}

const gate = (call: GatedCall, caps: KernelCapabilities) => inadmissibleCall(call, completeCapabilities(caps));

describe('inadmissibleCall: one sentence naming the capability and the values, or undefined', () => {
  it('x=[1,2,5,5] w=[4,1,3,3] p=1 group=2: admissible with the default capabilities', () => {
    expect(gate(convCall({}), {})).toBeUndefined();
  });
  it('spatial rank', () => {
    expect(gate(convCall({}), { spatialRanks: [1, 3] })).toBe('conv() has spatial rank 2 and the kernel declares spatialRanks [1,3]');
  });
  it('group', () => {
    expect(gate(convCall({}), { group: false })).toBe('conv() has group 2 and the kernel declares group: false');
    expect(gate(convCall({ group: 1 }), { group: false })).toBeUndefined();
  });
  it('dilation, and stride with dilation', () => {
    expect(gate(convCall({ dilations: [1, 2] }), { dilation: false })).toBe(
      'conv() has dilations [1,2] and the kernel declares dilation: false',
    );
    expect(gate(convCall({ dilations: [1, 2] }), { strideWithDilation: false })).toBeUndefined();
    expect(gate(convCall({ dilations: [1, 2], strides: [2, 1] }), { strideWithDilation: false })).toBe(
      'conv() has strides [2,1] with dilations [1,2] and the kernel declares strideWithDilation: false',
    );
  });
  it('asymmetric pads: the first axis whose begin and end differ', () => {
    expect(gate(convCall({ pads: [1, 0, 1, 1] }), { asymmetricPads: false })).toBe(
      'conv() has pads [1,0,1,1], asymmetric on axis 1 (begin 0 ≠ end 1), and the kernel declares asymmetricPads: false',
    );
    expect(gate(convCall({ pads: [2, 0, 2, 0] }), { asymmetricPads: false })).toBeUndefined();
  });
  it('fused activation', () => {
    expect(gate(convCall({ activation: { kind: 'relu' } }), {})).toBe(
      'conv() has the fused activation relu and the kernel declares activations []',
    );
    expect(gate(convCall({ activation: { kind: 'relu' } }), { activations: ['relu'] })).toBeUndefined();
  });
  it('maxElements: the largest of the inputs and the output', () => {
    expect(gate(convCall({}), { maxElements: 99 })).toBe("conv()'s y has 100 elements and the kernel declares maxElements 99");
    expect(gate(convCall({}), { maxElements: 100 })).toBeUndefined();
  });
  it('special values: the first non-finite element of any input', () => {
    const x = t([1, 2, 5, 5]);
    x.data[7] = Number.NEGATIVE_INFINITY;
    expect(gate(convCall({}, x), { specialValues: false })).toBe(
      "conv()'s x holds -Infinity at element 7 and the kernel declares specialValues: false",
    );
    expect(gate(convCall({}, x), {})).toBeUndefined();
  });
  it('dense: no geometry to gate, sizes and values still are', () => {
    const call: GatedCall = {
      method: 'dense',
      inputs: [
        ['x', t([3, 4])],
        ['w', t([5, 4])],
        ['b', undefined],
      ],
      attrs: undefined,
      outputShape: [3, 5],
    };
    expect(gate(call, { spatialRanks: [3], group: false, asymmetricPads: false })).toBeUndefined();
    expect(gate(call, { maxElements: 19 })).toBe("dense()'s w has 20 elements and the kernel declares maxElements 19");
  });
});

describe('the guard sends no call the gate refuses', () => {
  it('x=[1,2,5,5] w=[4,1,3,3] group=2 to a kernel without groups: InadmissibleCall, the kernel never called', async () => {
    let calls = 0;
    const kernel: KernelUnderTest = {
      name: 'counting',
      precision: 'float64',
      capabilities: { group: false },
      conv: () => {
        calls++;
        return { shape: [1, 4, 5, 5], data: new Float64Array(100) };
      },
    };
    const g = new GuardedKernel(kernel, 1000);
    const call = convCall({});
    await expect(g.call('conv', call.inputs as never, call.attrs, call.outputShape)).rejects.toBeInstanceOf(InadmissibleCall);
    expect(calls).toBe(0);
    await g.call('conv', call.inputs as never, { ...(call.attrs as object), group: 1 }, call.outputShape).catch(() => undefined);
    expect(calls).toBe(1);
  });
});

describe('a kernel narrowed after a failing run: its saved cases it no longer supports are not replayed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'convcheck-gate-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads ONNX pads as [ends…, begins…]: wrong exactly when some axis is padded asymmetrically. */
  const padsWrongEnd = (caps: KernelCapabilities): KernelUnderTest => ({
    name: 'pads-wrong-end',
    precision: 'float32',
    capabilities: caps,
    conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes) {
      const r = attrs.strides.length;
      return im2colKernel.conv!(x, w, b, { ...attrs, pads: [...attrs.pads.slice(r), ...attrs.pads.slice(0, r)] });
    },
  });
  const properties = ['conv-matches-reference', 'explicit-padding'];

  it('fails with asymmetric pads, then passes declaring asymmetricPads: false, noting each saved case not replayed', async () => {
    const first = await verifyKernel(padsWrongEnd({}), { seed: 1, runs: 100, properties, counterexampleDir: dir });
    expect(first.properties.map((p) => p.status)).toEqual(['failed', 'failed']);
    const saved = first.properties.map((p) => propertyFailure(p)!.counterexampleFile!);

    const narrowed = await verifyKernel(padsWrongEnd({ asymmetricPads: false }), {
      seed: 2,
      runs: 100,
      properties,
      counterexampleDir: dir,
    });
    expect(narrowed.properties.map((p) => p.status)).toEqual(['passed', 'passed']);
    for (const [i, p] of narrowed.properties.entries()) {
      expect(
        p.notes?.some((n) => n.startsWith(`saved counterexample ${saved[i]} was not replayed`) && n.includes('asymmetricPads: false')),
      ).toBe(true);
      // the generated cases all honoured the capability: nothing else was kept back
      expect(p.notes?.some((n) => n.includes('cases were not sent') || n.includes('case was not sent'))).toBe(false);
    }

    // `convcheck replay` of such a file: one line, nothing sent
    await expect(replayCounterexample(padsWrongEnd({ asymmetricPads: false }), saved[0])).rejects.toThrow(UsageError);
    await expect(replayCounterexample(padsWrongEnd({ asymmetricPads: false }), saved[0])).rejects.toThrow(
      /not replayed — the case needs a call outside .*asymmetricPads: false/,
    );
  }, 60_000);
});
