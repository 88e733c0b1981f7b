/** `createIsolatedKernel` edge cases: bad options, load timeout, closed kernels, unsendable inputs, partial kernels. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/contract.js';
import { InvalidArgumentError, KernelLoadError } from '../../src/errors.js';
import { createIsolatedKernel } from '../../src/runner/isolated-kernel.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-isolated-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const attrs = { strides: [1], pads: [0, 0], dilations: [1], group: 1 };

describe('createIsolatedKernel', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects timeoutMs %s', async (timeoutMs) => {
    await expect(createIsolatedKernel('test/fixtures/kernels/good.mjs', { timeoutMs })).rejects.toThrow(InvalidArgumentError);
  });

  it('gives up on a kernel that does not load within loadTimeoutMs', async () => {
    const e = await createIsolatedKernel('test/fixtures/kernels/good.mjs', { timeoutMs: 1000, loadTimeoutMs: 1 }).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(KernelLoadError);
    expect((e as Error).message).toMatch(/did not finish loading within 1 ms/);
  });

  it('a dense-only kernel has no conv; dense with bias round-trips; calls after close reject', async () => {
    const file = join(dir, 'dense-only.mjs');
    await writeFile(
      file,
      `export default { name: 'dense-only', precision: 'float64', capabilities: { group: false },
        dense(x, w, b) { w.data[0] = 100; return { shape: [1, 1], data: new Float64Array([x.data[0] * 2 + b.data[0]]) }; } };\n`,
    );
    const k = await createIsolatedKernel(file, { timeoutMs: 5000, cwd: dir });
    try {
      expect(k.name).toBe('dense-only');
      expect(k.capabilities).toEqual({ group: false });
      expect(k.conv).toBeUndefined();
      const w: Tensor = { shape: [1, 1], data: new Float64Array([1]) };
      const y = await k.dense!({ shape: [1, 1], data: new Float64Array([3]) }, w, { shape: [1], data: new Float64Array([0.5]) });
      expect(Array.from(y.data)).toEqual([6.5]);
      expect(w.data[0]).toBe(100); // the kernel's write is copied back
    } finally {
      await k.close();
    }
    await expect(
      k.dense!({ shape: [1, 1], data: new Float64Array([3]) }, { shape: [1, 1], data: new Float64Array([1]) }, undefined),
    ).rejects.toThrow(/isolated kernel 'dense-only' is closed/);
  });

  it('inputs that cannot be sent to the worker are an InvalidArgumentError; the kernel keeps working', async () => {
    const k = await createIsolatedKernel('test/fixtures/kernels/good.mjs', { timeoutMs: 5000 });
    try {
      expect(k.dense).toBeTypeOf('function');
      const bad = { shape: [1, 1, 3], data: { 0: 1, f: () => 0 } } as unknown as Tensor;
      const e = await Promise.resolve()
        .then(() => k.conv!(bad, { shape: [1, 1, 2], data: new Float64Array([1, 1]) }, undefined, attrs))
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as Error).message).toMatch(/inputs cannot be sent to the kernel \(/);
      const y = await k.conv!(
        { shape: [1, 1, 3], data: new Float64Array([1, 2, 3]) },
        { shape: [1, 1, 2], data: new Float64Array([1, 1]) },
        undefined,
        attrs,
      );
      expect(Array.from(y.data)).toEqual([3, 5]);
    } finally {
      await k.close();
    }
  });

  it('a kernel that changes an input shape has the new shape copied back (unless the shape is frozen)', async () => {
    const file = join(dir, 'reshapes.mjs');
    await writeFile(
      file,
      `export default { name: 'reshapes', precision: 'float64',
        conv(x, w) { x.shape.splice(0, 3, 3); return { shape: [1, 1, 2], data: new Float64Array(2) }; } };\n`,
    );
    const k = await createIsolatedKernel(file, { timeoutMs: 5000, cwd: dir });
    try {
      const x: Tensor = { shape: [1, 1, 3], data: new Float64Array([1, 2, 3]) };
      await k.conv!(x, { shape: [1, 1, 2], data: new Float64Array([1, 1]) }, undefined, attrs);
      expect(x.shape).toEqual([3]);
      const frozen: Tensor = { shape: Object.freeze([1, 1, 3]) as unknown as number[], data: new Float64Array([1, 2, 3]) };
      await k.conv!(frozen, { shape: [1, 1, 2], data: new Float64Array([1, 1]) }, undefined, attrs);
      expect(frozen.shape).toEqual([1, 1, 3]);
    } finally {
      await k.close();
    }
  });
});
