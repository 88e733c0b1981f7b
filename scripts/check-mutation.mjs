#!/usr/bin/env node
/**
 * Checks StrykerJS's JSON report (reports/mutation/mutation.json) against the per-file thresholds
 * of docs/mutation.md: ≥ 95 % for src/bound/, ≥ 90 % for every other mutated file. Prints one row
 * per file and the survivors not listed as equivalent; exits 1 when a file is below its threshold,
 * when a listed equivalent mutant no longer survives (the list is stale), or when the report is
 * missing or has pending mutants.
 *
 * Score = (killed + timed out) / (killed + timed out + survived + no coverage), the equivalent
 * mutants of scripts/mutation-equivalents.json left out of both counts (they cannot be killed:
 * no test can tell them from the original). The raw score, equivalents counted as survivors, is
 * printed beside it.
 *
 * Usage: node scripts/check-mutation.mjs [report.json]
 */
import { readFileSync } from 'node:fs';

const reportPath = process.argv[2] ?? 'reports/mutation/mutation.json';
const equivalentsPath = new URL('./mutation-equivalents.json', import.meta.url);

/** Threshold (percent) of a file, by its path. */
const thresholdOf = (file) => (file.startsWith('src/bound/') ? 95 : 90);

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

let report;
try {
  report = JSON.parse(readFileSync(reportPath, 'utf8'));
} catch (e) {
  console.error(`check-mutation: cannot read ${reportPath} (${e.message}); run npm run mutation first`);
  process.exit(1);
}
/** @type {Array<{file: string, mutator: string, original: string, replacement: string, why: string}>} */
const equivalents = JSON.parse(readFileSync(equivalentsPath, 'utf8')).equivalents;

/** The source text a mutant replaces (Stryker's locations: 1-based lines and columns). */
function originalText(source, { start, end }) {
  const lines = source.split('\n');
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  return [
    lines[start.line - 1].slice(start.column - 1),
    ...lines.slice(start.line, end.line - 1),
    lines[end.line - 1].slice(0, end.column - 1),
  ].join('\n');
}

const normalize = (p) => p.replaceAll('\\', '/').replace(/^.*?(?=src\/)/, '');
const used = new Set();
const rows = [];
const survivors = [];
let failed = false;

for (const [path, entry] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const file = normalize(path);
  let detected = 0;
  let undetected = 0;
  let equivalent = 0;
  let pending = 0;
  for (const m of entry.mutants) {
    if (m.status === 'Pending') pending++;
    if (DETECTED.has(m.status)) detected++;
    if (!UNDETECTED.has(m.status)) continue;
    const original = originalText(entry.source, m.location);
    const i = equivalents.findIndex(
      (q) => q.file === file && q.mutator === m.mutatorName && q.original === original && q.replacement === m.replacement,
    );
    if (i >= 0 && m.status === 'Survived') {
      equivalent++;
      used.add(i);
      continue;
    }
    undetected++;
    survivors.push(
      `${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${JSON.stringify(original)} → ${JSON.stringify(m.replacement)}`,
    );
  }
  const valid = detected + undetected;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  const raw = valid + equivalent === 0 ? 100 : (100 * detected) / (valid + equivalent);
  const threshold = thresholdOf(file);
  const ok = score >= threshold && pending === 0;
  if (!ok) failed = true;
  rows.push({ file, detected, undetected, equivalent, score, raw, threshold, ok, pending });
}

const pad = (s, n) => String(s).padEnd(n);
const padL = (s, n) => String(s).padStart(n);
const width = Math.max(4, ...rows.map((r) => r.file.length));
console.log(
  `${pad('file', width)}  ${padL('killed', 6)}  ${padL('survived', 8)}  ${padL('equiv.', 6)}  ${padL('score', 7)}  ${padL('raw', 7)}  ${padL('min', 4)}`,
);
for (const r of rows) {
  console.log(
    `${pad(r.file, width)}  ${padL(r.detected, 6)}  ${padL(r.undetected, 8)}  ${padL(r.equivalent, 6)}  ${padL(`${r.score.toFixed(1)}%`, 7)}  ${padL(`${r.raw.toFixed(1)}%`, 7)}  ${padL(`${r.threshold}%`, 4)}${r.ok ? '' : r.pending ? `  FAIL (${r.pending} pending)` : '  FAIL'}`,
  );
}
const total = rows.reduce((a, r) => ({ d: a.d + r.detected, u: a.u + r.undetected, e: a.e + r.equivalent }), { d: 0, u: 0, e: 0 });
console.log(
  `${pad('all files', width)}  ${padL(total.d, 6)}  ${padL(total.u, 8)}  ${padL(total.e, 6)}  ${padL(`${((100 * total.d) / Math.max(1, total.d + total.u)).toFixed(1)}%`, 7)}  ${padL(`${((100 * total.d) / Math.max(1, total.d + total.u + total.e)).toFixed(1)}%`, 7)}`,
);

if (survivors.length > 0) {
  console.log(`\n${survivors.length} mutant(s) not detected and not listed as equivalent:`);
  for (const s of survivors) console.log(`  ${s}`);
}
// a run restricted with --mutate reports only some files: equivalents of the others are not stale
const reported = new Set(rows.map((r) => r.file));
const stale = equivalents.filter((q, i) => reported.has(q.file) && !used.has(i));
if (stale.length > 0) {
  failed = true;
  console.log(
    `\n${stale.length} listed equivalent mutant(s) not found among the survivors (killed now, or the code moved): update scripts/mutation-equivalents.json`,
  );
  for (const q of stale) console.log(`  ${q.file} ${q.mutator}: ${JSON.stringify(q.original)} → ${JSON.stringify(q.replacement)}`);
}
console.log(failed ? '\ncheck-mutation: FAILED' : '\ncheck-mutation: every file meets its threshold');
process.exit(failed ? 1 : 0);
