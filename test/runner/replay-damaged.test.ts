/**
 * `replayCounterexample` (src/runner/replay.ts) in process, on a saved case edited the ways a
 * hand or another tool might: each is a CounterexampleFileError naming the file and what is wrong
 * with the case, never a crash (test/cli/hostile-kernels.test.ts checks the same through the CLI).
 * The case: conv-matches-reference failed by a kernel whose conv returns NaN everywhere.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { CounterexampleFileError } from '../../src/errors.js';
import { referenceKernel } from '../../src/kernels/reference.js';
import { replayCounterexample } from '../../src/runner/replay.js';
import { verifyKernel } from '../../src/runner/verify.js';

const nanConv: KernelUnderTest = {
  name: 'test:nan-conv',
  precision: 'float64',
  conv: (...a: Parameters<NonNullable<KernelUnderTest['conv']>>): Tensor => {
    const y = referenceKernel.conv!(...a) as Tensor;
    return { shape: y.shape, data: new Float64Array(y.data.length).fill(Number.NaN) };
  },
};

let dir: string;
let good: Record<string, unknown>;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-replay-damaged-'));
  const report = await verifyKernel(nanConv, { runs: 3, seed: 5, properties: ['conv-matches-reference'], counterexampleDir: dir });
  const r = report.properties[0];
  const file = r.status === 'failed' ? r.failure.counterexampleFile : undefined;
  expect(file).toBeDefined();
  good = JSON.parse(await readFile(file!, 'utf8')) as Record<string, unknown>;
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
async function replayEdited(edit: (g: Record<string, unknown>) => unknown): Promise<unknown> {
  const file = join(dir, `edited-${++n}.json`);
  await writeFile(file, JSON.stringify(edit(good)));
  return replayCounterexample(nanConv, file);
}

describe('replayCounterexample on edited files', () => {
  it('the file as saved (control): the kernel still fails it', async () => {
    const r = (await replayEdited((g) => g)) as { status: string };
    expect(r.status).toBe('failed');
  });
  it('a case its property cannot even describe: "not a … case"', async () => {
    const e = await replayEdited((g) => ({ ...g, case: { seed: 1 } })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CounterexampleFileError);
    expect((e as Error).message).toMatch(/: the saved case is not a conv-matches-reference case \(TypeError: /);
  });
  it('a case it describes but cannot run (an output size below 1): "cannot be run"', async () => {
    // x=[1,1,1] with a kernel of width 3 and no padding: output width 1 − 3 + 1 = −1
    const c = good.case as { spec: { wShape: number[] } };
    const shrunk = { ...c, spec: { ...c.spec, xShape: [1, 1, 1], wShape: [c.spec.wShape[0], c.spec.wShape[1], 3] } };
    const e = await replayEdited((g) => ({ ...g, case: shrunk })).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CounterexampleFileError);
    expect((e as Error).message).toMatch(/: the saved case cannot be run \(/);
  });
});
