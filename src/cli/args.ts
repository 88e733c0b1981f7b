/**
 * Command-line parsing: argv → one `Command`, or a `UsageError` naming the flag and the value.
 * Pure (no I/O); property ids are checked against the catalog by `selectProperties`.
 */
import { UsageError } from '../errors.js';
import type { SizeTier } from '../vocabulary.js';
import { defaultKernelName } from '../kernels/registry.js';
import { DEFAULT_TIMEOUT_MS } from '../runner/options.js';

/**
 * Defaults of `convcheck verify` that are the command's own (the kernel, where reports go, the size
 * without --shapes or --model); the run's defaults (runs, timeout, shape budget…) are decided by
 * `resolveOptions` (`runner/options.ts`).
 */
export const VERIFY_DEFAULTS = { kernel: defaultKernelName, reportDir: 'reports', size: 'default' } as const;

/** `--shard i/n`: the i-th (1-based) of n interleaved slices of the property list. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `convcheck verify …` */
export interface VerifyCommand {
  readonly kind: 'verify';
  readonly kernel: string;
  /** Undefined: the default (`resolveOptions`: 200 in Node, `BROWSER_RUNS` in the browser). */
  readonly runs: number | undefined;
  /**
   * The seed as given: any integer (CI run ids exceed 2³¹) or any other text, mapped to the
   * 32-bit seed by `resolveSeed`. Undefined: pick a random seed (and print it).
   */
  readonly seed: string | undefined;
  /** Undefined: every property in the catalog. */
  readonly properties: readonly string[] | undefined;
  /** `--timeout-ms`; undefined: the default (`resolveOptions`: 5000 ms, `PRODUCTION_TIMEOUT_MS` in the production tier). */
  readonly timeoutMs: number | undefined;
  readonly reportDir: string;
  readonly size: SizeTier;
  readonly shard: Shard | undefined;
  /** Run the kernel in a headless Chromium page (implied by the browser built-ins `tfjs:webgl`, …). */
  readonly browser: boolean;
  /** Distinct shapes per property; undefined: the default (a budget in the browser, none in Node). */
  readonly shapeBudget: number | undefined;
  /** `--shape-plan all|mixed|off`; undefined: the default (all with a shape budget, off otherwise). */
  readonly shapePlan?: 'all' | 'mixed' | 'off';
  /** `--every-layer`: in the production tier, multi-call properties run the layers above the cost cap too. */
  readonly everyLayer?: boolean;
  /** `--time-budget SECONDS`: wall-clock budget spread over the properties, or undefined. */
  readonly timeBudgetSeconds?: number;
  /** `--shapes FILE`: a JSON file of the user's layer shapes, run by the production tier. */
  readonly shapes?: string;
  /** `--coverage`: the kernel's own block coverage and shader variants, into DIR/kernel-coverage/ and the reports. */
  readonly coverage?: boolean;
  /** `--coverage-libraries`: coverage includes the npm packages the kernel imports (implies --coverage). */
  readonly coverageLibraries?: boolean;
  /** `--guided`: coverage-guided generation (implies --coverage). */
  readonly guided?: boolean;
  /** `--model FILE`: an ONNX model whose layers the production tier runs (`docs/model.md`); with `--model-input` and `--model-data`. */
  readonly model?: ModelOptions;
}

/** `--model FILE [--model-input FILE] [--model-data real|generated|both]`. */
export interface ModelOptions {
  readonly file: string;
  /** The model's input (`.json`: `{"name": {"dims": [...], "data": [...]}}`, or raw little-endian float32); undefined: generated. */
  readonly input?: string;
  /** Whose data the layers run on (default `real`). */
  readonly data: 'real' | 'generated' | 'both';
}

/** `convcheck merge DIR… [--report-dir OUT]`: the reports of shards joined into one. */
export interface MergeCommand {
  readonly kind: 'merge';
  readonly dirs: readonly string[];
  readonly reportDir: string;
}

/** `convcheck replay FILE …` */
export interface ReplayCommand {
  readonly kind: 'replay';
  readonly file: string;
  /** Undefined: the built-in kernel recorded in the file, else the default kernel. */
  readonly kernel: string | undefined;
  readonly timeoutMs: number;
  /** Replay in a headless Chromium page. */
  readonly browser: boolean;
}

/** What the command line asks for. `help` carries the command whose help was asked for, if any. */
export type Command =
  | VerifyCommand
  | ReplayCommand
  | MergeCommand
  | { readonly kind: 'list' }
  | { readonly kind: 'help'; readonly command?: 'verify' | 'replay' | 'list' | 'merge' }
  | { readonly kind: 'version' };

const COMMANDS = ['verify', 'replay', 'list', 'merge'] as const;
type CommandName = (typeof COMMANDS)[number];

