/**
 * This core's WebAssembly SIMD peak for the float32 conv tiles' instruction mix (f32x4.mul and
 * f32x4.add, no fused multiply–add: WebAssembly SIMD 1.0 has none), measured rather than taken
 * from a data sheet. Three register-resident loops (no loads or stores), each with 14 independent
 * dependency chains plus one constant — the 15 XMM registers V8 allocates on x64 — unrolled 8×:
 *
 * - mul: 14 chains p = p·1 — the multiply throughput;
 * - add: 14 chains s = s + 1 — the add throughput;
 * - mixed: 7 multiply and 7 add chains.
 *
 * 14 chains keep either unit busy whatever its latency up to 7 cycles at 2 operations per cycle,
 * so `mul` and `add` measure throughput; the mixed loop has only 7 chains per unit and is partly
 * latency-bound, so it runs below their sum, yet above either alone — the multiplies and adds
 * issue on separate pipes. The peak for a 1:1 mix is therefore taken as mul + add (an upper
 * bound: it only makes the fraction of peak a kernel reaches look smaller). FLOP/s = 4 lanes ×
 * operations per second, best of several timed calls.
 */
import { F32X4_ADD, F32X4_MUL, F32X4_SPLAT, W, name, section, simd, sleb, uleb, vec } from '../src/numeric/wasm-assembler.js';

const UNROLL = 8;

/** A module whose `run(iterations)` runs `muls` multiply chains and `adds` add chains. */
function chainsModule(muls: number, adds: number): Uint8Array<ArrayBuffer> {
  // Parameter 0: iterations (≥ 1). Locals: v128 chains…, constant.
  const chains = muls + adds;
  const c = 1 + chains;
  const get = (i: number) => [W.get, i];
  const set = (i: number) => [W.set, i];
  const one = [W.f32Const, 0x00, 0x00, 0x80, 0x3f]; // 1.0f
  const op = (i: number) => [...get(1 + i), ...get(c), ...(i < muls ? F32X4_MUL : F32X4_ADD), ...set(1 + i)];
  // Interleave the two kinds in the instruction stream.
  const order = Array.from({ length: chains }, (_, i) => i).sort(
    (a, b) => (a < muls ? 2 * a : 2 * (a - muls) + 1) - (b < muls ? 2 * b : 2 * (b - muls) + 1),
  );
  const step = order.flatMap(op);
  const all = Array.from({ length: chains }, (_, i) => 1 + i);
  const code = [
    ...one,
    ...F32X4_SPLAT,
    ...set(c),
    ...all.flatMap((v) => [...get(c), ...set(v)]),
    W.loop,
    W.void,
    ...Array.from({ length: UNROLL }, () => step).flat(),
    ...get(0),
    W.i32Const,
    ...sleb(1),
    W.i32Sub,
    W.tee,
    0,
    W.brIf,
    0,
    W.end,
    // Keep every chain alive: their sum, lane 0.
    ...get(all[0]),
    ...all.slice(1).flatMap((v) => [...get(v), ...F32X4_ADD]),
    ...simd(0x1f),
    0, // f32x4.extract_lane 0
    W.end,
  ];
  const locals = vec([[...uleb(chains + 1), W.v128]]);
  const body = [...uleb(locals.length + code.length), ...locals, ...code];
  const type = [0x60, ...vec([[W.i32]]), ...vec([[W.f32]])];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([type])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('run'), 0x00, 0]])),
    ...section(10, vec([body])),
  ]);
}

/** Best GFLOP/s of `runs` calls of about `ms` milliseconds each. */
function best(muls: number, adds: number, runs: number, ms: number): number {
  const run = (new WebAssembly.Instance(new WebAssembly.Module(chainsModule(muls, adds))).exports as { run: (n: number) => number }).run;
  const flopsPerIter = UNROLL * (muls + adds) * 4;
  let iters = 1000;
  run(iters);
  for (;;) {
    const t0 = performance.now();
    run(iters);
    const dt = performance.now() - t0;
    if (dt >= ms / 4 || iters > 1 << 28) {
      iters = Math.max(1, Math.round((iters * ms) / Math.max(dt, 1e-3)));
      break;
    }
    iters *= 4;
  }
  let top = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    run(iters);
    top = Math.max(top, (iters * flopsPerIter) / ((performance.now() - t0) / 1000) / 1e9);
  }
  return top;
}

/** The measured rates, in GFLOP/s. */
export interface WasmSimdPeak {
  readonly mul: number;
  readonly add: number;
  readonly mixed: number;
  /** mul + add: the peak for a 1:1 mix of multiplies and adds. */
  readonly peak: number;
  readonly method: string;
}

/**
 * Measures the three loops (module comment), or undefined without WebAssembly SIMD. Many short
 * calls rather than a few long ones: on a busy machine a 2 ms call often runs without being
 * preempted, a 30 ms one rarely does.
 */
export function measureWasmSimdPeak(runs = 100, ms = 2): WasmSimdPeak | undefined {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(chainsModule(1, 1))) return undefined;
  const mul = best(14, 0, runs, ms);
  const add = best(0, 14, runs, ms);
  const mixed = best(7, 7, runs, ms);
  return {
    mul,
    add,
    mixed,
    peak: mul + add,
    method:
      `register-resident WebAssembly loops of 14 independent f32x4 chains (unrolled ${UNROLL}×, best of ${runs} calls of ~${ms} ms): ` +
      `multiplies only ${mul.toFixed(1)}, adds only ${add.toFixed(1)}, 7 + 7 mixed ${mixed.toFixed(1)} GFLOP/s; peak = multiplies + adds (separate pipes)`,
  };
}

if (process.argv[1]?.endsWith('peak.ts')) {
  const r = measureWasmSimdPeak();
  process.stdout.write(r === undefined ? 'WebAssembly SIMD unavailable\n' : `peak ${r.peak.toFixed(1)} GFLOP/s — ${r.method}\n`);
}
