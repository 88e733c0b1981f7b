/**
 * `describeKernel` given a kernel by name (test/runner/describe-kernel.test.ts gives an object): a
 * built-in name loads in this thread, a module path in a process of its own; a property the
 * loaded kernel cannot take skips itself once the kernel is loaded. The last test reads the
 * tasks the calls registered and their results.
 */
import type { RunnerTestCase, RunnerTestSuite } from 'vitest';
import { describe, expect, it } from 'vitest';
import { describeKernel } from '../../src/runner/describe-kernel.js';

const MODULE = 'test/fixtures/kernels/good.mjs';

// "convcheck: builtin:im2col": output-shape, run in this thread; nothing saved.
describeKernel('builtin:im2col', { runs: 2, seed: 4, size: 'small', properties: ['output-shape'], counterexampleDir: false });
// "convcheck: test/fixtures/kernels/good.mjs": in its own process; the naive fixture has no convTranspose.
describeKernel(MODULE, {
  runs: 2,
  seed: 4,
  size: 'small',
  properties: ['output-shape', 'conv-transpose-matches-reference'],
  timeoutMs: 20_000,
});

describe('what the describeKernel calls above registered and how their tests ended', () => {
  it("one suite per call, one test per property; the module suite's convTranspose test skipped itself after loading", ({ task }) => {
    const suites = (task.file.tasks as RunnerTestSuite[]).filter((t) => t.type === 'suite' && t.name.startsWith('convcheck: '));
    const byName = new Map(suites.map((s) => [s.name, s.tasks as RunnerTestCase[]]));
    expect([...byName.keys()]).toEqual(['convcheck: builtin:im2col', `convcheck: ${MODULE}`]);
    const outcome = (suite: string) => byName.get(suite)?.map((t) => [t.name, t.mode, t.result?.state]);
    expect(outcome('convcheck: builtin:im2col')).toEqual([['output-shape', 'run', 'pass']]);
    // in catalog order; the skip is known only once the module loaded: the test skipped itself
    expect(outcome(`convcheck: ${MODULE}`)).toEqual([
      ['conv-transpose-matches-reference', 'skip', 'skip'],
      ['output-shape', 'run', 'pass'],
    ]);
  });
});
