/**
 * `describeKernel` is as safe as the CLI: the fixture suite test/fixtures/describe/hanging.suite.ts
 * (run here in a child vitest, because its tests fail on purpose) registers a module kernel that
 * loops forever synchronously and an object kernel whose Promise never settles. Each must end as a
 * convcheck `timeout` failure — not a vitest timeout, not a hung vitest — with its counterexample
 * saved and a replay recipe that names the kernel module.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

interface VitestJson {
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string; failureMessages: string[]; duration?: number }> }>;
}

let scratch: string;
let results: VitestJson['testResults'][number]['assertionResults'];
let wallMs = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'convcheck-describe-'));
  const out = join(scratch, 'vitest.json');
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        'test/fixtures/describe/vitest.config.ts',
        '--reporter=json',
        `--outputFile=${out}`,
      ],
      { cwd: ROOT, env: { ...process.env, CONVCHECK_CX_DIR: join(scratch, 'cx'), CI: 'true' }, stdio: 'ignore' },
    );
    child.on('error', reject);
    child.on('close', () => resolve());
  });
  wallMs = performance.now() - t0;
  results = (JSON.parse(await readFile(out, 'utf8')) as VitestJson).testResults.flatMap((r) => r.assertionResults);
}, 200_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const byName = (part: string) => results.find((r) => r.fullName.includes(part));

describe('describeKernel on hanging kernels', () => {
  it('a module kernel that loops forever synchronously runs in a worker and fails with a convcheck timeout', () => {
    const conv = byName('hangs-sync.mjs conv-matches-reference');
    expect(conv?.status).toBe('failed');
    const message = conv!.failureMessages.join('\n');
    expect(message).toContain('conv-matches-reference failed (timeout): conv() did not return within 300 ms');
    expect(message).toMatch(
      /replay: npx convcheck replay \S+conv-matches-reference-[0-9a-f]+\.json --kernel test\/fixtures\/kernels\/hangs-sync\.mjs/,
    );
    expect(message).not.toMatch(/Test timed out/);
    // its dense is correct: the worker that replaced the hung one serves it
    expect(byName('hangs-sync.mjs dense-matches-reference')?.status).toBe('passed');
  });

  it('an object kernel whose Promise never settles fails with a convcheck timeout, recipe naming its source', () => {
    const conv = byName('fixture:never-resolves-object conv-matches-reference');
    expect(conv?.status).toBe('failed');
    const message = conv!.failureMessages.join('\n');
    expect(message).toContain('failed (timeout)');
    expect(message).toContain('--kernel test/fixtures/kernels/never-resolves.mjs');
    expect(message).not.toMatch(/Test timed out/);
  });

  it('saves the counterexamples, and the whole suite ends in bounded time', async () => {
    const saved = await readdir(join(scratch, 'cx'), { recursive: true });
    expect(saved.filter((f) => f.endsWith('.json')).length).toBe(2);
    expect(wallMs).toBeLessThan(120_000);
  });
});
