/**
 * convcheck's public API. Flow: tensor & geometry → kernels → properties → verification runner →
 * reports / CLI. Users start with `verifyKernel`, the contract types (`KernelUnderTest`, `Tensor`),
 * the arbitraries (`convProblem`, `denseProblem`) and the conversions (`fcToConv`, …); see
 * docs/api.md. convcheck's own machinery (the call guard, the operator table, the size helpers) is
 * not exported here but from `convcheck/internal` (`src/internal.ts`).
 */

// Contract
/** The kernel contract and tensor types (ONNX `Conv` / `Gemm(transB=1)` conventions). */
export type { Tensor, KernelUnderTest, KernelOperators, Precision } from './contract.js';
export type { KernelCapabilities, CompleteCapabilities } from './capabilities.js';
/** The conv and dense methods' own types. */
export type { ConvAttributes, ConvFunction } from './operators/conv/contract.js';
export type { DenseFunction } from './operators/dense/contract.js';
/** The quantized operators' types: typed integer tensors and the four methods (docs/quantized.md). */
export type { TypedTensor, QuantType, ElementType } from './quantized.js';
export type { ConvIntegerFunction, IntegerConvAttributes } from './operators/conv-integer/contract.js';
export type { QLinearConvFunction } from './operators/qlinear-conv/contract.js';
export type { MatMulIntegerFunction } from './operators/matmul-integer/contract.js';
export type { QLinearMatMulFunction } from './operators/qlinear-matmul/contract.js';
/** Fills the defaults of `KernelCapabilities`; the one table of capabilities. */
export { completeCapabilities, CAPABILITIES } from './capabilities.js';
/** Shared vocabulary: size tiers, regimes, failure kinds (float64 data and the guarded kernel: internal). */
export type { SizeTier, Regime, FailureKind, FailureHeatmap, Data64, CheckedKernel } from './vocabulary.js';

// Errors
/** Typed errors with a stable `code`. */
export { ConvcheckError, InvalidArgumentError, EmptyOutputError, KernelLoadError, UsageError, BrowserNotFoundError } from './errors.js';

// Tensors and geometry
/** Tensor helpers. */
export { tensor, zeros, sizeOf, stridesOf, withPrecision, formatShape } from './tensor.js';
/** The one validated geometry object every kernel reads; auto_pad resolution. */
export { convGeometry, convGeometryOfShapes, resolveAutoPad, describeConv } from './operators/conv/geometry.js';
export type { ConvGeometry, AutoPad } from './operators/conv/geometry.js';
export { denseGeometry, denseGeometryOfShapes, describeDense } from './operators/dense/geometry.js';
export type { DenseGeometry } from './operators/dense/geometry.js';

// Operators
/** ConvTranspose (ONNX): its attributes, geometry, output_shape/auto_pad resolution, reference and generator. */
export type { ConvTransposeAttributes, ConvTransposeFunction } from './operators/conv-transpose/contract.js';
export {
  convTransposeGeometry,
  convTransposeGeometryOfShapes,
  resolveConvTransposePads,
  describeConvTranspose,
} from './operators/conv-transpose/geometry.js';
export type { ConvTransposeGeometry, OnnxConvTransposePadding } from './operators/conv-transpose/geometry.js';
export { referenceConvTranspose } from './operators/conv-transpose/reference.js';
export { convTransposeProblem } from './operators/conv-transpose/problem.js';
export type { ConvTransposeProblemConstraints } from './operators/conv-transpose/problem.js';
export type { ConvTransposeSpec } from './operators/conv-transpose/spec.js';
/** Fused activations: the kinds, validation and the bound carried through φ. */
export { ACTIVATION_KINDS, applyActivation, checkActivation } from './activation.js';
export { activationBound } from './bound/activation-bound.js';
export type { Activation, ActivationKind } from './activation.js';
export type { DenseAttributes } from './operators/dense/contract.js';

// Kernels
/** The trusted float64 reference (direct loops, compensated accumulation). */
export { referenceKernel } from './kernels/reference.js';
export { referenceConv } from './operators/conv/reference.js';
export { referenceDense } from './operators/dense/reference.js';
export type { ReferenceResult } from './operators/operator.js';
/** The optimized im2col + packed GEMM kernel (float32 by default; a float64 variant). */
export { im2colKernel, im2colKernel64, createIm2colKernel } from './kernels/im2col.js';
export type { Im2colKernel, Im2colOptions } from './kernels/im2col.js';
/** Built-in kernels by name (`builtin:im2col`, `tfjs:cpu`, `onnxruntime:node`, …). */
export { builtinKernelNames, createBuiltinKernel } from './kernels/registry.js';
/** Accurate summation used by the reference. */
export { AccurateSum } from './numeric/accurate-sum.js';

// FC ↔ conv
/** FC ↔ conv weight conversions and flatten orders. */
export { flatten, fcToConv, convToFc, linearToConv1x1 } from './fc-as-conv/conversions.js';
export type { FlattenOrder } from './fc-as-conv/conversions.js';
/** A linear layer applied at every spatial position. */
export { linear } from './fc-as-conv/linear.js';

