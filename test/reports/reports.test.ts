import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { completeCapabilities } from '../../src/capabilities.js';
import { escapeHtml, escapeXml, escapeXmlAttribute } from '../../src/reports/escape.js';
import { HtmlReportWriter } from '../../src/reports/html.js';
import { JsonReportWriter } from '../../src/reports/json.js';
import { JunitReportWriter } from '../../src/reports/junit.js';
import type { FailureHeatmap } from '../../src/vocabulary.js';
import { MarkdownReportWriter } from '../../src/reports/markdown.js';
import type { ReportWriter } from '../../src/reports/report-writer.js';
import { reportWriters, writeReports } from '../../src/reports/writer.js';
import { type FailureDetail, type PropertyResult, runVerdict, type VerificationReport } from '../../src/runner/report.js';

// ---------------------------------------------------------------------------------------------
// Report builders

const HOSTILE_NAME = `<script>alert(1)</script>&"'`;
const HOSTILE_MESSAGE = 'kernel said \u0000 no ]]> <b>bold</b> & "quoted" \u0007 bell';

/** A heat-map of `shape` with every ratio `base`, except the given cells. */
function heatmap(shape: number[], cells: Array<[index: number[], ratio: number | null]>, base = 0.25): FailureHeatmap {
  const size = shape.reduce((a, b) => a * b, 1);
  const ratios: Array<number | null> = new Array<number | null>(size).fill(base);
  for (const [index, ratio] of cells) {
    let flat = 0;
    for (let i = 0; i < shape.length; i++) flat = flat * shape[i] + index[i];
    ratios[flat] = ratio;
  }
  return { shape, ratios };
}

function mismatch(problem: string, index: number[], hm: FailureHeatmap, extra: Partial<FailureDetail> = {}): FailureDetail {
  return {
    kind: 'mismatch',
    problem,
    message: `output differs from the reference beyond the error bound at ${JSON.stringify(index)}`,
    regime: 'float',
    index,
    expected: 1.5,
    actual: 1.5000152587890625,
    error: 0.0000152587890625,
    bound: 3.0517578125e-7,
    errorOverBound: 50,
    seed: 1234,
    path: '7:2:0',
    replayCommand: 'npx convcheck replay reports/counterexamples/conv-rank2.json --kernel builtin:im2col',
    counterexampleFile: 'reports/counterexamples/conv-rank2.json',
    heatmap: hm,
    ...extra,
  };
}

/** A property result; a failed one without a `failure` gets a minimal one, a skipped one a reason. */
function prop(id: string, status: PropertyResult['status'], extra: Record<string, unknown> = {}): PropertyResult {
  const own =
    status === 'failed'
      ? { failure: { kind: 'threw', problem: '(none)', message: 'the kernel threw', seed: 1 } }
      : status === 'skipped'
        ? { skipReason: 'kernel has no dense' }
        : {};
  return {
    id,
    statement: `statement of ${id}`,
    status,
    ...own,
    casesRun: status === 'skipped' ? 0 : 100,
    durationMs: 12.4,
    ...extra,
  } as PropertyResult;
}

/** A run stopped while its third property ran: two passed, one interrupted, two never started. */
function interruptedReport(): VerificationReport {
  return report({
    status: 'interrupted',
    interrupted: true,
    properties: [
      prop('conv-matches-reference', 'passed'),
      prop('dense-matches-reference', 'passed'),
      prop('fc-equals-full-extent-conv', 'interrupted', { casesRun: 7 }),
    ],
    summary: { passed: 2, failed: 0, skipped: 0, interrupted: 1, notRun: 2, total: 5 },
  });
}

function report(overrides: Partial<VerificationReport> = {}): VerificationReport {
  const properties = overrides.properties ?? [prop('conv-matches-reference', 'passed'), prop('dense-equals-full-extent-conv', 'passed')];
  const count = (s: PropertyResult['status']): number => properties.filter((p) => p.status === s).length;
  const failed = count('failed');
  return {
    tool: { name: 'convcheck', version: '0.1.0' },
    kernel: {
      name: 'builtin:im2col',
      precision: 'float32',
      accumulation: 'float32',
      errorModel: 'elementwise',
      errorFactor: 1,
      capabilities: { ...completeCapabilities(undefined), maxElements: 1_000_000 },
      source: 'builtin:im2col',
    },
    seed: 1234,
    options: { runs: 100, size: 'default', timeoutMs: 5000, properties: 'all' },
    startedAt: '2026-01-02T03:04:05.678Z',
    durationMs: 2345.6,
    ...runVerdict(false, failed),
    summary: {
      passed: count('passed'),
      failed,
      skipped: count('skipped'),
      interrupted: count('interrupted'),
      notRun: 0,
      total: properties.length,
    },
    properties,
    coverage: {
      dimensions: ['rank', 'asymmetricPads', 'bias'],
      rows: [
        { values: ['1', 'no', 'yes'], count: 30 },
        { values: ['2', 'yes', 'no'], count: 50 },
        { values: ['3', 'no', 'no'], count: 20 },
      ],
      total: 100,
    },
    ...overrides,
  } as VerificationReport;
}

