/** `resolveOptions`: every default of a run decided in one place, for the API and the CLI. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.js';
import { PRODUCTION_LAYERS } from '../src/models/networks.js';
import {
  BROWSER_RUNS,
  BROWSER_SHAPE_BUDGET,
  BUDGET_RUNS_CAP,
  DEFAULT_RUNS,
  DEFAULT_SHRINK_BUDGET_MS,
  DEFAULT_TIMEOUT_MS,
  PRODUCTION_RELATION_ELEMENTS,
  PRODUCTION_RELATION_FLOPS,
  PRODUCTION_TIMEOUT_MS,
  resolveOptions,
} from '../src/runner/options.js';

describe('resolveOptions', () => {
  it('no options, in Node: 200 cases, 5 s calls, random shapes, probe on, a random seed', () => {
    const o = resolveOptions({});
    expect(o).toMatchObject({
      runs: DEFAULT_RUNS,
      runsPerLayer: false,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      size: 'default',
      layers: undefined,
      shrinkBudgetMs: DEFAULT_SHRINK_BUDGET_MS,
      timeoutBudgetMs: undefined,
      shapeBudget: undefined,
      shapePlan: 'off',
      probeNumerics: true,
      productionRelationFlops: PRODUCTION_RELATION_FLOPS,
      productionRelationElements: PRODUCTION_RELATION_ELEMENTS,
    });
    expect(o.seed.given).toBeUndefined();
    expect(Number.isInteger(o.seed.used)).toBe(true);
    expect([DEFAULT_RUNS, DEFAULT_TIMEOUT_MS]).toEqual([200, 5000]);
  });

  it('a browser kernel: 100 cases and 6 shapes per property, hence the plan', () => {
    expect(resolveOptions({}, 'browser')).toMatchObject({ runs: BROWSER_RUNS, shapeBudget: BROWSER_SHAPE_BUDGET, shapePlan: 'all' });
    expect(resolveOptions({}, 'own-process')).toMatchObject({ runs: DEFAULT_RUNS, shapeBudget: undefined, shapePlan: 'off' });
    // what is given wins
    expect(resolveOptions({ runs: 7, shapeBudget: 2, shapePlan: 'mixed' }, 'browser')).toMatchObject({
      runs: 7,
      shapeBudget: 2,
      shapePlan: 'mixed',
    });
  });

  it('the production tier: each layer once, 120 s calls, the built-in networks, never a plan', () => {
    const o = resolveOptions({ size: 'production' }, 'browser');
    expect(o).toMatchObject({ runsPerLayer: true, timeoutMs: PRODUCTION_TIMEOUT_MS, shapePlan: 'off', runs: DEFAULT_RUNS });
    expect(o.layers).toBe(PRODUCTION_LAYERS);
    expect(resolveOptions({ size: 'production', runs: 3, timeoutMs: 9 })).toMatchObject({ runsPerLayer: false, runs: 3, timeoutMs: 9 });
  });

  it('a time budget: runs becomes a cap; the seed keeps what was given', () => {
    expect(resolveOptions({ timeBudgetMs: 1000 }).runs).toBe(BUDGET_RUNS_CAP);
    expect(resolveOptions({ timeBudgetMs: 1000 }, 'browser').runs).toBe(BUDGET_RUNS_CAP);
    expect(resolveOptions({ seed: 'main-1234' }).seed.given).toBe('main-1234');
    expect(resolveOptions({ seed: 5 }).seed.used).toBe(5);
  });

  it('passes callbacks and report fields through unchanged', () => {
    const onCase = () => undefined;
    const o = resolveOptions({ onCase, source: 'builtin:x', probeNumerics: false, shrinkBudgetMs: 10, timeoutBudgetMs: 0 });
    expect(o.onCase).toBe(onCase);
    expect(o).toMatchObject({ source: 'builtin:x', probeNumerics: false, shrinkBudgetMs: 10, timeoutBudgetMs: 0 });
  });

  it('refuses bad options with a typed error naming the function, the argument and the value', () => {
    const bad = (o: Parameters<typeof resolveOptions>[0], fn?: string) => {
      try {
        resolveOptions(o, undefined, fn);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e = bad({ runs: 0 });
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ argument: 'runs', value: 0 });
    expect((e as Error).message).toMatch(/^verifyKernel: runs must be an integer >= 1, got 0/);
    expect((bad({ timeoutMs: -1 }, 'describeKernel') as Error).message).toMatch(/^describeKernel: timeoutMs must be > 0/);
    expect(bad({ layers: [] })).toMatchObject({ argument: 'layers' });
    expect(bad({ size: 'production', layers: [] })).toMatchObject({ argument: 'layers', value: 0 });
    expect(bad({ properties: ['no-such-property'] })).toMatchObject({ argument: 'properties', value: 'no-such-property' });
    expect(bad({ shapePlan: 'some' as 'all' })).toMatchObject({ argument: 'shapePlan' });
  });
});
