/**
 * `captureActivations` (src/adapters/onnx-activations.ts) on hand-built models: external FLOAT
 * and DOUBLE initializers inlined for onnxruntime, outputs added for the tensors asked for (an
 * existing output kept), non-float tensors typed without data, and the ModelFileErrors of a
 * model onnxruntime cannot load or cannot run on the input.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureActivations } from '../../src/adapters/onnx-activations.js';
import { ModelFileError } from '../../src/errors.js';
import { littleEndianBytes } from '../../src/models/onnx-elements.js';
import type { OnnxProto } from '../../src/models/onnx-proto.js';
import { onnx } from '../../src/models/onnx-proto.js';
import { readOnnxModel } from '../../src/models/onnx-reader.js';

const T = onnx.TensorProto.DataType;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-activations-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function model(
  name: string,
  nodes: OnnxProto.INodeProto[],
  initializer: OnnxProto.ITensorProto[] = [],
  valueInfo: OnnxProto.IValueInfoProto[] = [],
): Promise<string> {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer,
      valueInfo,
      input: [{ name: 'X', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } }],
      output: [{ name: 'Y', type: { tensorType: { elemType: T.FLOAT } } }],
    },
  });
  const file = join(dir, name);
  await writeFile(file, onnx.ModelProto.encode(m).finish());
  return file;
}
const X = new Map([['X', { dims: [1, 4], data: Float32Array.of(-1, 2, -3, 4) }]]);

describe('captureActivations', () => {
  it('external FLOAT and DOUBLE initializers are inlined; the asked-for tensors come back, non-float ones typed without data', async () => {
    await writeFile(join(dir, 'f.bin'), littleEndianBytes('float32', Float32Array.of(0.5, 0.5, 0.5, 0.5)));
    await writeFile(join(dir, 'd.bin'), littleEndianBytes('float64', Float64Array.of(1.25, -2)));
    const ext = (name: string, dataType: number, dims: number[], file: string): OnnxProto.ITensorProto => ({
      name,
      dataType,
      dims,
      dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
      externalData: [{ key: 'location', value: file }],
    });
    const file = await model(
      'ext.onnx',
      [
        { opType: 'Add', input: ['X', 'F'], output: ['S'] },
        { opType: 'Relu', input: ['S'], output: ['Y'] },
        { opType: 'Identity', input: ['D'], output: ['DD'] },
        { opType: 'Cast', input: ['Y'], output: ['I'], attribute: [{ name: 'to', type: 2, i: T.INT64 }] },
      ],
      [ext('F', T.FLOAT, [1, 4], 'f.bin'), ext('D', T.DOUBLE, [2], 'd.bin')],
      // a tensor that is not FLOAT needs its type declared to become an output
      [
        { name: 'DD', type: { tensorType: { elemType: T.DOUBLE } } },
        { name: 'I', type: { tensorType: { elemType: T.INT64 } } },
      ],
    );
    const m = await readOnnxModel(file);
    const got = await captureActivations(m, X, ['S', 'Y', 'DD', 'I']);
    expect(Array.from(got.get('S')?.data ?? [])).toEqual([-0.5, 2.5, -2.5, 4.5]);
    expect(Array.from(got.get('Y')?.data ?? [])).toEqual([0, 2.5, 0, 4.5]);
    expect(got.get('DD')).toEqual({ dims: [2], dataType: T.DOUBLE, data: undefined });
    expect(got.get('I')).toEqual({ dims: [1, 4], dataType: T.INT64, data: undefined });
    // the reader's model stays as read: still external
    expect(m.proto.graph?.initializer?.[0].dataLocation).toBe(onnx.TensorProto.DataLocation.EXTERNAL);
  });
  it('a model onnxruntime cannot load, or cannot run on the input given: ModelFileError naming the file', async () => {
    const bogus = await model('bogus.onnx', [{ opType: 'NoSuchOp', input: ['X'], output: ['Y'] }]);
    const e1 = await captureActivations(await readOnnxModel(bogus), X, ['Y']).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ModelFileError);
    expect((e1 as Error).message).toMatch(/bogus\.onnx: onnxruntime-node cannot load the model \(/);
    const relu = await model('relu.onnx', [{ opType: 'Relu', input: ['X'], output: ['Y'] }]);
    const wrong = new Map([['X', { dims: [2, 3], data: new Float32Array(6) }]]);
    const e2 = await captureActivations(await readOnnxModel(relu), wrong, ['Y']).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(ModelFileError);
    expect((e2 as Error).message).toMatch(/relu\.onnx: onnxruntime-node cannot run the model on this input \(/);
  });
});
