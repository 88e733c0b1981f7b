#!/usr/bin/env node
// Compares two trees of convcheck reports — the JSON files under dirA and dirB (each run's
// verification.json and its saved counterexamples), paired by their path below the dir — with the
// measured fields removed, and prints every difference. Exit 0 when they are the same, 1 when
// they differ (or a file is on one side only), 2 on a usage error.
//
//   node scripts/compare-reports.mjs ba-before ba-after
//
// Removed as measured, not behaviour: durationMs (run and property), startedAt, shapePlan.buildMs,
// a counterexample's savedAt. A report names its own directory in saved-counterexample paths and
// replay commands: each tree's directory name is replaced by <dir> before comparing, so two trees
// written under different names (ba-before, ba-after) compare equal. Everything else counts,
// notes included: a note that depends on time (a shrink stopped by its budget, a slow call) shows
// up as a difference, which is the point (docs/architecture.md, "Behaviour kept").
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

const MEASURED = new Set(['durationMs', 'startedAt', 'buildMs', 'savedAt']);

/** The JSON files under `dir`, relative to it, sorted. */
function jsonFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The value with measured fields removed and the tree's own name replaced by `<dir>` in strings. */
function normalized(value, name) {
  if (typeof value === 'string') return value.split(name).join('<dir>');
  if (Array.isArray(value)) return value.map((v) => normalized(v, name));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !MEASURED.has(k))
        .map(([k, v]) => [k, normalized(v, name)]),
    );
  }
  return value;
}

/** Every difference between `a` and `b`, as `path: a → b` lines (key order counts: the file is compared as written). */
function differences(a, b, path, out) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  const objects = a !== null && b !== null && typeof a === 'object' && typeof b === 'object';
  if (objects && Array.isArray(a) === Array.isArray(b)) {
    const keys = Array.isArray(a)
      ? [...Array(Math.max(a.length, b.length)).keys()].map(String)
      : [...new Set([...Object.keys(a), ...Object.keys(b)])];
    const before = out.length;
    for (const k of keys) differences(a[k], b[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`, out);
    // same entries in another order
    if (out.length === before) out.push(`${path}: the same fields in another order`);
    return out;
  }
  const show = (v) => (v === undefined ? '(absent)' : JSON.stringify(v).slice(0, 300));
  out.push(`${path}: ${show(a)} → ${show(b)}`);
  return out;
}

function main(argv) {
  if (argv.length !== 2) {
    process.stderr.write('usage: node scripts/compare-reports.mjs DIR_A DIR_B\n');
    return 2;
  }
  const [dirA, dirB] = argv.map((d) => resolve(d));
  for (const d of [dirA, dirB]) {
    if (!statSync(d, { throwIfNoEntry: false })?.isDirectory()) {
      process.stderr.write(`compare-reports: ${d} is not a directory\n`);
      return 2;
    }
  }
  const filesA = jsonFiles(dirA);
  const filesB = jsonFiles(dirB);
  const onlyA = filesA.filter((f) => !filesB.includes(f));
  const onlyB = filesB.filter((f) => !filesA.includes(f));
  let differing = 0;
  for (const f of onlyA) process.stdout.write(`only in ${dirA}: ${f}\n`);
  for (const f of onlyB) process.stdout.write(`only in ${dirB}: ${f}\n`);
  const both = filesA.filter((f) => filesB.includes(f));
  for (const f of both) {
    const a = normalized(JSON.parse(readFileSync(join(dirA, f), 'utf8')), basename(dirA));
    const b = normalized(JSON.parse(readFileSync(join(dirB, f), 'utf8')), basename(dirB));
    const diffs = differences(a, b, '', []);
    if (diffs.length === 0) continue;
    differing++;
    process.stdout.write(`${f}: ${diffs.length} difference${diffs.length === 1 ? '' : 's'}\n`);
    for (const d of diffs.slice(0, 20)) process.stdout.write(`  ${d}\n`);
    if (diffs.length > 20) process.stdout.write(`  … and ${diffs.length - 20} more\n`);
  }
  const same = both.length - differing;
  process.stdout.write(
    `${same} of ${both.length} paired JSON files identical apart from measured fields; ${differing} differ; ` +
      `${onlyA.length + onlyB.length} on one side only\n`,
  );
  return differing + onlyA.length + onlyB.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
