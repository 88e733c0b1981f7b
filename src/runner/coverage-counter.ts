/** The report's coverage table: how many cases exercised each parameter combination. */
import { COVERAGE_DIMENSIONS } from '../property/definition.js';
import type { CoverageTable } from './report.js';

/** Counts cases per coverage key. */
export class CoverageCounter {
  private readonly counts = new Map<string, { values: readonly string[]; count: number }>();
  private total = 0;
  add(values: readonly string[]): void {
    const key = values.join('\u0000');
    const entry = this.counts.get(key);
    if (entry) entry.count++;
    else this.counts.set(key, { values, count: 1 });
    this.total++;
  }
  table(): CoverageTable {
    const rows = [...this.counts.values()].sort((a, b) => a.values.join('|').localeCompare(b.values.join('|')));
    return { dimensions: [...COVERAGE_DIMENSIONS], rows, total: this.total };
  }
}
