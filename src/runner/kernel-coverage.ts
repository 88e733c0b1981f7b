/**
 * The runner's side of kernel coverage: receives what each kernel call ran (from the host's
 * `KernelCoverageTap`), keeps the whole run's V8 coverage (takes merged with
 * `@bcoe/v8-coverage`, the merge c8 uses), the shader variants with the call shapes that reached
 * each, and tells the guided generator whether a case reached anything new.
 *
 * "New" is decided per function: the character offsets a function covered in a take (each
 * position counts as its innermost range says: V8 reports a function's range first, then its
 * blocks, nested in pre-order) are added to the set it covered before; a case is new when any
 * function's set grew, or a call used a shader variant not seen before. Offsets, not range ids:
 * V8 leaves out a block whose count equals its parent's, so which ranges appear in a take depends
 * on the counts, while the covered positions do not.
 */
import { createRequire } from 'node:module';
import type { CallCoverage, FunctionCoverage, ScriptCoverage } from './kernel-coverage-probe.js';
import { LOAD_SIGNATURE } from './kernel-coverage-probe.js';

/** A V8 script coverage as `@bcoe/v8-coverage` and monocart take it. */
export interface V8ScriptCoverage {
  scriptId: string;
  url: string;
  functions: FunctionCoverage[];
}

type MergeScriptCovs = (covs: V8ScriptCoverage[]) => V8ScriptCoverage | undefined;
let mergeOnce: MergeScriptCovs | undefined;
/** `@bcoe/v8-coverage`'s merge, loaded on first use (CommonJS, no types of its own). */
function mergeScriptCovs(covs: V8ScriptCoverage[]): V8ScriptCoverage {
  mergeOnce ??= (createRequire(import.meta.url)('@bcoe/v8-coverage') as { mergeScriptCovs: MergeScriptCovs }).mergeScriptCovs;
  return mergeOnce(covs)!;
}

/** Disjoint half-open intervals, sorted; `add` says whether anything was new. */
export class IntervalSet {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /** Adds [a, b); true when some of it was not in the set. */
  add(a: number, b: number): boolean {
    if (b <= a) return false;
    // first interval that ends at or after a
    let i = 0;
    while (i < this.starts.length && this.ends[i] < a) i++;
    if (i < this.starts.length && this.starts[i] <= a && this.ends[i] >= b) return false;
    let start = a;
    let end = b;
    let j = i;
    while (j < this.starts.length && this.starts[j] <= end) {
      start = Math.min(start, this.starts[j]);
      end = Math.max(end, this.ends[j]);
      j++;
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
    return true;
  }

  /** Total length covered. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.starts.length; i++) n += this.ends[i] - this.starts[i];
    return n;
  }
}

/**
 * The covered segments of one function in one take: between consecutive range boundaries, a
 * position's count is that of the innermost range holding it (the last one in pre-order).
 */
export function coveredSegments(f: FunctionCoverage): Array<[number, number]> {
  const r = f.ranges;
  if (r.length === 0) return [];
  if (r.length === 1) return r[0].count > 0 ? [[r[0].startOffset, r[0].endOffset]] : [];
  const cuts = [...new Set(r.flatMap((x) => [x.startOffset, x.endOffset]))].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [p, q] = [cuts[i], cuts[i + 1]];
    let count = 0;
    let inside = false;
    for (const x of r) {
      if (x.startOffset <= p && q <= x.endOffset) {
        count = x.count;
        inside = true;
      }
    }
    if (!inside || count === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === p) last[1] = q;
    else out.push([p, q]);
  }
  return out;
}

/** A shader variant seen in the run. */
export interface ShaderVariantRecord {
  readonly key: string;
  readonly kind: string;
  readonly source: string | undefined;
  /** The call signatures (op, shapes, attributes) that used or created it, in the order seen. */
  readonly shapes: Set<string>;
  /** The case in which it was first seen (its one-line description), if it was in a case. */
  firstCase: string | undefined;
}

/** What one case reached that no earlier case had. */
export interface CaseNovelty {
  /** Functions whose covered code grew. */
  readonly newBlocks: number;
  /** Shader variants not seen before. */
  readonly newVariants: number;
}

/** Takes kept per script before they are merged into its running total. */
const MERGE_EVERY = 32;

/** The run's kernel coverage (see the file comment). */
export class KernelCoverageCollector {
  private readonly sources = new Map<string, string>();
  private readonly merged = new Map<string, V8ScriptCoverage>();
  private readonly pending = new Map<string, V8ScriptCoverage[]>();
  private readonly covered = new Map<string, IntervalSet>();
  private readonly variants = new Map<string, ShaderVariantRecord>();
  private caseLabel: string | undefined;
  private caseBlocks = 0;
  private caseVariants = 0;
  /** Calls reported (load takes excluded). */
  calls = 0;

