/**
 * This core's WebAssembly SIMD peak for the float32 micro-kernel's instruction mix, measured
 * rather than taken from a data sheet: a loop of independent f32x4.mul and f32x4.add chains
 * (no fused multiply–add — WebAssembly SIMD 1.0 has none, and the micro-kernel does a mul then an
 * add per product), everything in registers, no loads or stores. Seven multiply chains and seven
 * add chains plus the constant are 15 v128 values: as many as V8 keeps in XMM registers on x64.
 * Each chain has one operation per unrolled step, so the loop is throughput-bound (the latency of
 * 7 chains exceeds nothing the core has: 3–4 cycles at 2 operations per cycle per kind).
 * FLOP/s = 4 lanes × operations / s; the best of several timed runs.
 */
import { F32X4_ADD, F32X4_MUL, F32X4_SPLAT, W, name, section, simd, sleb, uleb, vec } from '../src/kernels/wasm-assembler.js';

const CHAINS = 7;
const UNROLL = 8;

function peakModule(): Uint8Array<ArrayBuffer> {
  // Parameter 0: iterations (≥ 1). Locals: v128 p[7], s[7], c.
  const p = Array.from({ length: CHAINS }, (_, i) => 1 + i);
  const s = Array.from({ length: CHAINS }, (_, i) => 1 + CHAINS + i);
  const c = 1 + 2 * CHAINS;
  const get = (i: number) => [W.get, i];
  const set = (i: number) => [W.set, i];
  const one = [W.f32Const, 0x00, 0x00, 0x80, 0x3f]; // 1.0f
  const step = p.flatMap((pi, i) => [...get(pi), ...get(c), ...F32X4_MUL, ...set(pi), ...get(s[i]), ...get(c), ...F32X4_ADD, ...set(s[i])]);
  const code = [
    ...one, ...F32X4_SPLAT, ...set(c),
    ...[...p, ...s].flatMap((v) => [...get(c), ...set(v)]),
    W.loop, W.void,
    ...Array.from({ length: UNROLL }, () => step).flat(),
    ...get(0), W.i32Const, ...sleb(1), W.i32Sub, W.tee, 0, W.brIf, 0,
    W.end,
    // Keep every chain alive: the sum of all of them, lane 0.
    ...get(p[0]),
    ...[...p.slice(1), ...s].flatMap((v) => [...get(v), ...F32X4_ADD]),
    ...simd(0x1f), 0, // f32x4.extract_lane 0
    W.end,
  ];
  const locals = vec([[...uleb(2 * CHAINS + 1), W.v128]]);
  const body = [...uleb(locals.length + code.length), ...locals, ...code];
  const type = [0x60, ...vec([[W.i32]]), ...vec([[W.f32]])];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('peak'), 0x00, 0]])),
    ...section(10, vec([body])),
  ]);
}

/** Best GFLOP/s of `runs` timed calls of ~`ms` milliseconds each, or undefined without WebAssembly SIMD. */
export function measureWasmSimdPeak(runs = 7, ms = 40): { gflops: number; flopsPerCall: number; method: string } | undefined {
  const bytes = peakModule();
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(bytes)) return undefined;
  const peak = (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { peak: (n: number) => number }).peak;
  const flopsPerIter = UNROLL * 2 * CHAINS * 4;
  // Calibrate the iteration count to ~ms per call, then keep the fastest call.
  let iters = 1000;
  peak(iters);
  for (;;) {
    const t0 = performance.now();
    peak(iters);
    const dt = performance.now() - t0;
    if (dt >= ms / 4 || iters > 1 << 28) {
      iters = Math.max(1, Math.round((iters * ms) / Math.max(dt, 1e-3)));
      break;
    }
    iters *= 4;
  }
  let best = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    peak(iters);
    const dt = (performance.now() - t0) / 1000;
    best = Math.max(best, (iters * flopsPerIter) / dt / 1e9);
  }
  return {
    gflops: best,
    flopsPerCall: iters * flopsPerIter,
    method: `${CHAINS} f32x4.mul + ${CHAINS} f32x4.add independent register-resident chains, unrolled ${UNROLL}×, best of ${runs} calls of ~${ms} ms (4 flops per instruction)`,
  };
}

if (process.argv[1]?.endsWith('peak.ts')) {
  const r = measureWasmSimdPeak();
  process.stdout.write(r === undefined ? 'WebAssembly SIMD unavailable\n' : `${r.gflops.toFixed(1)} GFLOP/s — ${r.method}\n`);
}
