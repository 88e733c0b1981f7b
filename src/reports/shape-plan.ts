/**
 * The shape plan's part of the Markdown and HTML reports, as plain sentences (each writer escapes
 * and lays them out): what the plan covered — pairs of parameter classes per operator, the pairs
 * no valid shape can hold grouped by the constraint that excludes them — and the programs compiled.
 */
import type { ShapePlanSummary } from '../runner/report.js';

/** One operator's lines. */
export interface ShapePlanOperatorView {
  readonly headline: string;
  /** Uncovered pairs grouped by reason: `3 pairs — reason (e.g. a; b; c)`. */
  readonly uncovered: readonly string[];
  readonly excluded?: string;
}

/** The plan as sentences: a headline and, per operator, its coverage. */
export function shapePlanView(s: ShapePlanSummary): { readonly headline: string; readonly operators: readonly ShapePlanOperatorView[] } {
  const how =
    s.mode === 'all'
      ? 'every case of a planned property takes a plan shape'
      : 'the single-call properties run every plan shape once on top of their random cases';
  return {
    headline: `Shapes by design: ${how}; ${s.programs} distinct call signatures in the whole run (for a GPU kernel: the programs compiled, at most) · plan built in ${s.buildMs} ms`,
    operators: s.operators.map((o) => {
      const byReason = new Map<string, string[]>();
      for (const u of o.uncovered) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u.pair]);
      const pct = o.pairsTotal > 0 ? ((100 * o.pairsCovered) / o.pairsTotal).toFixed(1) : '100';
      return {
        headline: `${o.operator}: ${o.shapes} shapes cover ${o.pairsCovered} of ${o.pairsTotal} pairs of classes (${pct}%) over ${o.parameters.length} parameters (${o.parameters.join(', ')})`,
        uncovered: [...byReason].map(
          ([reason, pairs]) =>
            `${pairs.length} ${pairs.length === 1 ? 'pair' : 'pairs'} uncovered — ${reason} (e.g. ${pairs.slice(0, 3).join('; ')})`,
        ),
        ...(o.excluded.length > 0 ? { excluded: `classes the capabilities leave out: ${o.excluded.join('; ')}` } : {}),
      };
    }),
  };
}