const RANK1 = 'x=[1,2,8] w=[2,2,3] strides=[1] pads=[0,0] dilations=[1] group=1 bias=yes regime=float';
const RANK2 = 'x=[1,2,6,7] w=[3,2,3,3] strides=[1,1] pads=[0,0,0,0] dilations=[1,1] group=1 bias=no regime=float';
const RANK3 = 'x=[1,2,5,6,6] w=[2,2,3,3,3] strides=[1,1,1] pads=[0,0,0,0,0,0] dilations=[1,1,1] group=1 bias=yes regime=float';
const DENSE = 'x=[3,10] w=[4,10] bias=yes regime=float';

/** A failing report: rank-1, rank-2 (with a non-finite cell), rank-3 and dense heat-maps, a throw, a skip. */
function failingReport(kernelName = 'builtin:im2col', message?: string): VerificationReport {
  const properties = [
    prop('conv-matches-reference', 'passed'),
    prop('conv1d-matches-reference', 'failed', { failure: mismatch(RANK1, [0, 1, 5], heatmap([1, 2, 6], [[[0, 1, 5], 50]])) }),
    prop('conv2d-matches-reference', 'failed', {
      failure: mismatch(
        RANK2,
        [0, 1, 2, 4],
        heatmap(
          [1, 3, 4, 5],
          [
            [[0, 1, 2, 4], 50],
            [[0, 1, 3, 4], null],
            [[0, 2, 0, 4], 2e7],
          ],
        ),
        message === undefined ? {} : { message },
      ),
    }),
    prop('conv3d-matches-reference', 'failed', {
      failure: mismatch(RANK3, [0, 1, 2, 0, 3], heatmap([1, 2, 3, 4, 4], [[[0, 1, 2, 0, 3], 300]])),
    }),
    prop('dense-matches-reference', 'failed', { failure: mismatch(DENSE, [2, 1], heatmap([3, 4], [[[2, 1], 5]])) }),
    prop('kernel-does-not-throw', 'failed', {
      failure: {
        kind: 'threw',
        problem: RANK2,
        message: message ?? 'TypeError: cannot read properties of undefined',
        seed: 99,
        path: '0',
      },
    }),
    prop('special-values-propagate', 'skipped', { skipReason: 'kernel does not support special values' }),
  ];
  return report({ kernel: { ...report().kernel, name: kernelName }, properties });
}

/** The HTML of one failure section, by property id. */
function section(html: string, id: string): string {
  const s = html
    .split('<section class="failure">')
    .slice(1)
    .find((part) => part.includes(`<code>${id}</code>`));
  if (s === undefined) throw new Error(`no failure section for ${id}`);
  return s.split('</section>')[0];
}

function countOf(haystack: string, needle: string | RegExp): number {
  return typeof needle === 'string' ? haystack.split(needle).length - 1 : (haystack.match(needle) ?? []).length;
}

// ---------------------------------------------------------------------------------------------
// A small XML well-formedness checker: enough for what junit.xml may contain (declaration,
// elements, attributes, text, entity and character references; no comments, CDATA or DTD).

const ILLEGAL_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const BAD_REFERENCE = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
const TAG = /^<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>$/;

