/**
 * The `convcheck` command: `verify`, `replay`, `list`, `--help`, `--version`.
 * Exit codes: 0 all properties passed (skips allowed) / the replayed case now passes;
 * 1 a property failed / the replayed case still fails; 2 usage, kernel-load or report-directory
 * error (nothing ran); 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM — in both cases the
 * partial report is written and says `interrupted`.
 *
 * Everything printed passes through the terminal sanitizer (`terminal.ts`): a kernel's name or
 * message cannot clear the screen or forge a line.
 */
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { completeNumerics, describeNumerics } from '../bound/error-model.js';
import type { KernelUnderTest } from '../contract.js';
import { ConvcheckError, KernelLoadError, ShapesFileError, UsageError } from '../errors.js';
import type { ModelLayer } from '../models/layers.js';
import { parseLayerShapes } from '../models/layers.js';
import { catalog } from '../catalog/index.js';
import {
  builtinKernel,
  builtinKernelNames,
  createBuiltinKernel,
  defaultKernelName,
  describeBuiltinKernel,
  isBuiltinKernelName,
  type KernelPlace,
} from '../kernels/registry.js';
import { removeTemporaryFiles } from '../fs-safe.js';
import { checkReportDirectory, writeReports } from '../reports/writer.js';
import { createIsolatedKernel } from '../runner/isolated-kernel.js';
import type { KernelCoverageOptions } from '../runner/kernel-coverage-probe.js';
import { isBrowserKernelName } from '../browser/builtins.js';
import type { VerificationReport } from '../runner/report.js';
import { resolveSeed } from '../runner/seed.js';
import {
  BROWSER_RUNS,
  BROWSER_SHAPE_BUDGET,
  DEFAULT_RUNS,
  DEFAULT_TIMEOUT_MS,
  resolveOptions,
  type VerifyOptions,
} from '../runner/options.js';
import { verifyResolved } from '../runner/verify.js';
import { terminalLines, terminalSafe } from '../terminal.js';
import { parseArgs, selectProperties, VERIFY_DEFAULTS, type ReplayCommand, type VerifyCommand } from './args.js';
import { createProgressReporter, wantsLiveProgress, type ProgressStream } from './progress.js';
import { formatSummary, shellQuote } from './summary.js';
import { MERGE_HELP, runMerge } from './merge.js';
import { formatLayerVerdicts, openModelRun, runBothData } from './model.js';
import { forgetModelData, restoreModelData } from '../runner/model-layers.js';

/** Exit codes of the `convcheck` command. */
export const EXIT = { ok: 0, failed: 1, error: 2, interrupted: 130, terminated: 143 } as const;

/** The signals that end a run with a partial report, and the exit code of each (128 + signal number). */
const STOP_SIGNALS = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

/** How long, after the reports are written, the kernel's process gets to end before convcheck exits anyway. */
const CLOSE_WAIT_MS = 2000;

/** Where the CLI writes and what it reads from its environment (the process's, by default). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  readonly env: NodeJS.ProcessEnv;
}

/** The package version, read from package.json (two levels up from both src/cli and dist/cli). */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * Runs the CLI with `argv` (without `node` and the script) and resolves to the exit code.
 * @example process.exitCode = await main(['verify', '--runs', '50']);
 */
export async function main(
  argv: readonly string[],
  rawIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const io = sanitized(rawIo);
  try {
    const command = parseArgs(argv);
    switch (command.kind) {
      case 'help':
        io.stdout.write(helpText(command.command));
        return EXIT.ok;
      case 'version':
        io.stdout.write(`${cliVersion()}\n`);
        return EXIT.ok;
      case 'list':
        io.stdout.write(listText());
        return EXIT.ok;
      case 'verify':
        return await runVerify(command, io);
      case 'replay':
        return await runReplay(command, io);
      case 'merge':
        return await runMerge(command, io);
    }
  } catch (e) {
    return reportError(e, io);
  }
}

/** Runs `main` on `process.argv` and exits the process with its code once stdout/stderr are flushed. */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  const code = await main(argv);
  await Promise.all([flush(process.stdout), flush(process.stderr)]);
  // Exit explicitly: an adapter (tfjs, onnxruntime) may keep handles open that would keep Node alive.
  process.exit(code);
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