  /** Receives one call's (or the module load's) coverage. */
  readonly onCall = (c: CallCoverage): void => {
    if (c.signature !== LOAD_SIGNATURE) this.calls++;
    for (const s of c.scripts) this.addScript(s);
    const sh = c.shaders;
    if (sh === undefined) return;
    for (const v of sh.created) {
      const known = this.variants.get(v.key);
      if (known === undefined) {
        this.variants.set(v.key, { key: v.key, kind: v.kind, source: v.source, shapes: new Set(), firstCase: this.caseLabel });
        this.caseVariants++;
      }
    }
    for (const key of new Set([...sh.used, ...sh.created.map((v) => v.key)])) {
      let rec = this.variants.get(key);
      if (rec === undefined) {
        // used but created before coverage saw it (e.g. while the module loaded in a page reused later)
        rec = { key, kind: 'unknown', source: undefined, shapes: new Set(), firstCase: this.caseLabel };
        this.variants.set(key, rec);
        this.caseVariants++;
      }
      if (c.signature !== LOAD_SIGNATURE) rec.shapes.add(c.signature);
    }
  };

  private addScript(s: ScriptCoverage): void {
    if (s.source !== undefined && !this.sources.has(s.url)) this.sources.set(s.url, s.source);
    for (const f of s.functions) {
      const start = f.ranges[0]?.startOffset;
      if (start === undefined) continue;
      const id = `${s.url}#${start}`;
      let set = this.covered.get(id);
      if (set === undefined) this.covered.set(id, (set = new IntervalSet()));
      let grew = false;
      for (const [a, b] of coveredSegments(f)) grew = set.add(a, b) || grew;
      if (grew) this.caseBlocks++;
    }
    let list = this.pending.get(s.url);
    if (list === undefined) this.pending.set(s.url, (list = []));
    list.push({ scriptId: '0', url: s.url, functions: s.functions.map((f) => ({ functionName: f.functionName, isBlockCoverage: f.isBlockCoverage, ranges: f.ranges.map((r) => ({ ...r })) })) });
    if (list.length >= MERGE_EVERY) this.flush(s.url);
  }

  private flush(url: string): void {
    const list = this.pending.get(url);
    if (list === undefined || list.length === 0) return;
    const prev = this.merged.get(url);
    this.merged.set(url, mergeScriptCovs(prev === undefined ? list : [prev, ...list]));
    this.pending.set(url, []);
  }

  /** Starts counting what the case `label` reaches. */
  beginCase(label: string): void {
    this.caseLabel = label;
    this.caseBlocks = 0;
    this.caseVariants = 0;
  }

  /** Ends the case: what it reached first. */
  endCase(): CaseNovelty {
    const n = { newBlocks: this.caseBlocks, newVariants: this.caseVariants };
    this.caseLabel = undefined;
    this.caseBlocks = 0;
    this.caseVariants = 0;
    return n;
  }

  /** The merged coverage of every script, with its source, for the report (monocart's V8 entries). */
  entries(): Array<V8ScriptCoverage & { source: string }> {
    for (const url of this.pending.keys()) this.flush(url);
    return [...this.merged.values()]
      .filter((m) => this.sources.has(m.url))
      .map((m, i) => ({ ...m, scriptId: String(i + 1), source: this.sources.get(m.url)! }));
  }

  /** The shader variants seen, in the order first seen. */
  shaderVariants(): ShaderVariantRecord[] {
    return [...this.variants.values()];
  }
}