/** Problems that make `xml` not well-formed; empty when it is. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  if (ILLEGAL_XML.test(xml)) problems.push('illegal character');
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  const stack: string[] = [];
  let roots = 0;
  for (const token of body.match(/<[^>]*>|[^<]+|</g) ?? []) {
    if (!token.startsWith('<')) {
      if (stack.length === 0 && token.trim() !== '') problems.push(`text outside the root: ${token.trim()}`);
      if (BAD_REFERENCE.test(token)) problems.push(`bare & in text: ${token}`);
      if (token.includes('>')) problems.push(`raw > in text: ${token}`);
      continue;
    }
    const m = TAG.exec(token);
    if (m === null) {
      problems.push(`malformed tag: ${token}`);
      continue;
    }
    const [, closing, name, attrs, selfClosing] = m;
    const names = [...attrs.matchAll(/([A-Za-z_][\w.:-]*)\s*=\s*"([^"]*)"/g)];
    if (new Set(names.map((a) => a[1])).size !== names.length) problems.push(`duplicate attribute in ${token}`);
    for (const a of names) if (BAD_REFERENCE.test(a[2])) problems.push(`bare & in attribute ${a[1]}`);
    if (closing) {
      if (attrs !== '' || selfClosing) problems.push(`malformed end tag: ${token}`);
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else {
      if (stack.length === 0) roots++;
      if (!selfClosing) stack.push(name);
    }
  }
  if (stack.length > 0) problems.push(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

/** Attribute maps of every `<tag …>` start tag (values unescaped only for `&amp;`-free comparisons). */
function startTags(xml: string, tag: string): Array<Record<string, string>> {
  return [...xml.matchAll(new RegExp(`<${tag}((?:\\s+[\\w.:-]+="[^"]*")*)\\s*/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w.:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );
}

describe('xmlProblems (the test helper)', () => {
  it('accepts a well-formed document and rejects broken ones', () => {
    expect(xmlProblems('<?xml version="1.0"?>\n<a x="1"><b/>t &amp; &#10;</a>\n')).toEqual([]);
    expect(xmlProblems('<a><b></a>')).not.toEqual([]);
    expect(xmlProblems('<a>x & y</a>')).not.toEqual([]);
    expect(xmlProblems('<a>]]></a>')).not.toEqual([]);
    expect(xmlProblems('<a x="<"/>')).not.toEqual([]);
    expect(xmlProblems('<a x="1" x="2"/>')).not.toEqual([]);
    expect(xmlProblems('<a>\u0000</a>')).not.toEqual([]);
    expect(xmlProblems('<a/><b/>')).not.toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('escape', () => {
  it('escapeHtml escapes the five significant characters and replaces control characters', () => {
    expect(escapeHtml(HOSTILE_NAME)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;');
    expect(escapeHtml('a\u0000b\u0008c\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
  });

  it('escapeXml makes ]]> and illegal XML 1.0 characters harmless', () => {
    expect(escapeXml('x ]]> y')).toBe('x ]]&gt; y');
    expect(escapeXml(`'\u0000\u000B\u000C\u001F\uFFFE\uD800'`)).toBe('&apos;\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD&apos;');
    expect(escapeXml('emoji \u{1F600} stays')).toBe('emoji \u{1F600} stays');
    expect(escapeXmlAttribute('a\tb\nc\rd"')).toBe('a&#9;b&#10;c&#13;d&quot;');
  });
});

describe('JSON report', () => {
  const writer = new JsonReportWriter();

  it('round-trips a failing report exactly', () => {
    const r = failingReport();
    const text = writer.render(r);
    expect(writer.fileName).toBe('verification.json');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "kernel": {');
    expect(JSON.parse(text)).toEqual(r);
  });

  it('writes non-finite numbers as strings instead of null', () => {
    const r = report({ kernel: { ...report().kernel, capabilities: completeCapabilities(undefined) } });
    const parsed = JSON.parse(writer.render(r)) as { kernel: { capabilities: { maxElements: unknown } } };
    expect(parsed.kernel.capabilities.maxElements).toBe('Infinity');
  });
});

describe('Markdown report', () => {
  const md = new MarkdownReportWriter();

  it('summarises a passing report', () => {
    const text = md.render(report());
    expect(md.fileName).toBe('verification.md');
    expect(text).toContain('# convcheck: builtin:im2col — PASSED');
    expect(text).toContain('**precision** float32 · **error model** elementwise · **seed** 1234 · **verdict** PASSED');
    expect(text).toContain('2 passed, 0 failed, 0 skipped of 2 properties · 2.35 s');
    expect(text).toContain('| `conv-matches-reference` | PASS | 100 | 12 |  |');
    expect(text).not.toContain('## Failures');
    expect(text).not.toContain('nterrupted');
  });

  it('lists every failure with its details and replay command', () => {
    const text = md.render(failingReport());
    expect(text).toContain('— FAILED');
    expect(text).toContain('| `conv2d-matches-reference` | FAIL | 100 | 12 |  |');
    expect(text).toContain('| `special-values-propagate` | SKIP | 0 | 12 | kernel does not support special values |');
    const failure = text.split('### `conv2d-matches-reference`')[1].split('### ')[0];
    expect(failure).toContain(`**Problem:** \`${RANK2}\``);
    expect(failure).toContain('- **Kind:** mismatch');
    expect(failure).toContain('- **Message:** output differs from the reference beyond the error bound at \\[0,1,2,4\\]');
    expect(failure).toContain('- **First mismatch:** `[0,1,2,4]`');
    expect(failure).toContain('- **Expected:** `1.5`');
    expect(failure).toContain('- **Actual:** `1.5000152587890625`');
    expect(failure).toContain('- **Error |actual − expected|:** `0.0000152587890625`');
    expect(failure).toContain('- **Bound:** `3.0517578125e-7`');
    expect(failure).toContain('- **Error / bound:** `50`');
    expect(failure).toContain('- **Seed:** `1234`');
    expect(failure).toContain('- **Path:** `7:2:0`');
    expect(failure).toContain('```sh\nnpx convcheck replay reports/counterexamples/conv-rank2.json --kernel builtin:im2col\n```');
    expect(text).toContain('### `kernel-does-not-throw`');
    expect(text).toContain('- **Kind:** threw');
  });

  it('marks an interrupted report (never PASSED, counting what did not run) and collapses the coverage table', () => {
    const text = md.render(interruptedReport());
    expect(text).toContain('# convcheck: builtin:im2col — INTERRUPTED');
    expect(text).not.toContain('PASSED');
    expect(text).toContain('**verdict** INTERRUPTED (interrupted — partial report)');
    expect(text).toContain(
      '> **Interrupted — partial report:** The run was stopped before every property finished: 2 of 5 finished, 1 interrupted while running, 2 not run.',
    );
    expect(text).toContain('2 passed, 0 failed, 0 skipped, 1 interrupted, 2 not run of 5 properties');
    expect(text).toContain('| `fc-equals-full-extent-conv` | STOP | 7 |');
    expect(text).toContain('| _2 not run_ | NOT RUN | 0 | 0 |');
    expect(text).toContain(
      '<details>\n<summary>100 cases over 3 parameter combinations</summary>\n\n| rank | asymmetricPads | bias | cases |',
    );
    expect(text).toContain('| 2 | yes | no | 50 |');
  });

  it('escapes hostile strings and fences code that contains backticks', () => {
    const r = failingReport(HOSTILE_NAME, 'bad | cell\nsecond line `x`');
    const withReplay = {
      ...r,
      properties: r.properties.map((p) =>
        p.status === 'failed' ? { ...p, failure: { ...p.failure, replayCommand: 'echo ```; rm -rf /' } } : p,
      ),
    };
    const text = md.render(withReplay);
    expect(text).not.toContain('<script>');
    expect(text).not.toContain('\u0000');
    expect(text).toContain('# convcheck: &lt;script&gt;alert(1)&lt;/script&gt;&amp;"\' — FAILED');
    expect(text).toContain('**Kernel** &lt;script&gt;alert(1)&lt;/script&gt;&amp;"\' (builtin:im2col)');
    // A multi-line message becomes a code block inside the list item.
    expect(text).toContain('- **Message:**\n\n  ```text\n  bad | cell\n  second line `x`\n  ```');
    expect(text).toContain('````sh\necho ```; rm -rf /\n````');
  });
});

