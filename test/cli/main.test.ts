/**
 * Paths of `main` (src/cli/main.ts) that test/cli/main-inprocess.test.ts leaves out: --shapes files
 * that cannot be read, the header's shape budget and seed text, `merge --help`, and a SIGINT
 * during a run (partial report, exit 130). In-process, so they count for coverage.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, helpText, main } from '../../src/cli/main.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], onErr?: (text: string) => void): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: {
      write: (t: string) => {
        out += t;
        return true;
      },
    },
    stderr: {
      write: (t: string) => {
        err += t;
        onErr?.(err);
        return true;
      },
      isTTY: false,
      columns: 100,
    },
    env: { CI: '1' },
  });
  return { code, out, err };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-cli-main-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verify: --shapes files that cannot be used are exit 2, one line', () => {
  it('a missing file names the errno; a file that is not JSON says so', async () => {
    const missing = await run(['verify', '--size', 'production', '--shapes', join(dir, 'none.json'), '--report-dir', join(dir, 'r1')]);
    expect(missing.code).toBe(EXIT.error);
    expect(missing.err.trimEnd().split('\n')).toHaveLength(1);
    expect(missing.err).toMatch(/none\.json.*cannot read the file \(ENOENT\)/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"layers": [');
    const notJson = await run(['verify', '--size', 'production', '--shapes', bad, '--report-dir', join(dir, 'r2')]);
    expect(notJson.code).toBe(EXIT.error);
    expect(notJson.err).toMatch(/bad\.json.*not JSON \(/);
  });
});

describe('verify: the header line', () => {
  it('names --shape-budget, a seed given as text with the number it hashes to, and a single property', async () => {
    const r = await run([
      'verify',
      '--runs',
      '1',
      '--size',
      'small',
      '--properties',
      'output-shape',
      '--seed',
      'release-42',
      '--shape-budget',
      '3',
      '--report-dir',
      join(dir, 'r3'),
    ]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.err).toMatch(/: 1 property, 1 runs, seed -?\d+ \(from release-42\), size small, timeout \d+ ms, 3 shapes per property\n/);
    const report = JSON.parse(await readFile(join(dir, 'r3', 'verification.json'), 'utf8')) as { seedGiven?: string };
    expect(report.seedGiven).toBe('release-42');
  });
});

describe('help', () => {
  it("merge --help prints the merge command's help, the same as helpText('merge')", async () => {
    const r = await run(['merge', '--help']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(helpText('merge'));
    expect(r.out).toMatch(/merge/);
    expect(r.out).not.toBe(helpText(undefined));
  });
});

describe('verify interrupted by SIGINT', () => {
  it('stops the kernel, writes a partial report marked interrupted and exits 130', async () => {
    const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
    let sent = false;
    try {
      const r = await run(
        [
          'verify',
          '--kernel',
          'builtin:reference',
          '--runs',
          '100000',
          '--seed',
          '3',
          '--size',
          'small',
          '--properties',
          'conv-matches-reference',
          '--report-dir',
          join(dir, 'r4'),
        ],
        (text) => {
          // the handlers are installed right after the header, before the first case runs
          if (!sent && /verifying/.test(text)) {
            sent = true;
            setTimeout(() => process.emit('SIGINT'), 300);
          }
        },
      );
      expect(sent).toBe(true);
      expect(r.err).toMatch(/convcheck: interrupted; stopping the kernel and writing a partial report \(Ctrl-C again to quit now\)/);
      expect(r.code).toBe(EXIT.interrupted);
      expect(EXIT.interrupted).toBe(130);
      const report = JSON.parse(await readFile(join(dir, 'r4', 'verification.json'), 'utf8')) as { interrupted: boolean; status: string };
      expect(report.interrupted).toBe(true);
    } finally {
      // main leaves its handlers installed after a signal (a second one must quit): remove them here
      for (const sig of ['SIGINT', 'SIGTERM'] as const)
        for (const h of process.listeners(sig)) if (!before[sig].includes(h)) process.off(sig, h);
    }
  });
});
