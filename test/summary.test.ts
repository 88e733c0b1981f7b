/** `formatSummary` and `shellQuote`: the text `convcheck verify` prints after a run. */
import { describe, expect, it } from 'vitest';
import { formatSummary, shellQuote } from '../src/cli/summary.js';
import { type PropertyResult, runVerdict, type VerificationReport } from '../src/runner/report.js';

function report(properties: PropertyResult[], extra: Partial<VerificationReport> = {}): VerificationReport {
  const count = (s: PropertyResult['status']) => properties.filter((p) => p.status === s).length;
  return {
    tool: { name: 'convcheck', version: '0.0.0' },
    kernel: {
      name: 'k',
      precision: 'float32',
      accumulation: 'float32',
      errorModel: 'elementwise',
      errorFactor: 1,
      capabilities: {} as VerificationReport['kernel']['capabilities'],
      source: 'builtin:k',
    },
    seed: 42,
    options: { runs: 10, size: 'small', timeoutMs: 100, properties: 'all' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1500,
    ...runVerdict(false, count('failed')),
    summary: {
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      interrupted: count('interrupted'),
      notRun: 0,
      total: properties.length,
    },
    properties,
    coverage: { dimensions: [], rows: [], total: 0 },
    ...extra,
  } as VerificationReport;
}

describe('formatSummary', () => {
  it('aligns ids and case counts and names the skip reason', () => {
    const text = formatSummary(
      report([
        { id: 'a', statement: '', status: 'passed', casesRun: 100, durationMs: 10 },
        { id: 'longer-id', statement: '', status: 'skipped', skipReason: 'kernel has no dense', casesRun: 0, durationMs: 0 },
        { id: 'c', statement: '', status: 'skipped', skipReason: 'no case fits', casesRun: 5, durationMs: 0 },
      ]),
      ['out/verification.json', 'out/junit.xml'],
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^PASS\s+a {10}100 cases {2}/);
    expect(lines[1]).toMatch(/^SKIP\s+longer-id {4}0 cases {2}.*\(kernel has no dense\)$/);
    expect(lines[2]).toMatch(/^SKIP\s+c {12}5 cases {2}.*\(no case fits\)$/);
    expect(lines[3]).toBe('');
    expect(lines[4]).toMatch(
      /^PASSED: 1 passed, 0 failed, 2 skipped of 3 properties in .* — kernel k \(float32, elementwise error model\), seed 42$/,
    );
    expect(lines[5]).toBe('Reports: out/verification.json, out/junit.xml');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('prints each failure field on one line, with the replay command when there is one', () => {
    const text = formatSummary(
      report([
        {
          id: 'p',
          statement: '',
          status: 'failed',
          casesRun: 3,
          durationMs: 5,
          failure: {
            kind: 'mismatch',
            problem: 'x [1,1,3]\nw [1,1,2]',
            message: 'differs',
            index: [0, 0, 1],
            expected: 5,
            actual: Number.NaN,
            error: Number.NaN,
            bound: 1e-6,
            errorOverBound: Number.POSITIVE_INFINITY,
            seed: 42,
            replayCommand: "npx convcheck replay 'a b.json'",
          },
        },
        {
          id: 'q',
          statement: '',
          status: 'failed',
          casesRun: 1,
          durationMs: 5,
          failure: { kind: 'threw', problem: 'P', message: 'boom', seed: 42 },
        },
      ]),
      [],
    );
    expect(text).toMatch(/^FAIL\s+p\s+3 cases/m);
    expect(text).toMatch(/^ {6}Problem: +x \[1,1,3\] w \[1,1,2\]$/m);
    expect(text).toMatch(/^ {6}Actual: +NaN$/m);
    expect(text).toMatch(/^ {6}Replay: +npx convcheck replay 'a b\.json'$/m);
    expect(text).toMatch(/^ {6}Message: +boom$/m);
    expect(text.match(/Replay:/g)).toHaveLength(1);
    expect(text).toMatch(/^FAILED: 0 passed, 2 failed, 0 skipped of 2 properties/m);
    expect(text).not.toContain('Reports:');
  });

  it('marks an interrupted run as partial, never passed, and counts what did not run; an empty run has no blank separator line', () => {
    const text = formatSummary(
      report([], {
        status: 'interrupted',
        interrupted: true,
        summary: { passed: 0, failed: 0, skipped: 0, interrupted: 0, notRun: 1, total: 1 },
      }),
      [],
    );
    expect(text).toMatch(/^INTERRUPTED \(partial report\): 0 passed, 0 failed, 0 skipped, 0 interrupted, 1 not run of 1 property in /);
    expect(text).not.toContain('PASSED');
    expect(text.split('\n')).toHaveLength(2);
  });

  it('without the property list (the CLI, whose progress printed them) only failures and notes are detailed', () => {
    const text = formatSummary(
      report([
        { id: 'a', statement: '', status: 'passed', casesRun: 100, durationMs: 10 },
        {
          id: 'p',
          statement: '',
          status: 'failed',
          casesRun: 3,
          durationMs: 5,
          failure: { kind: 'threw', problem: 'P', message: 'boom', seed: 42 },
          notes: ['shrinking stopped'],
        },
      ]),
      [],
      { listProperties: false },
    );
    expect(text).not.toMatch(/^PASS/m);
    expect(text).not.toMatch(/^FAIL /m);
    expect(text).toMatch(/^p failed:$/m);
    expect(text).toMatch(/^ {6}Message: +boom$/m);
    expect(text).toMatch(/^ {6}Note: +shrinking stopped$/m);
  });

  it('kernel-supplied text cannot drive the terminal or forge a line', () => {
    const evil = 'k\u001b]0;owned\u0007\u001b[2J\rPASS  forged\nPASS  forged-line  200 cases\u0000\u009b';
    const text = formatSummary(
      report(
        [
          {
            id: 'p',
            statement: '',
            status: 'failed',
            casesRun: 1,
            durationMs: 1,
            failure: { kind: 'threw', problem: 'P', message: evil, seed: 1 },
          },
        ],
        {
          kernel: {
            name: evil,
            precision: 'float32',
            accumulation: 'float32',
            errorModel: 'elementwise',
            errorFactor: 1,
            capabilities: {} as VerificationReport['kernel']['capabilities'],
            source: 's',
          },
        },
      ),
      [],
    );
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(text).not.toMatch(/^PASS {2}forged/m);
    expect(text).toContain('k\\e]0;owned\\a\\e[2J\\rPASS');
  });
});

describe('shellQuote', () => {
  it('leaves safe words alone and single-quotes the rest', () => {
    expect(shellQuote('reports/counterexamples/a-b_c.json')).toBe('reports/counterexamples/a-b_c.json');
    expect(shellQuote('builtin:im2col')).toBe('builtin:im2col');
    expect(shellQuote('my dir/k.mjs')).toBe("'my dir/k.mjs'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe("''");
  });
});
