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
import { arrayTypeOf, formatShape } from '../tensor.js';
import type { CheckedKernel, Data64 } from '../vocabulary.js';
import { KernelFault } from '../vocabulary.js';

export { KernelFault } from '../vocabulary.js';
export type { Data64 } from '../vocabulary.js';

function toKernelTensor(t: Data64, precision: Precision): Tensor {
  return { shape: [...t.shape], data: arrayTypeOf(precision).from(t.data) };
}

/** Bitwise equality of two typed arrays of the same type (NaN payloads included). */
function sameBits(a: Float32Array | Float64Array, b: Float32Array | Float64Array): number {
  const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return Math.floor(i / a.BYTES_PER_ELEMENT);
  return -1;
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

async function withTimeout<T>(work: () => T | Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KernelFault('timeout', `${what} did not return within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        try {
          return await work();
        } catch (e) {
          if (e instanceof KernelFault) throw e;
          throw new KernelFault('threw', `${what} threw ${errorMessage(e)}`);
        }
      })(),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function checkResult(result: unknown, expectedShape: readonly number[], what: string): Float64Array {
  if (result === null || typeof result !== 'object' || !('shape' in result) || !('data' in result)) {
    throw new KernelFault('wrong-type', `${what} returned ${result === null ? 'null' : typeof result}, not a tensor {shape, data}`);
  }
  const { shape, data } = result as { shape: unknown; data: unknown };
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    const type = data === null ? 'null' : typeof data === 'object' ? (data as object).constructor?.name ?? 'object' : typeof data;
    throw new KernelFault('wrong-type', `${what} returned data of type ${type}, not a Float32Array or Float64Array`);
  }
  const shapeOk = Array.isArray(shape) && shape.length === expectedShape.length && shape.every((d, i) => d === expectedShape[i]);
  if (!shapeOk) {
    throw new KernelFault('wrong-shape', `${what} returned shape ${Array.isArray(shape) ? formatShape(shape) : String(shape)}, expected ${formatShape(expectedShape)}`);
  }
  if (data.length !== expectedShape.reduce((a, b) => a * b, 1)) {
    throw new KernelFault('wrong-shape', `${what} returned ${data.length} values for shape ${formatShape(expectedShape)}`);
  }
  return Float64Array.from(data);
}

/** A kernel wrapped for properties: float64 in and out, every call guarded. */
export class GuardedKernel implements CheckedKernel {
  readonly kernel: KernelUnderTest;
  readonly timeoutMs: number;
  constructor(kernel: KernelUnderTest, timeoutMs: number) {
    this.kernel = kernel;
    this.timeoutMs = timeoutMs;
  }

  get precision(): Precision {
    return this.kernel.precision;
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
  ): Promise<Float64Array> {
    const k = this.kernel;
    const fn = (k as unknown as Record<string, unknown>)[method];
    if (typeof fn !== 'function') throw new KernelFault('threw', `kernel ${k.name} has no ${method}`);
    const what = `${method}()`;
    const tensors = inputs.map(([, t]) => (t ? toKernelTensor(t, this.kernel.precision) : undefined));
    const args: unknown[] = attrs === undefined ? tensors : [...tensors, structuredClone(attrs)];
    const snapshots = tensors.map((t) => t?.data.slice());
    const result = await withTimeout(() => (fn as (...a: unknown[]) => Tensor | Promise<Tensor>).apply(k, args), this.timeoutMs, what);
    for (let i = 0; i < tensors.length; i++) {
      const t = tensors[i];
      const s = snapshots[i];
      if (!t || !s) continue;
      const at = sameBits(t.data, s);
      if (at >= 0) {
        throw new KernelFault('mutated-input', `${what} wrote into its input ${inputs[i][0]} (element ${at} changed from ${s[at]} to ${t.data[at]})`);
      }
    }
    return checkResult(result, expectedShape, what);
  }
}
