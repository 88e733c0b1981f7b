/**
 * ONNX Runtime (`onnxruntime-node`, native CPU execution provider, or `onnxruntime-web`, WASM
 * execution provider) behind the `KernelUnderTest` contract.
 *
 * Our contract is ONNX `Conv` / `Gemm(transB=1)` itself, so there is no layout translation: each
 * call runs a one-node model built in memory (see `onnx-model.ts`).
 *
 * Two ways to pass the weights:
 * - default (`onnxruntime:node`, `onnxruntime:web`): X, W and B are graph inputs, so one session
 *   serves every call with the same shapes and attributes. Because W is not a constant,
 *   onnxruntime cannot pre-pack it or apply the layout rewrites it reserves for constant weights
 *   (NCHWc / NHWC conv): this checks the generic Conv path.
 * - `constantWeights` (`onnxruntime:node-const`, `onnxruntime:web-const`): W and B are initializers
 *   and only X is an input, as in a real exported model, so those rewrites do run. This costs one
 *   session per weight set.
 * Sessions are cached by signature (plus the weights, for constant weights); the least recently
 * used is evicted and released.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ConvAttributes } from '../operators/conv/contract.js';
import type { KernelUnderTest, Tensor } from '../contract.js';
import type { KernelCapabilities } from '../capabilities.js';
import { convGeometry, describeConv } from '../operators/conv/geometry.js';
import { denseGeometry, describeDense } from '../operators/dense/geometry.js';
import type { ConvTransposeAttributes } from '../operators/conv-transpose/contract.js';
import { convTransposeGeometry, describeConvTranspose } from '../operators/conv-transpose/geometry.js';
import { checkActivation } from '../activation.js';
import type { Activation } from '../activation.js';
import type { DenseAttributes } from '../operators/dense/contract.js';
import { encodeSingleNodeModel } from './onnx-model.js';
import type { OnnxAttributeValue, SingleNodeModel } from './onnx-model.js';
import { InvalidArgumentError } from '../errors.js';
import { float16Bits, float16FromBits } from '../float16.js';
import { ONNXRUNTIME_QUANTIZED_CAPABILITIES, onnxruntimeQuantizedOperators } from './onnxruntime-quantized.js';

/**
 * Which onnxruntime package and execution provider the adapter runs: `node` (native CPU),
 * `web` (onnxruntime-web, WASM) or `webgpu` (onnxruntime-web's WebGPU EP; needs a browser).
 */
export type OnnxruntimeFlavour = 'node' | 'web' | 'webgpu';

/** `onnxruntime-node` and `onnxruntime-web` share this API (both re-export `onnxruntime-common`). */
type Ort = typeof import('onnxruntime-node');

/** ONNX Conv (opset 11+) takes any spatial rank, any group, dilations and per-side pads. */
const ONNXRUNTIME_CAPABILITIES: KernelCapabilities = {
  spatialRanks: [1, 2, 3],
  group: true,
  dilation: true,
  strideWithDilation: true,
  asymmetricPads: true,
  specialValues: true,
  // conv: the contrib FusedConv (what the graph optimizer fuses Conv + activation into); dense and
  // convTranspose: the ONNX activation op in a second session
  activations: ['relu', 'relu6', 'clip', 'leakyRelu', 'sigmoid', 'tanh'],
};

/** FusedConv's `activation` and `activation_params` for a fused activation (relu6 is Clip(0, 6)). */
function fusedConvActivation(a: Activation): Record<string, OnnxAttributeValue> {
  switch (a.kind) {
    case 'relu':
      return { activation: { string: 'Relu' } };
    case 'relu6':
      return { activation: { string: 'Clip' }, activation_params: { floats: [0, 6] } };
    case 'clip':
      return { activation: { string: 'Clip' }, activation_params: { floats: [a.min, a.max] } };
    case 'leakyRelu':
      return { activation: { string: 'LeakyRelu' }, activation_params: { floats: [a.alpha] } };
    case 'sigmoid':
      return { activation: { string: 'Sigmoid' } };
    case 'tanh':
      return { activation: { string: 'Tanh' } };
  }
}