/**
 * The CLI's streams with every write made terminal-safe line by line (`terminalLines`). The
 * progress reporter's live line is the one exception: it writes its own `\r` and erase
 * sequence around text it sanitizes itself, so it gets the raw stream (`raw`).
 */
function sanitized(io: CliIo): CliIo & { readonly raw: ProgressStream } {
  const stderr = io.stderr;
  return {
    env: io.env,
    raw: stderr,
    stdout: { write: (text: string) => io.stdout.write(terminalLines(text)) },
    stderr: {
      write: (text: string) => stderr.write(terminalLines(text)),
      get isTTY() {
        return stderr.isTTY;
      },
      get columns() {
        return stderr.columns;
      },
    },
  };
}

/** Prints the one-line message of an error to stderr and returns exit code 2. */
function reportError(e: unknown, io: CliIo): number {
  // Messages carry kernel-supplied text (names, exception messages): one line, sanitized.
  const line = (m: string) => io.stderr.write(`${terminalSafe(m)}\n`);
  if (e instanceof KernelLoadError) line(`convcheck: cannot load kernel ${e.message}`);
  else if (e instanceof ConvcheckError) line(e.message.startsWith('convcheck') ? e.message : `convcheck: ${e.message}`);
  else io.stderr.write(`convcheck: internal error: ${e instanceof Error ? (e.stack ?? e.message) : safeString(e)}\n`);
  return EXIT.error;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return 'a value that cannot be printed';
  }
}

/** A loaded kernel and how to release it. */
interface OpenKernel {
  readonly kernel: KernelUnderTest;
  readonly isolated: boolean;
  /** Runs in a headless Chromium page. */
  readonly browser: boolean;
  close(): Promise<void>;
}

/** The folder of the report directory that receives the kernel coverage (HTML view, lcov, shader sources). */
export const KERNEL_COVERAGE_DIR = 'kernel-coverage';

/** Where the CLI runs `spec`: the built-in table says (`builtinKernel(spec).runs`); `--browser` puts any kernel in a page; modules run in their own process. */
function kernelPlace(spec: string, browser: boolean): KernelPlace {
  const runs = builtinKernel(spec)?.runs ?? 'own-process';
  return browser ? 'browser' : runs;
}

/**
 * Opens a kernel where it runs (`runs`, from `kernelPlace`: the built-in table or `--browser`): pure-JS
 * built-ins in-process, browser built-ins (and any module with `--browser`) in a Chromium page,
 * module kernels and the other adapters in a process of their own (`createIsolatedKernel`), so a
 * synchronous infinite loop in them is timed out, not a hang.
 */
async function openKernel(
  spec: string,
  timeoutMs: number,
  runs: KernelPlace,
  env: NodeJS.ProcessEnv,
  coverage?: KernelCoverageOptions,
): Promise<OpenKernel> {
  const withCoverage = coverage !== undefined ? { coverage } : {};
  if (runs === 'browser') {
    // The page plays the kernel process's role; the browser modules load only when a page is needed.
    const { createBrowserKernel } = await import('../browser/browser-kernel.js');
    const kernel = await createBrowserKernel(spec, { timeoutMs, env, ...withCoverage });
    return { kernel, isolated: true, browser: true, close: () => kernel.close() };
  }
  // with coverage every kernel runs in a process of its own: coverage is taken there
  if (runs === 'in-process' && coverage === undefined) {
    // verifyKernel gives the event loop a turn every 50 ms, so Ctrl-C reaches synchronous kernels too
    return { kernel: await createBuiltinKernel(spec), isolated: false, browser: false, close: async () => undefined };
  }
  const kernel = await createIsolatedKernel(spec, { timeoutMs, ...withCoverage });
  return { kernel, isolated: true, browser: false, close: () => kernel.close() };
}

