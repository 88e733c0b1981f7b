/**
 * The JUnit XML report writer: `junit.xml`, one `<testcase>` per property, for CI systems that
 * display test results (GitLab, Jenkins, GitHub test-report actions).
 */
import { interruptedReason, type ModelReport, type PropertyResult, type VerificationReport } from '../runner/report.js';
import { escapeXml, escapeXmlAttribute } from './escape.js';
import { INTERRUPTED_NOTE, failureFields, formatSeed, interruptedSentence } from './format.js';
import { platformNumericsRows } from './platform-section.js';
import type { ReportWriter } from './report-writer.js';

/** Writes `junit.xml`: `<testsuites>` with one `<testsuite>` for the kernel and one `<testcase>` per property. */
export class JunitReportWriter implements ReportWriter {
  readonly format = 'junit';
  readonly fileName = 'junit.xml';

  render(report: VerificationReport): string {
    const kernel = report.kernel.name;
    // Counted from the listed properties (not `report.summary`) so the attributes always agree
    // with the <testcase> elements, which is what JUnit consumers check. An interrupted run is
    // never a green suite: the property that was stopped is an <error>, and one more <error>
    // test case stands for the properties that never ran.
    const props = report.properties;
    const stopped = report.status === 'interrupted';
    const failures = props.filter((p) => p.status === 'failed').length;
    const skipped = props.filter((p) => p.status === 'skipped').length;
    const errors = props.filter((p) => p.status === 'interrupted').length + (stopped ? 1 : 0);
    const tests = props.length + (stopped ? 1 : 0);
    const counts = `tests="${tests}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds(report.durationMs)}"`;
    const out = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="convcheck" ${report.model === undefined ? counts : withLayers(report.model, tests, failures, errors, skipped, report.durationMs)}>`,
      `  <testsuite name="${attr(`convcheck: ${kernel}`)}" ${counts} timestamp="${attr(report.startedAt)}">`,
      '    <properties>',
      ...[
        ['kernel', kernel],
        ['source', report.kernel.source],
        ['precision', report.kernel.precision],
        ['accumulation', report.kernel.accumulation],
        ['errorModel', report.kernel.errorModel],
        ['errorFactor', String(report.kernel.errorFactor)],
        ['seed', String(report.seed)],
        ...(report.seedGiven !== undefined ? [['seed-given', formatSeed(report)]] : []),
        ['status', report.status],
        ['runs', String(report.options.runs)],
        ['size', report.options.size],
        ['interrupted', String(report.interrupted)],
        ['convcheck', report.tool.version],
        // the numerics probe's findings, one property per row of the reports' "Platform numerics"
        ...platformNumericsRows(report.platformNumerics).map(([label, value]) => [`platform-numerics: ${label}`, value]),
      ].map(([name, value]) => `      <property name="${attr(name)}" value="${attr(value)}"/>`),
      '    </properties>',
    ];
    for (const p of props) out.push(...testcase(`convcheck.${kernel}`, p));
    if (stopped) {
      const sentence = interruptedSentence(report.summary);
      out.push(
        `    <testcase classname="${attr(`convcheck.${kernel}`)}" name="interrupted" time="0">`,
        `      <error message="${attr(`run interrupted: ${report.summary.notRun} properties not run`)}" type="interrupted">${escapeXml(sentence)}</error>`,
        '    </testcase>',
        `    <system-out>${escapeXml(`convcheck: ${INTERRUPTED_NOTE}. ${sentence}`)}</system-out>`,
      );
    }
    out.push('  </testsuite>');
    if (report.model !== undefined) out.push(...modelSuite(report.model, kernel));
    out.push('</testsuites>');
    return `${out.join('\n')}\n`;
  }
}

/** The `<testsuites>` counts with the model suite's layers added. */
function withLayers(m: ModelReport, tests: number, failures: number, errors: number, skipped: number, ms: number): string {
  const failed = m.layers.filter((l) => l.status === 'failed').length;
  const notRun = m.layers.filter((l) => l.status === 'not-run').length;
  return `tests="${tests + m.layers.length}" failures="${failures + failed}" errors="${errors}" skipped="${skipped + notRun}" time="${seconds(ms)}"`;
}

/** A `<testsuite>` of the model's layers: one `<testcase>` per layer, failed when a property failed on it. */
function modelSuite(m: ModelReport, kernel: string): string[] {
  const failed = m.layers.filter((l) => l.status === 'failed').length;
  const notRun = m.layers.filter((l) => l.status === 'not-run').length;
  const classname = `convcheck.${kernel}.model`;
  const out = [
    `  <testsuite name="${attr(`convcheck model layers: ${m.file}`)}" tests="${m.layers.length}" failures="${failed}" errors="0" skipped="${notRun}" time="0">`,
  ];
  for (const l of m.layers) {
    const open = `    <testcase classname="${attr(classname)}" name="${attr(`${l.node} (${l.opType}) ${l.shapes}`)}" time="0"`;
    if (l.status === 'passed') out.push(`${open}/>`);
    else if (l.status === 'not-run') out.push(`${open}>`, '      <skipped message="no property ran this layer"/>', '    </testcase>');
    else {
      const worst = l.worstErrorOverBound === undefined ? '' : `; worst error/bound ${l.worstErrorOverBound}`;
      out.push(
        `${open}>`,
        `      <failure message="${attr(`failed ${l.failedProperties.join(', ')}${worst}`)}" type="failed">${escapeXml(l.counterexampleFile ?? '')}</failure>`,
        '    </testcase>',
      );
    }
  }
  out.push('  </testsuite>');
  return out;
}

function testcase(classname: string, p: PropertyResult): string[] {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(p.id)}" time="${seconds(p.durationMs)}"`;
  if (p.status === 'passed') return [`${open}/>`];
  if (p.status === 'skipped') {
    return [`${open}>`, `      <skipped message="${attr(p.skipReason)}"/>`, '    </testcase>'];
  }
  if (p.status === 'interrupted') {
    const why = `${interruptedReason(p.casesRun)}, before the property finished`;
    return [`${open}>`, `      <error message="${attr(why)}" type="interrupted"/>`, '    </testcase>'];
  }
  const f = p.failure;
  // The message attribute is what most CI UIs show in their list: keep it to one line.
  const message = `${f.message.split(/\r?\n/, 1)[0]} (${f.problem})`;
  const details = [
    p.statement,
    `Problem: ${f.problem}`,
    ...failureFields(f).map(([label, value]) => `${label}: ${value}`),
    ...(f.replayCommand !== undefined ? [`Replay: ${f.replayCommand}`] : []),
  ].join('\n');
  return [
    `${open}>`,
    `      <failure message="${attr(message)}" type="${attr(f.kind)}">${escapeXml(details)}</failure>`,
    '    </testcase>',
  ];
}

function attr(s: string): string {
  return escapeXmlAttribute(s);
}

/** JUnit times are seconds with a decimal point. */
function seconds(ms: number): string {
  return Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '0';
}
