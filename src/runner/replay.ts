/** Replaying one saved counterexample, deterministically, and printing the comparison. */
import type { KernelUnderTest } from '../contract.js';
import { propertyById } from '../catalog/index.js';
import { PropertyViolation } from '../property/violation.js';
import { formatShape } from '../tensor.js';
import { terminalSafe } from '../terminal.js';
import { readCounterexample } from './counterexample-db.js';
import { CounterexampleFileError, UsageError } from '../errors.js';
import { validateKernel } from '../kernels/load-kernel.js';
import { InadmissibleCall } from '../vocabulary.js';
import { errorMessage, GuardedKernel, hostOf } from './guarded-call.js';
import { KernelFault } from '../vocabulary.js';
import type { FailureDetail } from './report.js';
import { completeCapabilities } from '../capabilities.js';
import { withDataLimits } from '../arbitraries/data-limits.js';
import { declaredSpecialValues, probeNumerics } from './numerics-probe.js';
import { regimeOf, skipReasonFor, wholeOf } from './property-run.js';
import { DEFAULT_TIMEOUT_MS } from './options.js';

/** Outcome of a replay. */
export interface ReplayResult {
  readonly property: string;
  readonly status: 'passed' | 'failed';
  /** A printable comparison. */
  readonly text: string;
  readonly failure?: FailureDetail;
}

const fmt = (v: number | undefined) => (v === undefined ? '-' : String(v));

/**
 * Re-runs the case saved in `file` against `kernel`.
 * @example const r = await replayCounterexample(im2colKernel, 'reports/counterexamples/builtin_im2col/conv-matches-reference-1a2b.json');
 */
export async function replayCounterexample(
  kernel: KernelUnderTest,
  file: string,
  options: { timeoutMs?: number } = {},
): Promise<ReplayResult> {
  const host = typeof kernel === 'object' && kernel !== null ? hostOf(kernel) : undefined;
  kernel = validateKernel(kernel, 'replayCounterexample');
  const saved = await readCounterexample(file);
  const def = propertyById(saved.property);
  if (!def)
    throw new CounterexampleFileError(file, `unknown property ${JSON.stringify(saved.property)} (run convcheck list to see the ids)`);
  const skip = skipReasonFor(def, kernel);
  if (skip) throw new UsageError(`${file}: kernel ${kernel.name} cannot run ${def.id}: ${skip}`);
  let problem: string;
  try {
    problem = def.describe(saved.case);
  } catch (e) {
    throw new CounterexampleFileError(file, `the saved case is not a ${def.id} case (${errorMessage(e)})`);
  }
  const head = [
    `property  ${def.id} — ${def.statement}`,
    `kernel    ${terminalSafe(kernel.name)} (${kernel.precision})${saved.kernel !== kernel.name ? ` [saved for ${terminalSafe(saved.kernel)}]` : ''}`,
    `problem   ${terminalSafe(problem)}`,
  ];
  const guarded = new GuardedKernel(kernel, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, { host });
  // the data of a case depend on the kernel's probed numerics (docs/numerics.md), as in the run that saved it
  const platform = await probeNumerics(
    new GuardedKernel(kernel, options.timeoutMs ?? DEFAULT_TIMEOUT_MS, { host }),
    completeCapabilities(kernel.capabilities),
    declaredSpecialValues(kernel),
  );
  try {
    await withDataLimits(platform.dataLimits, () => def.check(guarded, saved.case));
    return {
      property: def.id,
      status: 'passed',
      text: [...head, 'result    PASS — the kernel now satisfies the property on this case'].join('\n'),
    };
  } catch (e) {
    // the capability gate refused a call: nothing was sent, and the case says nothing of this kernel
    if (e instanceof InadmissibleCall)
      throw new UsageError(
        `${file}: not replayed — the case needs a call outside kernel ${terminalSafe(kernel.name)}'s capabilities: ${e.reason}`,
      );
    const v = e instanceof PropertyViolation ? e.detail : e instanceof KernelFault ? { kind: e.kind, message: e.message } : undefined;
    // Anything else came from the case itself (a geometry that cannot exist, fields of the wrong type).
    if (!v) throw new CounterexampleFileError(file, `the saved case cannot be run (${errorMessage(e)})`);
    const d = v as PropertyViolation['detail'];
    const failure: FailureDetail = {
      kind: d.kind,
      problem,
      message: d.message,
      regime: regimeOf(problem),
      index: d.index,
      expected: d.expected,
      actual: d.actual,
      error: d.error,
      bound: d.bound,
      errorOverBound: d.errorOverBound,
      seed: saved.seed,
      path: saved.path,
      counterexampleFile: file,
      heatmap: d.heatmap,
      ...wholeOf(guarded.lastCall, d),
    };
    const lines = [...head, `result    FAIL (${d.kind}) — ${terminalSafe(d.message)}`];
    if (d.index) {
      lines.push(
        `index     ${formatShape(d.index)}`,
        `expected  ${fmt(d.expected)}`,
        `actual    ${fmt(d.actual)}`,
        `error     ${fmt(d.error)}`,
        `bound     ${fmt(d.bound)}`,
        `error/bound ${fmt(d.errorOverBound)}`,
      );
    }
    // a small case is shown whole: what the kernel was given, what it should return, what it did
    const w = failure.whole;
    const whole = (t: { shape: readonly number[]; values: ReadonlyArray<number | string> }) =>
      `${formatShape(t.shape)} = [${t.values.join(', ')}]`;
    for (const i of w?.call?.inputs ?? []) lines.push(`input ${i.name}   ${whole(i)}`);
    if (w?.expected) lines.push(`expected (all) ${whole(w.expected)}`);
    if (w?.actual) lines.push(`actual (all)   ${whole(w.actual)}`);
    return { property: def.id, status: 'failed', text: lines.join('\n'), failure };
  }
}
