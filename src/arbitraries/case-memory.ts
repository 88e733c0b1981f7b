/**
 * Large data arrays re-used from one case to the next. A production layer's data are drawn fresh
 * for every case, and VGG-16's fc6 alone is 10⁸ weights: 822 MB of float64 per case. Memory the
 * process has never touched costs the kernel a page clear on first write, and on this class of
 * virtual machine that cost more than drawing the values (a fresh 822 MB array took 1–3 s to
 * fill, the same array re-filled 0.7 s). So the runner brackets every case with `beginCase` /
 * `endCase`, and arrays of `CASE_POOLED_ELEMENTS` or more taken with `caseArray` in between go
 * back to a free list when no case is running any more; the next case of that size gets one of
 * them, zeroed.
 *
 * What makes this safe: the data of a case (`problemData`) are read only by convcheck's own code
 * during that case. Kernels never see these arrays — the guarded call hands them a converted
 * copy, fresh on every call, which this module does not touch. Reports keep only small tensors
 * (`SMALL_TENSOR_ELEMENTS`), copied. Outside a case (a library user calling `problemData`
 * directly) `caseArray` is a plain `new Float64Array`.
 */

/** Arrays shorter than this are allocated as usual (their pages are cheap and may be kept by reports). */
export const CASE_POOLED_ELEMENTS = 1 << 20;

/** Bytes of free arrays kept between cases; the oldest beyond it are let go. */
const MAX_FREE_BYTES = 2 ** 31;

let activeCases = 0;
/** Pooled-size arrays handed out since no case was running. */
let taken: Float64Array[] = [];
/** Free arrays, oldest first. */
let free: Float64Array[] = [];
let freeBytes = 0;
const caseEndHooks: Array<() => void> = [];

/** A zeroed float64 array of `length`, re-used from an earlier case when one of that length is free. */
export function caseArray(length: number): Float64Array {
  if (activeCases === 0 || length < CASE_POOLED_ELEMENTS) return new Float64Array(length);
  const at = free.findIndex((a) => a.length === length);
  let a: Float64Array;
  if (at >= 0) {
    a = free[at];
    free.splice(at, 1);
    freeBytes -= a.byteLength;
    a.fill(0);
  } else {
    a = new Float64Array(length);
  }
  taken.push(a);
  return a;
}

/** A case starts: arrays taken from now on stay its own until it (and any case running alongside it) ends. */
export function beginCase(): void {
  activeCases++;
}

/**
 * A case ended. When no other case is running, every array taken since is free again, and the
 * hooks registered with `onCaseEnd` (caches of case data) run first.
 */
export function endCase(): void {
  if (activeCases === 0) return;
  activeCases--;
  if (activeCases > 0) return;
  for (const hook of caseEndHooks) hook();
  for (const a of taken) {
    free.push(a);
    freeBytes += a.byteLength;
  }
  taken = [];
  while (freeBytes > MAX_FREE_BYTES && free.length > 0) freeBytes -= free.shift()!.byteLength;
}

/** Registers `hook` to run when the arrays of the cases that just ended are about to be re-used. */
export function onCaseEnd(hook: () => void): void {
  caseEndHooks.push(hook);
}

/** Lets every free array go (the end of a run: a library user's process should not keep them). */
export function releaseCaseMemory(): void {
  free = [];
  freeBytes = 0;
}

/** Free arrays and their bytes (for tests). */
export function caseMemoryStats(): { readonly freeArrays: number; readonly freeBytes: number; readonly activeCases: number } {
  return { freeArrays: free.length, freeBytes, activeCases };
}