async function runVerify(cmd: VerifyCommand, io: CliIo & { readonly raw?: ProgressStream }): Promise<number> {
  if (cmd.model?.data === 'both') return runBothData({ ...cmd, model: cmd.model }, (c) => runVerify(c, io));
  const ids = catalog.map((p) => p.id);
  // with --model, --shard splits the model's layers (cli/model.ts), not the properties
  const selected = selectProperties(ids, cmd.properties, cmd.model ? undefined : cmd.shard);
  if (selected.length === 0) {
    io.stderr.write(
      `convcheck: shard ${cmd.shard?.index}/${cmd.shard?.count} selects none of the ${cmd.properties?.length ?? ids.length} properties; nothing to run\n`,
    );
    return EXIT.ok;
  }
  const layers = cmd.shapes !== undefined ? await readShapesFile(cmd.shapes) : undefined;
  let seed: ReturnType<typeof resolveSeed>;
  try {
    seed = resolveSeed(cmd.seed);
  } catch (e) {
    throw new UsageError(
      `--seed must be an integer or a non-empty string, got '${cmd.seed}'${e instanceof Error ? ` (${e.message})` : ''}`,
    );
  }
  const model = cmd.model ? await openModelRun({ ...cmd, model: cmd.model }, seed.used) : undefined;
  // Before anything runs: results that cannot be saved are not worth computing.
  try {
    await checkReportDirectory(cmd.reportDir);
  } catch (e) {
    throw new UsageError(`cannot write the reports into --report-dir ${cmd.reportDir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  // the run's options with every default decided (where the kernel runs decides some), before the kernel opens
  const place = kernelPlace(cmd.kernel, cmd.browser);
  const given: VerifyOptions = {
    ...(cmd.runs !== undefined ? { runs: cmd.runs } : {}),
    seed: seed.given ?? seed.used,
    ...(cmd.properties === undefined && cmd.shard === undefined ? {} : { properties: selected }),
    ...(cmd.timeoutMs !== undefined ? { timeoutMs: cmd.timeoutMs } : {}),
    size: cmd.size,
    ...(cmd.shapeBudget !== undefined ? { shapeBudget: cmd.shapeBudget } : {}),
    ...(cmd.shapePlan !== undefined ? { shapePlan: cmd.shapePlan } : {}),
    source: cmd.kernel,
    counterexampleDir: join(cmd.reportDir, 'counterexamples'),
    ...(cmd.timeBudgetSeconds !== undefined ? { timeBudgetMs: cmd.timeBudgetSeconds * 1000 } : {}),
    ...(cmd.everyLayer ? { productionRelationFlops: Number.POSITIVE_INFINITY, productionRelationElements: Number.POSITIVE_INFINITY } : {}),
    ...(layers !== undefined ? { layers } : {}),
    ...(cmd.shard !== undefined
      ? { shard: { ...cmd.shard, of: cmd.properties ?? 'all', ...(model ? { over: 'layers' as const } : {}) } }
      : {}),
    ...(cmd.coverage ? { coverage: { outputDir: join(cmd.reportDir, KERNEL_COVERAGE_DIR) }, guided: cmd.guided === true } : {}),
  };
  const settings = resolveOptions(given, place);
  const opened = await openKernel(
    cmd.kernel,
    settings.timeoutMs,
    place,
    io.env,
    cmd.coverage ? { libraries: cmd.coverageLibraries === true } : undefined,
  );
  const { kernel } = opened;
  const { runs, shapeBudget } = settings;
  const where = opened.browser ? ', in headless Chromium' : opened.isolated ? ', in its own process' : '';
  const seedText =
    seed.given === undefined
      ? `${seed.used} (random)`
      : seed.given === String(seed.used)
        ? String(seed.used)
        : `${seed.used} (from ${seed.given})`;
  io.stderr.write(
    `convcheck ${cliVersion()}: verifying ${terminalSafe(kernel.name)} (${describeNumerics(completeNumerics(kernel))}${where}) from ${terminalSafe(cmd.kernel)}: ` +
      `${selected.length} ${selected.length === 1 ? 'property' : 'properties'}${cmd.shard ? ` (shard ${cmd.shard.index}/${cmd.shard.count})` : ''}, ` +
      `${cmd.timeBudgetSeconds !== undefined ? `time budget ${cmd.timeBudgetSeconds} s` : settings.runsPerLayer ? 'each layer once per property' : `${runs} runs`}, seed ${seedText}, size ${cmd.size}, timeout ${settings.timeoutMs} ms` +
      `${shapeBudget !== undefined ? `, ${shapeBudget} shapes per property` : ''}\n`,
  );
  if (model) io.stderr.write(`convcheck: ${model.description}\n`);

  const progress = createProgressReporter(io.raw ?? io.stderr, { live: wantsLiveProgress(io.stderr, io.env) });
  const controller = new AbortController();
  let stoppedBy: keyof typeof STOP_SIGNALS | undefined;
  const onSignal = (signal: keyof typeof STOP_SIGNALS) => {
    if (stoppedBy === undefined) {
      stoppedBy = signal;
      progress.stop();
      io.stderr.write(
        `\nconvcheck: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}; stopping the kernel and writing a partial report (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGINT or SIGTERM'} again to quit now)\n`,
      );
      controller.abort();
      // Do not wait for a hung call: the guard abandons it and the kernel's process is killed now.
      void opened.close().catch(() => undefined);
    } else {
      io.stderr.write('convcheck: interrupted again; exiting without a report\n');
      removeTemporaryFiles();
      process.exit(STOP_SIGNALS[stoppedBy]);
    }
  };
  const handlers = (Object.keys(STOP_SIGNALS) as Array<keyof typeof STOP_SIGNALS>).map((sig) => [sig, () => onSignal(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  try {
    let report: VerificationReport;
    try {
      // the model's layers depend on the kernel's capabilities: resolved again with them (the same defaults)
      const options = resolveOptions(
        {
          ...given,
          replayCommand: (file) =>
            `npx convcheck replay ${shellQuote(file)} --kernel ${shellQuote(cmd.kernel)}${cmd.browser && !isBrowserKernelName(cmd.kernel) ? ' --browser' : ''}`,
          onProgress: (e) => progress.onProgress(e),
          signal: controller.signal,
          ...(model?.optionsFor(kernel) ?? {}),
        },
        place,
      );
      report = await verifyResolved(kernel, options);
      if (model) report = model.finish(report);
    } catch (e) {
      progress.stop();
      await closeWithin(opened, CLOSE_WAIT_MS);
      throw e;
    }
    progress.stop();
    // Reports first: whatever the kernel left running (native thread pools, timers, its own
    // workers) must not delay or lose them. Then a bounded wait for the kernel's process to end.
    let files: string[];
    try {
      files = await writeReports(report, cmd.reportDir);
    } catch (e) {
      throw new UsageError(`cannot write the reports into --report-dir ${cmd.reportDir}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      await closeWithin(opened, CLOSE_WAIT_MS);
    }
    const kcovFiles = report.kernelCoverage?.outputs ? [report.kernelCoverage.outputs.html, report.kernelCoverage.outputs.lcov] : [];
    io.stdout.write(formatSummary(report, [...files, ...kcovFiles], { listProperties: false }));
    if (report.model) io.stdout.write(formatLayerVerdicts(report.model));
    if (stoppedBy !== undefined) return STOP_SIGNALS[stoppedBy];
    if (report.status === 'interrupted') return EXIT.interrupted;
    return report.status === 'passed' ? EXIT.ok : EXIT.failed;
  } finally {
    // After a signal the handlers stay until the process exits: a second Ctrl-C that arrives
    // between the reports and the exit must still quit with the signal's code, not kill the
    // process by the default action.
    if (stoppedBy === undefined) for (const [sig, h] of handlers) process.off(sig, h);
  }
}

/** Closes the kernel, waiting at most `ms` (a kernel process stuck in native code may not end at once; convcheck exits regardless). */
async function closeWithin(opened: OpenKernel, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    opened.close().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}

/** Reads and validates a `--shapes` file (format: `src/models/layers.ts`, docs/sizes.md). */
async function readShapesFile(file: string): Promise<ModelLayer[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ShapesFileError(
      file,
      undefined,
      undefined,
      file,
      `cannot read the file (${e instanceof Error && 'code' in e ? String(e.code) : String(e)})`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ShapesFileError(
      file,
      undefined,
      undefined,
      text.slice(0, 80),
      `not JSON (${e instanceof Error ? e.message.replace(/\s*\n\s*/g, ' ') : String(e)})`,
    );
  }
  return parseLayerShapes(doc, file);
}

async function runReplay(cmd: ReplayCommand, io: CliIo): Promise<number> {
  let text: string;
  try {
    if (!(await stat(cmd.file)).isFile()) throw new Error('not a file');
    text = await readFile(cmd.file, 'utf8');
  } catch {
    throw new UsageError(`convcheck replay: counterexample file ${cmd.file} not found`);
  }
  // Check the whole file before loading any kernel: a damaged or foreign file is one line, exit 2.
  const { readCounterexample } = await import('../runner/counterexample-db.js');
  try {
    await readCounterexample(cmd.file);
  } catch (e) {
    if (e instanceof ConvcheckError) throw new UsageError(`convcheck replay: ${e.message}`);
    throw e;
  }
  let spec = cmd.kernel;
  if (spec === undefined) {
    const recorded = recordedKernel(text);
    spec = recorded ?? defaultKernelName;
    io.stderr.write(
      recorded !== undefined
        ? `convcheck: replaying against ${recorded}, the kernel recorded in ${cmd.file}\n`
        : `convcheck: replaying against ${defaultKernelName} (the file names no built-in kernel; use --kernel for a module)\n`,
    );
  }
  // a case of a model layer needs the model's tensors: the model is read and run again
  await restoreModelData((JSON.parse(text) as { case?: unknown }).case);
  const opened = await openKernel(spec, cmd.timeoutMs, kernelPlace(spec, cmd.browser), io.env);
  try {
    const { replayCounterexample } = await import('../runner/replay.js');
    const result = await replayCounterexample(opened.kernel, cmd.file, { timeoutMs: cmd.timeoutMs }).catch((e: unknown) => {
      if (e instanceof ConvcheckError && !(e instanceof UsageError)) throw new UsageError(`convcheck replay: ${e.message}`);
      throw e;
    });
    io.stdout.write(result.text.endsWith('\n') ? result.text : `${result.text}\n`);
    io.stdout.write(
      result.status === 'passed'
        ? `PASS: ${result.property} now passes on ${terminalSafe(opened.kernel.name)}\n`
        : `FAIL: ${result.property} still fails on ${terminalSafe(opened.kernel.name)}${result.failure ? ` (${result.failure.kind})` : ''}\n`,
    );
    return result.status === 'passed' ? EXIT.ok : EXIT.failed;
  } finally {
    await closeWithin(opened, CLOSE_WAIT_MS);
    forgetModelData();
  }
}

/**
 * The built-in kernel a saved counterexample was recorded against, if it names one: looks at
 * `kernel.source`, `kernel.name`, `kernel` (a string) and `source`, in that order.
 */
export function recordedKernel(fileText: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(fileText);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as { kernel?: unknown; source?: unknown };
  const k = d.kernel as { source?: unknown; name?: unknown } | string | undefined;
  const candidates = [
    typeof k === 'object' && k !== null ? k.source : undefined,
    typeof k === 'object' && k !== null ? k.name : undefined,
    k,
    d.source,
  ];
  for (const c of candidates) {
    if (typeof c !== 'string') continue;
    if (isBuiltinKernelName(c)) return c;
    if (isBuiltinKernelName(`builtin:${c}`)) return `builtin:${c}`;
  }
  return undefined;
}

function listText(): string {
  const w = Math.max(0, ...catalog.map((p) => p.id.length));
  return catalog.map((p) => `${p.id.padEnd(w)}  ${p.statement}\n`).join('');
}

/** The `--help` text (general, or for one command). */
export function helpText(command?: 'verify' | 'replay' | 'list' | 'merge'): string {
  const d = VERIFY_DEFAULTS;
  const kernels = builtinKernelNames.map((n) => `    ${n.padEnd(22)} ${describeBuiltinKernel(n)}`).join('\n');
  const verify = `convcheck verify [options]
  Checks a kernel against the trusted reference with property-based tests and writes
  verification.json, verification.md, verification.html and junit.xml into the report directory.

  --kernel K          built-in kernel name or module path (.js, .mjs, .cjs, .ts, .mts, .cts)
                      whose default export is a KernelUnderTest or a (async) function returning
                      one; default ${d.kernel}. Modules and adapters run in a process of their own.
  --runs N            cases per property (default ${DEFAULT_RUNS}; ${BROWSER_RUNS} in the browser; with
                      --time-budget, at most N)
  --time-budget S     wall-clock seconds for the whole run, spread over the properties: each
                      gets an equal share of what is left and runs cases until it is spent
                      (at least one); the summary shows the cases each property got
  --seed S            any integer (taken modulo 2^32) or text (hashed) (default: random;
                      printed and recorded in the report, with the 32-bit seed used)
  --properties a,b    only these property ids (see convcheck list)
  --timeout-ms T      per-call kernel timeout in ms (default ${DEFAULT_TIMEOUT_MS})
  --report-dir DIR    where reports go (default ${d.reportDir}); failing cases are saved in
                      DIR/counterexamples and replayed first on the next run
  --size S            problem sizes: small, default, large, or production: every conv,
                      ConvTranspose and dense layer of LeNet-5, VGG-16, ResNet-50, MobileNet-v2,
                      DeepLab-v3, M5 (1-D audio), C3D (3-D video), DCGAN's generator and FCN-8s
                      with its exact geometry, once per property it fits (default ${d.size})
  --shapes FILE       your own layers (JSON, format in docs/sizes.md) instead of the built-in
                      networks; implies --size production
  --model FILE        an ONNX model: its Conv, ConvTranspose, Gemm and MatMul (constant 2-D
                      weight) layers, run once in onnxruntime-node, each checked with its own
                      weights and activations and given a verdict (docs/model.md); implies
                      --size production; with --shard i/n the shards split its layers
  --model-input FILE  the model's input: a TensorProto (.pb) or JSON {"dims", "data"}
                      (default: generated from the seed, uniform in [-1, 1))
  --model-data D      real (default), generated (data of the layers' shapes), or both (two
                      report sets, DIR/real and DIR/generated)
  --every-layer       production tier: the properties that call the kernel two or more times
                      per layer run the layers above 3 GFLOP or 2^25 elements too (by default
                      they leave them out and say so; single-call properties always run them)
  --browser           run the kernel module in a headless Chromium page (WebGL, WebGPU): it is
                      bundled with its npm imports; files it fetches relative to its own
                      import.meta.url are served. tfjs:webgl, tfjs:webgpu and onnxruntime:webgpu
                      always run there. Chromium: CONVCHECK_CHROMIUM, /usr/bin/chromium,
                      /usr/lib/chromium/chromium-headless-shell or Playwright's cache
  --shape-plan MODE   shapes from the run-wide pairwise plan (docs/gpu.md): all (every case; the
                      default with a shape budget, as in the browser), mixed (single-call
                      properties add each plan shape to their random cases), off (random only;
                      the default otherwise)
  --shape-budget N    distinct shapes per property; later cases re-use them with fresh data
                      (default ${BROWSER_SHAPE_BUDGET} in the browser, where each new shape compiles a GPU
                      program; unlimited in Node); with the plan, the plan shapes each
                      multi-call property takes (single-call ones walk the whole plan)
  --coverage          collect the kernel's own block coverage (its module files, in its process
                      or page) and the GPU programs it creates (shader variants); writes
                      DIR/kernel-coverage/index.html and lcov.info, and a "Kernel coverage"
                      section (code never reached, shader variants and the shapes that
                      reached each) in the reports. Observes only: the same cases are run
  --coverage-libraries  --coverage including the npm packages the kernel imports (e.g. the
                      library behind a built-in adapter)
  --guided            coverage-guided generation (implies --coverage): cases that reach new
                      kernel code or shader variants are kept and mutated, one geometry
                      parameter at a time, within the shape budget (docs/gpu.md)
  --shard i/n         run every n-th property of the selected list, starting at the i-th
                      (1-based): with 7 properties, 1/3 runs #1, #4, #7; 2/3 runs #2, #5.
                      Run i = 1..n on n CI machines to cover the list once.

  Exit code: 0 all passed (skips allowed), 1 a property failed, 2 usage, kernel-load or
  report-directory error (nothing ran), 130 interrupted by SIGINT (Ctrl-C), 143 by SIGTERM:
  both stop the kernel at once and write a partial report whose status is "interrupted"
  (a second signal quits at once).
`;
  const replay = `convcheck replay FILE [--kernel K] [--timeout-ms T] [--browser]
  Re-runs one saved counterexample (from DIR/counterexamples) and prints the comparison.
  The kernel defaults to the built-in kernel recorded in FILE, else ${defaultKernelName}.
  Exit code: 0 it now passes, 1 it still fails, 2 error.
`;
  const list = `convcheck list
  Prints every property id with its one-line statement.
`;
  if (command === 'verify') return verify;
  if (command === 'replay') return replay;
  if (command === 'list') return list;
  if (command === 'merge') return MERGE_HELP;
  return `convcheck ${cliVersion()}: property-based verification of convolution and dense kernels

Usage:
  ${verify}
  ${replay}
  ${list}
  ${MERGE_HELP}
  convcheck --help | --version

Built-in kernels:
${kernels}
`;
}
