import { stridedPackB } from '../src/kernels/gemm.js';
const N = 3136, K = 576, kc = 192;
const src = new Float32Array(K * N).map(() => Math.random());
const dst = new Float64Array(kc * (N + 3));
const pb = stridedPackB(src, { offset: 0, rowStride: N, colStride: 1, groupSize: N, groupStride: 0 });
const now = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let i = 0; i < 5; i++) pb(dst, 0, kc, 0, N);
let best = Infinity; for (let i = 0; i < 30; i++) { const t = now(); pb(dst, 192, kc, 0, N); best = Math.min(best, now() - t); }
console.log('pack', best.toFixed(2), 'ms', (best * 1e6 / (kc * N)).toFixed(2), 'ns/elem');
// plain copy for comparison
let best2 = Infinity; for (let i = 0; i < 30; i++) { const t = now(); for (let q = 0; q < kc * N; q++) dst[q] = src[q]; best2 = Math.min(best2, now() - t); }
console.log('copy', best2.toFixed(2), 'ms', (best2 * 1e6 / (kc * N)).toFixed(2), 'ns/elem');
