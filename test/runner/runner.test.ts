/**
 * The verification runner: misbehaving kernels become failed properties with counterexamples,
 * failures are saved and replayed first next time, options are validated, runs can be aborted.
 */
import { mkdtemp, readdir, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KernelUnderTest, Tensor } from '../../src/contract.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { im2colKernel } from '../../src/kernels/im2col.js';
import { kernelSlug, loadCounterexamples, readCounterexample } from '../../src/runner/counterexample-db.js';
import { replayCounterexample } from '../../src/runner/replay.js';
import { verifyKernel } from '../../src/runner/verify.js';
import type { FailureKind } from '../../src/vocabulary.js';
import { propertyFailure, propertyReason } from '../../src/runner/report.js';

const conv = im2colKernel.conv!;
const with_ = (name: string, f: NonNullable<KernelUnderTest['conv']>, extra: Partial<KernelUnderTest> = {}): KernelUnderTest => ({
  name,
  precision: 'float32',
  conv: f,
  ...extra,
});

/** Pads read from the wrong end: a numeric bug found by conv-matches-reference. */
const swappedPads = with_('bug:swapped-pads', (x, w, b, a) => {
  const r = a.strides.length;
  return conv(x, w, b, { ...a, pads: [...a.pads.slice(r), ...a.pads.slice(0, r)] });
});

