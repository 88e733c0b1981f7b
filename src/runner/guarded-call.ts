/**
 * Calling a kernel under test safely: inputs converted to the kernel's precision, a per-call
 * timeout, and checks that the result is a tensor of the right shape and that no input was
 * written to. Any misbehaviour becomes a `KernelFault`, which the property turns into a failed
 * case with a counterexample — never a crash or a hang of the run.
 *
 * A kernel that loops forever synchronously blocks the thread it runs on; in-process, only
 * asynchronous hangs (a Promise that never settles) can be timed out. The CLI therefore runs
 * module kernels in a worker (`isolated-kernel.ts`), where a synchronous hang is timed out too.
 */
import type { KernelUnderTest, Precision, Tensor } from '../contract.js';
import { completeNumerics } from '../bound/error-model.js';
import { inadmissibleCall } from '../capability-gate.js';
import { type CompleteCapabilities, completeCapabilities } from '../capabilities.js';
import type { NumericPromise } from '../bound/error-model.js';
import { convertData, formatShape } from '../tensor.js';
import type { ElementType, TypedData } from '../quantized.js';
import { ELEMENT_TYPES, elementTypeOf, typedArrayOf } from '../quantized.js';
import type { CheckedKernel, Data64, WholeTensor } from '../vocabulary.js';
import { InadmissibleCall, KernelFault, wholeTensor } from '../vocabulary.js';

/** Any array a kernel is handed: float data of its precision, or a quantized operator's typed data. */
type HandedData = Float32Array | Float64Array | TypedData;

/** `data` as the kernel receives it: converted to `dtype` when the property gave one, else to the kernel's precision. */
function handedData(data: Float64Array, precision: Precision, dtype: ElementType | undefined): HandedData {
  return dtype === undefined ? convertData(data, precision) : typedArrayOf(data, dtype);
}

function toKernelTensor(t: Data64, precision: Precision): { shape: number[]; data: HandedData } {
  return { shape: [...t.shape], data: handedData(t.data, precision, t.dtype) };
}

/** Bitwise equality of two typed arrays of the same type (NaN payloads included). */
function sameBits(a: HandedData, b: HandedData): number {
  // 32-bit words where both views are aligned (every float32 and float64 array the guard makes
  // is): a production layer's 10⁸ weights are compared four times faster than byte by byte
  const words = a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.byteLength % 4 === 0 && b.byteLength === a.byteLength;
  const W = words ? 4 : 1;
  const ua = words ? new Uint32Array(a.buffer, a.byteOffset, a.byteLength / 4) : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = words ? new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4) : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return Math.floor((i * W) / a.BYTES_PER_ELEMENT);
  return -1;
}

/** Elements converted and compared at a time by `changedElement`. */
const CHECK_CHUNK = 1 << 16;

/**
 * The first element of `handed` (the array given to the kernel) whose bits differ from the
 * conversion of `source` it was made from, with its value before the call; undefined when none
 * does. The conversion is deterministic, so re-converting the source chunk by chunk gives the
 * array as handed over — without a full copy of it kept through the call (a production layer's
 * weights are 10⁸ values: a copy per call cost more in page faults than the comparison).
 */
function changedElement(
  handed: HandedData,
  source: Float64Array,
  precision: Precision,
  dtype: ElementType | undefined,
): { at: number; was: number } | undefined {
  if (handed.length !== source.length)
    return { at: Math.min(handed.length, source.length), was: source[Math.min(handed.length, source.length)] };
  for (let start = 0; start < source.length; start += CHECK_CHUNK) {
    const end = Math.min(source.length, start + CHECK_CHUNK);
    const was = handedData(source.subarray(start, end), precision, dtype);
    const at = sameBits(handed.subarray(start, end), was);
    if (at >= 0) return { at: start + at, was: was[at] };
  }
  return undefined;
}