// Generators and the error model
/** fast-check arbitraries of valid problems. */
export { convProblem } from './operators/conv/problem.js';
export type { ConvProblemConstraints } from './operators/conv/problem.js';
export type { ConvSpec } from './operators/conv/spec.js';
export { denseProblem } from './operators/dense/problem.js';
export type { DenseProblemConstraints } from './operators/dense/problem.js';
export type { DenseSpec } from './operators/dense/spec.js';
/** Test data in the exact, float and special regimes. */
export { problemData, exactRanges } from './arbitraries/data.js';
/** The forward error bound 2·γ(n)·Σ|w·x| + 2u|y| and the IEEE-aware comparison. */
export { gamma, elementBound, outputBounds, compareOutputs, UNIT_ROUNDOFF } from './bound/error-bound.js';
/** The error models a kernel declares (elementwise, normwise with κ), their bounds, and κ for Winograd and FFT. */
export {
  completeNumerics,
  modelBounds,
  describeNumerics,
  numericFieldsProblem,
  winogradErrorFactor,
  fftErrorFactor,
  WINOGRAD_F2x3,
  WINOGRAD_F4x3,
} from './bound/error-model.js';
export type { ErrorModel, NumericPromise, NumericFields, WinogradMatrices } from './bound/error-model.js';
/** float16 (binary16): round to nearest even from float64, bit patterns (Node 20 has no Float16Array). */
export { roundToFloat16, isFloat16, float16Bits, float16FromBits, toFloat16Array, FLOAT16_MAX } from './float16.js';

// Properties
/** The property catalog. */
export { catalog, propertyById } from './catalog/index.js';
export type { PropertyDefinition, GenerationContext } from './property/definition.js';

// Running
/** Runs the catalog against a kernel and returns the report. */
export { verifyKernel } from './runner/verify.js';
export type { VerifyOptions, ProgressEvent } from './runner/options.js';
/** Replays one saved counterexample. */
export { replayCounterexample } from './runner/replay.js';
export type { ReplayResult } from './runner/replay.js';
export type { VerificationReport, PropertyResult, FailureDetail, CoverageTable } from './runner/report.js';
export type { RunStatus, RunSummary, RunVerdict } from './runner/report.js';
export type { PassedProperty, FailedProperty, SkippedProperty, InterruptedProperty } from './runner/report.js';
/** Runs a module kernel in a process of its own (timeouts and the end of a run kill it). */
export { createIsolatedKernel } from './runner/isolated-kernel.js';
export type { IsolatedKernelOptions } from './runner/isolated-kernel.js';
export type { IsolatedKernel } from './runner/remote-kernel.js';
/** Any integer or string → the 32-bit seed a run uses (and the seed as given). */
export { resolveSeed } from './runner/seed.js';
export type { ResolvedSeed } from './runner/seed.js';
/** Kernel coverage (`VerifyOptions.coverage`, `guided`): which files count, and the report section. */
export type { KernelCoverageOptions } from './runner/kernel-coverage-probe.js';
export type { VerifyCoverageOptions } from './runner/kernel-coverage-run.js';
export type {
  KernelCoverageReport,
  KernelCoverageFile,
  UnreachedCode,
  ShaderVariantSummary,
  PropertyGuidance,
} from './runner/kernel-coverage-summary.js';
/** The shader-variant key: a hash of a GPU program's source with its numeric literals normalized. */
export { shaderVariantKey } from './runner/kernel-coverage-probe.js';

// Browsers
/** Runs a kernel module (or tfjs:webgl, tfjs:webgpu, onnxruntime:webgpu) in a headless Chromium page. */
export { createBrowserKernel } from './browser/browser-kernel.js';
export type { BrowserKernel, BrowserKernelOptions, BrowserKernelStats } from './browser/browser-kernel.js';
/** Finds the Chromium executable (CONVCHECK_CHROMIUM, Debian's paths, Playwright's cache). */
export { findChromium } from './browser/find-chromium.js';
/** The Chromium flags convcheck uses (SwiftShader WebGL and WebGPU, no network). */
export { CHROMIUM_FLAGS } from './browser/launch.js';

// Reports
/** Writes verification.json/.md/.html and junit.xml. */
export { writeReports, reportWriters } from './reports/writer.js';
export type { ReportWriter } from './reports/report-writer.js';

// Sizes, real model layers, the fast judge
/** The exact layers of the built-in networks (`--size production`) and the `--shapes` file format. */
export { PRODUCTION_LAYERS, PRODUCTION_NETWORKS } from './models/networks.js';
export { parseLayerShapes, layerFlops } from './models/layers.js';
export type { ModelLayer } from './models/layers.js';
export type { LayerShape, ProductionPlan } from './vocabulary.js';
/** A `--shapes` file that cannot be used. */
export { ShapesFileError } from './errors.js';
/** The fast judge for float32 kernels (plain float64 with its own error bound) and the judge per precision. */
export { fastReferenceConv, trustedConv } from './operators/conv/fast-reference.js';
export { fastReferenceDense, trustedDense } from './operators/dense/fast-reference.js';
export { judgeError } from './property/judge.js';