describe('HTML report', () => {
  const writer = new HtmlReportWriter();
  const html = writer.render(failingReport());

  it('is one standalone file: no script, no external assets', () => {
    expect(writer.fileName).toBe('verification.html');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<style>');
    for (const banned of ['<script', 'src=', 'href=', '<link', '@import', 'url(', 'http:', 'https:', '<iframe', '<img']) {
      expect(html, banned).not.toContain(banned);
    }
    expect(countOf(html, '<html')).toBe(1);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('shows the summary, the property table and every failure detail', () => {
    expect(html).toContain('<title>convcheck: builtin:im2col — FAILED</title>');
    expect(html).toContain('<span class="verdict failed">FAILED</span>');
    expect(html).toContain('1 passed, 5 failed, 1 skipped of 7 properties');
    expect(html).toContain(
      '<td class="status SKIP">SKIP</td><td class="num">0</td><td class="num">12</td><td>kernel does not support special values</td>',
    );
    const s = section(html, 'conv2d-matches-reference');
    expect(s).toContain(`<code class="problem">${RANK2}</code>`);
    expect(s).toContain('<dt>First mismatch</dt><dd>[0,1,2,4]</dd>');
    expect(s).toContain('<dt>Actual</dt><dd>1.5000152587890625</dd>');
    expect(s).toContain('<dt>Bound</dt><dd>3.0517578125e-7</dd>');
    expect(s).toContain('<dt>Error / bound</dt><dd>50</dd>');
    expect(s).toContain('<dt>Path</dt><dd>7:2:0</dd>');
    expect(s).toContain('<pre class="replay">npx convcheck replay reports/counterexamples/conv-rank2.json --kernel builtin:im2col</pre>');
    expect(html).toContain('<details class="coverage" open><summary>100 cases over 3 parameter combinations</summary>');
    expect(html).not.toContain('<div class="interrupted">');
  });

  it('draws a rank-2 heat-map: one panel per channel, colour bins, tooltips and the first-mismatch marker', () => {
    const s = section(html, 'conv2d-matches-reference');
    expect(countOf(s, '<svg class="hm')).toBe(3);
    expect(countOf(s, /data-channel="\d+"/g)).toBe(3);
    expect(countOf(s, /<rect x="\d+" y="\d+" width="20" height="20" class="b[\dn]"/g)).toBe(3 * 4 * 5);
    // Cell [0,1,2,4] is 50× the bound: bin (10, 100]; cells are 20 px, so it sits at x=80, y=40.
    expect(s).toContain('<rect x="80" y="40" width="20" height="20" class="b2"><title>[0,1,2,4]: |a−e|/bound = 50</title></rect>');
    expect(s).toContain('<rect x="80" y="60" width="20" height="20" class="bn"><title>[0,1,3,4]: non-finite mismatch</title></rect>');
    expect(s).toContain('<rect x="80" y="0" width="20" height="20" class="b6"><title>[0,2,0,4]: |a−e|/bound = 2.000e+7</title></rect>');
    expect(s).toContain('<rect x="0" y="0" width="20" height="20" class="b0"><title>[0,0,0,0]: |a−e|/bound = 0.25</title></rect>');
    expect(countOf(s, 'class="first-mismatch"')).toBe(1);
    expect(s).toContain('<rect class="mark-outer" x="79" y="39" width="22" height="22"/>');
    expect(s).toMatch(/<div class="panel has-first" data-channel="1">.*first mismatch/);
    expect(s).toContain('2 of 20 out of bound · max non-finite');
    expect(s).toContain('batch n = 0; rows are y, columns x');
    expect(s).toContain('non-finite mismatch</span>');
  });

  it('draws a rank-1 heat-map as one-row strips', () => {
    const s = section(html, 'conv1d-matches-reference');
    expect(countOf(s, /data-channel="\d+"/g)).toBe(2);
    expect(s).toContain('<svg class="hm grid" width="124" height="24" viewBox="-2 -2 124 24"');
    expect(countOf(s, /<rect x="\d+" y="0" width="20" height="20" class="b\d"/g)).toBe(2 * 6);
    expect(s).toContain('<rect x="100" y="0" width="20" height="20" class="b2"><title>[0,1,5]: |a−e|/bound = 50</title></rect>');
    expect(s).toContain('<rect class="mark-outer" x="99" y="-1" width="22" height="22"/>');
  });

  it('draws a rank-3 heat-map as z-slices side by side', () => {
    const s = section(html, 'conv3d-matches-reference');
    expect(countOf(s, /data-channel="\d+"/g)).toBe(2);
    expect(countOf(s, '>z=0</text>')).toBe(2);
    expect(countOf(s, '>z=2</text>')).toBe(2);
    expect(countOf(s, /<rect x="\d+" y="\d+" width="20" height="20" class="b\d"/g)).toBe(2 * 3 * 4 * 4);
    // Slice z=2 starts at 2 × (4 cells × 20 px + 6 px gap) = 172; x=3 → 232; y = 13 px label + 0.
    expect(s).toContain('<rect x="232" y="13" width="20" height="20" class="b3"><title>[0,1,2,0,3]: |a−e|/bound = 300</title></rect>');
    expect(s).toContain('<rect class="mark-outer" x="231" y="12" width="22" height="22"/>');
  });

  it('draws a dense heat-map as one N×M grid', () => {
    const s = section(html, 'dense-matches-reference');
    expect(countOf(s, /data-channel="\d+"/g)).toBe(1);
    expect(countOf(s, /<rect x="\d+" y="\d+" width="20" height="20" class="b\d"/g)).toBe(12);
    expect(s).toContain('<rect x="20" y="40" width="20" height="20" class="b1"><title>[2,1]: |a−e|/bound = 5</title></rect>');
    expect(s).toContain('rows are batch entries n (3), columns outputs m (4)');
    expect(s).toContain('<rect class="mark-outer" x="19" y="39" width="22" height="22"/>');
    expect(s).not.toContain('batch n =');
  });

  it('draws no heat-map for a failure without one', () => {
    const s = section(html, 'kernel-does-not-throw');
    expect(s).toContain('<dt>Kind</dt><dd>threw</dd>');
    expect(s).not.toContain('<svg');
  });

  it('caps the panels, keeps the first mismatch channel and pools a 112×112 map', () => {
    const hm = heatmap(
      [1, 40, 112, 112],
      [
        [[0, 30, 50, 111], 1e3],
        [[0, 3, 0, 0], null],
      ],
    );
    const r = report({
      properties: [prop('big', 'failed', { failure: mismatch(RANK2, [0, 30, 50, 111], hm) })],
    });
    const big = new HtmlReportWriter().render(r);
    const s = section(big, 'big');
    expect(countOf(s, /data-channel="\d+"/g)).toBe(16);
    expect(s).toContain('data-channel="14"');
    expect(s).not.toContain('data-channel="15"');
    expect(s).toContain('<div class="panel has-first" data-channel="30">');
    expect(s).toContain('24 more channels not shown (channels 0–14, 30 of 40 are drawn: the first mismatch');
    // 20000 cells / 16 panels → 4×4 blocks: 28×28 cells per panel, plus the 40-cell channel strip.
    expect(s).toContain('each cell is a 4×4 block showing its worst ratio');
    expect(countOf(s, /<rect x="\d+" y="\d+" width="\d+" height="\d+" class="b[\dn]"/g)).toBe(16 * 28 * 28 + 40);
    expect(s).toContain('<title>[0,30,48..51,108..111]: max |a−e|/bound = 1000</title>');
    expect(s).toContain('<title>m = 3: non-finite mismatch</title>');
    expect(big.length).toBeLessThan(2_500_000);
    // A smaller cap is honoured.
    const capped = new HtmlReportWriter({ maxPanels: 4 }).render(r);
    expect(countOf(section(capped, 'big'), /data-channel="\d+"/g)).toBe(4);
    expect(capped).toContain('36 more channels not shown (channels 0–1, 3, 30 of 40 are drawn');
  });

  it('prefers the channels that are out of bound when not all fit', () => {
    const wrong = Array.from({ length: 20 }, (_, i): [number[], number] => [[0, 20 + i, 2, 2], 7]);
    const r = report({
      properties: [prop('many', 'failed', { failure: mismatch(RANK2, [0, 25, 2, 2], heatmap([1, 40, 3, 3], wrong)) })],
    });
    const s = section(new HtmlReportWriter().render(r), 'many');
    const drawn = [...s.matchAll(/data-channel="(\d+)"/g)].map((m) => Number(m[1]));
    expect(drawn).toEqual(Array.from({ length: 16 }, (_, i) => 20 + i));
    expect(s).toContain('24 more channels not shown (channels 20–35 of 40 are drawn');
    expect(s).toContain('<div class="panel-title">Worst ratio per channel, batch n = 0 (all 40 channels)</div>');
    expect(countOf(s, /<title>m = \d+: max \|a−e\|\/bound = 7<\/title>/g)).toBe(20);
  });

  it('says why a malformed heat-map is not drawn', () => {
    const r = report({
      properties: [prop('odd', 'failed', { failure: mismatch(RANK2, [0, 0, 0, 0], { shape: [1, 2, 3, 3], ratios: [1, 2] }) })],
    });
    const s = section(new HtmlReportWriter().render(r), 'odd');
    expect(s).toContain('Heat-map not drawn: 2 ratios for shape [1,2,3,3] (18 elements).');
    expect(s).not.toContain('<svg class="hm');
  });

  it('reads ratios written back as strings by the JSON writer', () => {
    const hm = heatmap([1, 1, 2, 2], [[[0, 0, 1, 1], Infinity]]);
    const r = report({ properties: [prop('exact', 'failed', { failure: mismatch(RANK2, [0, 0, 1, 1], hm) })] });
    const reread = JSON.parse(new JsonReportWriter().render(r)) as VerificationReport;
    const s = section(new HtmlReportWriter().render(reread), 'exact');
    expect(s).toContain('class="b6"><title>[0,0,1,1]: |a−e|/bound = Infinity</title>');
  });

  it('marks an interrupted report: its own verdict, never PASSED, with the properties not run counted', () => {
    const text = writer.render(interruptedReport());
    expect(text).toContain(
      '<div class="interrupted"><strong>Interrupted — partial report.</strong> The run was stopped before every property finished: 2 of 5 finished',
    );
    expect(text).toContain('<title>convcheck: builtin:im2col — INTERRUPTED (interrupted — partial report)</title>');
    expect(text).toContain('<span class="verdict interrupted">INTERRUPTED</span>');
    expect(text).not.toContain('PASSED');
    expect(text).toContain('<td class="status STOP">STOP</td>');
    expect(text).toContain('2 not run</td><td class="status STOP">NOT RUN</td>');
  });

  it('escapes hostile kernel names and messages', () => {
    const text = writer.render(failingReport(HOSTILE_NAME, HOSTILE_MESSAGE));
    expect(text).not.toContain('<script');
    expect(text).not.toContain('<b>');
    expect(text).not.toContain('\u0000');
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain(']]>');
    expect(text).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39; <span');
    expect(text).toContain('kernel said \uFFFD no ]]&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; \uFFFD bell');
  });
});

describe('JUnit report', () => {
  const writer = new JunitReportWriter();

  it('is well-formed with the right counts, one testcase per property', () => {
    const xml = writer.render(failingReport());
    expect(writer.fileName).toBe('junit.xml');
    expect(xmlProblems(xml)).toEqual([]);
    const [suite] = startTags(xml, 'testsuite');
    expect(suite).toMatchObject({
      name: 'convcheck: builtin:im2col',
      tests: '7',
      failures: '5',
      skipped: '1',
      errors: '0',
      time: '2.346',
      timestamp: '2026-01-02T03:04:05.678Z',
    });
    expect(startTags(xml, 'testsuites')[0]).toMatchObject({ tests: '7', failures: '5', skipped: '1' });
    const cases = startTags(xml, 'testcase');
    expect(cases.map((c) => c.name)).toEqual([
      'conv-matches-reference',
      'conv1d-matches-reference',
      'conv2d-matches-reference',
      'conv3d-matches-reference',
      'dense-matches-reference',
      'kernel-does-not-throw',
      'special-values-propagate',
    ]);
    expect(cases.every((c) => c.classname === 'convcheck.builtin:im2col' && c.time === '0.012')).toBe(true);
    expect(startTags(xml, 'failure').map((f) => f.type)).toEqual(['mismatch', 'mismatch', 'mismatch', 'mismatch', 'threw']);
    expect(startTags(xml, 'skipped')).toEqual([{ message: 'kernel does not support special values' }]);
    expect(xml).toContain('<property name="interrupted" value="false"/>');
  });

  it('puts the failure details in the text and one line in the message', () => {
    const xml = writer.render(failingReport());
    const failure = xml.split('name="conv2d-matches-reference"')[1].split('</testcase>')[0];
    expect(failure).toContain(
      `message="output differs from the reference beyond the error bound at [0,1,2,4] (${RANK2})" type="mismatch">`,
    );
    expect(failure).toContain(`Problem: ${RANK2}\n`);
    expect(failure).toContain('First mismatch: [0,1,2,4]\n');
    expect(failure).toContain('Expected: 1.5\nActual: 1.5000152587890625\n');
    expect(failure).toContain('Error / bound: 50\nSeed: 1234\nPath: 7:2:0\n');
    expect(failure).toContain('Replay: npx convcheck replay reports/counterexamples/conv-rank2.json --kernel builtin:im2col</failure>');
  });

  it('marks an interrupted run: never a green suite, the stopped property and the ones not run are errors', () => {
    const xml = writer.render(interruptedReport());
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).toContain('<property name="interrupted" value="true"/>');
    expect(xml).toContain('<property name="status" value="interrupted"/>');
    expect(xml).toContain('<testsuites name="convcheck" tests="4" failures="0" errors="2" skipped="0"');
    expect(xml).toMatch(
      /<testcase [^>]*name="fc-equals-full-extent-conv"[^>]*>\s*<error message="interrupted after 7 cases, before the property finished" type="interrupted"\/>/,
    );
    expect(xml).toMatch(
      /<testcase [^>]*name="interrupted" time="0">\s*<error message="run interrupted: 2 properties not run" type="interrupted">/,
    );
    expect(xml).toContain('<system-out>convcheck: interrupted — partial report. The run was stopped');
  });

  it('escapes hostile strings and stays well-formed', () => {
    const xml = writer.render(failingReport(HOSTILE_NAME, `${HOSTILE_MESSAGE}\nline two`));
    expect(xmlProblems(xml)).toEqual([]);
    expect(xml).not.toContain('<script');
    expect(xml).not.toContain('\u0000');
    expect(xml).not.toContain(']]>');
    expect(startTags(xml, 'testsuite')[0].name).toBe('convcheck: &lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;');
    expect(startTags(xml, 'testcase')[0].classname).toBe('convcheck.&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;');
    // The message attribute keeps only the first line; the text keeps both.
    expect(xml).toContain(
      'message="kernel said \uFFFD no ]]&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; \uFFFD bell (x=[1,2,6,7]',
    );
    expect(xml).toContain('Message: kernel said \uFFFD no ]]&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; \uFFFD bell\nline two\n');
  });
});

describe('writeReports', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  async function tempDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'convcheck-reports-'));
    dirs.push(d);
    return d;
  }

  it('creates the directory and writes every format, returning the paths', async () => {
    const dir = join(await tempDir(), 'nested', 'reports');
    const r = failingReport();
    const paths = await writeReports(r, dir);
    expect(paths).toEqual(['verification.json', 'verification.md', 'verification.html', 'junit.xml'].map((f) => join(dir, f)));
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'verification.html', 'verification.json', 'verification.md']);
    for (const [i, w] of reportWriters.entries()) expect(await readFile(paths[i], 'utf8')).toBe(w.render(r));
  });

  it('overwrites atomically: concurrent writes leave complete files and no temporaries', async () => {
    const dir = await tempDir();
    const a = failingReport();
    const b = interruptedReport();
    await Promise.all([writeReports(a, dir), writeReports(b, dir), writeReports(a, dir)]);
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'verification.html', 'verification.json', 'verification.md']);
    const json = await readFile(join(dir, 'verification.json'), 'utf8');
    expect([new JsonReportWriter().render(a), new JsonReportWriter().render(b)]).toContain(json);
  });

  it('writes nothing when a writer throws', async () => {
    const dir = join(await tempDir(), 'out');
    const broken: ReportWriter = {
      format: 'broken',
      fileName: 'broken.txt',
      render: () => {
        throw new Error('boom');
      },
    };
    await expect(writeReports(report(), dir, [new JsonReportWriter(), broken])).rejects.toThrow('boom');
    await expect(readdir(dir)).rejects.toThrow();
  });
});