/** A description of anything thrown, even an object whose `toString` or getters throw. */
export function errorMessage(e: unknown): string {
  try {
    if (e instanceof Error) return `${String(e.name)}: ${String(e.message)}`;
    return String(e);
  } catch {
    try {
      return `a value that cannot be printed (${Object.prototype.toString.call(e)})`;
    } catch {
      return 'a value that cannot be printed';
    }
  }
}

/** The run was interrupted (an abort signal) while a kernel call was in flight. */
export class CallInterrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'CallInterrupted';
  }
}

/**
 * Where a kernel runs, as the guard sees it: a child process of its own (`createIsolatedKernel`),
 * a browser page, … A host lets the guard enforce its own time limit: the guard waits for `ready()`
 * before it starts a call's clock (so starting a fresh process is not charged to the kernel), and
 * when a call runs past its limit or the run is interrupted it calls `abandon()`, which must end
 * the call at once (kill the process or close the page that runs it) and, with `replace`, get a fresh one
 * ready for the next call. In-process kernels have no host: a hung Promise is abandoned, a
 * synchronous loop cannot be.
 */
export interface KernelHost {
  ready(): Promise<void>;
  abandon(replace: boolean): Promise<void> | void;
  /** Lets the next call run for `ms` (a confirming run, longer than the host's own limit); optional. */
  extendNextCall?(ms: number): void;
}

/** The `KernelHost` of a kernel object made by a host (e.g. `createIsolatedKernel`), if any. */
export const KERNEL_HOST: unique symbol = Symbol.for('convcheck.kernelHost');

/** The host carried by `kernel` under `KERNEL_HOST`, or undefined. */
export function hostOf(kernel: object): KernelHost | undefined {
  const h = (kernel as { [KERNEL_HOST]?: unknown })[KERNEL_HOST];
  return typeof h === 'object' && h !== null && typeof (h as KernelHost).abandon === 'function' ? (h as KernelHost) : undefined;
}

/**
 * The time accounting of one run, shared by every guarded call. Until the kernel first times
 * out, every call may take the full `timeoutMs`. After that, a kernel known to hang would make
 * every shrink attempt and every later property pay the full timeout again (19 properties × a
 * 30 s shrink of 5 s attempts was 11 minutes), so:
 * - calls are limited to `limitMs()` = max(1 s, 4 × the slowest call that returned), at most
 *   `timeoutMs` — enough for a case that is not hanging, judged by this kernel's own speed;
 * - shrinking a case that timed out is given wall time from a budget (`budgetMs`, default
 *   max(10 s, 2 × timeoutMs)) for the whole run, and at most a quarter of it per property;
 *   when it is spent, the smallest case so far is reported.
 * The runner records every such cut in the property's notes.
 */
export class CallClock {
  readonly timeoutMs: number;
  readonly budgetMs: number;
  /** The first property in which the kernel timed out. */
  private firstTimeout: { property: string | undefined } | undefined;
  private slowestOkMs = 0;
  private shrinkSpentMs = 0;
  /** The property whose cases are running (set by the runner). */
  property: string | undefined;

  constructor(timeoutMs: number, budgetMs?: number) {
    this.timeoutMs = timeoutMs;
    this.budgetMs = budgetMs ?? Math.max(10_000, 2 * timeoutMs);
  }

  /** The limit of the next call, ms. */
  limitMs(): number {
    if (this.firstTimeout === undefined) return this.timeoutMs;
    return Math.min(this.timeoutMs, Math.max(1000, Math.ceil(4 * this.slowestOkMs)));
  }

  /** True once some call has timed out. */
  get cut(): boolean {
    return this.firstTimeout !== undefined;
  }

  /** The property in which the kernel first timed out. */
  get firstTimeoutIn(): string | undefined {
    return this.firstTimeout?.property;
  }

  recordReturn(ms: number): void {
    if (ms > this.slowestOkMs) this.slowestOkMs = ms;
  }

  /** A timeout confirmed: the call did not return within its limit, nor when run again with a longer one. */
  recordTimeout(): void {
    this.firstTimeout ??= { property: this.property };
  }