/** Options each command accepts (besides --help). */
const OPTIONS: Record<CommandName, readonly string[]> = {
  verify: [
    'kernel',
    'runs',
    'seed',
    'properties',
    'timeout-ms',
    'report-dir',
    'size',
    'shard',
    'browser',
    'shape-budget',
    'shape-plan',
    'time-budget',
    'shapes',
    'every-layer',
    'model',
    'model-input',
    'model-data',
    'coverage',
    'coverage-libraries',
    'guided',
  ],
  replay: ['kernel', 'timeout-ms', 'browser'],
  list: [],
  merge: ['report-dir'],
};

/** Options that take no value. */
const FLAGS: readonly string[] = ['browser', 'every-layer', 'coverage', 'coverage-libraries', 'guided'];

const SIZES: readonly SizeTier[] = ['small', 'default', 'large', 'production'];

/**
 * Parses `argv` (without `node` and the script).
 * @example parseArgs(['verify', '--runs', '50', '--kernel', './k.js'])
 */
export function parseArgs(argv: readonly string[]): Command {
  const first = argv[0];
  if (first === undefined) throw new UsageError('missing command; expected one of: verify, replay, list (see convcheck --help)');
  if (first === '--help' || first === '-h' || first === 'help') return { kind: 'help' };
  if (first === '--version' || first === '-V' || first === '-v') return { kind: 'version' };
  if (!(COMMANDS as readonly string[]).includes(first)) {
    throw new UsageError(
      first.startsWith('-')
        ? `unknown option ${first}; expected a command first: verify, replay or list (see convcheck --help)`
        : `unknown command '${first}'; expected one of: verify, replay, list (see convcheck --help)`,
    );
  }
  const command = first as CommandName;
  const { options, positionals, help } = splitOptions(command, argv.slice(1));
  if (help) return { kind: 'help', command };

  switch (command) {
    case 'merge':
      if (positionals.length === 0)
        throw new UsageError('convcheck merge: missing the shard report directories (see convcheck merge --help)');
      return {
        kind: 'merge',
        dirs: positionals,
        reportDir: nonEmpty('--report-dir', options.get('report-dir')) ?? VERIFY_DEFAULTS.reportDir,
      };
    case 'list':
      if (positionals.length > 0) throw new UsageError(`convcheck list: unexpected argument '${positionals[0]}'`);
      return { kind: 'list' };
    case 'replay': {
      if (positionals.length !== 1) {
        throw new UsageError(
          positionals.length === 0
            ? 'convcheck replay: missing the counterexample FILE (see convcheck replay --help)'
            : `convcheck replay: expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`,
        );
      }
      return {
        kind: 'replay',
        file: positionals[0],
        kernel: options.get('kernel'),
        timeoutMs: integerOption('--timeout-ms', options.get('timeout-ms'), 1, Number.MAX_SAFE_INTEGER) ?? DEFAULT_TIMEOUT_MS,
        browser: options.has('browser'),
      };
    }
    case 'verify': {
      if (positionals.length > 0) {
        throw new UsageError(`convcheck verify: unexpected argument '${positionals[0]}' (the kernel is given with --kernel)`);
      }
      const shapes = nonEmpty('--shapes', options.get('shapes'));
      const model = modelOption(options, shapes);
      // --shapes and --model run the user's layers: the production tier
      const size = options.get('size') ?? (shapes !== undefined || model !== undefined ? 'production' : VERIFY_DEFAULTS.size);
      if (!(SIZES as readonly string[]).includes(size)) {
        throw new UsageError(`--size must be one of ${SIZES.join(', ')}, got '${size}'`);
      }
      if (shapes !== undefined && size !== 'production')
        throw new UsageError(`--shapes runs the production tier; it cannot be combined with --size ${size}`);
      if (model !== undefined && size !== 'production')
        throw new UsageError(`--model runs the production tier; it cannot be combined with --size ${size}`);
      if (options.has('every-layer') && size !== 'production')
        throw new UsageError(`--every-layer applies to the production tier (--size production or --shapes), not --size ${size}`);
      return {
        kind: 'verify',
        kernel: options.get('kernel') ?? VERIFY_DEFAULTS.kernel,
        runs: integerOption('--runs', options.get('runs'), 1, Number.MAX_SAFE_INTEGER),
        seed: nonEmpty('--seed', options.get('seed'))?.trim(),
        properties: listOption('--properties', options.get('properties')),
        timeoutMs: integerOption('--timeout-ms', options.get('timeout-ms'), 1, Number.MAX_SAFE_INTEGER),
        reportDir: nonEmpty('--report-dir', options.get('report-dir')) ?? VERIFY_DEFAULTS.reportDir,
        size: size as SizeTier,
        shard: shardOption(options.get('shard')),
        browser: options.has('browser'),
        shapeBudget: integerOption('--shape-budget', options.get('shape-budget'), 1, Number.MAX_SAFE_INTEGER),
        ...(options.has('shape-plan') ? { shapePlan: shapePlanOption(options.get('shape-plan')) } : {}),
        ...(options.has('time-budget') ? { timeBudgetSeconds: secondsOption('--time-budget', options.get('time-budget')!) } : {}),
        ...(shapes !== undefined ? { shapes } : {}),
        ...(model !== undefined ? { model } : {}),
        ...(options.has('every-layer') ? { everyLayer: true } : {}),
        ...(options.has('coverage') || options.has('coverage-libraries') || options.has('guided') ? { coverage: true } : {}),
        ...(options.has('coverage-libraries') ? { coverageLibraries: true } : {}),
        ...(options.has('guided') ? { guided: true } : {}),
      };
    }
  }
}

