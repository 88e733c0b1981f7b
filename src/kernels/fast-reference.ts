/**
 * The fast judge for float32 kernels (plain float64 sums with their own error bound); it lives
 * with each operator (`operators/conv/fast-reference.ts`, `operators/dense/fast-reference.ts`).
 */
export { fastReferenceConv, trustedConv } from '../operators/conv/fast-reference.js';
export { fastReferenceDense, trustedDense } from '../operators/dense/fast-reference.js';
export { judgeError } from '../property/judge.js';
export type { Accumulation } from '../property/judge.js';
export type { JudgeResult } from '../operators/operator.js';
