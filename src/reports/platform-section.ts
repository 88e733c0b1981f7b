/**
 * The "Platform numerics" section every report shows: what the numerics probe found about the
 * kernel's arithmetic and what the run did about it (docs/numerics.md). One list of rows, rendered
 * by the Markdown and HTML writers each in their own escaping.
 */
import type { PlatformNumerics } from '../runner/platform-numerics.js';

const num = (v: number): string => (Math.abs(v) < 1e-3 ? v.toExponential(3) : String(v));

/** The section's rows, label and text; empty when the run was not probed. */
export function platformNumericsRows(p: PlatformNumerics | undefined): Array<readonly [string, string]> {
  if (p === undefined) return [];
  const tiny =
    p.tinyProducts === 'not probed'
      ? 'not probed'
      : `${p.tinyProducts.largestLost === undefined ? 'no normal product lost' : `products up to ${num(p.tinyProducts.largestLost)} lost`}` +
        `${p.tinyProducts.smallestRight === undefined ? '' : `; smallest right ${num(p.tinyProducts.smallestRight)}`}`;
  const sums =
    p.exactSums === undefined
      ? 'not probed'
      : `exact up to 2^${p.exactSums.exactBits} (probed to 2^${p.exactSums.probedBits})` +
        `${p.exactSums.longSum ? `; ${p.exactSums.longSum.terms} ones summed ${p.exactSums.longSum.exact ? 'exactly' : 'wrongly'}` : ''}`;
  const specials =
    p.specialsPropagate === undefined
      ? 'not probed'
      : p.specialsPropagate
        ? `propagate as IEEE-754 says (1 + 1 + 0·Infinity = ${p.infTimesZero})`
        : `${p.specialDeviations.length} deviation(s) from IEEE-754: ${p.specialDeviations.slice(0, 3).join('; ')}${p.specialDeviations.length > 3 ? '; …' : ''}`;
  const rows: Array<readonly [string, string]> = [
    ['Probed with', `${p.probedWith.length > 0 ? p.probedWith.join('; ') : 'no call'} (${p.durationMs} ms)`],
    ['Tiny products (normal float32)', tiny],
    ['Subnormal inputs', p.subnormalInputs],
    ['Subnormal products', p.subnormalProducts],
    ['NaN, ±Infinity', specials],
    ['Integer sums', sums],
    ['Accumulation', p.accumulation],
    ['Special regime', p.specialRegime.runs ? 'runs' : `skipped: ${p.specialRegime.reason}`],
    ['Data limits', p.consequences.length > 0 ? p.consequences.join(' ') : 'none: the data are those of an IEEE-754 kernel'],
  ];
  if (p.defects.length > 0) rows.push(['Defects, not numerics', p.defects.join('; ')]);
  if (p.faults.length > 0) rows.push(['Probe faults', p.faults.join('; ')]);
  return rows;
}
