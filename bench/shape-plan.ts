/**
 * Random shapes vs the shape plan on the planted narrow bugs (`examples/narrow-bugs.ts`: the
 * WGSL kernel's algorithm and bugs in Node), over seeds:
 *
 *   - browser settings: 100 cases per property, 6 shapes per property (`--shape-budget 6`):
 *     random shapes (`shapePlan: 'off'`) vs plan shapes (`'all'`);
 *   - default Node settings: 200 cases, no budget: random only vs random plus the plan (`'mixed'`).
 *
 * For each bug and strategy: seeds on which `conv-matches-reference` (the property that calls
 * the kernel once per case) fails, and the median cases and distinct shapes (programs, for a GPU
 * kernel) until its first failing case. The correct kernel must pass everywhere.
 *
 *     npm run bench:shapes -- [seeds=10]
 */
import { createNarrowBugKernel, NARROW_BUGS } from '../examples/narrow-bugs.js';
import type { KernelUnderTest } from '../src/index.js';
import type { VerifyOptions } from '../src/runner/options.js';
import { verifyKernel } from '../src/runner/verify.js';

const seeds = Number(process.argv[2] ?? 10);
const PROPERTY = 'conv-matches-reference';

const strategies: ReadonlyArray<{ name: string; options: VerifyOptions }> = [
  { name: 'browser: random (6 shapes)', options: { runs: 100, shapeBudget: 6, shapePlan: 'off' } },
  { name: 'browser: plan', options: { runs: 100, shapeBudget: 6, shapePlan: 'all' } },
  { name: 'Node: random', options: { runs: 200, shapePlan: 'off' } },
  { name: 'Node: random + plan', options: { runs: 200, shapePlan: 'mixed' } },
];

/** The kernel, recording each conv call's signature (shapes and attributes) in order. */
function recording(k: KernelUnderTest, calls: string[]): KernelUnderTest {
  return {
    ...k,
    conv: (x, w, b, a) => {
      calls.push(JSON.stringify([x.shape, w.shape, b?.shape, a]));
      return k.conv!(x, w, b, a);
    },
  };
}

const median = (v: number[]) => (v.length === 0 ? NaN : [...v].sort((a, b) => a - b)[Math.floor((v.length - 1) / 2)]);

const started = Date.now();
const lines = [
  '| kernel | strategy | detected | median cases to detection | median shapes to detection |',
  '| --- | --- | ---: | ---: | ---: |',
];
for (const bug of [undefined, ...NARROW_BUGS]) {
  for (const s of strategies) {
    let detected = 0;
    const cases: number[] = [];
    const shapes: number[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const calls: string[] = [];
      const report = await verifyKernel(recording(createNarrowBugKernel(bug), calls), {
        ...s.options,
        seed,
        properties: [PROPERTY],
        shrinkBudgetMs: 1_000,
      });
      const p = report.properties[0];
      if (p.status !== 'failed') continue;
      detected++;
      // casesRun counts the cases up to and including the first failing one (shrink attempts are not cases)
      cases.push(p.casesRun);
      shapes.push(new Set(calls.slice(0, p.casesRun)).size);
    }
    lines.push(
      `| ${bug ?? 'correct'} | ${s.name} | ${detected}/${seeds} | ${detected ? median(cases) : '—'} | ${detected ? median(shapes) : '—'} |`,
    );
    console.error(lines[lines.length - 1]);
  }
}
console.log(
  `\nbench/shape-plan.ts, ${new Date().toISOString().slice(0, 10)}, seeds 1–${seeds}, property ${PROPERTY}, ${Math.round((Date.now() - started) / 1000)} s\n`,
);
console.log(lines.join('\n'));
