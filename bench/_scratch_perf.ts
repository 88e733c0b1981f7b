import { createIm2colKernel } from '../src/kernels/im2col.js';
const k = createIm2colKernel('float32');
const rnd = (n: number) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5; return a; };
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
function t(name: string, xs: number[], ws: number[], attrs: any, flops: number, reps = 5) {
  const x = { shape: xs, data: rnd(size(xs)) }, w = { shape: ws, data: rnd(size(ws)) }, b = { shape: [ws[0]], data: rnd(ws[0]) };
  for (let i = 0; i < +(process.env.WARM ?? 1); i++) k.conv!(x, w, b, attrs);
  const ts = []; for (let i = 0; i < reps; i++) { const t0 = process.cpuUsage(); k.conv!(x, w, b, attrs); const u = process.cpuUsage(t0); ts.push((u.user + u.system) / 1000); }
  ts.sort((a, b) => a - b); const ms = ts[0];
  console.log(name.padEnd(10), ms.toFixed(1).padStart(7), 'ms', (flops / ms / 1e6).toFixed(2), 'GFLOP/s', 'ws', (k.peakWorkspaceBytes() / 2 ** 20).toFixed(1), 'MiB');
}
const only = process.argv[2];
const a = (s: number[], p: number[], g = 1, d?: number[]) => ({ strides: s, pads: p, dilations: d ?? s.map(() => 1), group: g });
const shapes: [string, number[], number[], any, number][] = [
  ['resnet', [1, 64, 56, 56], [64, 64, 3, 3], a([1, 1], [1, 1, 1, 1]), 2 * 64 * 64 * 9 * 56 * 56],
  ['strided', [1, 64, 56, 56], [128, 64, 3, 3], a([2, 2], [1, 1, 1, 1]), 2 * 128 * 64 * 9 * 28 * 28],
  ['pointwise', [1, 256, 56, 56], [64, 256, 1, 1], a([1, 1], [0, 0, 0, 0]), 2 * 64 * 256 * 56 * 56],
  ['depthwise', [1, 32, 112, 112], [32, 1, 3, 3], a([1, 1], [1, 1, 1, 1], 32), 2 * 32 * 9 * 112 * 112],
  ['fc6conv', [1, 512, 7, 7], [4096, 512, 7, 7], a([1, 1], [0, 0, 0, 0]), 2 * 4096 * 25088],
  ['rank1', [1, 64, 4000], [64, 64, 9], a([1], [0, 0]), 2 * 64 * 64 * 9 * 3992],
  ['rank3', [1, 16, 16, 32, 32], [16, 16, 3, 3, 3], a([1, 1, 1], [0, 0, 0, 0, 0, 0]), 2 * 16 * 16 * 27 * 14 * 30 * 30],
];
for (const s of shapes) if (!only || s[0] === only) t(...s);
if (!only || only === 'dense') {
  const x = { shape: [1, 25088], data: rnd(25088) }, w = { shape: [4096, 25088], data: rnd(4096 * 25088) };
  k.dense!(x, w, undefined); const ts = []; for (let i = 0; i < 5; i++) { const t0 = process.cpuUsage(); k.dense!(x, w, undefined); const u = process.cpuUsage(t0); ts.push((u.user + u.system) / 1000); }
  ts.sort((a, b) => a - b); console.log("dense".padEnd(10), ts[0].toFixed(1).padStart(7), 'ms', (2 * 4096 * 25088 / ts[0] / 1e6).toFixed(2));
}
