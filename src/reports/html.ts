/**
 * The HTML report writer: `verification.html`, one standalone file (inline CSS, inline SVG, no
 * script, no external assets) with the summary, the failures and, for each failure that has
 * one, a heat-map of |actual − expected| / bound over the output.
 *
 * Heat-map layout:
 * - conv `[N, M, O1..On]`: the batch of the first mismatch (or the first batch with an
 *   out-of-bound element), one panel per output channel m. With more than `maxPanels`
 *   channels, the panels drawn are the first mismatch's channel, then the channels with
 *   out-of-bound elements, then the others, each in channel order (then shown sorted); a strip
 *   of every channel's worst ratio is drawn above them so no wrong channel goes unnoticed.
 *   - rank 1: each panel is a 1-row strip over x;
 *   - rank 2: each panel is an O1 × O2 grid (rows y, columns x);
 *   - rank 3: each panel shows the O1 slices (z) side by side, each an O2 × O3 grid, at most
 *     `maxSlices` of them (a window containing the first mismatch's slice). All slices rather
 *     than only the mismatch's slice, because "the first/last slice is wrong" is itself a
 *     pattern worth seeing.
 * - dense `[N, M]`: one N × M grid (rows are batch entries, columns outputs).
 * Large maps are max-pooled into k × k blocks (the worst ratio in the block; non-finite wins)
 * so the file stays small: at most `maxCells` SVG cells per heat-map.
 */
import type { CompleteCapabilities } from '../capabilities.js';
import { describeCapabilities } from '../capabilities.js';
import {
  type CoverageTable,
  type FailedProperty,
  type FailureDetail,
  type ModelReport,
  type PropertyResult,
  propertyReason,
  type VerificationReport,
} from '../runner/report.js';
import type { FailureHeatmap } from '../vocabulary.js';
import { escapeHtml as h } from './escape.js';
import {
  INTERRUPTED_NOTE,
  failureFields,
  formatCounts,
  formatDuration,
  formatIndex,
  formatRatio,
  formatSeed,
  interruptedSentence,
  statusLabel,
  verdictLabel,
} from './format.js';
import { kernelCoverageHtml } from './kernel-coverage-section.js';
import { platformNumericsRows } from './platform-section.js';
import type { ReportWriter } from './report-writer.js';
import { shapePlanView } from './shape-plan.js';

/** Options of the HTML writer. */
export interface HtmlReportOptions {
  /** Most channel panels drawn per heat-map (default 16). */
  maxPanels?: number;
  /** Most slices along the first spatial axis drawn per panel for 3-D outputs (default 8). */
  maxSlices?: number;
  /** Most SVG cells per heat-map; larger maps are max-pooled into blocks (default 20000, about 2 MB). */
  maxCells?: number;
}

/** Writes `verification.html`: a standalone page with summary, failures, heat-maps and coverage. */
export class HtmlReportWriter implements ReportWriter {
  readonly format = 'html';
  readonly fileName = 'verification.html';
  private readonly options: Required<HtmlReportOptions>;

  constructor(options: HtmlReportOptions = {}) {
    this.options = {
      maxPanels: Math.max(1, Math.floor(options.maxPanels ?? 16)),
      maxSlices: Math.max(1, Math.floor(options.maxSlices ?? 8)),
      maxCells: Math.max(1, Math.floor(options.maxCells ?? 20_000)),
    };
  }

