/**
 * The Markdown report writer: `verification.md`, a short human summary meant for a GitHub
 * Actions job summary (`cat verification.md >> "$GITHUB_STEP_SUMMARY"`).
 */
import { type CoverageTable, type FailedProperty, type ModelReport, propertyReason, type VerificationReport } from '../runner/report.js';
import { replaceIllegalXmlChars } from './escape.js';
import {
  INTERRUPTED_NOTE,
  failureFields,
  formatCounts,
  formatDuration,
  formatSeed,
  interruptedSentence,
  statusLabel,
  verdictLabel,
} from './format.js';
import { kernelCoverageMarkdown } from './kernel-coverage-section.js';
import { platformNumericsRows } from './platform-section.js';
import type { ReportWriter } from './report-writer.js';
import { shapePlanView } from './shape-plan.js';

/** Options of the Markdown writer. */
export interface MarkdownReportOptions {
  /** Put the coverage table inside a collapsed `<details>` block (default true). */
  collapseCoverage?: boolean;
}

/** Writes `verification.md`: headline, property table, one section per failure, coverage table. */
export class MarkdownReportWriter implements ReportWriter {
  readonly format = 'markdown';
  readonly fileName = 'verification.md';
  private readonly collapseCoverage: boolean;

  constructor(options: MarkdownReportOptions = {}) {
    this.collapseCoverage = options.collapseCoverage ?? true;
  }

  render(report: VerificationReport): string {
    const out: string[] = [];
    const k = report.kernel;
    out.push(`# convcheck: ${text(k.name)} — ${verdictLabel(report)}`, '');
    if (report.status === 'interrupted') out.push(`> **${cap(INTERRUPTED_NOTE)}:** ${text(interruptedSentence(report.summary))}`, '');
    out.push(
      `**Kernel** ${text(k.name)} (${text(k.source)}) · **precision** ${text(k.precision)}` +
        `${k.accumulation !== k.precision ? ` · **accumulation** ${text(k.accumulation)}` : ''}` +
        ` · **error model** ${text(k.errorModel === 'normwise' ? `normwise, κ = ${k.errorFactor}` : 'elementwise')} · **seed** ${text(formatSeed(report))}` +
        ` · **verdict** ${verdictLabel(report)}${report.status === 'interrupted' ? ` (${INTERRUPTED_NOTE})` : ''}`,
      '',
      `${text(formatCounts(report.summary))} · ${formatDuration(report.durationMs)} · ${report.options.runs} runs per property, size ${text(report.options.size)} · started ${text(report.startedAt)} · convcheck ${text(report.tool.version)}`,
      '',
    );

    out.push('## Properties', '', '| Property | Status | Cases | Time (ms) | Skip reason |', '| --- | --- | ---: | ---: | --- |');
    for (const p of report.properties) {
      out.push(
        `| ${code(p.id, true)} | ${statusLabel(p.status)} | ${p.casesRun} | ${Math.round(p.durationMs)} | ${text(propertyReason(p) ?? '')} |`,
      );
    }
    if (report.properties.length === 0) out.push('| _none_ | | | | |');
    if (report.summary.notRun > 0)
      out.push(`| _${report.summary.notRun} not run_ | NOT RUN | 0 | 0 | the run was interrupted before they started |`);
    out.push('');

    const failed = report.properties.filter((p): p is FailedProperty => p.status === 'failed');
    if (failed.length > 0) {
      out.push('## Failures', '');
      for (const p of failed) out.push(...failureSection(p));
    }
    const noted = report.properties.filter((p) => (p.notes?.length ?? 0) > 0);
    if (noted.length > 0) {
      out.push('## What was cut short', '');
      for (const p of noted) for (const n of p.notes!) out.push(`- ${code(p.id)}: ${text(n)}`);
      out.push('');
    }

    const platform = platformNumericsRows(report.platformNumerics);
    if (platform.length > 0)
      out.push('## Platform numerics', '', ...platform.map(([label, value]) => `- **${label}:** ${text(value)}`), '');
    if (report.model !== undefined) out.push(...modelSection(report.model));
    out.push(...coverageSection(report.coverage, this.collapseCoverage));
    if (report.shapePlan !== undefined) {
      const v = shapePlanView(report.shapePlan);
      out.push('## Shape plan', '', text(v.headline), '');
      for (const o of v.operators)
        out.push(`- ${text(o.headline)}`, ...[...o.uncovered, ...(o.excluded ? [o.excluded] : [])].map((l) => `  - ${text(l)}`));
      out.push('');
    }
    if (report.kernelCoverage !== undefined) out.push(...kernelCoverageMarkdown(report.kernelCoverage, { text, code }));
    return `${out.join('\n')}\n`;
  }
}

