/**
 * convcheck's own machinery — the call guard, the operator table, the size helpers — for its
 * tools, benchmarks and tests, and for anyone building on the runner itself: `convcheck/internal`.
 * Not part of the public API (`src/index.ts`); any of it may change in any release.
 */
/** The operator table: each operator's method, reference, cases and properties (for adding an operator: docs/architecture.md). */
export { operators, operatorByName } from './operators/index.js';
/** What an operator definition holds. */
export type { OperatorDefinition, OperatorCases, OperatorProperties } from './operators/operator.js';
/** How a property reports a violation to the runner. */
export type { ViolationDetail } from './property/violation.js';
/** The error a property's check throws when the kernel violates it. */
export { PropertyViolation } from './property/violation.js';
/** Calls a kernel with timeout, shape and mutation checks. */
export { GuardedKernel } from './runner/guarded-call.js';
/** The error a guarded call raises when the kernel misbehaves (throws, wrong shape, mutated input…). */
export { KernelFault } from './vocabulary.js';
/** The time accounting shared by a run's calls: full timeout until the kernel first hangs, then shorter limits and a shrink budget. */
export { CallClock } from './runner/guarded-call.js';
/** Where a kernel runs, as the guard sees it (ready / abandon), and the key a host-made kernel carries it under. */
export { KERNEL_HOST, hostOf } from './runner/guarded-call.js';
/** What the guard needs from a kernel's host, and its options. */
export type { KernelHost, GuardOptions } from './runner/guarded-call.js';
/** Text made safe for a terminal: control characters written as visible escapes. */
export { terminalSafe } from './terminal.js';
/** Limits a property to a budget of distinct shapes; later cases re-use them with fresh data. */
export { withShapeBudget } from './runner/shape-budget.js';
/** Boundary-aware sizes: around block sizes 4…1,024, flat counts around 2¹⁶ / 2²⁴, texture sides. */
export { BLOCKS, FLAT_LIMITS, TEXTURE_SIDES, aroundBlock, blockSize, flatSize, textureSide } from './arbitraries/sizes.js';
/** An arbitrary that yields its items in order, each once per cycle (the production tier's layers). */
export { cycle } from './arbitraries/cycle.js';