  /**
   * Whether a call that ran past its limit is run once more, with `confirmLimitMs`, before it is
   * called a timeout: until the kernel has hung once (then it is known to hang, and its calls
   * are cut instead). A machine so busy that a correct kernel misses its limit (seen at load
   * ~600: 5 s timeouts on 17-element problems) must not turn into a failed property.
   */
  get confirmsTimeouts(): boolean {
    return this.firstTimeout === undefined;
  }

  /** The limit of the confirming run: twice the one the call missed. */
  confirmLimitMs(missedMs: number): number {
    return 2 * missedMs;
  }

  /** Calls that missed their limit and returned on the confirming run: slow, not hung. */
  readonly slowCalls: Array<{
    readonly property: string | undefined;
    readonly what: string;
    readonly limitMs: number;
    readonly tookMs: number;
  }> = [];

  recordSlow(what: string, limitMs: number, tookMs: number): void {
    this.slowCalls.push({ property: this.property, what, limitMs, tookMs });
  }

  /** Adds wall time spent shrinking a timed-out case. */
  addShrinkTime(ms: number): void {
    this.shrinkSpentMs += ms;
  }

  /** Why shrinking a timed-out case must stop, given this property's shrink time so far; undefined while the budgets last. */
  shrinkStop(propertyShrinkMs: number): string | undefined {
    if (this.shrinkSpentMs >= this.budgetMs) return `the run had spent its ${this.budgetMs} ms budget for shrinking cases that time out`;
    const share = Math.round(this.budgetMs / 4);
    if (propertyShrinkMs >= share) return `this property had spent its share (${share} ms) of the budget for shrinking cases that time out`;
    return undefined;
  }
}

/** Options of `GuardedKernel` besides the timeout. */
export interface GuardOptions {
  /** Shared time accounting (default: a fresh `CallClock(timeoutMs)`). */
  readonly clock?: CallClock;
  /** Aborting ends a call in flight at once with `CallInterrupted`. */
  readonly signal?: AbortSignal;
  /** Where the kernel runs (default: the kernel's own `KERNEL_HOST`, else none). */
  readonly host?: KernelHost;
}

/**
 * Runs `work` under a time limit (`limitMs`, default the clock's). The clock starts after
 * `host.ready()`; past the limit the call is abandoned (the host terminates whatever runs it and
 * readies a fresh one) and the result is a `timeout` fault — which the caller confirms or
 * records; an abort ends it at once with `CallInterrupted`.
 */
