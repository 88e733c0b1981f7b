/**
 * `prepareModel` (src/runner/model-layers.ts) on hand-built models: a Conv whose input is a
 * constant is not an activation, a node `layerOfNode` refuses is skipped with its reason, skipped
 * nodes come back in graph order, and a model with no node left is a ModelFileError listing why.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRealTensors } from '../../src/arbitraries/real-data.js';
import { ModelFileError } from '../../src/errors.js';
import type { OnnxProto } from '../../src/models/onnx-proto.js';
import { onnx } from '../../src/models/onnx-proto.js';
import { prepareModel } from '../../src/runner/model-layers.js';

const T = onnx.TensorProto.DataType;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-prepare-'));
});
afterAll(async () => {
  clearRealTensors();
  await rm(dir, { recursive: true, force: true });
});

const f32 = (name: string, dims: number[]): OnnxProto.ITensorProto => ({
  name,
  dims,
  dataType: T.FLOAT,
  floatData: Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => (i % 3) - 1),
});

async function model(name: string, nodes: OnnxProto.INodeProto[], initializer: OnnxProto.ITensorProto[]): Promise<string> {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: nodes,
      initializer,
      input: [
        {
          name: 'X',
          type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }, { dimValue: 4 }, { dimValue: 4 }] } } },
        },
      ],
      output: [{ name: 'Y', type: { tensorType: { elemType: T.FLOAT } } }],
    },
  });
  const file = join(dir, name);
  await writeFile(file, onnx.ModelProto.encode(m).finish());
  return file;
}

describe('prepareModel', () => {
  it('one layer kept; a Conv on a constant and a Conv whose kernel_shape disagrees skipped with their reasons, in graph order', async () => {
    const file = await model(
      'mixed.onnx',
      [
        { name: 'on-constant', opType: 'Conv', input: ['C', 'W'], output: ['Z'] },
        { name: 'good', opType: 'Conv', input: ['X', 'W'], output: ['Y'] },
        {
          name: 'bad-shape',
          opType: 'Conv',
          input: ['X', 'W'],
          output: ['V'],
          attribute: [{ name: 'kernel_shape', type: 7, ints: [3, 3] }],
        },
      ],
      [f32('C', [1, 1, 4, 4]), f32('W', [2, 1, 2, 2])],
    );
    const p = await prepareModel(file, { seed: 5 });
    expect(p.input).toBe('generated:5');
    expect(p.layers.map((l) => [l.candidate.node, l.layer.op])).toEqual([['good', 'conv']]);
    expect(p.skipped).toEqual([
      { node: 'on-constant', opType: 'Conv', reason: 'its input C is a constant, not an activation' },
      { node: 'bad-shape', opType: 'Conv', reason: "kernel_shape [3,3] differs from the weight's [2,2]" },
    ]);
  });
  it('no node left to check: ModelFileError naming each node and its reason', async () => {
    const file = await model(
      'none.onnx',
      [
        { name: 'only', opType: 'Conv', input: ['C', 'W'], output: ['Z'] },
        { opType: 'Relu', input: ['X'], output: ['Y'] },
      ],
      [f32('C', [1, 1, 4, 4]), f32('W', [2, 1, 2, 2])],
    );
    const e = await prepareModel(file, { seed: 1 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ModelFileError);
    expect((e as Error).message).toMatch(
      /no checkable node \(Conv, ConvTranspose, Gemm, MatMul with a constant 2-D weight\): only \(Conv\): its input C is a constant, not an activation$/,
    );
  });
});

describe('prepareModel: no candidate at all', () => {
  it('only a Conv of another domain: the ModelFileError names it and why; only a Relu: nothing to name', async () => {
    const foreign = await model(
      'foreign.onnx',
      [{ name: 'custom', opType: 'Conv', domain: 'com.example', input: ['X', 'W'], output: ['Y'] }],
      [f32('W', [2, 1, 2, 2])],
    );
    const e = await prepareModel(foreign, { seed: 1 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ModelFileError);
    expect((e as Error).message).toMatch(
      /no checkable node \(Conv, ConvTranspose, Gemm, MatMul with a constant 2-D weight\): custom \(Conv\): operator domain com\.example \(convcheck reads the ONNX domain\)$/,
    );
    const relu = await model('relu.onnx', [{ opType: 'Relu', input: ['X'], output: ['Y'] }], []);
    const r = await prepareModel(relu, { seed: 1 }).catch((err: unknown) => err);
    expect(r).toBeInstanceOf(ModelFileError);
    expect((r as Error).message).toMatch(/no checkable node \(Conv, ConvTranspose, Gemm, MatMul with a constant 2-D weight\)$/);
  });
});
