/**
 * `verifyKernel`'s option checks that test/runner/runner.test.ts's table leaves out: every invalid value
 * is an InvalidArgumentError naming the argument and the value, before anything runs.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { verifyKernel } from '../../src/runner/verify.js';

describe('verifyKernel rejects', () => {
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ runs: 1.5 }, 'runs', /runs must be an integer >= 1, got 1.5/],
    [{ timeoutMs: Number.NaN }, 'timeoutMs', /timeoutMs must be > 0, got NaN/],
    [{ timeoutMs: 0 }, 'timeoutMs', /timeoutMs must be > 0, got 0/],
    [{ shapeBudget: 0 }, 'shapeBudget', /shapeBudget must be an integer >= 1, got 0/],
    [{ shapeBudget: 2.5 }, 'shapeBudget', /shapeBudget must be an integer >= 1, got 2.5/],
    [{ timeoutBudgetMs: -1 }, 'timeoutBudgetMs', /timeoutBudgetMs must be >= 0, got -1/],
    [{ timeoutBudgetMs: Number.NaN }, 'timeoutBudgetMs', /timeoutBudgetMs must be >= 0, got NaN/],
    [{ timeBudgetMs: Number.POSITIVE_INFINITY }, 'timeBudgetMs', /timeBudgetMs must be a finite number > 0, got Infinity/],
    [{ productionRelationFlops: 0 }, 'productionRelationFlops', /productionRelationFlops must be > 0, got 0/],
    [{ productionRelationFlops: Number.NaN }, 'productionRelationFlops', /productionRelationFlops must be > 0, got NaN/],
    [{ productionRelationElements: -5 }, 'productionRelationElements', /productionRelationElements must be > 0, got -5/],
    [{ seed: null }, 'seed', /seed must be an integer or a string, got null/],
    [{ seed: { n: 1 } }, 'seed', /seed must be an integer or a string, got object/],
    [{ seed: 2 ** 60 }, 'seed', /seed must be an integer \(or a string, which is hashed\)/],
  ];
  for (const [options, argument, message] of bad) {
    it(`${JSON.stringify(options, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}: names ${argument}`, async () => {
      const e = await verifyKernel(im2colKernel, options).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).argument).toBe(argument);
      expect((e as Error).message).toMatch(/^verifyKernel: /);
      expect((e as Error).message).toMatch(message);
    });
  }
  it('accepts timeoutBudgetMs 0 (the bound is >= 0) and an integer seed below 2^53, recorded as given', async () => {
    const r = await verifyKernel(im2colKernel, { runs: 1, size: 'small', properties: ['output-shape'], timeoutBudgetMs: 0, seed: 2 ** 40 });
    expect(r.status).toBe('passed');
    expect(r.seedGiven).toBe(String(2 ** 40));
  });
});