describe('misbehaving kernels give failed properties, never a crash or a hang', () => {
  const cases: Array<[string, KernelUnderTest, FailureKind, RegExp]> = [
    [
      'throws',
      with_('bad:throws', () => {
        throw new RangeError('boom <b>');
      }),
      'threw',
      /conv\(\) threw RangeError: boom <b>/,
    ],
    ['rejects', with_('bad:rejects', () => Promise.reject(new Error('async boom'))), 'threw', /async boom/],
    ['never resolves', with_('bad:hangs-async', () => new Promise<Tensor>(() => {})), 'timeout', /did not return within 200 ms/],
    ['returns null', with_('bad:null', () => null as unknown as Tensor), 'wrong-type', /returned null, not a tensor/],
    [
      'returns a plain array',
      with_('bad:array', (x, w, b, a) => ({ ...(conv(x, w, b, a) as Tensor), data: [1] as unknown as Float32Array })),
      'wrong-type',
      /data of type Array/,
    ],
    [
      'returns the wrong shape',
      with_('bad:shape', async (x, w, b, a) => {
        const y = await conv(x, w, b, a);
        return { shape: [...y.shape, 1], data: y.data };
      }),
      'wrong-shape',
      /returned shape \[.*\], expected/,
    ],
    [
      'returns too few values',
      with_('bad:length', async (x, w, b, a) => {
        const y = await conv(x, w, b, a);
        return { shape: y.shape, data: y.data.subarray(1) };
      }),
      'wrong-shape',
      /values for shape/,
    ],
    [
      'returns NaN',
      with_('bad:nan', async (x, w, b, a) => {
        const y = await conv(x, w, b, a);
        return { shape: y.shape, data: y.data.map(() => Number.NaN) };
      }),
      'mismatch',
      /differ|exceed/,
    ],
    [
      'mutates its input',
      with_('bad:mutates', (x, w, b, a) => {
        const y = conv(x, w, b, a);
        x.data[0] = 12345;
        return y;
      }),
      'mutated-input',
      /wrote into its input x \(element 0 changed from .* to 12345\)/,
    ],
  ];
  for (const [what, kernel, kind, message] of cases) {
    it(`a kernel that ${what}`, async () => {
      const report = await verifyKernel(kernel, {
        runs: 5,
        seed: 1,
        timeoutMs: 200,
        properties: ['conv-matches-reference'],
        shrinkBudgetMs: 2000,
      });
      const r = report.properties[0];
      expect(r.status).toBe('failed');
      expect(propertyFailure(r)?.kind).toBe(kind);
      expect(propertyFailure(r)?.message).toMatch(message);
      expect(propertyFailure(r)?.problem).toMatch(/^x=\[/);
      expect(report.status).toBe('failed');
    });
  }

  it('a kernel with stale state between calls fails `deterministic`', async () => {
    let calls = 0;
    const stale = with_('bad:stale', async (x, w, b, a) => {
      const y = await conv(x, w, b, a);
      if (++calls % 3 === 0) y.data[0] += 1; // every third call leaks state
      return y;
    });
    const report = await verifyKernel(stale, { runs: 20, seed: 1, properties: ['deterministic'] });
    expect(propertyFailure(report.properties[0])?.kind).toBe('nondeterministic');
    expect(propertyFailure(report.properties[0])?.message).toMatch(/gave .* then .* at index \[/);
  });
});

describe('skipped properties say why', () => {
  it('no dense → dense-matches-reference skipped; no dilation → dilation-zero-inserted skipped', async () => {
    const k = with_('conv-only', conv, { capabilities: { dilation: false } });
    const report = await verifyKernel(k, {
      runs: 5,
      seed: 1,
      properties: ['dense-matches-reference', 'dilation-zero-inserted', 'explicit-padding'],
    });
    const byId = Object.fromEntries(report.properties.map((p) => [p.id, p]));
    expect(byId['dense-matches-reference']).toMatchObject({ status: 'skipped', skipReason: 'kernel has no dense' });
    expect(byId['dilation-zero-inserted']).toMatchObject({ status: 'skipped', skipReason: 'kernel declares no dilation support' });
    expect(byId['explicit-padding'].status).toBe('passed');
    expect(report.summary).toEqual({ interrupted: 0, notRun: 0, passed: 1, failed: 0, skipped: 2, total: 3 });
    expect(report.kernel.capabilities.dilation).toBe(false);
  });
});

describe('the counterexample database and replay', () => {
  it('saves a shrunk failure, replays it first next time, and `replay` re-runs it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-db-'));
    const first = await verifyKernel(swappedPads, {
      runs: 200,
      seed: 4,
      counterexampleDir: dir,
      properties: ['conv-matches-reference'],
      replayCommand: (f) => `replay ${f}`,
    });
    const f = propertyFailure(first.properties[0])!;
    expect(f.counterexampleFile).toBeDefined();
    expect(f.replayCommand).toBe(`replay ${f.counterexampleFile}`);
    expect(f.problem).toMatch(/pads=\[/);
    const files = await readdir(join(dir, kernelSlug(swappedPads.name)));
    expect(files).toHaveLength(1);
    const saved = await readCounterexample(join(dir, kernelSlug(swappedPads.name), files[0]));
    expect(saved).toMatchObject({ kernel: 'bug:swapped-pads', property: 'conv-matches-reference', problem: f.problem, seed: 4 });

    // with a single generated case and another seed, the saved case still fails first
    const second = await verifyKernel(swappedPads, { runs: 1, seed: 99, counterexampleDir: dir, properties: ['conv-matches-reference'] });
    expect(second.properties[0].status).toBe('failed');
    expect(propertyFailure(second.properties[0])?.problem).toBe(f.problem);

    const replayed = await replayCounterexample(swappedPads, join(dir, kernelSlug(swappedPads.name), files[0]));
    expect(replayed.status).toBe('failed');
    expect(replayed.text).toMatch(/result {4}FAIL \(mismatch\)/);
    expect(replayed.text).toMatch(/expected {2}-?\d/);
    expect(replayed.text).toContain(f.problem);
    const fixed = await replayCounterexample(im2colKernel, join(dir, kernelSlug(swappedPads.name), files[0]));
    expect(fixed.status).toBe('passed');
    expect(fixed.text).toMatch(/saved for bug:swapped-pads/);
  });

  it('ignores damaged files and rejects files that are not counterexamples', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-db-'));
    await mkdir(join(dir, 'k'));
    await writeFile(join(dir, 'k', 'conv-matches-reference-bad.json'), '{ not json');
    await writeFile(join(dir, 'k', 'other.json'), '{}');
    expect(await loadCounterexamples(dir, 'k', 'conv-matches-reference')).toEqual([]);
    expect(await loadCounterexamples(join(dir, 'missing'), 'k', 'conv-matches-reference')).toEqual([]);
    await expect(readCounterexample(join(dir, 'k', 'other.json'))).rejects.toThrow(/is not a convcheck counterexample/);
    await writeFile(
      join(dir, 'k', 'unknown.json'),
      JSON.stringify({ format: 'convcheck-counterexample/1', kernel: 'k', property: 'nope', seed: 1, case: { seed: 1 } }),
    );
    await expect(replayCounterexample(im2colKernel, join(dir, 'k', 'unknown.json'))).rejects.toThrow(/unknown property "nope"/);
  });

  it('refuses to replay on a kernel that cannot run the property', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-db-'));
    await writeFile(
      join(dir, 'd.json'),
      JSON.stringify({
        format: 'convcheck-counterexample/1',
        kernel: 'k',
        property: 'dense-matches-reference',
        seed: 1,
        case: { seed: 1 },
      }),
    );
    await expect(replayCounterexample(with_('conv-only', conv), join(dir, 'd.json'))).rejects.toThrow(
      /cannot run dense-matches-reference: kernel has no dense/,
    );
  });
});