describe('HTML: cases the pages above do not show', () => {
  const html = (r: VerificationReport) => new HtmlReportWriter().render(r);
  it('mixed precision and a normwise error model in the header; an empty run says no property ran', () => {
    const page = html(
      report({
        kernel: { ...report().kernel, precision: 'float16', accumulation: 'float32', errorModel: 'normwise', errorFactor: 4 },
        properties: [],
      }),
    );
    expect(page).toContain('<dd>float16 storage, float32 accumulation</dd>');
    expect(page).toContain('<dd>normwise, κ = 4</dd>');
    expect(page).toContain('No property ran.');
    expect(html(report())).toContain('<dd>float32</dd>');
  });
  it('a failed property without a heat-map or a mismatch index; a coverage table of zero cases draws empty bars', () => {
    const page = html(
      report({
        properties: [prop('conv-matches-reference', 'failed')],
        coverage: { dimensions: ['rank'], rows: [{ values: ['2'], count: 0 }], total: 0 },
      }),
    );
    expect(section(page, 'conv-matches-reference')).toContain('the kernel threw');
    expect(page).toContain('<span class="bar" style="width:0%"></span> 0.0%');
    expect(html(report({ coverage: { dimensions: ['rank'], rows: [], total: 3 } }))).toContain('No cases counted (3 total).');
  });
  it('heat-maps that cannot be drawn say why: fewer than 2 axes, an empty axis, ratios not matching the shape', () => {
    const page = (hm: FailureHeatmap) =>
      section(html(report({ properties: [prop('p', 'failed', { failure: mismatch(RANK1, [0], hm) })] })), 'p');
    expect(page({ shape: [4], ratios: [0, 0, 0, 0] })).toContain('Heat-map not drawn: shape [4] has fewer than 2 axes.');
    expect(page({ shape: [1, 0, 3], ratios: [] })).toContain('Heat-map not drawn: shape [1,0,3] has an empty or invalid axis.');
    expect(page({ shape: [1, 2, 3], ratios: [0, 1] })).toContain('Heat-map not drawn: 2 ratios for shape [1,2,3] (6 elements).');
  });
  it('--model layers: worst ratio 0, a number, text or none; a layer not run; skipped nodes listed', () => {
    const layer = (node: string, status: 'passed' | 'failed' | 'not-run', worst?: number | string) => ({
      index: 0,
      node,
      opType: 'Conv',
      operator: 'conv',
      shapes: 'x=[1,1,3,3]',
      status,
      cases: status === 'not-run' ? 0 : 2,
      properties: ['conv-matches-reference'],
      failedProperties: status === 'failed' ? ['conv-matches-reference'] : [],
      ...(worst !== undefined ? { worstErrorOverBound: worst } : {}),
      ...(status === 'failed' ? { counterexampleFile: 'c.json' } : {}),
    });
    const page = html(
      report({
        model: {
          file: 'net.onnx',
          sha256: 'ab'.repeat(32),
          data: 'generated',
          input: 'generated:1',
          layers: [layer('zero', 'passed', 0), layer('big', 'failed', 1234.5678), layer('text', 'passed', '∞'), layer('idle', 'not-run')],
          skipped: [{ node: 'q1', opType: 'QLinearConv', reason: 'quantized' }],
        },
      } as Partial<VerificationReport>),
    );
    expect(page).toContain("data: generated, of the layers' shapes");
    expect(page).toMatch(/<code>zero<\/code>.*?<td class="num">0<\/td>/);
    expect(page).toMatch(/<code>big<\/code>.*?FAIL.*?<td class="num">1.23e\+3<\/td>.*?<code>c\.json<\/code>/);
    expect(page).toMatch(/<code>text<\/code>.*?<td class="num">∞<\/td>/);
    expect(page).toMatch(/<code>idle<\/code>.*?NOT RUN<\/span><\/td><td class="num">0<\/td><td class="num"><\/td>/);
    expect(page).toContain('<p>Skipped nodes (1):</p><ul class="notes"><li><code>q1</code> (QLinearConv): quantized</li></ul>');
  });
});

