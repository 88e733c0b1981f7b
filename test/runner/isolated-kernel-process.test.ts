/**
 * A kernel process's output and death, in-process (test/cli/hostile-kernels.test.ts sees the same
 * through the spawned CLI): its lines forwarded sanitized up to 50, the rest counted; a line
 * without end dropped; a process that exits or is killed while loading or during a call.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '../../src/contract.js';
import { KernelLoadError } from '../../src/errors.js';
import { createIsolatedKernel } from '../../src/runner/isolated-kernel.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-isolated-cov-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a dense-only kernel module whose dense runs `body` first. */
async function kernelFile(name: string, body: string, topLevel = ''): Promise<string> {
  const file = join(dir, `${name}.mjs`);
  await writeFile(
    file,
    `${topLevel}\nexport default { name: '${name}', precision: 'float64',
      dense(x, w, b) { ${body}; return { shape: [1, 1], data: new Float64Array([x.data[0] * w.data[0]]) }; } };\n`,
  );
  return file;
}
const one = (v: number): Tensor => ({ shape: [1, 1], data: new Float64Array([v]) });

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('kernel process output', () => {
  it('60 lines: the first 50 forwarded, sanitized; the other 10 counted once the process ends; an endless line dropped and counted', async () => {
    const lines: string[] = [];
    const file = await kernelFile(
      'flood',
      `for (let i = 0; i < 60; i++) process.stdout.write('\\u001b[31mline ' + i + '\\u001b[0m\\n'); process.stderr.write('z'.repeat(12000))`,
    );
    const k = await createIsolatedKernel(file, { timeoutMs: 10_000, onOutput: (l) => lines.push(l) });
    try {
      expect(Array.from((await k.dense!(one(3), one(2), undefined)).data)).toEqual([6]);
      await until(() => lines.length >= 50);
    } finally {
      await k.close();
    }
    await until(() => lines.some((l) => l.includes('more lines')));
    expect(lines).toHaveLength(51);
    expect(lines.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => `\\e[31mline ${i}\\e[0m`));
    expect(lines.join('')).not.toContain('\u001b');
    // 10 lines past the cap, and the 12 000-character line that never ended
    expect(lines[50]).toBe('(11 more lines of kernel output not shown)');
  });
});

describe('kernel process death', () => {
  it('exiting while loading is a KernelLoadError naming the code', async () => {
    const file = await kernelFile('exits-on-load', '', 'process.exit(4);');
    const e = await createIsolatedKernel(file, { timeoutMs: 5000 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(KernelLoadError);
    expect((e as Error).message).toMatch(/kernel process exited with code 4 while loading the kernel/);
  });
  it('exiting during a call, or being killed by a signal, rejects that call saying how', async () => {
    const exits = await createIsolatedKernel(await kernelFile('exits-in-call', 'process.exit(3)'), { timeoutMs: 5000 });
    try {
      await expect(exits.dense!(one(1), one(1), undefined)).rejects.toThrow(/kernel process exited with code 3 during the call/);
    } finally {
      await exits.close();
    }
    const killed = await createIsolatedKernel(await kernelFile('killed-in-call', "process.kill(process.pid, 'SIGKILL')"), {
      timeoutMs: 5000,
    });
    try {
      await expect(killed.dense!(one(1), one(1), undefined)).rejects.toThrow(/kernel process was killed by SIGKILL during the call/);
    } finally {
      await killed.close();
    }
  });
});

describe('the proxy of an isolated kernel', () => {
  it('carries the declared numerics; an input shape the kernel changed in place is copied back unless frozen; a thrown Error keeps its name and message', async () => {
    const file = join(dir, 'numerics.mjs');
    await writeFile(
      file,
      `export default { name: 'numerics', precision: 'float16', accumulation: 'float32', errorModel: 'normwise', errorFactor: 3,
        dense(x, w, b) {
          x.shape.push(1);
          if (x.data[0] === 2) { const e = new RangeError('no stack here'); e.stack = ''; throw e; }
          return { shape: [1, 1], data: new Float32Array([x.data[0] * w.data[0]]) };
        } };\n`,
    );
    const k = await createIsolatedKernel(file, { timeoutMs: 10_000 });
    try {
      expect([k.precision, k.accumulation, k.errorModel, k.errorFactor]).toEqual(['float16', 'float32', 'normwise', 3]);
      expect(k.conv).toBeUndefined();
      const x: Tensor = { shape: [1, 1], data: Float32Array.of(3) };
      expect(Array.from((await k.dense!(x, { shape: [1, 1], data: Float32Array.of(2) }, undefined)).data)).toEqual([6]);
      expect(x.shape).toEqual([1, 1, 1]);
      const frozen: Tensor = { shape: Object.freeze([1, 1]) as number[], data: Float32Array.of(3) };
      await k.dense!(frozen, { shape: [1, 1], data: Float32Array.of(2) }, undefined);
      expect(frozen.shape).toEqual([1, 1]);
      const e = await Promise.resolve(
        k.dense!({ shape: [1, 1], data: Float32Array.of(2) }, { shape: [1, 1], data: Float32Array.of(2) }, undefined),
      ).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(Error);
      expect([(e as Error).name, (e as Error).message]).toEqual(['RangeError', 'no stack here']);
    } finally {
      await k.close();
    }
  });
});