describe('verifyKernel options', () => {
  const bad: Array<[object, RegExp]> = [
    [{ runs: 0 }, /verifyKernel: runs must be an integer >= 1, got 0/],
    [{ timeoutMs: -1 }, /verifyKernel: timeoutMs must be > 0, got -1/],
    [{ seed: 1.5 }, /verifyKernel: seed must be an integer \(or a string, which is hashed\), got 1.5/],
    [{ seed: '  ' }, /verifyKernel: seed must not be empty/],
    [{ size: 'huge' }, /verifyKernel: size must be one of 'small', 'default', 'large', 'production', got "huge"/],
    [{ layers: [] }, /verifyKernel: layers are run by the production tier only/],
    [{ size: 'production', layers: [] }, /verifyKernel: layers must not be empty/],
    [{ properties: ['nope'] }, /verifyKernel: unknown property id "nope"/],
  ];
  for (const [options, message] of bad) {
    it(`rejects ${JSON.stringify(options)}`, async () => {
      await expect(verifyKernel(im2colKernel, options)).rejects.toThrowError(InvalidArgumentError);
      await expect(verifyKernel(im2colKernel, options)).rejects.toThrowError(message);
    });
  }

  it('an aborted run returns a partial report marked interrupted', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const report = await verifyKernel(im2colKernel, {
      runs: 1000,
      seed: 1,
      signal: controller.signal,
      onProgress: (e) => {
        events.push(e.type);
        if (e.type === 'case' && e.casesDone >= 10) controller.abort();
      },
    });
    expect(report.interrupted).toBe(true);
    expect(report.properties.length).toBeLessThan(5);
    expect(propertyReason(report.properties.at(-1))).toMatch(/^interrupted after \d+ cases$/);
    expect(events[0]).toBe('property-start');
  });

  it('records the options, the seed and a coverage table', async () => {
    const report = await verifyKernel(im2colKernel, {
      runs: 30,
      seed: 5,
      size: 'small',
      properties: ['conv-matches-reference'],
      source: 'builtin:im2col',
    });
    expect(report).toMatchObject({
      seed: 5,
      options: { runs: 30, size: 'small', properties: ['conv-matches-reference'] },
      kernel: { source: 'builtin:im2col' },
    });
    expect(report.coverage.dimensions).toEqual([
      'operator',
      'rank',
      'asymmetricPads',
      'bias',
      'stride>1',
      'dilation>1',
      'group',
      'C/group',
      'reduction',
      'M',
      'N',
      'elements',
    ]);
    expect(report.coverage.rows.every((r) => r.values[0] === 'conv' && r.values.length === 12)).toBe(true);
    expect(report.coverage.total).toBe(30);
    expect(report.coverage.rows.reduce((s, r) => s + r.count, 0)).toBe(30);
  });

  it('the coverage table shows the size classes a default run reaches: C/group, reduction and element buckets', async () => {
    const report = await verifyKernel(im2colKernel, { runs: 200, seed: 5, properties: ['conv-matches-reference'] });
    const seen = (dim: string) => new Set(report.coverage.rows.map((r) => r.values[report.coverage.dimensions.indexOf(dim)]));
    expect([...seen('C/group')].sort()).toEqual(['65–1024', '>1024', '≤64'].sort());
    expect([...seen('reduction')].sort()).toEqual(['65–1024', '>1024', '≤64'].sort());
    expect(seen('elements').has('2^16–2^24')).toBe(true);
    expect(seen('elements').has('≤2^16')).toBe(true);
  });

  it('dense cases add rows with their K, M and N classes; a conv-only column shows —', async () => {
    const report = await verifyKernel(im2colKernel, { runs: 200, seed: 5, properties: ['dense-matches-reference'] });
    const col = (r: { values: readonly string[] }, dim: string) => r.values[report.coverage.dimensions.indexOf(dim)];
    expect(
      report.coverage.rows.every(
        (r) => col(r, 'operator') === 'dense' && col(r, 'rank') === '—' && col(r, 'group') === '—' && col(r, 'C/group') === '—',
      ),
    ).toBe(true);
    // the dense generator's large and boundary cases reach K > 1024, M > 64 and N ≥ 8
    expect(new Set(report.coverage.rows.map((r) => col(r, 'reduction')))).toContain('>1024');
    expect(new Set(report.coverage.rows.map((r) => col(r, 'N')))).toContain('≥8');
    expect(report.coverage.total).toBe(200);
  });
});