/** The per-layer verdicts of a `--model` run, and the nodes left out. */
function modelSection(m: ModelReport): string[] {
  const out = [
    '## Model layers',
    '',
    `${code(m.file)} (sha256 ${code(m.sha256.slice(0, 16))}…) · **data** ${m.data === 'real' ? "the model's own weights and activations" : "generated, of the layers' shapes"} · **input** ${code(m.input)}`,
    '',
    '| Node | Operator | Shapes | Result | Cases | Worst error / bound | Failed properties | Counterexample |',
    '| --- | --- | --- | --- | ---: | ---: | --- | --- |',
  ];
  for (const l of m.layers) {
    const worst =
      l.worstErrorOverBound === undefined
        ? ''
        : typeof l.worstErrorOverBound === 'number'
          ? l.worstErrorOverBound === 0
            ? '0'
            : l.worstErrorOverBound.toPrecision(3)
          : l.worstErrorOverBound;
    out.push(
      `| ${code(l.node, true)} | ${text(l.opType)} → ${text(l.operator)} | ${code(l.shapes, true)} | ${l.status === 'not-run' ? 'NOT RUN' : statusLabel(l.status)} | ${l.cases} | ${worst} | ${l.failedProperties.map((id) => code(id, true)).join(' ')} | ${l.counterexampleFile !== undefined ? code(l.counterexampleFile, true) : ''} |`,
    );
  }
  out.push('');
  if (m.skipped.length > 0) {
    out.push(`Skipped nodes (${m.skipped.length}):`, '');
    for (const s of m.skipped) out.push(`- ${code(s.node)} (${text(s.opType)}): ${text(s.reason)}`);
    out.push('');
  }
  return out;
}

/** Failure fields shown as prose; the others (numbers, indices, paths) as code, so they can be copied. */
const PROSE_FIELDS = new Set(['Kind', 'Message', 'Regime']);

function failureSection(p: FailedProperty): string[] {
  const out = [`### ${code(p.id)}`, '', text(p.statement), ''];
  const f = p.failure;
  out.push(`**Problem:** ${code(f.problem)}`, '');
  for (const [label, value] of failureFields(f)) {
    // A multi-line message (a stack trace, say) would break the list; give it a code block.
    if (value.includes('\n')) out.push(`- **${label}:**`, '', ...fenced(value, 'text', '  '), '');
    else out.push(`- **${label}:** ${PROSE_FIELDS.has(label) ? text(value) : code(value)}`);
  }
  out.push('');
  if (f.replayCommand !== undefined) out.push('Replay:', '', ...fenced(f.replayCommand, 'sh'), '');
  return out;
}

function coverageSection(c: CoverageTable, collapse: boolean): string[] {
  const combos = `${c.rows.length} parameter ${c.rows.length === 1 ? 'combination' : 'combinations'}`;
  const out = ['## Coverage', ''];
  if (c.rows.length === 0) return [...out, `No cases counted (${c.total} total).`, ''];
  // GitHub needs a blank line after </summary> to render the Markdown table inside <details>.
  if (collapse) out.push('<details>', `<summary>${c.total} cases over ${combos}</summary>`, '');
  else out.push(`${c.total} cases over ${combos}.`, '');
  out.push(`| ${[...c.dimensions, 'cases'].map(text).join(' | ')} |`, `| ${[...c.dimensions.map(() => '---'), '---:'].join(' | ')} |`);
  for (const r of c.rows) out.push(`| ${[...r.values.map(text), String(r.count)].join(' | ')} |`);
  out.push('');
  if (collapse) out.push('</details>', '');
  return out;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Escapes text for a Markdown paragraph or table cell: HTML-significant characters become
 * entities (a job summary renders inline HTML), Markdown punctuation (including the cell
 * separator `|`) is backslash-escaped, newlines become spaces.
 */
function text(s: string): string {
  return replaceIllegalXmlChars(s)
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]|~#!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * An inline code span: content is literal, so no escaping except choosing a backtick fence
 * longer than any backtick run inside. In a table `|` must still be escaped (GFM splits cells first).
 */
function code(s: string, inTable = false): string {
  let v = replaceIllegalXmlChars(s).replace(/\r?\n|\r/g, ' ');
  if (inTable) v = v.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = v.startsWith('`') || v.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${v}${pad}${fence}`;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
function fenced(s: string, lang: string, indent = ''): string[] {
  const v = replaceIllegalXmlChars(s).replace(/\r\n?/g, '\n');
  const longest = Math.max(0, ...(v.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...v.split('\n'), fence].map((line) => indent + line);
}
