/**
 * ONNX Runtime (`onnxruntime-node`, native CPU execution provider, or `onnxruntime-web`, WASM
 * execution provider) behind the `KernelUnderTest` contract.
 *
 * Our contract is ONNX `Conv` / `Gemm(transB=1)` itself, so there is no layout translation: each
 * call runs a one-node model built in memory (see `onnx-model.ts`). X, W and B are graph inputs,
 * not initializers, so one session serves every call with the same shapes and attributes;
 * sessions are cached by that signature (least recently used evicted and released).
 * Because W is not a constant, onnxruntime cannot pre-pack it or apply the layout rewrites it
 * reserves for constant weights (NCHWc / NHWC conv): this checks the generic Conv path.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { ConvAttributes, KernelCapabilities, KernelUnderTest, Tensor } from '../contract.js';
import { convGeometry, denseGeometry, describeConv, describeDense } from '../geometry.js';
import { encodeSingleNodeModel } from './onnx-model.js';

/** Which onnxruntime package the adapter runs. */
export type OnnxruntimeFlavour = 'node' | 'web';

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
};

/** Sessions kept alive; one per distinct (shapes, attributes, bias) signature. */
const SESSION_CACHE_SIZE = 32;

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
 */
export async function createOnnxruntimeKernel(flavour: OnnxruntimeFlavour): Promise<KernelUnderTest> {
  const name = `onnxruntime:${flavour}`;
  const ort: Ort = flavour === 'node' ? await import('onnxruntime-node') : ((await import('onnxruntime-web')) as unknown as Ort);
  if (flavour === 'web') ort.env.wasm.numThreads = 1;
  const options: InferenceSession.SessionOptions = {
    executionProviders: [flavour === 'node' ? 'cpu' : 'wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  };

  const sessions = new Map<string, Promise<InferenceSession>>();
  function session(key: string, model: () => Uint8Array): Promise<InferenceSession> {
    const cached = sessions.get(key);
    if (cached !== undefined) {
      sessions.delete(key);
      sessions.set(key, cached);
      return cached;
    }
    const created = ort.InferenceSession.create(model(), options);
    sessions.set(key, created);
    // A model onnxruntime rejects is not cached: the next call rebuilds it and throws again.
    created.catch(() => {
      if (sessions.get(key) === created) sessions.delete(key);
    });
    if (sessions.size > SESSION_CACHE_SIZE) {
      const [oldestKey, oldest] = sessions.entries().next().value as [string, Promise<InferenceSession>];
      sessions.delete(oldestKey);
      // A session that failed to build has nothing to release.
      oldest.then((s) => s.release()).catch(() => undefined);
    }
    return created;
  }

  async function run(s: InferenceSession, feeds: Record<string, Tensor>): Promise<Tensor> {
    const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [input, t] of Object.entries(feeds)) ortFeeds[input] = new ort.Tensor('float32', float32(t.data), t.shape);
    const results = await s.run(ortFeeds);
    const y = results[s.outputNames[0]];
    try {
      return { shape: [...y.dims], data: new Float32Array(y.data as Float32Array) };
    } finally {
      y.dispose();
    }
  }

  return {
    name,
    precision: 'float32',
    capabilities: ONNXRUNTIME_CAPABILITIES,
    async conv(x: Tensor, w: Tensor, b: Tensor | undefined, attrs: ConvAttributes): Promise<Tensor> {
      const g = convGeometry(x, w, b, attrs, name);
      const s = await session(`Conv ${describeConv(g.inputShape, g.weightShape, attrs, g.hasBias)}`, () =>
        encodeSingleNodeModel({
          opType: 'Conv',
          inputs: [
            { name: 'X', shape: g.inputShape },
            { name: 'W', shape: g.weightShape },
            ...(g.hasBias ? [{ name: 'B', shape: [g.outChannels] }] : []),
          ],
          outputs: [{ name: 'Y' }],
          attributes: {
            kernel_shape: g.kernelSpatial,
            strides: g.strides,
            pads: [...g.padsBegin, ...g.padsEnd],
            dilations: g.dilations,
            group: g.group,
          },
        }),
      );
      return run(s, b === undefined ? { X: x, W: w } : { X: x, W: w, B: b });
    },
    async dense(x: Tensor, w: Tensor, b: Tensor | undefined): Promise<Tensor> {
      const g = denseGeometry(x, w, b, name);
      const s = await session(`Gemm ${describeDense(x.shape, w.shape, g.hasBias)}`, () =>
        encodeSingleNodeModel({
          opType: 'Gemm',
          inputs: [
            { name: 'A', shape: [g.batch, g.inFeatures] },
            { name: 'B', shape: [g.outFeatures, g.inFeatures] },
            ...(g.hasBias ? [{ name: 'C', shape: [g.outFeatures] }] : []),
          ],
          outputs: [{ name: 'Y' }],
          attributes: { transB: 1 },
        }),
      );
      return run(s, b === undefined ? { A: x, B: w } : { A: x, B: w, C: b });
    },
  };
}