/** The ONNX activation node following a Conv (opset 13: Clip's min and max are initializer inputs). */
function activationNode(a: Activation): NonNullable<SingleNodeModel['then']> {
  const clip = (min: number, max: number) => ({
    opType: 'Clip',
    inputs: [
      { name: 'clip_min', shape: [], data: new Float32Array([min]) },
      { name: 'clip_max', shape: [], data: new Float32Array([max]) },
    ],
  });
  switch (a.kind) {
    case 'relu':
      return { opType: 'Relu' };
    case 'relu6':
      return clip(0, 6);
    case 'clip':
      return clip(a.min, a.max);
    case 'leakyRelu':
      return { opType: 'LeakyRelu', attributes: { alpha: { float: a.alpha } } };
    case 'sigmoid':
      return { opType: 'Sigmoid' };
    case 'tanh':
      return { opType: 'Tanh' };
  }
}

/** A one-node model applying the ONNX activation op (opset 13; Clip takes min and max as inputs). */
function activationModel(a: Activation, shape: readonly number[]): Uint8Array {
  const x = { name: 'X', shape };
  const clip = (min: number, max: number) =>
    encodeSingleNodeModel({
      opType: 'Clip',
      inputs: [x, { name: 'min', shape: [], data: new Float32Array([min]) }, { name: 'max', shape: [], data: new Float32Array([max]) }],
      outputs: [{ name: 'Y' }],
    });
  switch (a.kind) {
    case 'relu':
      return encodeSingleNodeModel({ opType: 'Relu', inputs: [x], outputs: [{ name: 'Y' }] });
    case 'relu6':
      return clip(0, 6);
    case 'clip':
      return clip(a.min, a.max);
    case 'leakyRelu':
      return encodeSingleNodeModel({
        opType: 'LeakyRelu',
        inputs: [x],
        outputs: [{ name: 'Y' }],
        attributes: { alpha: { float: a.alpha } },
      });
    case 'sigmoid':
      return encodeSingleNodeModel({ opType: 'Sigmoid', inputs: [x], outputs: [{ name: 'Y' }] });
    case 'tanh':
      return encodeSingleNodeModel({ opType: 'Tanh', inputs: [x], outputs: [{ name: 'Y' }] });
  }
}

/**
 * What the float16 flavours compute, measured on this project's x64 CPU (onnxruntime 1.30, node
 * and web): float16 tensors, sums formed at least in float32 — a float16 Conv or Gemm of
 * 1 + 2048 terms 2⁻¹¹ (times 1) returns 2, where float16 accumulation stalls at 1 (docs/findings.md;
 * pinned in test/adapters/adapters.test.ts).
 */
const ONNXRUNTIME_FLOAT16_NUMERICS = { precision: 'float16', accumulation: 'float32' } as const;

/**
 * onnxruntime-web's WebGPU EP (1.30) rejects a 3-D Conv with begin ≠ end padding ("Unsupported
 * padding parameter"), so only ranks 1 and 2 are claimed; it does run them (and gets end-only
 * padding wrong: docs/findings.md). Measured on SwiftShader, like tfjs's GPU backends: NaN and
 * ±Infinity propagate as IEEE-754 says; subnormal inputs and products are flushed to zero (the
 * generated data never has subnormals, so the bound needs no change).
 */
const ONNXRUNTIME_WEBGPU_CAPABILITIES: KernelCapabilities = { ...ONNXRUNTIME_CAPABILITIES, spatialRanks: [1, 2] };

/** Options of `createOnnxruntimeKernel`. */
export interface OnnxruntimeOptions {
  /**
   * Write W and B as constant initializers (only X is a graph input), so onnxruntime applies the
   * optimizations it reserves for constant weights (pre-packing, NCHWc / NHWC conv). One session
   * per weight set; the kernel is named `onnxruntime:<flavour>-const`. Default false.
   */
  readonly constantWeights?: boolean;
  /**
   * How conv runs a fused activation: `graph` (default) writes Conv → activation and lets the
   * graph optimizer fuse them (into FusedConv on the CPU execution provider), as it does for real
   * models; `contrib` writes the contrib `FusedConv` (com.microsoft) node directly.
   */
  readonly fusion?: 'graph' | 'contrib';
  /**
   * Run a float16 model (tensor(float16) inputs and output, as fp16-converted models run): the
   * kernel is named `onnxruntime:<flavour>-fp16` and declares `precision: 'float16'` with the
   * accumulation onnxruntime's CPU kernels use (docs/findings.md). Not with `constantWeights`.
   */
  readonly float16?: boolean;
}

