/**
 * The "Kernel coverage" section of the Markdown and HTML reports (`--coverage`, `--guided`):
 * per file the functions, branches and lines reached; the functions and branches never reached
 * (file:line); the shader variants with the call shapes that reached each; what guidance did.
 * Everything in it comes from the kernel's files or the kernel's shaders, so every string is
 * escaped by the writer's own escaper.
 */
import type { KernelCoverageReport, UnreachedCode } from '../runner/kernel-coverage-summary.js';
import { escapeHtml } from './escape.js';

/** How the Markdown writer escapes prose (`text`) and code spans (`code`). */
export interface MarkdownEscapers {
  text(s: string): string;
  code(s: string, inTable?: boolean): string;
}

const pct = (covered: number, total: number): string => (total === 0 ? '—' : `${covered}/${total} (${((100 * covered) / total).toFixed(0)}%)`);

function overview(kc: KernelCoverageReport): string {
  const mode = kc.guided ? 'guided generation' : 'coverage observed only (cases as without it)';
  return `${kc.calls} kernel calls observed; ${kc.libraries ? 'module files and the npm libraries they import' : "the kernel's own module files"}; ${mode}.`;
}

function more(shown: number, total: number): string | undefined {
  return total > shown ? `… and ${total - shown} more (see the HTML view)` : undefined;
}

/** The section in Markdown (lines, without a trailing blank). */
export function kernelCoverageMarkdown(kc: KernelCoverageReport, e: MarkdownEscapers): string[] {
  const out = ['## Kernel coverage', '', e.text(overview(kc)), ''];
  if (kc.note !== undefined) out.push(`> ${e.text(kc.note)}`, '');
  if (kc.outputs !== undefined) out.push(`HTML view: ${e.code(kc.outputs.html)} · lcov: ${e.code(kc.outputs.lcov)}`, '');
  if (kc.files.length > 0) {
    out.push('| File | Functions | Branches | Lines |', '| --- | ---: | ---: | ---: |');
    for (const f of kc.files) out.push(`| ${e.code(f.path, true)} | ${pct(f.functions.covered, f.functions.total)} | ${pct(f.branches.covered, f.branches.total)} | ${pct(f.lines.covered, f.lines.total)} |`);
    out.push('');
  }
  const list = (title: string, items: readonly UnreachedCode[], total: number) => {
    out.push(`### ${title} (${total})`, '');
    if (total === 0) out.push('None.', '');
    else {
      for (const u of items) out.push(`- ${e.code(`${u.path}:${u.line}`)} ${e.code(u.what)}`);
      const m = more(items.length, total);
      if (m !== undefined) out.push(`- ${e.text(m)}`);
      out.push('');
    }
  };
  list('Functions never reached', kc.unreachedFunctions, kc.unreachedFunctionCount);
  list('Branches never reached', kc.unreachedBranches, kc.unreachedBranchCount);
  out.push(`### Shader variants (${kc.shaderVariants.length})`, '');
  if (kc.shaderVariants.length === 0) out.push('None created (no WebGPU or WebGL program, or not a browser kernel).', '');
  else {
    out.push('| Variant | Kind | Shapes | Calls that reached it |', '| --- | --- | ---: | --- |');
    for (const v of kc.shaderVariants) {
      const shapes = v.shapes.map((s) => e.code(s, true)).join('<br>') + (v.shapeCount > v.shapes.length ? ` … +${v.shapeCount - v.shapes.length}` : '');
      out.push(`| ${e.code(v.sourceFile ?? v.key, true)} | ${e.text(v.kind)} | ${v.shapeCount} | ${shapes || e.text('(created, never used by a call)')} |`);
    }
    out.push('');
  }
  if (kc.guidance !== undefined && kc.guidance.length > 0) {
    out.push('### Guidance', '', '| Property | Random | Mutants | Kept | Kept mutants |', '| --- | ---: | ---: | ---: | ---: |');
    for (const g of kc.guidance) out.push(`| ${e.code(g.property, true)} | ${g.random} | ${g.mutants} | ${g.kept} | ${g.keptMutants} |`);
    out.push('');
  }
  return out;
}

/** The section in HTML. */
export function kernelCoverageHtml(kc: KernelCoverageReport): string {
  const h = escapeHtml;
  const parts = ['<h2>Kernel coverage</h2>', `<p>${h(overview(kc))}</p>`];
  if (kc.note !== undefined) parts.push(`<p class="statement">${h(kc.note)}</p>`);
  if (kc.outputs !== undefined) parts.push(`<p>HTML view: <code>${h(kc.outputs.html)}</code> · lcov: <code>${h(kc.outputs.lcov)}</code></p>`);
  if (kc.files.length > 0) {
    const rows = kc.files.map((f) => `<tr><td><code>${h(f.path)}</code></td><td class="num">${h(pct(f.functions.covered, f.functions.total))}</td><td class="num">${h(pct(f.branches.covered, f.branches.total))}</td><td class="num">${h(pct(f.lines.covered, f.lines.total))}</td></tr>`);
    parts.push(`<table><thead><tr><th>File</th><th class="num">Functions</th><th class="num">Branches</th><th class="num">Lines</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  const list = (title: string, items: readonly UnreachedCode[], total: number) => {
    const lis = items.map((u) => `<li><code>${h(`${u.path}:${u.line}`)}</code> <code>${h(u.what)}</code></li>`);
    const m = more(items.length, total);
    if (m !== undefined) lis.push(`<li>${h(m)}</li>`);
    parts.push(`<h3>${h(title)} (${total})</h3>`, total === 0 ? '<p>None.</p>' : `<ul class="unreached">${lis.join('')}</ul>`);
  };
  list('Functions never reached', kc.unreachedFunctions, kc.unreachedFunctionCount);
  list('Branches never reached', kc.unreachedBranches, kc.unreachedBranchCount);
  parts.push(`<h3>Shader variants (${kc.shaderVariants.length})</h3>`);
  if (kc.shaderVariants.length === 0) parts.push('<p>None created (no WebGPU or WebGL program, or not a browser kernel).</p>');
  else {
    const rows = kc.shaderVariants.map((v) => {
      const shapes = v.shapes.map((s) => `<code>${h(s)}</code>`).join('<br>') + (v.shapeCount > v.shapes.length ? ` … +${v.shapeCount - v.shapes.length}` : '');
      return `<tr><td><code>${h(v.sourceFile ?? v.key)}</code></td><td>${h(v.kind)}</td><td class="num">${v.shapeCount}</td><td>${shapes || h('(created, never used by a call)')}</td></tr>`;
    });
    parts.push(`<table><thead><tr><th>Variant</th><th>Kind</th><th class="num">Shapes</th><th>Calls that reached it</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  if (kc.guidance !== undefined && kc.guidance.length > 0) {
    const rows = kc.guidance.map((g) => `<tr><td><code>${h(g.property)}</code></td><td class="num">${g.random}</td><td class="num">${g.mutants}</td><td class="num">${g.kept}</td><td class="num">${g.keptMutants}</td></tr>`);
    parts.push('<h3>Guidance</h3>', `<table><thead><tr><th>Property</th><th class="num">Random</th><th class="num">Mutants</th><th class="num">Kept</th><th class="num">Kept mutants</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
  }
  return parts.join('\n');
}