describe('the equivalences on a conv-only kernel use the reference for the FC side', () => {
  const convOnly = with_('conv-only', conv);
  for (const size of ['small', 'large'] as const) {
    it(`size ${size}: all four equivalences hold`, async () => {
      const ids = ['fc-equals-full-extent-conv', 'linear-equals-1x1-conv', 'fc-slides-as-conv', 'fcn-network'];
      const report = await verifyKernel(convOnly, { runs: 25, seed: 3, size, properties: ids });
      expect(report.properties.map((p) => p.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    });
  }
  it('and a wrong conv is caught against the reference dense, which the message names', async () => {
    const flipped = with_('bug:flipped', (x, w, b, a) => conv(x, { shape: w.shape, data: w.data.slice().reverse() }, b, a));
    const r = await verifyKernel(flipped, { runs: 50, seed: 3, properties: ['fc-equals-full-extent-conv'] });
    expect(r.properties[0].status).toBe('failed');
    expect(propertyFailure(r.properties[0])?.message).toMatch(/vs reference dense\(flatten\(x\)\)/);
  });
});

describe('guarded calls describe odd results precisely', () => {
  const odd: Array<[string, NonNullable<KernelUnderTest['conv']>, RegExp]> = [
    [
      'throws a string',
      () => {
        throw 'plain string';
      },
      /threw plain string/,
    ],
    ['returns a number', () => 42 as unknown as Tensor, /returned number, not a tensor/],
    ['returns data: null', (x) => ({ shape: x.shape, data: null as unknown as Float32Array }), /data of type null/],
    ['returns data: a number', (x) => ({ shape: x.shape, data: 3 as unknown as Float32Array }), /data of type number/],
    [
      'returns a prototype-less object as data',
      (x) => ({ shape: x.shape, data: Object.create(null) as Float32Array }),
      /data of type object/,
    ],
    [
      'returns a string shape',
      async (x, w, b, a) => ({ ...(await conv(x, w, b, a)), shape: 'NCHW' as unknown as number[] }),
      /returned shape NCHW, expected \[/,
    ],
  ];
  for (const [what, f, message] of odd) {
    it(`a kernel that ${what}`, async () => {
      const report = await verifyKernel(with_(`odd:${what}`, f), { runs: 3, seed: 1, properties: ['output-shape'], shrinkBudgetMs: 500 });
      expect(propertyFailure(report.properties[0])?.message).toMatch(message);
    });
  }
  it('refuses a kernel without the method a property needs', async () => {
    const { GuardedKernel } = await import('../../src/runner/guarded-call.js');
    const g = new GuardedKernel({ name: 'empty', precision: 'float32' }, 100);
    const t = { shape: [1, 1, 1], data: new Float64Array(1) };
    const { runConv } = await import('../../src/operators/conv/cases.js');
    const { runDense } = await import('../../src/operators/dense/cases.js');
    await expect(runConv(g, t, t, undefined, { strides: [1], pads: [0, 0], dilations: [1], group: 1 }, [1, 1, 1])).rejects.toThrow(
      /kernel empty has no conv/,
    );
    await expect(
      runDense(g, { shape: [1, 1], data: new Float64Array(1) }, { shape: [1, 1], data: new Float64Array(1) }, undefined),
    ).rejects.toThrow(/kernel empty has no dense/);
  });
});

describe('replay of a kernel fault', () => {
  it('prints the kind and message without a mismatch table', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'convcheck-db-'));
    const thrower = with_('bad:throws-on-bias', (x, w, b, a) => {
      if (b) throw new Error('no bias support');
      return conv(x, w, b, a);
    });
    const report = await verifyKernel(thrower, { runs: 50, seed: 2, counterexampleDir: dir, properties: ['conv-matches-reference'] });
    const file = propertyFailure(report.properties[0])!.counterexampleFile!;
    const r = await replayCounterexample(thrower, file);
    expect(r.status).toBe('failed');
    expect(r.failure?.kind).toBe('threw');
    expect(r.text).toMatch(/FAIL \(threw\) — conv\(\) threw Error: no bias support/);
    expect(r.text).not.toMatch(/expected {2}/);
  });
});