/** Sessions kept alive; one per distinct (shapes, attributes, bias) signature. */
const SESSION_CACHE_SIZE = 32;
/**
 * With constant weights a session is tied to one weight set, and property runs rarely repeat
 * one, except on consecutive calls (a property comparing two evaluations, shrinking): a few suffice.
 */
const CONSTANT_SESSION_CACHE_SIZE = 4;

interface CachedSession {
  readonly session: Promise<InferenceSession>;
  /** The constant weights baked into the session (empty without constant weights). */
  readonly constants: readonly Float32Array[];
}

/** FNV-1a over the 32-bit words of the arrays (a cache key; equality is checked on a hit). */
function hashWords(arrays: readonly Float32Array[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193) >>> 0;
    h = Math.imul(h ^ 0xff, 0x01000193) >>> 0; // separates [a, b] from [a ++ b]
  }
  return h.toString(16).padStart(8, '0');
}

/** Bitwise equality (so NaN payloads and -0 count), not numeric equality. */
function sameWords(a: readonly Float32Array[], b: readonly Float32Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    if (a[k].length !== b[k].length) return false;
    const u = new Uint32Array(a[k].buffer, a[k].byteOffset, a[k].length);
    const v = new Uint32Array(b[k].buffer, b[k].byteOffset, b[k].length);
    for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return false;
  }
  return true;
}

function float32(data: Float32Array | Float64Array): Float32Array {
  return data instanceof Float32Array ? data : new Float32Array(data);
}

/**
 * Creates a kernel backed by ONNX Runtime, single-threaded (`intraOpNumThreads = 1`,
 * `interOpNumThreads = 1`, and for web `env.wasm.numThreads = 1`). The package is imported
 * lazily, so convcheck works without it.
 * Calls are expected one at a time (as the verification runner makes them): evicting a session
 * from the cache releases it even if another call is still running on it.
 * @example const kernel = await createOnnxruntimeKernel('node'); // name 'onnxruntime:node'
 * @example const kernel = await createOnnxruntimeKernel('node', { constantWeights: true }); // 'onnxruntime:node-const'
 */