async function guardedRun<T>(
  work: () => T | Promise<T>,
  what: string,
  clock: CallClock,
  host: KernelHost | undefined,
  signal: AbortSignal | undefined,
  limitMs = clock.limitMs(),
): Promise<{ result: T; ms: number }> {
  if (signal?.aborted) throw new CallInterrupted();
  if (host) await host.ready();
  if (signal?.aborted) throw new CallInterrupted();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void host?.abandon(true);
      const cut =
        limitMs < clock.timeoutMs
          ? ` (a limit cut from ${clock.timeoutMs} ms because the kernel had already timed out${clock.firstTimeoutIn ? ` in ${clock.firstTimeoutIn}` : ''})`
          : '';
      reject(new KernelFault('timeout', `${what} did not return within ${limitMs} ms${cut}`));
    }, limitMs);
    onAbort = () => {
      void host?.abandon(false);
      reject(new CallInterrupted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const t0 = performance.now();
  try {
    const result = await Promise.race([
      (async () => {
        try {
          return await work();
        } catch (e) {
          if (e instanceof KernelFault) throw e;
          if (signal?.aborted) throw new CallInterrupted();
          throw new KernelFault('threw', `${what} threw ${errorMessage(e)}`);
        }
      })(),
      stop,
    ]);
    const ms = performance.now() - t0;
    clock.recordReturn(ms);
    return { result, ms };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

function checkResult(result: unknown, expectedShape: readonly number[], what: string, outputType: ElementType | undefined): Float64Array {
  if (result === null || typeof result !== 'object' || !('shape' in result) || !('data' in result)) {
    throw new KernelFault('wrong-type', `${what} returned ${result === null ? 'null' : typeof result}, not a tensor {shape, data}`);
  }
  let shape: unknown;
  let data: unknown;
  try {
    ({ shape, data } = result as { shape: unknown; data: unknown });
  } catch (e) {
    throw new KernelFault('wrong-type', `${what} returned an object whose shape or data cannot be read (${errorMessage(e)})`);
  }
  if (outputType !== undefined ? elementTypeOf(data) !== outputType : !(data instanceof Float32Array || data instanceof Float64Array)) {
    const type = data === null ? 'null' : typeof data === 'object' ? ((data as object).constructor?.name ?? 'object') : typeof data;
    const wanted = outputType !== undefined ? `a ${ELEMENT_TYPES[outputType].ctor.name} (${outputType})` : 'a Float32Array or Float64Array';
    throw new KernelFault('wrong-type', `${what} returned data of type ${type}, not ${wanted}`);
  }
  const values = data as HandedData;
  const shapeOk = Array.isArray(shape) && shape.length === expectedShape.length && shape.every((d, i) => d === expectedShape[i]);
  if (!shapeOk) {
    throw new KernelFault(
      'wrong-shape',
      `${what} returned shape ${Array.isArray(shape) ? formatShape(shape) : errorMessage(shape)}, expected ${formatShape(expectedShape)}`,
    );
  }
  if (values.length !== expectedShape.reduce((a, b) => a * b, 1)) {
    throw new KernelFault('wrong-shape', `${what} returned ${values.length} values for shape ${formatShape(expectedShape)}`);
  }
  return Float64Array.from(values);
}

/** A kernel wrapped for properties: float64 in and out, every call guarded. */
export class GuardedKernel implements CheckedKernel {
  readonly kernel: KernelUnderTest;
  readonly timeoutMs: number;
  readonly clock: CallClock;
  private readonly signal: AbortSignal | undefined;
  private readonly host: KernelHost | undefined;
  /** The capabilities every call is gated by (`capability-gate.ts`), read once. */
  readonly capabilities: CompleteCapabilities;
  constructor(kernel: KernelUnderTest, timeoutMs: number, options: GuardOptions = {}) {
    this.kernel = kernel;
    this.capabilities = completeCapabilities(kernel.capabilities);
    this.timeoutMs = timeoutMs;
    this.clock = options.clock ?? new CallClock(timeoutMs);
    this.signal = options.signal;
    this.host = options.host ?? hostOf(kernel);
  }

  /**
   * The inputs of the latest call, when every one is small enough to show whole (else
   * undefined): the runner attaches them to a failure of that call.
   */
  lastCall: { readonly method: string; readonly inputs: ReadonlyArray<{ readonly name: string } & WholeTensor> } | undefined;

  get precision(): Precision {
    return this.kernel.precision;
  }

  /** The kernel's numeric promise (precision, accumulation, error model, κ) with defaults filled in. */
  get numerics(): NumericPromise {
    return completeNumerics(this.kernel);
  }

  has(method: string): boolean {
    return typeof (this.kernel as unknown as Record<string, unknown>)[method] === 'function';
  }

  /**
   * Guarded `kernel[method](...inputs, attrs)` (attrs only when given, as a fresh copy);
   * `expectedShape` comes from the operator's validated geometry.
   */
  async call(
    method: string,
    inputs: ReadonlyArray<readonly [string, Data64 | undefined]>,
    attrs: unknown,
    expectedShape: readonly number[],
    outputType?: ElementType,
  ): Promise<Float64Array> {
    const k = this.kernel;
    const fn = (k as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new KernelFault('threw', `kernel ${k.name} has no ${method}`);
    const what = `${method}()`;
    // the gate: a call outside the declared capabilities is never sent, whoever built it
    const refused = inadmissibleCall({ method, inputs, attrs, outputShape: expectedShape }, this.capabilities);
    if (refused !== undefined) throw new InadmissibleCall(refused);
    const shown = inputs.flatMap(([name, t]) => (t ? [{ name, whole: wholeTensor(t.shape, t.data) }] : []));
    this.lastCall = shown.every((i) => i.whole !== undefined)
      ? { method, inputs: shown.map((i) => ({ name: i.name, ...i.whole! })) }
      : undefined;
    const limitMs = this.clock.limitMs();
    try {
      return await this.attempt(fn, what, inputs, attrs, expectedShape, limitMs, outputType);
    } catch (e) {
      if (!(e instanceof KernelFault && e.kind === 'timeout')) throw e;
      if (!this.clock.confirmsTimeouts) {
        const where = this.clock.firstTimeoutIn === undefined ? '' : ` in ${this.clock.firstTimeoutIn}`;
        throw new KernelFault('timeout', `${e.message} (not run again: the kernel's hang was confirmed earlier${where})`);
      }
      // confirm before calling it a hang: the same call, fresh inputs, a fresh process or page, twice the time
      const confirmMs = this.clock.confirmLimitMs(limitMs);
      const t0 = performance.now();
      let y: Float64Array;
      try {
        this.host?.extendNextCall?.(confirmMs);
        y = await this.attempt(fn, what, inputs, attrs, expectedShape, confirmMs, outputType);
      } catch (again) {
        if (!(again instanceof KernelFault && again.kind === 'timeout')) throw again;
        this.clock.recordTimeout();
        throw new KernelFault(
          'timeout',
          `${what} did not return within ${limitMs} ms, nor within ${confirmMs} ms when run again to confirm the hang`,
        );
      }
      this.clock.recordSlow(what, limitMs, performance.now() - t0);
      return y;
    }
  }

  /** One guarded call of `fn` with freshly converted inputs, its result and its inputs checked. */
  private async attempt(
    fn: unknown,
    what: string,
    inputs: ReadonlyArray<readonly [string, Data64 | undefined]>,
    attrs: unknown,
    expectedShape: readonly number[],
    limitMs: number,
    outputType: ElementType | undefined,
  ): Promise<Float64Array> {
    const k = this.kernel;
    const tensors = inputs.map(([, t]) => (t ? toKernelTensor(t, this.kernel.precision) : undefined));
    // The arrays handed over, kept here: a kernel may replace `x.data` (or `x.shape`) on the
    // tensor object after writing into the original, and the check must see the original.
    const handed = tensors.map((t) => (t ? { data: t.data as HandedData, shape: t.shape as readonly number[] } : undefined));
    const shapes = tensors.map((t) => (t ? [...t.shape] : undefined));
    const args: unknown[] = attrs === undefined ? tensors : [...tensors, structuredClone(attrs)];
    const { result } = await guardedRun(
      () => (fn as (...a: unknown[]) => Tensor | Promise<Tensor>).apply(k, args),
      what,
      this.clock,
      this.host,
      this.signal,
      limitMs,
    );
    for (let i = 0; i < tensors.length; i++) {
      const h = handed[i];
      const shape = shapes[i];
      const source = inputs[i][1];
      if (!h || !shape || !source) continue;
      const changed = changedElement(h.data, source.data, this.kernel.precision, source.dtype);
      if (changed !== undefined) {
        throw new KernelFault(
          'mutated-input',
          `${what} wrote into its input ${inputs[i][0]} (element ${changed.at} changed from ${changed.was} to ${h.data[changed.at]})`,
        );
      }
      if (h.shape.length !== shape.length || h.shape.some((d, j) => !Object.is(d, shape[j]))) {
        throw new KernelFault(
          'mutated-input',
          `${what} wrote into the shape of its input ${inputs[i][0]} (${formatShape(shape)} became ${formatShape([...h.shape])})`,
        );
      }
    }
    return checkResult(result, expectedShape, what, outputType);
  }
}
