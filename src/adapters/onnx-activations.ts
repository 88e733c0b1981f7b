/**
 * Running a model once in onnxruntime-node (an optional peer dependency) to see the activations
 * its layers really get: every tensor named in `capture` becomes a graph output, external data are
 * embedded (the session is built from bytes, not from the file), and the session's optimizer is
 * off — so the values are those of the graph as written, node by node.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { ModelFileError } from '../errors.js';
import type { FedTensor } from '../models/onnx-input.js';
import type { OnnxModel } from '../models/onnx-reader.js';
import { littleEndianBytes } from '../models/onnx-elements.js';
import { onnx } from '../models/onnx-proto.js';

/** A captured tensor: its dims, its element type code (`TensorProto.DataType`) and, for FLOAT, its values. */
export interface CapturedTensor {
  readonly dims: readonly number[];
  readonly dataType: number;
  readonly data: Float32Array | undefined;
}

const ORT_TYPES: Readonly<Record<string, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  string: 8,
  bool: 9,
  float16: 10,
  float64: 11,
  uint32: 12,
  uint64: 13,
};

/**
 * The model's bytes with `capture` added to the graph outputs and every external tensor's data
 * inlined as `raw_data` (float32 and the other types convcheck reads, already decoded by the reader).
 */
function instrumented(model: OnnxModel, capture: readonly string[]): Uint8Array {
  // a deep copy: the reader's model stays as read
  const proto = onnx.ModelProto.decode(onnx.ModelProto.encode(model.proto).finish());
  const g = proto.graph!;
  g.initializer ??= [];
  g.output ??= [];
  g.valueInfo ??= [];
  for (const t of g.initializer) {
    if (t.dataLocation !== onnx.TensorProto.DataLocation.EXTERNAL) continue;
    const loaded = model.constants.get(t.name ?? '')!;
    // the reader decoded it to float64; written back as FLOAT, the type convcheck's layers take
    t.rawData =
      loaded.dataType === onnx.TensorProto.DataType.DOUBLE
        ? littleEndianBytes('float64', loaded.data)
        : littleEndianBytes('float32', Float32Array.from(loaded.data));
    t.dataType = loaded.dataType === onnx.TensorProto.DataType.DOUBLE ? loaded.dataType : onnx.TensorProto.DataType.FLOAT;
    t.dataLocation = onnx.TensorProto.DataLocation.DEFAULT;
    t.externalData = [];
  }
  const outputs = new Set(g.output.map((o) => o.name));
  for (const name of capture) {
    if (outputs.has(name)) continue;
    // an output needs a type; onnxruntime checks the element type only, the values come as computed
    const known = g.valueInfo.find((v) => v.name === name);
    g.output.push(known ?? onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } } }));
    outputs.add(name);
  }
  return onnx.ModelProto.encode(proto).finish();
}

/**
 * Runs `model` on `feeds` in onnxruntime-node and returns the tensors named in `capture`.
 * Throws `ModelFileError` when onnxruntime-node is not installed or rejects the model.
 */
export async function captureActivations(
  model: OnnxModel,
  feeds: ReadonlyMap<string, FedTensor>,
  capture: readonly string[],
): Promise<Map<string, CapturedTensor>> {
  let ort: typeof import('onnxruntime-node');
  try {
    ort = await import('onnxruntime-node');
  } catch (e) {
    throw new ModelFileError(
      model.file,
      undefined,
      `--model runs the model once in onnxruntime-node to see its activations: npm install onnxruntime-node (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
    );
  }
  const options: InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  };
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(instrumented(model, capture), options);
  } catch (e) {
    throw new ModelFileError(
      model.file,
      undefined,
      `onnxruntime-node cannot load the model (${e instanceof Error ? e.message.replace(/\s+/g, ' ') : String(e)})`,
    );
  }
  try {
    const inputs: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [name, t] of feeds) inputs[name] = new ort.Tensor('float32', t.data, [...t.dims]);
    let out: InferenceSession.ReturnType;
    try {
      out = await session.run(inputs, [...capture]);
    } catch (e) {
      throw new ModelFileError(
        model.file,
        undefined,
        `onnxruntime-node cannot run the model on this input (${e instanceof Error ? e.message.replace(/\s+/g, ' ') : String(e)})`,
      );
    }
    const captured = new Map<string, CapturedTensor>();
    for (const name of capture) {
      const t = out[name];
      captured.set(name, {
        dims: [...t.dims],
        dataType: ORT_TYPES[t.type] ?? 0,
        data: t.type === 'float32' ? new Float32Array(t.data as Float32Array) : undefined,
      });
    }
    return captured;
  } finally {
    await session.release();
  }
}
