/** Shared helpers of the example tests (fixtures, exact assertions, kernel runners), in one place. */
export { attrs, convName, fcByHand, iota, iotaTensor, plusBias, randomIntTensor, relu, reshape, smallInts, t } from './tensors.js';
export type { AttrsInit } from './tensors.js';
export { caught, expectRejection, expectTensorEqual } from './assertions.js';
export type { ArgumentErrorClass, ExpectedTensor, RejectionSpec } from './assertions.js';
export { KERNELS, runConv, runDense } from './kernels.js';
export { adjacent, ExactSum, scaledDouble } from './exact.js';
