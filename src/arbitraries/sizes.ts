/**
 * Boundary-aware sizes: the values where blocked and tiled kernels go wrong.
 *
 * Kernels block by 4, 8, …, 1,024 (register tiles, SIMD widths, cache blocks, workgroup sizes),
 * so their bugs live at a block's tail: one element below, on and above a block (b − 1, b, b + 1),
 * one above a multiple (2b ± 1) and strictly between two multiples — XNNPACK's micro-kernel tests
 * enumerate exactly these classes (k < tile, k = tile, k > tile, k divisible by tile). Index
 * arithmetic goes wrong past 2¹⁶ elements (16-bit indices) and 2²⁴ (indices held in float32), and
 * GPU kernels at a texture's side limit (4,096 / 8,192 / 16,384).
 *
 * Each boundary case makes one dimension large — the batch N, C/group, M/group, one spatial
 * extent, the reduction length (C/group)·∏k, or the flat element count — and keeps the others
 * tiny, so a case costs about as much as its one large dimension: the default run stays fast.
 */
import fc from 'fast-check';
import { shrinkAsInteger } from './shrink-as-integer.js';

/** Block sizes kernels tile by. */
export const BLOCKS: readonly number[] = [4, 8, 16, 32, 64, 128, 256, 512, 1024];

/** Element counts where index arithmetic overflows: 2¹⁶ (16-bit) and 2²⁴ (exact integers in float32). */
export const FLAT_LIMITS: readonly number[] = [2 ** 16, 2 ** 24];

/** Per-side texture limits of WebGL / WebGPU implementations. */
export const TEXTURE_SIDES: readonly number[] = [4096, 8192, 16384];

/** The size classes a boundary case can stress (one per case), as counted in the coverage table. */
export type SizeClass = 'batch' | 'channels' | 'outChannels' | 'spatial' | 'reduction' | 'flat' | 'textureSide';

/**
 * A size on or around block `b`: b − 1, b, b + 1, 2b − 1, 2b, 2b + 1, or one strictly between
 * b + 1 and 2b − 1 — the tail of a single block, of a multiple, and a partial block in between.
 */
export function aroundBlock(b: number): fc.Arbitrary<number> {
  const fixed = [b - 1, b, b + 1, 2 * b - 1, 2 * b, 2 * b + 1].filter((v) => v >= 1);
  return fc.oneof(fc.constantFrom(...fixed), b >= 4 ? fc.integer({ min: b + 2, max: 2 * b - 2 }) : fc.constant(b + 1));
}

/** A size around one of `blocks` (default: every block). */
export function blockSize(blocks: readonly number[] = BLOCKS): fc.Arbitrary<number> {
  // shrunk as an integer, towards 1: a size bisects to the smallest that fails (shrink-as-integer.ts)
  return shrinkAsInteger(fc.constantFrom(...blocks).chain(aroundBlock), 1, 2 * Math.max(...blocks) + 1);
}

/** A size around a small block (4 or 8): 3…17, for the dimensions a boundary case keeps small. */
export const smallBlockSize = (): fc.Arbitrary<number> => blockSize([4, 8]).map((v) => Math.min(v, 17));

/** A flat element count around one of `limits`: limit − 1, limit, limit + 1, or up to 4,096 above. */
export function flatSize(limits: readonly number[] = FLAT_LIMITS): fc.Arbitrary<number> {
  return fc.constantFrom(...limits).chain((l) => fc.oneof(fc.constantFrom(l - 1, l, l + 1), fc.integer({ min: l + 2, max: l + 4096 })));
}

/** A side around one of the texture limits: side − 1, side, side + 1. */
export function textureSide(): fc.Arbitrary<number> {
  return fc.constantFrom(...TEXTURE_SIDES).chain((s) => fc.constantFrom(s - 1, s, s + 1));
}

/** The divisors of n not above `max`, ascending. */
export function smallDivisors(n: number, max: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= Math.min(n, max); d++) if (n % d === 0) out.push(d);
  return out;
}

/** Bucket of a C/group or reduction length for the coverage table: `≤64`, `65–1024`, `>1024`. */
export function lengthBucket(n: number): string {
  return n <= 64 ? '≤64' : n <= 1024 ? '65–1024' : '>1024';
}

/** Bucket of a batch size N for the coverage table: `1`, `2–7`, `≥8` (the large cases' batches). */
export function batchBucket(n: number): string {
  return n <= 1 ? '1' : n < 8 ? '2–7' : '≥8';
}

/** Bucket of an element count for the coverage table: `≤2^16`, `2^16–2^24` (above 2¹⁶, up to 2²⁴), `>2^24`. */
export function elementBucket(n: number): string {
  return n <= 2 ** 16 ? '≤2^16' : n <= 2 ** 24 ? '2^16–2^24' : '>2^24';
}
