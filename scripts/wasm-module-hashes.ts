/**
 * The run-time-assembled WebAssembly modules, one line each: byte length and SHA-256 prefix. Run
 * it before and after changing an emitter (`src/numeric/wasm-assembler.ts` or a module's builder):
 * equal lines mean byte-identical modules, so the change cannot have changed any sum
 * (`node --import tsx scripts/wasm-module-hashes.ts`).
 */
import { createHash } from 'node:crypto';
import { wasmFillAvailable } from '../src/arbitraries/wasm-fill.js';
import { WasmGemm } from '../src/numeric/wasm-gemm.js';
import { WasmIntDot } from '../src/numeric/wasm-int-dot.js';
import { WasmRowDot } from '../src/numeric/wasm-row-dot.js';
import { WasmJudgeRows } from '../src/operators/dense/wasm-judge-rows.js';
import { WasmConv32 } from '../src/kernels/wasm-conv32.js';

const Original = WebAssembly.Module;
let last = '';
// every module is compiled through `new WebAssembly.Module` (`instantiateFixed`); note its bytes
// biome-ignore lint/complexity/useArrowFunction: it is called with `new`, which an arrow function cannot be
WebAssembly.Module = function (bytes: BufferSource) {
  const b = bytes as Uint8Array;
  last = `${b.length} bytes, sha256 ${createHash('sha256').update(b).digest('hex').slice(0, 16)}`;
  return new Original(bytes);
} as unknown as typeof WebAssembly.Module;

const modules: Array<[string, () => unknown]> = [
  ['row dot (numeric/wasm-row-dot.ts)', () => WasmRowDot.instance()],
  ['integer dot (numeric/wasm-int-dot.ts)', () => WasmIntDot.instance()],
  ['judge rows (operators/dense/wasm-judge-rows.ts)', () => WasmJudgeRows.instance()],
  ['fill (arbitraries/wasm-fill.ts)', () => wasmFillAvailable() || undefined],
  ['gemm (numeric/wasm-gemm.ts)', () => WasmGemm.instance()],
  ['conv32 (kernels/wasm-conv32.ts)', () => WasmConv32.instance()],
];
for (const [label, build] of modules) {
  last = '';
  const ok = build() !== undefined;
  console.log(`${label}: ${ok ? last : 'not available here'}`);
}
WebAssembly.Module = Original;
