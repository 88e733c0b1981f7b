/**
 * The quantized section of `npm run bench` (bench/run.ts calls {@link runQuantizedBench}), also
 * runnable alone: `npm run bench:quantized [-- --quick] [-- --js-loops]`. The built-in integer path (builtin:im2col's
 * `qlinearConv` / `qlinearMatMul`: im2col, int16 dot products in WebAssembly SIMD — and the same
 * in the JavaScript loops that specify them — float32 requantization)
 * against onnxruntime-node (native, MLAS) and onnxruntime-web (WASM) on quantized layers of real
 * networks, in one process, side by side. Weights are constants in the onnxruntime models (as in
 * exported q8 models: pre-packed). uint8 activations, int8 weights, per-channel weight scales
 * (as onnxruntime's quantizer writes them), bias. Each kernel is warmed up; repetitions run
 * round-robin and the table shows medians of wall time and of process CPU time (user + system:
 * what a call costs without the time it spent preempted on a busy machine) and each kernel's time
 * over ours.
 * Every kernel's output is checked against the exact reference within the requantization window.
 * Alone, it writes reports/bench-quantized.json and reports/bench-quantized.md; `--js-loops` adds
 * the JavaScript loops that specify the WebAssembly path as a column (slow: seconds per call).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KernelUnderTest } from '../src/contract.js';
import type { TypedTensor } from '../src/quantized.js';
import { im2colKernel } from '../src/kernels/im2col.js';
import { useWasmIntegerPath } from '../src/kernels/integer-im2col.js';
import { createOnnxruntimeKernel } from '../src/adapters/onnxruntime.js';
import { qlinearConvExpectation, qlinearConvProblem } from '../src/operators/qlinear-conv/reference.js';
import { qlinearMatMulExpectation, qlinearMatMulProblem } from '../src/operators/qlinear-matmul/reference.js';
import { Prng } from '../src/arbitraries/prng.js';

interface Layer {
  readonly id: string;
  readonly op: 'qlinearConv' | 'qlinearMatMul';
  readonly x: number[];
  readonly w: number[];
  readonly stride?: number;
  readonly pad?: number;
  readonly group?: number;
}

const LAYERS: readonly Layer[] = [
  { id: 'ResNet-50 layer2 3×3 128 (28×28)', op: 'qlinearConv', x: [1, 128, 28, 28], w: [128, 128, 3, 3], pad: 1 },
  { id: 'ResNet-50 layer1 1×1 64→256 (56×56)', op: 'qlinearConv', x: [1, 64, 56, 56], w: [256, 64, 1, 1] },
  { id: 'ResNet-50 layer4 3×3 512 (7×7)', op: 'qlinearConv', x: [1, 512, 7, 7], w: [512, 512, 3, 3], pad: 1 },
  { id: 'MobileNet-v2 depthwise 3×3 144 (56×56)', op: 'qlinearConv', x: [1, 144, 56, 56], w: [144, 1, 3, 3], pad: 1, group: 144 },
  { id: 'MobileNet-v2 expand 1×1 24→144 (56×56)', op: 'qlinearConv', x: [1, 24, 56, 56], w: [144, 24, 1, 1] },
  { id: 'ResNet-50 fc 2048→1000 (QLinearMatMul)', op: 'qlinearMatMul', x: [1, 2048], w: [2048, 1000] },
];

const macs = (l: Layer): number => {
  if (l.op === 'qlinearMatMul') return l.x[0] * l.x[1] * l.w[1];
  const s = l.stride ?? 1;
  const p = l.pad ?? 0;
  const o = l.x.slice(2).map((d, i) => Math.floor((d + 2 * p - l.w[2 + i]) / s) + 1);
  return l.w[0] * l.w[1] * l.w[2] * l.w[3] * o[0] * o[1];
};

function inputs(l: Layer): unknown[] {
  const rng = new Prng(7);
  const u8 = (n: number) => Uint8Array.from({ length: n }, () => rng.int(0, 255));
  const s8 = (n: number) => Int8Array.from({ length: n }, () => rng.int(-128, 127));
  const t = (shape: number[], data: TypedTensor['data']): TypedTensor => ({ shape, data });
  const n = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const M = l.op === 'qlinearConv' ? l.w[0] : l.w[1];
  const K = l.op === 'qlinearConv' ? l.w[1] * l.w[2] * l.w[3] : l.w[0];
  const ws = t(
    [M],
    Float32Array.from({ length: M }, () => Math.fround(0.002 + 0.01 * rng.next())),
  );
  const ys = t([], Float32Array.of(Math.fround((0.02 * 0.006 * 128 * 80 * Math.sqrt(K)) / 64)));
  const common = [
    t(l.x, u8(n(l.x))),
    t([], Float32Array.of(0.02)),
    t([], Uint8Array.of(128)),
    t(l.w, s8(n(l.w))),
    ws,
    t([M], new Int8Array(M)),
    ys,
    t([], Uint8Array.of(128)),
  ];
  if (l.op === 'qlinearMatMul') return common;
  const p = l.pad ?? 0;
  const attrs = { strides: [l.stride ?? 1, l.stride ?? 1], pads: [p, p, p, p], dilations: [1, 1], group: l.group ?? 1 };
  return [
    ...common,
    t(
      [M],
      Int32Array.from({ length: M }, () => rng.int(-5000, 5000)),
    ),
    attrs,
  ];
}

/** Elements off the exact reference: beyond the window / using the window's alternative. */
function check(l: Layer, args: unknown[], y: TypedTensor): { outside: number; alternatives: number } {
  const a = args as never[];
  const e =
    l.op === 'qlinearConv'
      ? qlinearConvExpectation(qlinearConvProblem('bench', a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]))
      : qlinearMatMulExpectation(qlinearMatMulProblem('bench', a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
  let outside = 0;
  let alternatives = 0;
  for (let i = 0; i < e.values.length; i++) {
    if (y.data[i] === e.values[i]) continue;
    if (y.data[i] === e.alternatives[i]) alternatives++;
    else outside++;
  }
  return { outside, alternatives };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** What {@link runQuantizedBench} measured. */
export interface QuantizedBenchResult {
  readonly date: string;
  readonly machine: string;
  readonly reps: number;
  readonly kernels: readonly string[];
  /** Per layer: id, MMAC and, per kernel, median ms, GOP/s, its time over ours and its check. */
  readonly rows: ReadonlyArray<Record<string, unknown>>;
  readonly notes: readonly string[];
  /** The table (no heading), with the kernels' time over the built-in WebAssembly path's. */
  readonly markdown: string;
}

/**
 * Times the built-in integer path against onnxruntime-node and onnxruntime-web (constant
 * weights) on quantized layers of real networks, round-robin in this process, and checks every
 * kernel's output against the exact reference within the requantization window. An adapter that
 * cannot be loaded is left out with a note.
 */
export async function runQuantizedBench(options: { quick: boolean; jsLoops: boolean; command: string }): Promise<QuantizedBenchResult> {
  const { quick } = options;
  const reps = quick ? 3 : 9;
  // the same kernel with its accumulation in the JavaScript loops (the WebAssembly path's specification)
  const jsLoops = Object.fromEntries(
    (['qlinearConv', 'qlinearMatMul'] as const).map((op) => [
      op,
      (...a: unknown[]) => {
        useWasmIntegerPath(false);
        try {
          return (im2colKernel[op] as unknown as (...x: unknown[]) => TypedTensor)(...a);
        } finally {
          useWasmIntegerPath(true);
        }
      },
    ]),
  ) as unknown as KernelUnderTest;
  const kernels: Array<{ name: string; k: KernelUnderTest }> = [{ name: 'builtin:im2col (WASM SIMD dot_i16x8)', k: im2colKernel }];
  if (options.jsLoops) kernels.push({ name: 'builtin:im2col (JS loops)', k: jsLoops });
  const notes: string[] = [];
  for (const flavour of ['node', 'web'] as const) {
    try {
      kernels.push({ name: `onnxruntime:${flavour}-const`, k: await createOnnxruntimeKernel(flavour, { constantWeights: true }) });
    } catch (e) {
      notes.push(`onnxruntime:${flavour} skipped: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const rows: Array<Record<string, unknown>> = [];
  for (const l of LAYERS) {
    const args = inputs(l);
    const times = kernels.map(() => [] as number[]);
    const cpu = kernels.map(() => [] as number[]);
    const checks: string[] = [];
    for (const [i, { k }] of kernels.entries()) {
      const y = await (k[l.op] as unknown as (...a: unknown[]) => Promise<TypedTensor>)(...args); // warm-up (session creation, pre-packing)
      const c = check(l, args, y);
      checks.push(`${c.outside} outside, ${c.alternatives} alt`);
      if (c.outside > 0) notes.push(`${kernels[i].name} on ${l.id}: ${c.outside} outputs outside the window`);
    }
    for (let r = 0; r < reps; r++) {
      for (const [i, { k }] of kernels.entries()) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        await (k[l.op] as unknown as (...a: unknown[]) => Promise<TypedTensor>)(...args);
        times[i].push(performance.now() - t0);
        const c1 = process.cpuUsage(c0);
        cpu[i].push((c1.user + c1.system) / 1000);
      }
    }
    const ours = median(times[0]);
    const oursCpu = median(cpu[0]);
    rows.push({
      layer: l.id,
      mmacs: Number((macs(l) / 1e6).toFixed(1)),
      ...Object.fromEntries(
        kernels.map((k, i) => [
          k.name,
          {
            ms: Number(median(times[i]).toFixed(2)),
            gops: Number(((2 * macs(l)) / median(times[i]) / 1e6).toFixed(2)),
            overOurs: Number((median(times[i]) / ours).toFixed(3)),
            cpuMs: Number(median(cpu[i]).toFixed(2)),
            cpuOverOurs: Number((median(cpu[i]) / oursCpu).toFixed(3)),
            check: checks[i],
          },
        ]),
      ),
    });
  }
  const date = new Date().toISOString();
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, Node ${process.version}, one thread each`;
  const header = `| layer | MMAC | ${kernels.map((k) => `${k.name} ms (GOP/s, ×ours) · CPU ms (×ours)`).join(' | ')} |`;
  const sep = `| --- | ---: | ${kernels.map(() => '---:').join(' | ')} |`;
  const body = rows.map(
    (r) =>
      `| ${r.layer} | ${r.mmacs} | ${kernels
        .map((k) => {
          const v = r[k.name] as { ms: number; gops: number; overOurs: number; cpuMs: number; cpuOverOurs: number };
          return `${v.ms} (${v.gops}, ×${v.overOurs}) · ${v.cpuMs} (×${v.cpuOverOurs})`;
        })
        .join(' | ')} |`,
  );
  const table = [header, sep, ...body].join('\n');
  const markdown = [`${date} · ${machine} · ${reps} reps, medians · \`${options.command}\``, '', table, '', ...notes.map((n) => `- ${n}`), ''].join('\n');
  return { date, machine, reps, kernels: kernels.map((k) => k.name), rows, notes, markdown };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const jsLoops = process.argv.includes('--js-loops');
  const command = `npm run bench:quantized${quick || jsLoops ? ' --' : ''}${quick ? ' --quick' : ''}${jsLoops ? ' --js-loops' : ''}`;
  const r = await runQuantizedBench({ quick, jsLoops, command });
  const md = `# Quantized layers: built-in integer path vs onnxruntime\n\n${r.markdown}`;
  const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'reports');
  mkdirSync(out, { recursive: true });
  const { markdown: _md, ...json } = r;
  writeFileSync(join(out, 'bench-quantized.json'), JSON.stringify(json, null, 2));
  writeFileSync(join(out, 'bench-quantized.md'), md);
  console.log(md);
  process.exit(0);
}

// Alone (`npm run bench:quantized`), not when bench/run.ts imports it.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
