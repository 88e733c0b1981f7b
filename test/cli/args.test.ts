/**
 * `parseArgs` through its public behaviour, for the usage errors and forms test/cli/cli.test.ts
 * leaves out: each is a UsageError whose one line names the option or argument at fault.
 */
import { describe, expect, it } from 'vitest';
import { integerOption, parseArgs, selectProperties, VERIFY_DEFAULTS } from '../../src/cli/args.js';
import { UsageError } from '../../src/errors.js';

const usage = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`parseArgs accepted ${argv.join(' ')}`);
};

describe('parseArgs usage errors', () => {
  it('an option before the command, merge without directories, list with an argument, replay with two files', () => {
    expect(usage(['--runs', '3'])).toBe('unknown option --runs; expected a command first: verify, replay or list (see convcheck --help)');
    expect(usage(['merge'])).toBe('convcheck merge: missing the shard report directories (see convcheck merge --help)');
    expect(usage(['list', 'extra'])).toBe("convcheck list: unexpected argument 'extra'");
    expect(usage(['replay', 'a.json', 'b.json'])).toBe('convcheck replay: expected one FILE, got 2: a.json b.json');
  });
  it('a single-dash unknown option, a --name=value unknown option, a flag given a value', () => {
    expect(usage(['verify', '-x'])).toMatch(/^convcheck verify: unknown option -x \(options: --kernel, /);
    expect(usage(['verify', '--colour=red'])).toMatch(/^convcheck verify: unknown option --colour \(options: /);
    expect(usage(['verify', '--browser=yes'])).toBe('convcheck verify: option --browser takes no value');
  });
  it('--model with another size, with --shapes, with an unknown --model-data; --model-input or --model-data without --model', () => {
    expect(usage(['verify', '--model', 'm.onnx', '--size', 'small'])).toBe(
      '--model runs the production tier; it cannot be combined with --size small',
    );
    expect(usage(['verify', '--model', 'm.onnx', '--shapes', 's.json'])).toBe('--model and --shapes both name the layers to run; give one');
    expect(usage(['verify', '--model', 'm.onnx', '--model-data', 'fake'])).toBe("--model-data must be real, generated or both, got 'fake'");
    expect(usage(['verify', '--model-input', 'x.json'])).toBe('--model-input needs --model FILE');
    expect(usage(['verify', '--model-data', 'real'])).toBe('--model-data needs --model FILE');
  });
  it('selectProperties lists unknown property ids together (one: "id", several: "ids")', () => {
    expect(() => selectProperties(['a', 'b'], ['nope', 'a', 'nada'], undefined)).toThrow(
      "--properties: unknown property ids 'nope', 'nada' (run convcheck list to see the ids)",
    );
    expect(() => selectProperties(['a', 'b'], ['nope'], undefined)).toThrow("--properties: unknown property id 'nope' (run");
  });
});

describe('parseArgs forms', () => {
  it('after --, everything is a positional (a directory named like an option)', () => {
    expect(parseArgs(['merge', 'a', '--', '--report-dir', 'b'])).toEqual({
      kind: 'merge',
      dirs: ['a', '--report-dir', 'b'],
      reportDir: VERIFY_DEFAULTS.reportDir,
    });
    expect(parseArgs(['merge', 'a', '--report-dir=out'])).toEqual({ kind: 'merge', dirs: ['a'], reportDir: 'out' });
  });
  it('integerOption names the range: bounded, or only a minimum', () => {
    expect(() => integerOption('--x', '9', 1, 5)).toThrow("--x must be an integer in [1, 5], got '9'");
    expect(() => integerOption('--y', '0', 1, Number.MAX_SAFE_INTEGER)).toThrow("--y must be an integer >= 1, got '0'");
    expect(integerOption('--z', ' +4 ', 1, 5)).toBe(4);
  });
  it('selectProperties: the requested ones, then every n-th of them for a shard', () => {
    expect(selectProperties(['a', 'b', 'c', 'd', 'e'], undefined, { index: 2, count: 2 })).toEqual(['b', 'd']);
    expect(selectProperties(['a', 'b', 'c', 'd', 'e'], ['a', 'c', 'e'], undefined)).toEqual(['a', 'c', 'e']);
  });
});

describe('parseArgs: the GPU options', () => {
  it('--shape-plan takes all, mixed or off and nothing else', () => {
    for (const v of ['all', 'mixed', 'off'] as const) expect(parseArgs(['verify', '--shape-plan', v])).toMatchObject({ shapePlan: v });
    expect(parseArgs(['verify'])).not.toHaveProperty('shapePlan');
    expect(usage(['verify', '--shape-plan', 'some'])).toBe("--shape-plan must be one of all, mixed, off, got 'some'");
  });
  it('--coverage-libraries and --guided each imply --coverage; none of them: no coverage field', () => {
    const none = parseArgs(['verify']);
    expect(none).not.toHaveProperty('coverage');
    expect(none).not.toHaveProperty('coverageLibraries');
    expect(none).not.toHaveProperty('guided');
    expect(parseArgs(['verify', '--coverage'])).toMatchObject({ coverage: true });
    expect(parseArgs(['verify', '--coverage'])).not.toHaveProperty('guided');
    expect(parseArgs(['verify', '--coverage-libraries'])).toMatchObject({ coverage: true, coverageLibraries: true });
    const guided = parseArgs(['verify', '--guided']);
    expect(guided).toMatchObject({ coverage: true, guided: true });
    expect(guided).not.toHaveProperty('coverageLibraries');
  });
});
