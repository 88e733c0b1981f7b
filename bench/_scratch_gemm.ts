import { gemm, GemmWorkspace, stridedPackB, DEFAULT_GEMM_BLOCKING } from '../src/kernels/gemm.js';
const [M, N, K] = (process.argv[2] ?? '64,3136,576').split(',').map(Number);
const a = new Float32Array(M * K).map(() => Math.random()), bsrc = new Float32Array(K * N).map(() => Math.random());
const out = new Float32Array(M * N);
const ws = new GemmWorkspace();
const packB = stridedPackB(bsrc, { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 });
const blk = { ...DEFAULT_GEMM_BLOCKING, ...JSON.parse(process.env.BLK ?? '{}') };
const run = () => gemm(ws, blk, 16 << 20, { M, N, K, a, aOffset: 0, lda: K, packB, out, outLayout: { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 }, bias: undefined, biasOffset: 0 });
// control: the bare micro-kernel loop of /tmp/exp (L2-resident panels)
function mk(kc: number, a: Float64Array, ai: number, b: Float64Array, bi: number, c: Float64Array, ci: number, ldc: number) {
  let c00 = -0, c01 = -0, c02 = -0, c10 = -0, c11 = -0, c12 = -0, c20 = -0, c21 = -0, c22 = -0, c30 = -0, c31 = -0, c32 = -0;
  for (let k = 0; k < kc; k++) {
    const a0 = a[ai], a1 = a[ai + 1], a2 = a[ai + 2], a3 = a[ai + 3];
    let bj = b[bi]; c00 += a0 * bj; c10 += a1 * bj; c20 += a2 * bj; c30 += a3 * bj;
    bj = b[bi + 1]; c01 += a0 * bj; c11 += a1 * bj; c21 += a2 * bj; c31 += a3 * bj;
    bj = b[bi + 2]; c02 += a0 * bj; c12 += a1 * bj; c22 += a2 * bj; c32 += a3 * bj;
    ai += 4; bi += 3;
  }
  const r1 = ci + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  c[ci] += c00; c[ci + 1] += c01; c[ci + 2] += c02; c[r1] += c10; c[r1 + 1] += c11; c[r1 + 2] += c12;
  c[r2] += c20; c[r2 + 1] += c21; c[r2 + 2] += c22; c[r3] += c30; c[r3 + 1] += c31; c[r3 + 2] += c32;
}
const ca = new Float64Array(96 * 256).map(() => Math.random()), cb = new Float64Array(255 * 256).map(() => Math.random()), cc = new Float64Array(96 * 255);
const control = () => { for (let jr = 0; jr < 255; jr += 3) for (let ir = 0; ir < 96; ir += 4) mk(256, ca, ir * 256, cb, jr * 256, cc, ir * 255 + jr, 255); };
const cflops = 2 * 96 * 255 * 256, flops = 2 * M * N * K;
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 3; i++) { run(); control(); }
let best = Infinity, cbest = Infinity;
for (let i = 0; i < 15; i++) {
  let t = now(); run(); best = Math.min(best, now() - t);
  t = now(); for (let q = 0; q < 5; q++) control(); cbest = Math.min(cbest, (now() - t) / 5);
}
const g = flops / best / 1e6, cg = cflops / cbest / 1e6;
console.log(M, N, K, best.toFixed(1), 'ms', g.toFixed(2), 'GFLOP/s; control', cg.toFixed(2), '; ratio', (g / cg).toFixed(3));
