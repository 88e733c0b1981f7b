/** verification.json keeps its format with the PropertyResult union: interrupted → skipReason, and back. */
import { describe, expect, it } from 'vitest';
import { JsonReportWriter, reportFromJson } from '../../src/reports/json.js';
import type { PropertyResult, VerificationReport } from '../../src/runner/report.js';

const properties: PropertyResult[] = [
  { id: 'a', statement: 'A', status: 'passed', casesRun: 200, durationMs: 5, distinctShapes: 180 },
  { id: 'b', statement: 'B', status: 'skipped', skipReason: 'kernel has no dense', casesRun: 0, durationMs: 0 },
  { id: 'c', statement: 'C', status: 'interrupted', casesRun: 7, durationMs: 3, notes: ['n'], distinctShapes: 7 },
];
const report = {
  tool: { name: 'convcheck', version: '0.1.0' },
  seed: 1,
  status: 'interrupted',
  interrupted: true,
  properties,
} as unknown as VerificationReport;

describe('JSON report: the union written in the format from before it', () => {
  it('an interrupted property is written with "skipReason": "interrupted after N cases", after its status', () => {
    const text = new JsonReportWriter().render(report);
    const written = JSON.parse(text).properties;
    expect(Object.keys(written[2])).toEqual([
      'id',
      'statement',
      'status',
      'skipReason',
      'casesRun',
      'durationMs',
      'notes',
      'distinctShapes',
    ]);
    expect(written[2].skipReason).toBe('interrupted after 7 cases');
    expect(written[2]).not.toHaveProperty('afterCases');
    expect(written.slice(0, 2)).toEqual(properties.slice(0, 2));
  });

  it('reportFromJson undoes it, key order included; a file without the reason reads the same', () => {
    const back = reportFromJson(JSON.parse(new JsonReportWriter().render(report)));
    expect(back.properties).toEqual(properties);
    expect(Object.keys(back.properties[2])).toEqual(Object.keys(properties[2]));
    const bare = { ...report, properties: [{ id: 'c', statement: 'C', status: 'interrupted', casesRun: 4, durationMs: 1 }] };
    expect(reportFromJson(bare as unknown as VerificationReport).properties).toEqual(bare.properties);
  });
});