export async function createOnnxruntimeKernel(flavour: OnnxruntimeFlavour, opts: OnnxruntimeOptions = {}): Promise<KernelUnderTest> {
  const constantWeights = opts.constantWeights ?? false;
  const fusion = opts.fusion ?? 'graph';
  const half = opts.float16 ?? false;
  if (half && constantWeights)
    throw new InvalidArgumentError('createOnnxruntimeKernel', 'opts', opts, 'float16 and constantWeights cannot be combined');
  const name = `onnxruntime:${flavour}${constantWeights ? '-const' : ''}${half ? '-fp16' : ''}`;
  const elementType = half ? ('float16' as const) : ('float32' as const);
  const cacheSize = constantWeights ? CONSTANT_SESSION_CACHE_SIZE : SESSION_CACHE_SIZE;
  const ort: Ort = flavour === 'node' ? await import('onnxruntime-node') : ((await import('onnxruntime-web')) as unknown as Ort);
  if (flavour !== 'node') ort.env.wasm.numThreads = 1;
  const options: InferenceSession.SessionOptions = {
    executionProviders: [flavour === 'node' ? 'cpu' : flavour === 'web' ? 'wasm' : 'webgpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };

  const sessions = new Map<string, CachedSession>();
  /**
   * The session for `signature` (and, with constant weights, for exactly the weights `constants`).
   * The key carries a hash of the weights; a hit is confirmed bitwise, so a hash collision costs
   * a rebuild, never a run with the wrong weights.
   */
  function session(signature: string, constants: readonly Float32Array[], model: () => Uint8Array): Promise<InferenceSession> {
    const key = constants.length === 0 ? signature : `${signature} weights=${hashWords(constants)}`;
    const cached = sessions.get(key);
    if (cached !== undefined) {
      sessions.delete(key);
      if (sameWords(cached.constants, constants)) {
        sessions.set(key, cached);
        return cached.session;
      }
      cached.session.then((s) => s.release()).catch(() => undefined);
    }
    const created = ort.InferenceSession.create(model(), options);
    // Copies: the caller's arrays may be reused or mutated after the call.
    const entry: CachedSession = { session: created, constants: constants.map((c) => c.slice()) };
    sessions.set(key, entry);
    // A model onnxruntime rejects is not cached: the next call rebuilds it and throws again.
    created.catch(() => {
      if (sessions.get(key) === entry) sessions.delete(key);
    });
    if (sessions.size > cacheSize) {
      const [oldestKey, oldest] = sessions.entries().next().value as [string, CachedSession];
      sessions.delete(oldestKey);
      // A session that failed to build has nothing to release.
      oldest.session.then((s) => s.release()).catch(() => undefined);
    }
    return created;
  }

  async function run(s: InferenceSession, feeds: Record<string, Tensor>): Promise<Tensor> {
    const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [input, t] of Object.entries(feeds)) {
      ortFeeds[input] = half
        ? new ort.Tensor('float16', Uint16Array.from(t.data, float16Bits), t.shape)
        : new ort.Tensor('float32', float32(t.data), t.shape);
    }
    const results = await s.run(ortFeeds);
    const y = results[s.outputNames[0]];
    try {
      if (half) return { shape: [...y.dims], data: Float32Array.from(y.data as Uint16Array, float16FromBits) };
      return { shape: [...y.dims], data: new Float32Array(y.data as Float32Array) };
    } finally {
      y.dispose();
    }
  }

  /** The ONNX activation op run by onnxruntime on `y` (for the ops without a fused form here). */
  async function activate(y: Tensor, a: Activation | undefined): Promise<Tensor> {
    if (a === undefined) return y;
    const s = await session(`Activation ${JSON.stringify(a)} ${y.shape.join('x')}`, [], () => activationModel(a, y.shape));
    return run(s, { X: y });
  }

  // the quantized operators (ConvInteger, QLinearConv, MatMulInteger, QLinearMatMul) on the CPU and WASM EPs;
  // not on WebGPU: onnxruntime-web 1.30's WebGPU EP takes none of the four (with
  // session.disable_cpu_ep_fallback every one-node model is refused as "assigned to the default
  // CPU EP"; without it they would silently run on WASM). Measured, docs/quantized.md.
  const quantized = !half && flavour !== 'webgpu';
  return {
    name,
    ...(half ? ONNXRUNTIME_FLOAT16_NUMERICS : { precision: 'float32' as const }),
    // the float16 flavours fuse no activation: those models (FusedConv, the activation ops) are float32 here
    capabilities: half
      ? { ...ONNXRUNTIME_CAPABILITIES, activations: [] }
      : flavour === 'webgpu'
        ? ONNXRUNTIME_WEBGPU_CAPABILITIES
        : { ...ONNXRUNTIME_CAPABILITIES, ...ONNXRUNTIME_QUANTIZED_CAPABILITIES },
    ...(quantized ? onnxruntimeQuantizedOperators(ort, options, name, constantWeights) : {}),
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Promise<Tensor> {
      const g = convGeometry(x, w, b, attrs, name);
      const wData = float32(w.data);
      const bData = b === undefined ? undefined : float32(b.data);
      const constants = constantWeights ? (bData === undefined ? [wData] : [wData, bData]) : [];
      const act = attrs.activation;
      const s = await session(
        `Conv ${describeConv(g.inputShape, g.weightShape, attrs, g.hasBias)} ${act ? JSON.stringify(act) : ''}`,
        constants,
        () =>
          encodeSingleNodeModel({
            opType: act && fusion === 'contrib' ? 'FusedConv' : 'Conv',
            ...(act && fusion === 'contrib' ? { domain: 'com.microsoft' } : {}),
            ...(act && fusion === 'graph' ? { then: activationNode(act) } : {}),
            inputs: [
              { name: 'X', shape: g.inputShape },
              { name: 'W', shape: g.weightShape, data: constantWeights ? wData : undefined },
              ...(bData !== undefined ? [{ name: 'B', shape: [g.outChannels], data: constantWeights ? bData : undefined }] : []),
            ],
            outputs: [{ name: 'Y' }],
            elementType,
            attributes: {
              kernel_shape: g.kernelSpatial,
              strides: g.strides,
              pads: [...g.padsBegin, ...g.padsEnd],
              dilations: g.dilations,
              group: g.group,
              ...(act && fusion === 'contrib' ? fusedConvActivation(act) : {}),
            },
          }),
      );
      if (constantWeights) return run(s, { X: x });
      return run(s, b === undefined ? { X: x, W: w } : { X: x, W: w, B: b });
    },
    async convTranspose(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvTransposeAttributes): Promise<Tensor> {
      const g = convTransposeGeometry(x, w, b, attrs, name);
      const wData = float32(w.data);
      const bData = b === undefined ? undefined : float32(b.data);
      const constants = constantWeights ? (bData === undefined ? [wData] : [wData, bData]) : [];
      const wShape = [g.inChannels, g.outChannelsPerGroup, ...g.kernelSpatial];
      // onnxruntime accepts output_padding < stride only (see docs/findings.md). output_padding
      // and pad_end trade one for one — the elements output_padding adds lie past every tap and
      // pad_end crops them again — so an output_padding >= stride (legal when dilation > stride)
      // is passed as (output_padding − t, pad_end − t) where pad_end allows; the rest is refused.
      const outputPadding = [...g.outputPadding];
      const padsEnd = [...g.padsEnd];
      for (let a = 0; a < g.rank; a++) {
        const t = Math.min(padsEnd[a], Math.max(0, outputPadding[a] - (g.strides[a] - 1)));
        outputPadding[a] -= t;
        padsEnd[a] -= t;
      }
      const s = await session(
        `ConvTranspose ${describeConvTranspose(x.shape, wShape, { ...attrs, pads: [...g.padsBegin, ...padsEnd], outputPadding }, g.hasBias)}`,
        constants,
        () =>
          encodeSingleNodeModel({
            opType: 'ConvTranspose',
            inputs: [
              { name: 'X', shape: [...x.shape] },
              { name: 'W', shape: wShape, data: constantWeights ? wData : undefined },
              ...(bData !== undefined ? [{ name: 'B', shape: [g.outChannels], data: constantWeights ? bData : undefined }] : []),
            ],
            outputs: [{ name: 'Y' }],
            elementType,
            // explicit pads and output_padding (no output_shape / auto_pad): the ONNX definition of O
            attributes: {
              kernel_shape: g.kernelSpatial,
              strides: g.strides,
              pads: [...g.padsBegin, ...padsEnd],
              dilations: g.dilations,
              group: g.group,
              output_padding: outputPadding,
            },
          }),
      );
      const y = await (constantWeights ? run(s, { X: x }) : run(s, b === undefined ? { X: x, W: w } : { X: x, W: w, B: b }));
      return activate(y, attrs.activation);
    },
    async dense(x: Tensor, w: Tensor, b: Tensor | undefined, attrs?: DenseAttributes): Promise<Tensor> {
      const g = denseGeometry(x, w, b, name);
      checkActivation(name, attrs?.activation);
      const wData = float32(w.data);
      const bData = b === undefined ? undefined : float32(b.data);
      const constants = constantWeights ? (bData === undefined ? [wData] : [wData, bData]) : [];
      const s = await session(`Gemm ${describeDense(x.shape, w.shape, g.hasBias)}`, constants, () =>
        encodeSingleNodeModel({
          opType: 'Gemm',
          inputs: [
            { name: 'A', shape: [g.batch, g.inFeatures] },
            { name: 'B', shape: [g.outFeatures, g.inFeatures], data: constantWeights ? wData : undefined },
            ...(bData !== undefined ? [{ name: 'C', shape: [g.outFeatures], data: constantWeights ? bData : undefined }] : []),
          ],
          outputs: [{ name: 'Y' }],
          elementType,
          attributes: { transB: 1 },
        }),
      );
      const y = await (constantWeights ? run(s, { A: x }) : run(s, b === undefined ? { A: x, B: w } : { A: x, B: w, C: b }));
      return activate(y, attrs?.activation);
    },
  };
}