  render(report: VerificationReport): string {
    const k = report.kernel;
    const verdict = verdictLabel(report);
    const failed = report.properties.filter((p): p is FailedProperty => p.status === 'failed');
    const body = [
      `<header><div class="tool">convcheck ${h(report.tool.version)} verification report</div>`,
      `<h1>${h(k.name)} <span class="verdict ${verdict.toLowerCase()}">${verdict}</span></h1>`,
      `<div class="counts">${h(formatCounts(report.summary))} in ${h(formatDuration(report.durationMs))}</div></header>`,
      report.status === 'interrupted'
        ? `<div class="interrupted"><strong>Interrupted — partial report.</strong> ${h(interruptedSentence(report.summary))}</div>`
        : '',
      metaList(report),
      '<h2>Properties</h2>',
      propertyTable(report.properties, report.summary.notRun),
      notesSection(report.properties),
      failed.length > 0 ? `<h2>Failures (${failed.length})</h2>` : '',
      ...failed.map((p) => failureSection(p, this.options)),
      platformSection(report),
      report.model !== undefined ? modelSection(report.model) : '',
      '<h2>Coverage</h2>',
      coverageTable(report.coverage),
      report.shapePlan !== undefined ? shapePlanSection(shapePlanView(report.shapePlan)) : '',
      report.kernelCoverage !== undefined ? kernelCoverageHtml(report.kernelCoverage) : '',
    ];
    return [
      '<!DOCTYPE html>',
      '<html lang="en">',
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      `<title>convcheck: ${h(k.name)} — ${verdict}${report.status === 'interrupted' ? ` (${INTERRUPTED_NOTE})` : ''}</title>`,
      `<style>${CSS}</style>`,
      '</head>',
      '<body><main>',
      ...body.filter((s) => s !== ''),
      '</main></body>',
      '</html>',
      '',
    ].join('\n');
  }
}

// ---------------------------------------------------------------------------------------------
// Summary, properties, failures, coverage

function metaList(r: VerificationReport): string {
  const o = r.options;
  const rows: Array<[string, string]> = [
    ['Kernel', r.kernel.name],
    ['Source', r.kernel.source],
    [
      'Precision',
      r.kernel.accumulation !== r.kernel.precision
        ? `${r.kernel.precision} storage, ${r.kernel.accumulation} accumulation`
        : r.kernel.precision,
    ],
    ['Error model', r.kernel.errorModel === 'normwise' ? `normwise, κ = ${r.kernel.errorFactor}` : 'elementwise'],
    ['Capabilities', capabilities(r.kernel.capabilities)],
    ['Seed', formatSeed(r)],
    ['Verdict', `${verdictLabel(r)}${r.status === 'interrupted' ? ` (${INTERRUPTED_NOTE})` : ''}`],
    ['Properties', formatCounts(r.summary)],
    ['Started', r.startedAt],
    ['Duration', formatDuration(r.durationMs)],
    [
      'Options',
      `${o.runs} runs per property, size ${o.size}, timeout ${o.timeoutMs} ms, properties: ${o.properties === 'all' ? 'all' : o.properties.join(', ')}`,
    ],
  ];
  return `<dl class="meta">${rows.map(([t, d]) => `<dt>${h(t)}</dt><dd>${h(d)}</dd>`).join('')}</dl>`;
}

/** What the numerics probe found and what the run did about it (docs/numerics.md). */
function platformSection(r: VerificationReport): string {
  const rows = platformNumericsRows(r.platformNumerics);
  return rows.length === 0
    ? ''
    : `<h2>Platform numerics</h2><dl class="meta">${rows.map(([t, d]) => `<dt>${h(t)}</dt><dd>${h(d)}</dd>`).join('')}</dl>`;
}

function capabilities(c: CompleteCapabilities): string {
  return describeCapabilities(c);
}