/** Splits `--name value` / `--name=value` options from positionals; the last occurrence of a flag wins. */
function splitOptions(
  command: CommandName,
  args: readonly string[],
): { options: Map<string, string>; positionals: string[]; help: boolean } {
  const options = new Map<string, string>();
  const positionals: string[] = [];
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    if (!OPTIONS[command].includes(name)) {
      const known = OPTIONS[command].map((o) => `--${o}`).join(', ');
      throw new UsageError(`convcheck ${command}: unknown option ${eq < 0 ? arg : arg.slice(0, eq)}${known ? ` (options: ${known})` : ''}`);
    }
    if (FLAGS.includes(name)) {
      if (eq >= 0) throw new UsageError(`convcheck ${command}: option --${name} takes no value`);
      options.set(name, '');
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = args[i + 1];
      // A missing value, or the next flag where the value should be: `--runs --seed 3`.
      if (value === undefined || (value.startsWith('--') && value.length > 2)) {
        throw new UsageError(`convcheck ${command}: option --${name} needs a value`);
      }
      i++;
    }
    options.set(name, value);
  }
  return { options, positionals, help };
}

/** Parses a decimal integer flag in [min, max]; undefined when the flag is absent. */
export function integerOption(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const v = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new UsageError(`${flag} must be ${range}, got '${text}'`);
  }
  return v;
}

function nonEmpty(flag: string, text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return text;
}

/** Parses `a,b,c` into distinct ids in the order given. */
function listOption(flag: string, text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  if (ids.length === 0) throw new UsageError(`${flag} needs at least one property id (see convcheck list), got '${text}'`);
  return ids;
}

/** Parses a positive number of seconds (`90`, `2.5`). */
function secondsOption(flag: string, text: string): number {
  const v = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${flag} must be a number of seconds > 0 (e.g. 60 or 2.5), got '${text}'`);
  return v;
}

/** `--model`, `--model-input`, `--model-data` (the last two only with the first; `--model` not with `--shapes`). */
function modelOption(options: ReadonlyMap<string, string>, shapes: string | undefined): ModelOptions | undefined {
  const file = nonEmpty('--model', options.get('model'));
  const input = nonEmpty('--model-input', options.get('model-input'));
  const data = options.get('model-data');
  if (file === undefined) {
    if (input !== undefined || data !== undefined)
      throw new UsageError(`${input !== undefined ? '--model-input' : '--model-data'} needs --model FILE`);
    return undefined;
  }
  if (shapes !== undefined) throw new UsageError('--model and --shapes both name the layers to run; give one');
  if (data !== undefined && data !== 'real' && data !== 'generated' && data !== 'both')
    throw new UsageError(`--model-data must be real, generated or both, got '${data}'`);
  return { file, ...(input !== undefined ? { input } : {}), data: (data ?? 'real') as ModelOptions['data'] };
}

/** Parses `--shard i/n` with 1 <= i <= n. */
function shardOption(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new UsageError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got '${text}'`);
  }
  return { index, count };
}

/**
 * The properties to run: the requested ids (checked against `known`, in catalog order) or all of
 * `known`, then every n-th starting at the shard's i-th. Throws `UsageError` for an unknown id.
 * @example selectProperties(['a', 'b', 'c', 'd'], undefined, { index: 2, count: 2 }) // ['b', 'd']
 */
export function selectProperties(known: readonly string[], requested: readonly string[] | undefined, shard: Shard | undefined): string[] {
  if (requested !== undefined) {
    const unknown = requested.filter((id) => !known.includes(id));
    if (unknown.length > 0) {
      throw new UsageError(
        `--properties: unknown property id${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')} (run convcheck list to see the ids)`,
      );
    }
  }
  const selected = requested === undefined ? [...known] : known.filter((id) => requested.includes(id));
  return shard === undefined ? selected : selected.filter((_, i) => i % shard.count === shard.index - 1);
}

/** `--shape-plan`: how generation draws from the run-wide shape plan. */
function shapePlanOption(v: string | undefined): 'all' | 'mixed' | 'off' {
  if (v === 'all' || v === 'mixed' || v === 'off') return v;
  throw new UsageError(`--shape-plan must be one of all, mixed, off, got '${v ?? ''}'`);
}

/**
 * The parser's option table, read-only: each command's options (without `--`) and the options
 * that take no value. `test/docs.test.ts` checks the commands quoted in the docs against it.
 */
export const OPTION_TABLE: { readonly commands: Readonly<Record<CommandName, readonly string[]>>; readonly valueless: readonly string[] } =
  {
    commands: OPTIONS,
    valueless: FLAGS,
  };