describe('a time budget is spread over the properties', () => {
  // a slow kernel: ~15 ms a call, like a GPU kernel with its dispatch and read-back
  const slow = with_('slow', async (x, w, b, a) => {
    await new Promise((resolve) => setTimeout(resolve, 15));
    return conv(x, w, b, a);
  });
  const ids = ['conv-matches-reference', 'output-shape', 'batch-independence'];

  it('each property gets a share, runs at least one case, and the run ends near the budget', { timeout: 30_000 }, async () => {
    const t0 = Date.now();
    const report = await verifyKernel(slow, { seed: 4, size: 'small', properties: ids, timeBudgetMs: 1500 });
    const elapsed = Date.now() - t0;
    expect(report.status).toBe('passed');
    expect(report.options.timeBudgetMs).toBe(1500);
    // 1.5 s of 15 ms calls: far fewer than the 200 a run without a budget would do, but more than one
    for (const p of report.properties) {
      expect(p.casesRun).toBeGreaterThan(1);
      expect(p.casesRun).toBeLessThan(200);
    }
    // overshoot: at most the last case of each property (a few calls each)
    expect(elapsed).toBeLessThan(1500 + 1500);
  });

  it('time a property leaves unused goes to the ones after it; --runs still caps each property', { timeout: 30_000 }, async () => {
    const report = await verifyKernel(slow, { seed: 4, size: 'small', properties: ids, timeBudgetMs: 20_000, runs: 5 });
    expect(report.properties.map((p) => p.casesRun)).toEqual([5, 5, 5]);
    expect(report.durationMs).toBeLessThan(20_000);
    // the kernel has no dense: the skipped property's share goes to the one after it, which runs until it is spent
    const skipFirst = await verifyKernel(slow, {
      seed: 4,
      size: 'small',
      properties: ['dense-matches-reference', 'output-shape'],
      timeBudgetMs: 800,
    });
    expect(skipFirst.properties[0].status).toBe('skipped');
    expect(skipFirst.properties[1].durationMs).toBeGreaterThanOrEqual(750);
    expect(skipFirst.properties[1].casesRun).toBeGreaterThan(5);
  });

  it('even an exhausted budget runs one case per property', { timeout: 30_000 }, async () => {
    const report = await verifyKernel(slow, { seed: 4, size: 'small', properties: ids, timeBudgetMs: 1 });
    expect(report.properties.every((p) => p.casesRun >= 1)).toBe(true);
  });

  it('rejects a budget that is not a positive number', async () => {
    await expect(verifyKernel(im2colKernel, { timeBudgetMs: 0 })).rejects.toThrowError(InvalidArgumentError);
    await expect(verifyKernel(im2colKernel, { timeBudgetMs: Number.NaN })).rejects.toThrowError(
      /verifyKernel: timeBudgetMs must be a finite number > 0, got NaN/,
    );
  });
});
