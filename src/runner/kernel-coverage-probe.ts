/**
 * What a kernel's host reports about the code one call ran, when coverage is on: the V8 block
 * coverage of the kernel's own scripts since the previous call (the kernel process takes it
 * through `node:inspector`, the browser host through the DevTools protocol), and the GPU programs
 * the call created and used (the page wraps `createShaderModule`, `createComputePipeline(Async)`,
 * `setPipeline`, WebGL's `shaderSource` and `useProgram`). Types only, shared by the hosts and
 * the runner's collector (`kernel-coverage.ts`).
 */

/** One block range of V8's precise coverage: character offsets into the script, and a count. */
export interface CoverageRange {
  readonly startOffset: number;
  readonly endOffset: number;
  readonly count: number;
}

/** One function of V8's precise coverage: its range first, then its blocks (pre-order). */
export interface FunctionCoverage {
  readonly functionName: string;
  readonly ranges: readonly CoverageRange[];
  readonly isBlockCoverage: boolean;
}

/** One script's coverage in one take (Profiler.takePreciseCoverage's `ScriptCoverage`, without the id). */
export interface ScriptCoverage {
  /** `file:///…` in a kernel process; the bundle's URL in a page. */
  readonly url: string;
  readonly functions: readonly FunctionCoverage[];
  /** The script's source as V8 ran it, sent with the first take of the script from each process or page. */
  readonly source?: string;
}

/** A GPU program source (a WGSL module, a GLSL shader) the kernel created, as a shader variant. */
export interface ShaderVariantSeen {
  /** Hash of the source with its numeric literals normalized (`shaderVariantKey`). */
  readonly key: string;
  /** `wgsl`, `glsl-vertex`, `glsl-fragment`. */
  readonly kind: string;
  /** The source as the kernel gave it (sent the first time a page sees the variant). */
  readonly source?: string;
}

/** The shader variants of one call: created during it, and used by it (bound with `setPipeline` / `useProgram`). */
export interface CallShaders {
  readonly created: readonly ShaderVariantSeen[];
  readonly used: readonly string[];
}

/** What one kernel call ran. */
export interface CallCoverage {
  /** The call's operation, shapes and attributes (`conv [1,3,5,5] [4,3,3,3] - {...}`). */
  readonly signature: string;
  readonly scripts: readonly ScriptCoverage[];
  readonly shaders?: CallShaders;
}

/** Which scripts count as the kernel's own: its module files, and optionally its npm libraries. */
export interface KernelCoverageOptions {
  /**
   * Include the npm packages the kernel imports (files under `node_modules`), e.g. the library a
   * built-in adapter wraps. Default false: the user's module files only.
   */
  readonly libraries?: boolean;
}

/**
 * How a kernel object made by a host (`createIsolatedKernel` / `createBrowserKernel` with
 * `coverage`) hands out what its calls ran: the host `emit`s each call's coverage (and the
 * module load's, with signature `LOAD_SIGNATURE`); the runner `attach`es a listener for a run.
 * The first take of each script (its source, all its functions: the module's load) is kept and
 * handed to every listener that attaches, so each run's report has the whole file; other takes
 * that arrive while nobody listens are held for the next listener, at most `MAX_HELD`.
 */
export class KernelCoverageTap {
  private listener: ((c: CallCoverage) => void) | undefined;
  private readonly firsts: CallCoverage[] = [];
  private readonly firstUrls = new Set<string>();
  private held: CallCoverage[] = [];
  constructor(readonly options: KernelCoverageOptions) {}

  /** Hands `c` to the listener, or holds it until one attaches. */
  emit(c: CallCoverage): void {
    // a script's first take, and a shader's first creation (with its source), are kept for every run
    const fresh = c.scripts.filter((s) => s.source !== undefined && !this.firstUrls.has(s.url));
    for (const s of fresh) this.firstUrls.add(s.url);
    const shaders = c.shaders?.created.filter((v) => v.source !== undefined) ?? [];
    const first: CallCoverage | undefined = fresh.length + shaders.length === 0 ? undefined : { signature: LOAD_SIGNATURE, scripts: fresh, ...(shaders.length > 0 ? { shaders: { created: shaders, used: [] } } : {}) };
    if (first !== undefined) this.firsts.push(first);
    const rest = fresh.length === 0 ? c : { ...c, scripts: c.scripts.filter((s) => !fresh.includes(s)) };
    if (this.listener !== undefined) {
      if (first !== undefined) this.listener(first);
      return this.listener(rest);
    }
    if (this.held.length < MAX_HELD || (rest.shaders?.created.length ?? 0) > 0) this.held.push(rest);
  }

  /** Starts handing coverage to `listener`: first every script's first take, then what was held. */
  attach(listener: (c: CallCoverage) => void): void {
    this.listener = listener;
    const held = this.held;
    this.held = [];
    for (const c of [...this.firsts, ...held]) listener(c);
  }

  detach(): void {
    this.listener = undefined;
  }
}

/** Takes without a source held by a tap with no listener, at most. */
const MAX_HELD = 64;

/** The `KernelCoverageTap` of a kernel object, if it has one. */
export const KERNEL_COVERAGE: unique symbol = Symbol.for('convcheck.kernelCoverage');

/** The tap carried by `kernel` under `KERNEL_COVERAGE`, or undefined. */
export function coverageTapOf(kernel: object): KernelCoverageTap | undefined {
  const t = (kernel as { [KERNEL_COVERAGE]?: unknown })[KERNEL_COVERAGE];
  return t instanceof KernelCoverageTap ? t : undefined;
}

/** The signature of the coverage taken while the kernel module loaded (before any call). */
export const LOAD_SIGNATURE = '(load)';

/**
 * The variant key of a shader source: FNV-1a (64-bit as two 32-bit halves) of the source with
 * comments dropped, whitespace collapsed and every numeric literal (`3`, `0.5`, `1e-3`, `4u`,
 * `2.0f`, `0x1F`) replaced by `#` — so programs that differ only in the sizes a library bakes
 * into them (tile extents, strides, input sizes) are one variant, while a different code path
 * (a vec4 loop, a remainder branch, a dilation special case) is another. Identifiers with digits
 * (`vec4`, `x1`) are kept: a literal must start at a word boundary.
 * @example shaderVariantKey('let k = 3u;') === shaderVariantKey('let k = 5u;')
 */
export function shaderVariantKey(source: string): string {
  const normalized = source
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\/\/[^\n]*/g, ' ')
    .replace(/\b(0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)[uUiIfFhH]?\b/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ normalized.length;
  for (let i = 0; i < normalized.length; i++) {
    const c = normalized.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
