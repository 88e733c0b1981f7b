/**
 * The input a model runs on for `convcheck verify --model`: read from `--model-input FILE`, or
 * generated from the run's seed for a model whose inputs all have static shapes.
 *
 * Input files: a serialized `TensorProto` (`.pb`, as ONNX's test data sets store them: its `name`
 * picks the input, or it feeds the model's only input), or JSON — `{"dims": [...], "data": [...]}`
 * for a model with one input, or `{"<input name>": {"dims": [...], "data": [...]}, …}`.
 */
import { readFile } from 'node:fs/promises';
import { ModelFileError } from '../errors.js';
import { Prng } from '../arbitraries/prng.js';
import type { GraphInput, OnnxModel } from './onnx-reader.js';
import { int64ToNumber, onnx } from './onnx-proto.js';
import { DATA_TYPE_NAMES, ONNX_ELEMENTS } from './onnx-elements.js';

/** One fed input: float32 values and their dimensions. */
export interface FedTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** The model's inputs, by name, and a description of where they came from (`generated:<seed>` or the file). */
export interface ModelFeeds {
  readonly feeds: ReadonlyMap<string, FedTensor>;
  readonly input: string;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks a fed tensor against the model's declared input (type FLOAT, static dims equal). */
function checkFed(model: OnnxModel, input: GraphInput, t: FedTensor, from: string): void {
  if (input.elemType !== FLOAT)
    throw new ModelFileError(
      model.file,
      `input '${input.name}'`,
      `is ${DATA_TYPE_NAMES[input.elemType] ?? input.elemType}; convcheck feeds FLOAT inputs`,
    );
  const n = t.dims.reduce((a, d) => a * d, 1);
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 1) || n !== t.data.length)
    throw new ModelFileError(model.file, `input '${input.name}'`, `${from} gives dims [${t.dims.join(',')}] and ${t.data.length} values`);
  const declared = input.dims;
  if (declared && (declared.length !== t.dims.length || declared.some((d, i) => typeof d === 'number' && d > 0 && d !== t.dims[i]))) {
    throw new ModelFileError(
      model.file,
      `input '${input.name}'`,
      `${from} gives dims [${t.dims.join(',')}]; the model declares [${declared.map((d) => d ?? '?').join(',')}]`,
    );
  }
}

/** Reads `--model-input FILE` for the model's inputs. */
async function readInputFile(model: OnnxModel, file: string): Promise<Map<string, FedTensor>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ModelFileError(model.file, `--model-input ${file}`, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const only = model.inputs.length === 1 ? model.inputs[0].name : undefined;
  const fed = new Map<string, FedTensor>();
  if (file.endsWith('.json')) {
    let doc: unknown;
    try {
      doc = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw new ModelFileError(model.file, `--model-input ${file}`, 'is not JSON');
    }
    const entries =
      isRecord(doc) && 'dims' in doc ? (only !== undefined ? [[only, doc] as const] : []) : isRecord(doc) ? Object.entries(doc) : [];
    if (entries.length === 0)
      throw new ModelFileError(
        model.file,
        `--model-input ${file}`,
        `expected {"dims": [...], "data": [...]}${only === undefined ? ' per input name' : ''}`,
      );
    for (const [name, v] of entries) {
      if (!isRecord(v) || !Array.isArray(v.dims) || !Array.isArray(v.data) || !v.data.every((x) => typeof x === 'number'))
        throw new ModelFileError(model.file, `--model-input ${file}`, `input '${name}' must be {"dims": [...], "data": [numbers]}`);
      fed.set(name, { dims: v.dims as number[], data: Float32Array.from(v.data as number[]) });
    }
  } else {
    let t: ReturnType<typeof onnx.TensorProto.decode>;
    try {
      t = onnx.TensorProto.decode(bytes);
    } catch (e) {
      throw new ModelFileError(
        model.file,
        `--model-input ${file}`,
        `is neither JSON nor a TensorProto (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    const name = t.name || only;
    if (name === undefined)
      throw new ModelFileError(model.file, `--model-input ${file}`, 'the tensor has no name and the model has several inputs');
    if (t.dataType !== FLOAT)
      throw new ModelFileError(
        model.file,
        `--model-input ${file}`,
        `holds ${DATA_TYPE_NAMES[t.dataType] ?? t.dataType}; convcheck feeds FLOAT inputs`,
      );
    const dims = t.dims.map((d) => int64ToNumber(d as number));
    const data =
      t.rawData && t.rawData.length > 0
        ? (ONNX_ELEMENTS.float32.fromLittleEndian(
            new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength),
            t.rawData.length / 4,
          ) as Float32Array)
        : Float32Array.from(t.floatData);
    fed.set(name, { dims, data });
  }
  for (const [name] of fed)
    if (!model.inputs.some((i) => i.name === name))
      throw new ModelFileError(
        model.file,
        `--model-input ${file}`,
        `names input '${name}'; the model's inputs are ${model.inputs.map((i) => `'${i.name}'`).join(', ')}`,
      );
  for (const i of model.inputs) {
    const t = fed.get(i.name);
    if (!t) throw new ModelFileError(model.file, `--model-input ${file}`, `gives no value for input '${i.name}'`);
    checkFed(model, i, t, `--model-input ${file}`);
  }
  return fed;
}

/**
 * The feeds of a model: from `inputFile`, or generated from `seed` — uniform in [−1, 1), the range
 * of a normalized image or signal — which needs every input dimension to be static.
 */
export async function modelFeeds(model: OnnxModel, inputFile: string | undefined, seed: number): Promise<ModelFeeds> {
  if (inputFile !== undefined) return { feeds: await readInputFile(model, inputFile), input: inputFile };
  const rng = new Prng(seed);
  const feeds = new Map<string, FedTensor>();
  for (const i of model.inputs) {
    const dims = i.dims;
    if (dims === undefined || dims.some((d) => typeof d !== 'number' || d < 1)) {
      throw new ModelFileError(
        model.file,
        `input '${i.name}'`,
        `has a dynamic shape [${(dims ?? ['?']).map((d) => d ?? '?').join(',')}]; give its values with --model-input FILE`,
      );
    }
    const t = { dims: dims as number[], data: new Float32Array((dims as number[]).reduce((a, d) => a * d, 1)) };
    for (let k = 0; k < t.data.length; k++) t.data[k] = 2 * rng.next() - 1;
    checkFed(model, i, t, 'the generated input');
    feeds.set(i.name, t);
  }
  return { feeds, input: `generated:${seed}` };
}
