/**
 * The operator table: one line per operator. Everything else — the guard, the worker, the
 * loader, the reference kernel, the catalog, `convcheck list` — iterates it (in name order).
 */
export { conv } from './conv/index.js';
export { dense } from './dense/index.js';
export { convTranspose } from './conv-transpose/index.js';
export { convInteger } from './conv-integer/index.js';
export { qlinearConv } from './qlinear-conv/index.js';
export { matMulInteger } from './matmul-integer/index.js';
export { qlinearMatMul } from './qlinear-matmul/index.js';