function propertyTable(props: readonly PropertyResult[], notRun: number): string {
  const rows = props.map((p) => {
    const s = statusLabel(p.status);
    return (
      `<tr><td><code>${h(p.id)}</code><div class="statement">${h(p.statement)}</div></td>` +
      `<td class="status ${s}">${s}</td><td class="num">${p.casesRun}</td>` +
      `<td class="num">${Math.round(p.durationMs)}</td><td>${h(propertyReason(p) ?? '')}</td></tr>`
    );
  });
  if (rows.length === 0) rows.push('<tr><td colspan="5" class="statement">No property ran.</td></tr>');
  if (notRun > 0) {
    rows.push(
      `<tr><td class="statement">${notRun} not run</td><td class="status STOP">NOT RUN</td><td class="num">0</td><td class="num">0</td><td>the run was interrupted before they started</td></tr>`,
    );
  }
  return (
    '<table class="props"><thead><tr><th>Property</th><th>Status</th><th class="num">Cases</th>' +
    `<th class="num">Time (ms)</th><th>Skip reason</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

/** What was cut short (shrinks stopped by a budget, shortened timeouts, interruptions), per property. */
function notesSection(props: readonly PropertyResult[]): string {
  const items = props.flatMap((p) => (p.notes ?? []).map((n) => `<li><code>${h(p.id)}</code>: ${h(n)}</li>`));
  return items.length === 0 ? '' : `<h2>What was cut short</h2><ul class="notes">${items.join('')}</ul>`;
}

function failureSection(p: FailedProperty, o: Required<HtmlReportOptions>): string {
  const f = p.failure;
  const head = `<section class="failure"><h3><code>${h(p.id)}</code> <span class="status FAIL">FAIL</span></h3><div class="statement">${h(p.statement)}</div>`;
  const fields = failureFields(f)
    .map(([label, value]) => `<dt>${h(label)}</dt><dd${label === 'Message' ? ' class="message"' : ''}>${h(value)}</dd>`)
    .join('');
  return [
    head,
    `<code class="problem">${h(f.problem)}</code>`,
    `<dl class="fields">${fields}</dl>`,
    f.replayCommand !== undefined ? `<div class="label">Replay</div><pre class="replay">${h(f.replayCommand)}</pre>` : '',
    f.heatmap !== undefined ? heatmapFigure(f, f.heatmap, o) : '',
    '</section>',
  ].join('\n');
}

function shapePlanSection(v: ReturnType<typeof shapePlanView>): string {
  const items = v.operators.map(
    (o) =>
      `<li>${h(o.headline)}${o.uncovered.length + (o.excluded ? 1 : 0) > 0 ? `<ul>${[...o.uncovered, ...(o.excluded ? [o.excluded] : [])].map((l) => `<li>${h(l)}</li>`).join('')}</ul>` : ''}</li>`,
  );
  return `<h2>Shape plan</h2><p>${h(v.headline)}</p><ul class="plan">${items.join('')}</ul>`;
}

/** The per-layer verdicts of a `--model` run, and the nodes left out. */
function modelSection(m: ModelReport): string {
  const rows = m.layers.map((l) => {
    const worst =
      l.worstErrorOverBound === undefined
        ? ''
        : typeof l.worstErrorOverBound === 'number'
          ? l.worstErrorOverBound === 0
            ? '0'
            : l.worstErrorOverBound.toPrecision(3)
          : l.worstErrorOverBound;
    const label = l.status === 'passed' ? 'PASS' : l.status === 'failed' ? 'FAIL' : 'SKIP';
    return (
      `<tr><td><code>${h(l.node)}</code></td><td>${h(l.opType)} → ${h(l.operator)}</td><td><code>${h(l.shapes)}</code></td>` +
      `<td><span class="status ${label}">${l.status === 'not-run' ? 'NOT RUN' : label}</span></td><td class="num">${l.cases}</td><td class="num">${h(worst)}</td>` +
      `<td>${l.failedProperties.map((id) => `<code>${h(id)}</code>`).join(' ')}</td><td>${l.counterexampleFile !== undefined ? `<code>${h(l.counterexampleFile)}</code>` : ''}</td></tr>`
    );
  });
  const skipped =
    m.skipped.length === 0
      ? ''
      : `<p>Skipped nodes (${m.skipped.length}):</p><ul class="notes">${m.skipped.map((s) => `<li><code>${h(s.node)}</code> (${h(s.opType)}): ${h(s.reason)}</li>`).join('')}</ul>`;
  return (
    `<h2>Model layers</h2><p><code>${h(m.file)}</code> (sha256 <code>${h(m.sha256.slice(0, 16))}</code>…) · data: ${m.data === 'real' ? "the model's own weights and activations" : "generated, of the layers' shapes"} · input <code>${h(m.input)}</code></p>` +
    `<table><thead><tr><th>Node</th><th>Operator</th><th>Shapes</th><th>Result</th><th class="num">Cases</th><th class="num">Worst error / bound</th><th>Failed properties</th><th>Counterexample</th></tr></thead><tbody>${rows.join('')}</tbody></table>${skipped}`
  );
}

function coverageTable(c: CoverageTable): string {
  if (c.rows.length === 0) return `<p>No cases counted (${c.total} total).</p>`;
  const max = Math.max(...c.rows.map((r) => r.count));
  const head = [...c.dimensions.map((d) => `<th>${h(d)}</th>`), '<th class="num">Cases</th><th>Share</th>'].join('');
  const rows = c.rows.map((r) => {
    const share = c.total > 0 ? (100 * r.count) / c.total : 0;
    const width = max > 0 ? Math.round((100 * r.count) / max) : 0;
    return (
      `<tr>${r.values.map((v) => `<td>${h(v)}</td>`).join('')}<td class="num">${r.count}</td>` +
      `<td class="share"><span class="bar" style="width:${width}%"></span> ${share.toFixed(1)}%</td></tr>`
    );
  });
  const combos = `${c.rows.length} parameter ${c.rows.length === 1 ? 'combination' : 'combinations'}`;
  return (
    `<details class="coverage" open><summary>${c.total} cases over ${combos}</summary>` +
    `<table><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></details>`
  );
}

// ---------------------------------------------------------------------------------------------
// Heat-map

/** Largest pooled grid side: past this, cells would be under 2 px in a panel. */
const MAX_GRID_SIDE = 128;
/** Target panel size in px; cells are sized to fit, between MIN_CELL_PX and MAX_CELL_PX. */
const PANEL_W = 480;
const PANEL_H = 200;
const MIN_CELL_PX = 2;
const MAX_CELL_PX = 20;
const SLICE_GAP = 6;
const LABEL_H = 13;
/** Margin around each SVG so the first-mismatch outline is not clipped on an edge cell. */
const MARGIN = 2;

/**
 * Colour bins: 0 is "within bound" (ratio ≤ 1); 1..6 are the decades (1, 10], (10, 10²], …,
 * (10⁵, ∞] on a log scale, light orange to dark red. Non-finite mismatches (ratio `null`) get
 * their own colour, `bn`.
 */
const BIN_LABELS = ['≤ 1 (within bound)', '(1, 10]', '(10, 10²]', '(10², 10³]', '(10³, 10⁴]', '(10⁴, 10⁵]', '> 10⁵ or ∞'];

/** A ratio as a number ≥ 0, or null for "non-finite mismatch". Accepts strings, as read back from JSON. */
function ratioOf(v: unknown): number | null {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isNaN(x) ? null : Math.abs(x);
}

function binOf(r: number | null): string {
  if (r === null) return 'bn';
  if (r <= 1) return 'b0';
  return `b${Math.min(6, Math.ceil(Math.log10(r)))}`;
}

/** Worst of two ratios: non-finite beats any number, else the larger. */
function worse(a: number | null | undefined, b: number | null): number | null {
  if (a === undefined) return b;
  if (a === null || b === null) return null;
  return Math.max(a, b);
}

function isBad(r: number | null): boolean {
  return r === null || r > 1;
}

/** Where the heat-map's cells come from: one panel per channel, slices × rows × cols each. */
interface MapGeometry {
  readonly dense: boolean;
  readonly shape: readonly number[];
  /** Channels M (1 for dense). */
  readonly channels: number;
  /** Number of slices: product of the spatial axes before the last two (1 for rank ≤ 2). */
  readonly slices: number;
  readonly rows: number;
  readonly cols: number;
  /** Spatial axis names, e.g. ['z','y','x']; empty for dense. */
  readonly axes: readonly string[];
}

function mapGeometry(shape: readonly number[]): MapGeometry | string {
  if (shape.length < 2) return `shape ${formatIndex(shape)} has fewer than 2 axes`;
  if (shape.some((d) => !Number.isInteger(d) || d < 1)) return `shape ${formatIndex(shape)} has an empty or invalid axis`;
  if (shape.length === 2) {
    return { dense: true, shape, channels: 1, slices: 1, rows: shape[0], cols: shape[1], axes: [] };
  }
  const spatial = shape.slice(2);
  const s = spatial.length;
  const axes = s === 1 ? ['x'] : s === 2 ? ['y', 'x'] : s === 3 ? ['z', 'y', 'x'] : spatial.map((_, i) => `d${i + 1}`);
  const rows = s >= 2 ? spatial[s - 2] : 1;
  const cols = spatial[s - 1];
  const slices = spatial.slice(0, Math.max(0, s - 2)).reduce((a, b) => a * b, 1);
  return { dense: false, shape, channels: shape[1], slices, rows, cols, axes };
}

/** The multi-index of cell (n, m, slice, row, col), as it appears in the output shape. */
function multiIndex(g: MapGeometry, n: number, m: number, slice: number, r: number, c: number): number[] {
  if (g.dense) return [r, c];
  const lead = g.shape.slice(2, Math.max(2, g.shape.length - 2));
  const leadIdx: number[] = new Array<number>(lead.length);
  for (let i = lead.length - 1, s = slice; i >= 0; i--) {
    leadIdx[i] = s % lead[i];
    s = Math.floor(s / lead[i]);
  }
  return g.shape.length === 3 ? [n, m, c] : [n, m, ...leadIdx, r, c];
}

/** (channel, slice, row, col) of a multi-index, or undefined if it does not fit the shape. */
function locate(
  g: MapGeometry,
  index: readonly number[] | undefined,
): { n: number; m: number; slice: number; r: number; c: number } | undefined {
  if (index === undefined || index.length !== g.shape.length) return undefined;
  if (index.some((v, i) => !Number.isInteger(v) || v < 0 || v >= g.shape[i])) return undefined;
  if (g.dense) return { n: 0, m: 0, slice: 0, r: index[0], c: index[1] };
  const rank = index.length;
  let slice = 0;
  for (let i = 2; i < rank - 2; i++) slice = slice * g.shape[i] + index[i];
  return { n: index[0], m: index[1], slice, r: rank >= 4 ? index[rank - 2] : 0, c: index[rank - 1] };
}

function heatmapFigure(f: FailureDetail, hm: FailureHeatmap, o: Required<HtmlReportOptions>): string {
  const g = mapGeometry(hm.shape);
  const total = hm.shape.reduce((a, b) => a * b, 1);
  if (typeof g === 'string' || hm.ratios.length !== total) {
    const why = typeof g === 'string' ? g : `${hm.ratios.length} ratios for shape ${formatIndex(hm.shape)} (${total} elements)`;
    return `<p class="note">Heat-map not drawn: ${h(why)}.</p>`;
  }
  const ratios = hm.ratios.map(ratioOf);
  const first = locate(g, f.index);
  const perBatch = g.channels * g.slices * g.rows * g.cols;

  // Batch drawn: the first mismatch's, else the first with an out-of-bound element.
  let n = first?.n ?? 0;
  if (first === undefined && !g.dense) {
    const bad = ratios.findIndex(isBad);
    if (bad >= 0) n = Math.floor(bad / perBatch);
  }
  const at = (m: number, s: number, r: number, c: number): number | null =>
    ratios[g.dense ? r * g.cols + c : (((n * g.channels + m) * g.slices + s) * g.rows + r) * g.cols + c];

  // Worst ratio and out-of-bound count of every channel (of batch n).
  const worst: Array<number | null> = [];
  const badCounts: number[] = [];
  for (let m = 0; m < g.channels; m++) {
    let w: number | null | undefined;
    let bad = 0;
    for (let s = 0; s < g.slices; s++) {
      for (let r = 0; r < g.rows; r++) {
        for (let c = 0; c < g.cols; c++) {
          const v = at(m, s, r, c);
          w = worse(w, v);
          if (isBad(v)) bad++;
        }
      }
    }
    worst.push(w === undefined ? 0 : w);
    badCounts.push(bad);
  }

  // Channels drawn: all if they fit; else the first mismatch's, then the wrong ones, then the rest.
  const all = Array.from({ length: g.channels }, (_, i) => i);
  const channels = [...new Set([...(first !== undefined && !g.dense ? [first.m] : []), ...all.filter((m) => badCounts[m] > 0), ...all])]
    .slice(0, o.maxPanels)
    .sort((a, b) => a - b);
  const hidden = g.channels - channels.length;

  // Slices drawn: a window of maxSlices containing the first mismatch's slice.
  const sliceCount = Math.min(g.slices, o.maxSlices);
  const sliceStart = first === undefined ? 0 : Math.min(Math.max(0, first.slice - Math.floor(sliceCount / 2)), g.slices - sliceCount);
  const slices = Array.from({ length: sliceCount }, (_, i) => sliceStart + i);

  // Pooling factor k: the smallest that keeps every grid side ≤ MAX_GRID_SIDE and the whole
  // figure within maxCells.
  let k = Math.max(1, Math.ceil(g.rows / MAX_GRID_SIDE), Math.ceil((g.cols * sliceCount) / MAX_GRID_SIDE));
  const cellsAt = (kk: number): number => channels.length * sliceCount * Math.ceil(g.rows / kk) * Math.ceil(g.cols / kk);
  while (cellsAt(k) > o.maxCells && k < Math.max(g.rows, g.cols)) k++;
  const gr = Math.ceil(g.rows / k);
  const gc = Math.ceil(g.cols / k);
  const px = Math.max(MIN_CELL_PX, Math.min(MAX_CELL_PX, Math.floor(PANEL_W / (gc * sliceCount)), Math.floor(PANEL_H / gr)));

  const panels = channels.map((m) => {
    const max = worst[m];
    const cells = g.slices * g.rows * g.cols;
    const title = g.dense ? `output [${g.rows}×${g.cols}]` : `m = ${m}`;
    const marked = first !== undefined && first.m === m;
    return (
      `<div class="panel${marked ? ' has-first' : ''}" data-channel="${m}">` +
      `<div class="panel-title">${h(title)}${marked ? ' <span class="first-label">first mismatch</span>' : ''}</div>` +
      panelSvg(g, n, m, slices, k, gr, gc, px, at, marked ? first : undefined) +
      `<div class="panel-note">${badCounts[m]} of ${cells} out of bound · max ${max === null ? 'non-finite' : formatRatio(max)}</div></div>`
    );
  });

  const dims = g.dense
    ? `rows are batch entries n (${g.rows}), columns outputs m (${g.cols})`
    : `${g.axes.length === 1 ? 'each strip runs over x' : g.axes.length === 2 ? 'rows are y, columns x' : `${g.axes.length === 3 ? 'z-slices side by side, labelled z' : 'slices side by side'}; rows are y, columns x`}`;
  const caption = [
    `|actual − expected| / bound over the output ${formatIndex(hm.shape)}`,
    g.dense ? '' : `batch n = ${n}`,
    dims,
    k > 1 ? `each cell is a ${k}×${k} block showing its worst ratio` : '',
    g.slices > sliceCount ? `slices ${sliceStart}–${sliceStart + sliceCount - 1} of ${g.slices} shown` : '',
  ]
    .filter((s) => s !== '')
    .join('; ');
  const more =
    hidden > 0
      ? `<p class="more">${hidden} more ${hidden === 1 ? 'channel' : 'channels'} not shown (channels ${h(describeChannels(channels))} of ${g.channels} are drawn: the first mismatch's, then those out of bound, then the rest).</p>`
      : '';
  return [
    '<figure class="heatmap">',
    `<figcaption>${h(caption)}.</figcaption>`,
    hidden > 0 ? channelStrip(n, worst, first?.m) : '',
    `<div class="panels">${panels.join('')}</div>`,
    more,
    legend(),
    '</figure>',
  ].join('\n');
}

type At = (m: number, s: number, r: number, c: number) => number | null;

function panelSvg(
  g: MapGeometry,
  n: number,
  m: number,
  slices: readonly number[],
  k: number,
  gr: number,
  gc: number,
  px: number,
  at: At,
  first: { slice: number; r: number; c: number } | undefined,
): string {
  const labelled = g.slices > 1;
  const top = labelled ? LABEL_H : 0;
  const sliceW = gc * px;
  const width = slices.length * sliceW + (slices.length - 1) * SLICE_GAP;
  const height = top + gr * px;
  const out: string[] = [`<svg class="hm${px >= 6 ? ' grid' : ''}" ${frame(width, height)} role="img">`];
  slices.forEach((s, si) => {
    const x0 = si * (sliceW + SLICE_GAP);
    if (labelled) {
      const lead = multiIndex(g, n, m, s, 0, 0).slice(2, -2);
      const label = g.axes.length === 3 ? `z=${lead[0]}` : lead.join(',');
      out.push(`<text x="${x0}" y="${LABEL_H - 3}">${h(label)}</text>`);
    }
    out.push('<g class="cells">');
    for (let br = 0; br < gr; br++) {
      for (let bc = 0; bc < gc; bc++) {
        const r0 = br * k;
        const c0 = bc * k;
        const r1 = Math.min(g.rows, r0 + k) - 1;
        const c1 = Math.min(g.cols, c0 + k) - 1;
        let v: number | null | undefined;
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) v = worse(v, at(m, s, r, c));
        const ratio = v === undefined ? 0 : v;
        const where =
          k === 1
            ? formatIndex(multiIndex(g, n, m, s, r0, c0))
            : blockLabel(multiIndex(g, n, m, s, r0, c0), multiIndex(g, n, m, s, r1, c1));
        const tip = `${where}: ${ratio === null ? 'non-finite mismatch' : `${k > 1 ? 'max ' : ''}|a−e|/bound = ${formatRatio(ratio)}`}`;
        out.push(
          `<rect x="${x0 + bc * px}" y="${top + br * px}" width="${px}" height="${px}" class="${binOf(ratio)}"><title>${h(tip)}</title></rect>`,
        );
      }
    }
    out.push('</g>');
    if (first !== undefined && first.slice === s) {
      const x = x0 + Math.floor(first.c / k) * px;
      const y = top + Math.floor(first.r / k) * px;
      // Two outlines (black outside, white inside) so the marker shows on every fill colour.
      out.push(
        `<g class="first-mismatch"><title>first mismatch</title>` +
          `<rect class="mark-outer" x="${x - 1}" y="${y - 1}" width="${px + 2}" height="${px + 2}"/>` +
          `<rect class="mark-inner" x="${x + 0.5}" y="${y + 0.5}" width="${Math.max(0, px - 1)}" height="${Math.max(0, px - 1)}"/></g>`,
      );
    }
  });
  out.push('</svg>');
  return out.join('');
}

/** Size attributes of an SVG whose drawing is `width` × `height`, with MARGIN on every side. */
function frame(width: number, height: number): string {
  const w = width + 2 * MARGIN;
  const hh = height + 2 * MARGIN;
  return `width="${w}" height="${hh}" viewBox="${-MARGIN} ${-MARGIN} ${w} ${hh}"`;
}

/** `[0,1,4..7,8..11]` for the block between two corner indices. */
function blockLabel(a: readonly number[], b: readonly number[]): string {
  return `[${a.map((v, i) => (v === b[i] ? String(v) : `${v}..${b[i]}`)).join(',')}]`;
}

/** A 1-row strip of each channel's worst ratio in batch n: shown when not every channel has a panel. */
function channelStrip(n: number, worst: ReadonlyArray<number | null>, firstM: number | undefined): string {
  const channels = worst.length;
  const px = Math.max(MIN_CELL_PX, Math.min(MAX_CELL_PX, Math.floor((PANEL_W * 2) / channels)));
  const cells: string[] = [];
  for (let m = 0; m < channels; m++) {
    const ratio = worst[m];
    const tip = `m = ${m}: ${ratio === null ? 'non-finite mismatch' : `max |a−e|/bound = ${formatRatio(ratio)}`}`;
    cells.push(`<rect x="${m * px}" y="0" width="${px}" height="${px}" class="${binOf(ratio)}"><title>${h(tip)}</title></rect>`);
  }
  const width = channels * px;
  const mark =
    firstM === undefined
      ? ''
      : `<g class="first-mismatch"><rect class="mark-outer" x="${firstM * px - 1}" y="-1" width="${px + 2}" height="${px + 2}"/></g>`;
  return (
    `<div class="strip"><div class="panel-title">Worst ratio per channel, batch n = ${n} (all ${channels} channels)</div>` +
    `<svg class="hm" ${frame(width, px)} role="img"><g class="cells">${cells.join('')}</g>${mark}</svg></div>`
  );
}

/** `0–14, 40` for a sorted list of channel numbers. */
function describeChannels(ms: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ms.length; ) {
    let j = i;
    while (j + 1 < ms.length && ms[j + 1] === ms[j] + 1) j++;
    parts.push(i === j ? String(ms[i]) : `${ms[i]}–${ms[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function legend(): string {
  const swatch = (cls: string, label: string): string =>
    `<span class="swatch"><svg width="14" height="14"><rect width="14" height="14" class="${cls}"/></svg>${h(label)}</span>`;
  return (
    '<div class="legend"><span class="legend-title">|actual − expected| / bound:</span>' +
    BIN_LABELS.map((label, i) => swatch(`b${i}`, label)).join('') +
    swatch('bn', 'non-finite mismatch') +
    '<span class="swatch"><svg width="14" height="14"><rect class="b0" width="14" height="14"/><rect class="mark-outer" x="1" y="1" width="12" height="12"/><rect class="mark-inner" x="2.5" y="2.5" width="9" height="9"/></svg>first mismatch</span>' +
    '</div>'
  );
}

// ---------------------------------------------------------------------------------------------

const CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d8dde6;--pass:#1a7f37;--fail:#c62828;--skip:#6b7280}
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 24px 48px}
h1{font-size:24px;margin:2px 0 4px;overflow-wrap:anywhere}
h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:16px;margin:0 0 2px}
.tool,.counts,.statement,.panel-note,figcaption,.more,.note{color:var(--muted)}
.tool{font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.verdict{display:inline-block;vertical-align:middle;margin-left:8px;padding:2px 10px;border-radius:4px;color:#fff;font-size:14px;letter-spacing:.03em}
.verdict.passed{background:var(--pass)}.verdict.failed{background:var(--fail)}.verdict.interrupted{background:#b07800}
.interrupted{margin:14px 0;padding:8px 12px;background:#fff4d6;border:1px solid #e0b000;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:12px 0}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
dd.message{white-space:pre-wrap}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.statement{font-size:12px}
.status{font-weight:700}.status.PASS{color:var(--pass)}.status.FAIL{color:var(--fail)}.status.SKIP{color:var(--skip)}.status.STOP{color:#b07800}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{margin:4px 0 12px;padding:10px 12px;background:#16202e;color:#e6edf3;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
.label{color:var(--muted);margin-top:8px}
section.failure{margin:14px 0;padding:12px 16px;background:#fff;border:1px solid var(--line);border-left:4px solid var(--fail);border-radius:4px}
.problem{display:block;margin:8px 0;padding:5px 8px;background:#f0f2f6;border-radius:3px;overflow-wrap:anywhere}
figure.heatmap{margin:12px 0 0}
figcaption{font-size:12.5px;margin-bottom:8px}
.panels{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
.panel,.strip{padding:6px;background:#fff;border:1px solid var(--line);border-radius:3px}
.strip{display:inline-block;margin-bottom:10px}
.panel.has-first{border-color:#222}
.panel-title{font-size:12px;font-weight:600;margin-bottom:4px}
.first-label{font-weight:400;color:var(--fail)}
.panel-note{font-size:11px;margin-top:3px}
svg{display:block}
svg text{font:10px system-ui,sans-serif;fill:var(--muted)}
.hm.grid .cells rect{stroke:#fff;stroke-width:.5}
.b0{fill:#d4eadf}.b1{fill:#fed976}.b2{fill:#feb24c}.b3{fill:#fd8d3c}.b4{fill:#fc4e2a}.b5{fill:#e31a1c}.b6{fill:#99000d}.bn{fill:#6a3d9a}
.mark-outer{fill:none;stroke:#000;stroke-width:2}.mark-inner{fill:none;stroke:#fff;stroke-width:1}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin-top:10px;font-size:12px}
.legend-title{color:var(--muted)}
.swatch{display:inline-flex;align-items:center;gap:5px}.swatch svg{border:1px solid var(--line);box-sizing:content-box}
.coverage summary{cursor:pointer;margin-bottom:8px;color:var(--muted)}
td.share{min-width:140px;white-space:nowrap}
.bar{display:inline-block;height:9px;background:#7aa6d8;vertical-align:middle}
`.trim();
