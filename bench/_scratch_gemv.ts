const M = 4096, K = 25088;
const a = new Float32Array(M * K); for (let i = 0; i < a.length; i += 1) a[i] = (i % 17) * 0.01;
const v = new Float64Array(K * 3).map(() => Math.random());
const acc = new Float64Array(M);
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
function sum(a: Float32Array) { let s0 = 0, s1 = 0, s2 = 0, s3 = 0; for (let i = 0; i + 4 <= a.length; i += 4) { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; } return s0 + s1 + s2 + s3; }
function g4(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 4 <= M; i += 4) {
    let ra = i * K + pc; let s0 = -0, s1 = -0, s2 = -0, s3 = -0; let vi = 0;
    for (let kk = 0; kk < kc; kk++) { const x = v[vi]; s0 += a[ra] * x; s1 += a[ra + K] * x; s2 += a[ra + 2 * K] * x; s3 += a[ra + 3 * K] * x; ra++; vi += 3; }
    acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3;
  }
}
function g4p(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 4 <= M; i += 4) {
    let r0 = i * K + pc, r1 = r0 + K, r2 = r1 + K, r3 = r2 + K; let s0 = -0, s1 = -0, s2 = -0, s3 = -0;
    for (let kk = 0; kk < kc; kk++) { const x = v[kk]; s0 += a[r0++] * x; s1 += a[r1++] * x; s2 += a[r2++] * x; s3 += a[r3++] * x; }
    acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3;
  }
}
function g1u(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i < M; i++) {
    let r = i * K + pc; let s0 = -0, s1 = -0, s2 = -0, s3 = -0; let kk = 0;
    for (; kk + 4 <= kc; kk += 4, r += 4) { s0 += a[r] * v[kk]; s1 += a[r + 1] * v[kk + 1]; s2 += a[r + 2] * v[kk + 2]; s3 += a[r + 3] * v[kk + 3]; }
    acc[i] += (s0 + s1) + (s2 + s3);
  }
}
function g2x2(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 2 <= M; i += 2) {
    let r0 = i * K + pc, r1 = r0 + K; let s0 = -0, s1 = -0, t0 = -0, t1 = -0; let kk = 0;
    for (; kk + 2 <= kc; kk += 2, r0 += 2, r1 += 2) { const x0 = v[kk], x1 = v[kk + 1]; s0 += a[r0] * x0; t0 += a[r0 + 1] * x1; s1 += a[r1] * x0; t1 += a[r1 + 1] * x1; }
    acc[i] += s0 + t0; acc[i + 1] += s1 + t1;
  }
}
function gsub(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 4 <= M; i += 4) {
    const b0 = i * K + pc;
    const r0 = a.subarray(b0, b0 + kc), r1 = a.subarray(b0 + K, b0 + K + kc), r2 = a.subarray(b0 + 2 * K, b0 + 2 * K + kc), r3 = a.subarray(b0 + 3 * K, b0 + 3 * K + kc);
    let s0 = -0, s1 = -0, s2 = -0, s3 = -0;
    for (let kk = 0; kk < kc; kk++) { const x = v[kk]; s0 += r0[kk] * x; s1 += r1[kk] * x; s2 += r2[kk] * x; s3 += r3[kk] * x; }
    acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3;
  }
}
function g4u2(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 4 <= M; i += 4) {
    let ra = i * K + pc; let s0 = -0, s1 = -0, s2 = -0, s3 = -0; let kk = 0;
    for (; kk + 2 <= kc; kk += 2) { const x = v[kk], y = v[kk + 1]; s0 += a[ra] * x + a[ra + 1] * y; s1 += a[ra + K] * x + a[ra + K + 1] * y; s2 += a[ra + 2 * K] * x + a[ra + 2 * K + 1] * y; s3 += a[ra + 3 * K] * x + a[ra + 3 * K + 1] * y; ra += 2; }
    acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3;
  }
}
function g8(a: Float32Array, v: Float64Array, acc: Float64Array, kc: number, pc: number) {
  for (let i = 0; i + 8 <= M; i += 8) {
    let ra = i * K + pc; let s0 = -0, s1 = -0, s2 = -0, s3 = -0, s4 = -0, s5 = -0, s6 = -0, s7 = -0;
    for (let kk = 0; kk < kc; kk++) { const x = v[kk]; s0 += a[ra] * x; s1 += a[ra + K] * x; s2 += a[ra + 2 * K] * x; s3 += a[ra + 3 * K] * x; s4 += a[ra + 4 * K] * x; s5 += a[ra + 5 * K] * x; s6 += a[ra + 6 * K] * x; s7 += a[ra + 7 * K] * x; ra++; }
    acc[i] += s0; acc[i + 1] += s1; acc[i + 2] += s2; acc[i + 3] += s3; acc[i + 4] += s4; acc[i + 5] += s5; acc[i + 6] += s6; acc[i + 7] += s7;
  }
}
const fns: Record<string, (kc: number) => void> = {
  sum: () => sum(a),
  g4_2048: () => { for (let pc = 0; pc < K; pc += 2048) g4(a, v, acc, Math.min(2048, K - pc), pc); },
  g4_full: () => g4(a, v, acc, K, 0),
  gsub_full: () => gsub(a, v, acc, K, 0),
  gsub_2048: () => { for (let pc = 0; pc < K; pc += 2048) gsub(a, v, acc, Math.min(2048, K - pc), pc); },
  g4u2_full: () => g4u2(a, v, acc, K, 0),
  g8_full: () => g8(a, v, acc, K, 0),
  g4p_2048: () => { for (let pc = 0; pc < K; pc += 2048) g4p(a, v, acc, Math.min(2048, K - pc), pc); },
  g4p_full: () => g4p(a, v, acc, K, 0),
  g1u_full: () => g1u(a, v, acc, K, 0),
  g2x2_full: () => g2x2(a, v, acc, K, 0),
};
for (const [name, f] of Object.entries(fns)) {
  f(0); let best = Infinity; for (let i = 0; i < 5; i++) { const t = now(); f(0); best = Math.min(best, now() - t); }
  console.log(name.padEnd(10), best.toFixed(1), 'ms', (M * K * 4 / best / 1e6).toFixed(1), 'GB/s', (2 * M * K / best / 1e6).toFixed(2), 'GFLOP/s');
}
