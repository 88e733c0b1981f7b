/**
 * src/cli/model.ts's pure parts: the per-layer verdict lines for the terminal, and
 * `--model-data both` running real then generated data into two folders with the worse exit code
 * (a signal's code at once).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerifyCommand } from '../../src/cli/args.js';
import { formatLayerVerdicts, runBothData } from '../../src/cli/model.js';
import type { ModelReport } from '../../src/runner/report.js';

describe('formatLayerVerdicts', () => {
  it('one line per layer, padded to the longest node name; worst ratio 0, 3 digits or text; failures, files and skipped nodes', () => {
    const layer = (node: string, status: 'passed' | 'failed' | 'not-run', extra: object = {}) => ({
      index: 0,
      node,
      opType: 'Conv',
      operator: 'conv',
      shapes: 'x=[1,1,3,3]',
      status,
      cases: 2,
      properties: [],
      failedProperties: [],
      ...extra,
    });
    const m = {
      file: 'n.onnx',
      sha256: '0',
      data: 'generated',
      input: 'generated:1',
      layers: [
        layer('a', 'passed', { worstErrorOverBound: 0 }),
        layer('conv_long', 'failed', { worstErrorOverBound: 1234.5, failedProperties: ['p1', 'p2'], counterexampleFile: 'ce.json' }),
        layer('c', 'passed', { worstErrorOverBound: 'NaN' }),
        layer('d', 'not-run', { cases: 0 }),
      ],
      skipped: [{ node: 'q', opType: 'QLinearConv', reason: 'quantized' }],
    } as unknown as ModelReport;
    expect(formatLayerVerdicts(m).split('\n')).toEqual([
      'Model layers (generated data):',
      '  PASS    a          Conv          x=[1,1,3,3]  2 cases  worst error/bound 0',
      '  FAIL    conv_long  Conv          x=[1,1,3,3]  2 cases  worst error/bound 1.23e+3  failed: p1, p2  ce.json',
      '  PASS    c          Conv          x=[1,1,3,3]  2 cases  worst error/bound NaN',
      '  NOT RUN d          Conv          x=[1,1,3,3]  0 cases',
      '  SKIPPED q          QLinearConv   quantized',
      '',
    ]);
    expect(formatLayerVerdicts({ ...m, data: 'real', layers: [], skipped: [] })).toBe('Model layers (real data):\n');
  });
});

describe('runBothData', () => {
  const cmd = { kind: 'verify', reportDir: 'out', model: { file: 'n.onnx', data: 'both' } } as unknown as VerifyCommand & {
    model: NonNullable<VerifyCommand['model']>;
  };
  const runner = (codes: number[]) => {
    const seen: Array<[string | undefined, string]> = [];
    const run = async (c: VerifyCommand) => {
      seen.push([c.model?.data, c.reportDir]);
      return codes[seen.length - 1];
    };
    return { seen, run };
  };
  it('real into OUT/real, then generated into OUT/generated; the worse of 0, 1, 2 wins', async () => {
    for (const [codes, expected] of [
      [[0, 0], 0],
      [[1, 0], 1],
      [[0, 1], 1],
      [[2, 1], 2],
    ] as Array<[number[], number]>) {
      const { seen, run } = runner(codes);
      expect(await runBothData(cmd, run)).toBe(expected);
      expect(seen).toEqual([
        ['real', join('out', 'real')],
        ['generated', join('out', 'generated')],
      ]);
    }
  });
  it("a signal's code in the real run stops there; in the generated run it is the result", async () => {
    const stopped = runner([130, 0]);
    expect(await runBothData(cmd, stopped.run)).toBe(130);
    expect(stopped.seen).toHaveLength(1);
    const late = runner([1, 143]);
    expect(await runBothData(cmd, late.run)).toBe(143);
  });
});
