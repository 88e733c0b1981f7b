/**
 * `openModelRun` (src/cli/model.ts) with real data: a layer whose own tensors hold ±Infinity is
 * not handed to a kernel that declares no special-value support — it is skipped with the reason —
 * and a model with no other layer is a ModelFileError; a kernel that declares the support gets it.
 * The model: x [1,1,4] → Conv w=[+Inf] (node `inf`) and, beside it, Conv w=[2] (node `finite`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyCommand } from '../../src/cli/args.js';
import { openModelRun } from '../../src/cli/model.js';
import type { KernelUnderTest } from '../../src/contract.js';
import { ModelFileError } from '../../src/errors.js';
import { onnx, type OnnxProto } from '../../src/models/onnx-proto.js';

const FLOAT = onnx.TensorProto.DataType.FLOAT;
let dir: string;

const tensor = (name: string, dims: number[], values: number[]): OnnxProto.ITensorProto => ({
  name,
  dataType: FLOAT,
  dims,
  floatData: values,
});
const value = (name: string, dims: number[]): OnnxProto.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});
const conv = (name: string, w: string): OnnxProto.INodeProto => ({ name, opType: 'Conv', input: ['x', w], output: [`y_${name}`] });

/** A model of the given Conv nodes on x [1,1,4], each with its own 1×1 weight. */
function model(weights: Array<[string, number]>): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'special',
      node: weights.map(([n]) => conv(n, `${n}.w`)),
      input: [value('x', [1, 1, 4])],
      output: weights.map(([n]) => value(`y_${n}`, [1, 1, 4])),
      initializer: weights.map(([n, v]) => tensor(`${n}.w`, [1, 1, 1], [v])),
    },
  }).finish();
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-model-special-'));
  await writeFile(
    join(dir, 'both.onnx'),
    model([
      ['inf', Number.POSITIVE_INFINITY],
      ['finite', 2],
    ]),
  );
  await writeFile(join(dir, 'inf-only.onnx'), model([['inf', Number.POSITIVE_INFINITY]]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const command = (file: string, data: 'real' | 'generated') =>
  ({ kind: 'verify', reportDir: dir, model: { file: join(dir, file), data } }) as unknown as VerifyCommand & {
    readonly model: NonNullable<VerifyCommand['model']>;
  };
const kernel = (specialValues: boolean): KernelUnderTest =>
  ({ name: 'test:k', precision: 'float32', capabilities: { specialValues }, conv: () => undefined }) as unknown as KernelUnderTest;
const nodesOf = (layers: ReadonlyArray<{ network: string; name: string }>) => layers.map((l) => l.name);

describe('openModelRun with real data and a layer holding +Infinity', () => {
  it('a kernel without special-value support: the finite layer runs, the other is skipped with the reason', async () => {
    const run = await openModelRun(command('both.onnx', 'real'), 1);
    expect(run.description).toMatch(/: 2 layers, 0 nodes skipped, its own weights and activations, input /);
    const o = run.optionsFor(kernel(false));
    expect(o.realData).toBe(true);
    expect(nodesOf(o.layers!)).toEqual(['finite']);
    const report = run.finish({ properties: [] } as never);
    expect(report.model?.skipped).toEqual([
      {
        node: 'inf',
        opType: 'Conv',
        reason: 'its own tensors hold NaN or ±Infinity and the kernel declares no special-value support (capabilities.specialValues)',
      },
    ]);
  });
  it('a kernel that declares special values: both layers', async () => {
    const run = await openModelRun(command('both.onnx', 'real'), 1);
    expect(nodesOf(run.optionsFor(kernel(true)).layers!)).toEqual(['inf', 'finite']);
    run.finish({ properties: [] } as never);
  });
  it('no layer left: a ModelFileError naming the model and the kernel', async () => {
    const run = await openModelRun(command('inf-only.onnx', 'real'), 1);
    expect(run.description).toMatch(/: 1 layer, 0 nodes skipped, /);
    let error: unknown;
    try {
      run.optionsFor(kernel(false));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toBe(
      `--model ${join(dir, 'inf-only.onnx')}: no layer test:k can take: every layer's own tensors hold NaN or ±Infinity and the kernel declares no special-value support (capabilities.specialValues)`,
    );
    run.finish({ properties: [] } as never);
  });
  it('--shard 2/2: the second layer only, said in the header', async () => {
    const run = await openModelRun({ ...command('both.onnx', 'real'), shard: { index: 2, count: 2 } }, 1);
    expect(run.description).toMatch(/: 1 layer \(shard 2\/2 of the layers\), 0 nodes skipped, /);
    expect(nodesOf(run.optionsFor(kernel(true)).layers!)).toEqual(['finite']);
    run.finish({ properties: [] } as never);
  });
  it('generated data: nothing is skipped for the weights, and a run that never started returns the report as it is', async () => {
    const run = await openModelRun(command('both.onnx', 'generated'), 1);
    expect(run.description).toMatch(/generated data of its shapes/);
    const untouched = { properties: [] } as never;
    expect(run.finish(untouched)).toBe(untouched);
    expect(nodesOf(run.optionsFor(kernel(false)).layers!)).toEqual(['inf', 'finite']);
  });
});
