/** Progress output of `convcheck verify`: live line on a TTY, plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatPropertyLine, wantsLiveProgress } from '../../src/cli/progress.js';
import type { PropertyResult } from '../../src/runner/report.js';

const passed: PropertyResult = { id: 'conv-matches-reference', statement: '', status: 'passed', casesRun: 200, durationMs: 1230 };

function sink(columns?: number) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (t: string) => chunks.push(t), isTTY: true, columns } };
}

describe('wantsLiveProgress', () => {
  it('is live only on a TTY with CI unset, empty, "false" or "0"', () => {
    const tty = { write: () => true, isTTY: true };
    expect(wantsLiveProgress(tty, {})).toBe(true);
    expect(wantsLiveProgress(tty, { CI: '' })).toBe(true);
    expect(wantsLiveProgress(tty, { CI: 'false' })).toBe(true);
    expect(wantsLiveProgress(tty, { CI: '0' })).toBe(true);
    expect(wantsLiveProgress(tty, { CI: 'true' })).toBe(false);
    expect(wantsLiveProgress({ write: () => true }, {})).toBe(false);
    expect(wantsLiveProgress({ write: () => true, isTTY: false }, {})).toBe(false);
  });
});

describe('formatPropertyLine', () => {
  it('formats passed, skipped and failed properties, with and without a position', () => {
    expect(formatPropertyLine(passed, 1, 7)).toMatch(/^\[2\/7\] PASS conv-matches-reference {2}200 cases {2}\S+/);
    expect(formatPropertyLine(passed, undefined, undefined)).toMatch(/^PASS conv-matches-reference/);
    expect(formatPropertyLine(passed, 0, undefined)).toMatch(/^PASS /);
    expect(formatPropertyLine({ ...passed, status: 'skipped', skipReason: 'no dense' }, 0, 1)).toMatch(/SKIP .*\(no dense\)$/);
    expect(formatPropertyLine({ ...passed, status: 'interrupted', casesRun: 7 }, 0, 1)).toMatch(/STOP .*\(interrupted after 7 cases\)$/);
    expect(
      formatPropertyLine({ ...passed, status: 'failed', failure: { kind: 'timeout', problem: '', message: '', seed: 1 } }, 0, 1),
    ).toMatch(/FAIL .* — timeout$/);
  });
});

describe('createProgressReporter', () => {
  it('live: draws on start, throttles case redraws, clears before the finished line, truncates to the width', () => {
    let t = 0;
    const { chunks, stream } = sink(30);
    const p = createProgressReporter(stream, { live: true, now: () => t, redrawMs: 100 });
    p.onProgress({ type: 'property-start', id: 'conv-matches-reference', index: 0, count: 2, casesTotal: 10 } as never);
    expect(chunks).toHaveLength(1);
    expect(chunks[0].startsWith('\r\x1b[2K[1/2] conv-matches-refer')).toBe(true);
    expect(chunks[0].endsWith('…')).toBe(true);
    expect(chunks[0].length - '\r\x1b[2K'.length).toBe(29);
    t = 50;
    p.onProgress({ type: 'case', id: 'conv-matches-reference', casesDone: 1, casesTotal: 10 } as never);
    expect(chunks).toHaveLength(1); // throttled
    t = 200;
    p.onProgress({ type: 'case', id: 'other', casesDone: 9, casesTotal: 10 } as never); // another id: count unchanged
    expect(chunks).toHaveLength(2);
    p.onProgress({ type: 'property-end', result: passed } as never);
    expect(chunks[2]).toBe('\r\x1b[2K');
    expect(chunks[3]).toMatch(/^\[1\/2\] PASS conv-matches-reference/);
    p.stop();
    p.stop();
    expect(chunks).toHaveLength(4); // nothing drawn, so nothing to clear
  });

  it('live: shows cases done and uses 80 columns when the terminal reports none', () => {
    let t = 0;
    const { chunks, stream } = sink(0);
    const p = createProgressReporter(stream, { live: true, now: () => t });
    p.onProgress({ type: 'property-start', id: 'p', index: 2, count: 3, casesTotal: 4 } as never);
    t = 1000;
    p.onProgress({ type: 'case', id: 'p', casesDone: 3, casesTotal: 4 } as never);
    expect(chunks[1]).toMatch(/^\r\x1b\[2K\[3\/3\] p {2}3\/4 cases {2}\S+/);
    p.stop();
    expect(chunks.at(-1)).toBe('\r\x1b[2K');
    // After stop, finished properties still print, without a position when the start was not seen.
    p.onProgress({ type: 'property-start', id: 'q', index: 0, count: 1, casesTotal: 1 } as never);
    p.onProgress({ type: 'property-end', result: { ...passed, id: 'other' } } as never);
    expect(chunks.at(-1)).toMatch(/^PASS other/);
  });

  it('not live: only one plain line per finished property', () => {
    const { chunks, stream } = sink(80);
    const p = createProgressReporter(stream, { live: false });
    p.onProgress({ type: 'property-start', id: 'p', index: 0, count: 1, casesTotal: 2 } as never);
    p.onProgress({ type: 'case', id: 'p', casesDone: 1, casesTotal: 2 } as never);
    p.onProgress({ type: 'property-end', result: { ...passed, id: 'p' } } as never);
    p.stop();
    expect(chunks).toEqual([expect.stringMatching(/^\[1\/1\] PASS p {2}200 cases/)]);
  });
});