describe('Markdown and JUnit: the same edge cases', () => {
  const modelReport = () =>
    report({
      durationMs: Number.NaN,
      properties: [prop('conv-matches-reference', 'failed'), prop('output-shape', 'skipped')],
      coverage: { dimensions: ['rank'], rows: [], total: 0 },
      model: {
        file: 'net.onnx',
        sha256: 'cd'.repeat(32),
        data: 'real',
        input: 'in.json',
        layers: [
          {
            index: 0,
            node: 'c1',
            opType: 'Conv',
            operator: 'conv',
            shapes: 'x=[1,1,3,3]',
            status: 'failed',
            cases: 1,
            properties: ['p'],
            failedProperties: ['p'],
          },
        ],
        skipped: [{ node: 'q1', opType: 'QLinearConv', reason: 'quantized' }],
      },
    } as Partial<VerificationReport>);
  it('Markdown: skipped model nodes listed, no cases counted', () => {
    const md = new MarkdownReportWriter().render(modelReport());
    expect(md).toContain('Skipped nodes (1):');
    expect(md).toMatch(/q1.*QLinearConv.*quantized/);
    expect(md).toContain('No cases counted (0 total).');
  });
  it('JUnit: a failure, a skip with its reason, a failed layer without a worst ratio, a non-finite duration as 0', () => {
    const xml = new JunitReportWriter().render(modelReport());
    expect(xml).toContain('<failure message="the kernel threw ((none))" type="threw">');
    expect(xml).toContain('<skipped message="kernel has no dense"/>');
    expect(xml).toContain('<failure message="failed p" type="failed"></failure>');
    expect(xml).toMatch(/time="0"/);
  });
});
