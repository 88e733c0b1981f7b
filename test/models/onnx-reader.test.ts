/**
 * The ONNX reader's edge cases, one behaviour each: element types and where their data live
 * (typed fields, raw_data, external files), every ModelFileError it raises, which nodes are
 * candidates or skipped, and every reason `layerOfNode` gives for a node it cannot run.
 * test/models/model.test.ts covers the happy path on real models; these build tiny models by hand.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/errors.js';
import { littleEndianBytes } from '../../src/models/onnx-elements.js';
import type { OnnxProto } from '../../src/models/onnx-proto.js';
import { onnx } from '../../src/models/onnx-proto.js';
import type { ModelTensor, NodeCandidate, OnnxModel, ReadLayer } from '../../src/models/onnx-reader.js';
import { layerOfNode, nodeCandidates, readOnnxModel } from '../../src/models/onnx-reader.js';

const T = onnx.TensorProto.DataType;
const EXTERNAL = onnx.TensorProto.DataLocation.EXTERNAL;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const relu: OnnxProto.INodeProto = { opType: 'Relu', input: ['X'], output: ['Y'] };

/** Writes a model with these initializers, nodes and inputs; returns its path. */
async function writeModel(name: string, graph: Partial<OnnxProto.IGraphProto> | null, irVersion = 8): Promise<string> {
  const model = onnx.ModelProto.create({
    irVersion,
    opsetImport: [{ domain: '', version: 17 }],
    ...(graph === null ? {} : { graph: onnx.GraphProto.create({ name: 'g', node: [relu], ...graph }) }),
  });
  const file = join(dir, name);
  await writeFile(file, onnx.ModelProto.encode(model).finish());
  return file;
}

const rejection = async (p: Promise<unknown>): Promise<ModelFileError> => {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  return e as ModelFileError;
};

describe('readOnnxModel: files that are not models', () => {
  it('a missing file names its errno', async () => {
    const e = await rejection(readOnnxModel(join(dir, 'absent.onnx')));
    expect(e.message).toMatch(/absent\.onnx: cannot be read \(ENOENT\)/);
    expect(e.where).toBeUndefined();
  });
  it('no graph, a graph without nodes, no IR version: each said', async () => {
    expect((await rejection(readOnnxModel(await writeModel('nograph.onnx', null)))).message).toMatch(/\(no graph\)/);
    expect((await rejection(readOnnxModel(await writeModel('nonodes.onnx', { node: [] })))).message).toMatch(/\(a graph without nodes\)/);
    expect((await rejection(readOnnxModel(await writeModel('noir.onnx', {}, 0)))).message).toMatch(/\(no IR version\)/);
  });
});

describe('readOnnxModel: tensor data in every place ONNX keeps it', () => {
  it('typed fields: float_data, double_data, int64_data, int32_data (INT8, and FLOAT16 as its bits)', async () => {
    const m = await readOnnxModel(
      await writeModel('typed.onnx', {
        initializer: [
          { name: 'f', dims: [2], dataType: T.FLOAT, floatData: [1.5, -2] },
          { name: 'd', dims: [1, 2], dataType: T.DOUBLE, doubleData: [0.1, 1e300] },
          { name: 'l', dims: [3], dataType: T.INT64, int64Data: [-3, 0, 2 ** 40] },
          { name: 'i8', dims: [2], dataType: T.INT8, int32Data: [-128, 127] },
          { name: 'h', dims: [2], dataType: T.FLOAT16, int32Data: [0x3c00, 0xc000] },
        ],
      }),
    );
    const values = (k: string) => Array.from(m.constants.get(k)?.data ?? []);
    expect(values('f')).toEqual([1.5, -2]);
    expect(values('d')).toEqual([0.1, 1e300]);
    expect(m.constants.get('d')?.dims).toEqual([1, 2]);
    expect(values('l')).toEqual([-3, 0, 2 ** 40]);
    expect(values('i8')).toEqual([-128, 127]);
    expect(values('h')).toEqual([1, -2]);
    expect(m.constants.get('h')?.dataType).toBe(T.FLOAT16);
  });

  it('raw_data: little-endian FLOAT16 bits become their values', async () => {
    const m = await readOnnxModel(
      await writeModel('raw16.onnx', {
        initializer: [
          { name: 'h', dims: [3], dataType: T.FLOAT16, rawData: littleEndianBytes('float16', Uint16Array.of(0x3c00, 0x3800, 0x7bff)) },
        ],
      }),
    );
    expect(Array.from(m.constants.get('h')?.data ?? [])).toEqual([1, 0.5, 65504]);
  });

  it('an element type convcheck does not read, raw_data or a typed field of the wrong size: ModelFileError naming the tensor', async () => {
    const bad = async (t: OnnxProto.ITensorProto) => rejection(readOnnxModel(await writeModel(`bad-${t.name}.onnx`, { initializer: [t] })));
    const str = await bad({ name: 's', dims: [1], dataType: T.STRING, stringData: [new Uint8Array([65])] });
    expect(str.where).toBe("tensor 's'");
    expect(str.message).toMatch(/element type STRING is not one convcheck reads/);
    expect((await bad({ name: 'u', dims: [1], dataType: 99 })).message).toMatch(/element type 99 is not one/);
    expect((await bad({ name: 'r', dims: [2, 2], dataType: T.FLOAT, rawData: new Uint8Array(12) })).message).toMatch(
      /has 12 bytes of data; dims \[2,2\] of float32 need 16/,
    );
    expect((await bad({ name: 'v', dims: [3], dataType: T.FLOAT, floatData: [1, 2] })).message).toMatch(/has 2 values; dims \[3\] need 3/);
  });

  it('external data: offset and length pick the bytes; two tensors share one read of the file; an absolute location works', async () => {
    const bin = join(dir, 'weights.bin');
    const a = littleEndianBytes('float32', Float32Array.of(1, 2, 3, 4));
    await writeFile(bin, a);
    const ext = (name: string, location: string, extra: Array<[string, string]> = []) => ({
      name,
      dims: [2],
      dataType: T.FLOAT,
      dataLocation: EXTERNAL,
      externalData: [{ key: 'location', value: location }, ...extra.map(([key, value]) => ({ key, value }))],
    });
    const m = await readOnnxModel(
      await writeModel('ext.onnx', {
        initializer: [
          ext('first', 'weights.bin'),
          ext('second', 'weights.bin', [
            ['offset', '8'],
            ['length', '8'],
          ]),
          ext('abs', bin, [['offset', '4']]),
        ],
      }),
    );
    expect(Array.from(m.constants.get('first')?.data ?? [])).toEqual([1, 2]);
    expect(Array.from(m.constants.get('second')?.data ?? [])).toEqual([3, 4]);
    expect(Array.from(m.constants.get('abs')?.data ?? [])).toEqual([2, 3]);
  });

  it('external data without a location, in a file that is missing, or reaching past its end: ModelFileError', async () => {
    await writeFile(join(dir, 'short.bin'), new Uint8Array(8));
    const bad = async (name: string, externalData: Array<{ key: string; value: string }>) =>
      rejection(
        readOnnxModel(
          await writeModel(`ext-${name}.onnx`, {
            initializer: [{ name, dims: [2], dataType: T.FLOAT, dataLocation: EXTERNAL, externalData }],
          }),
        ),
      );
    expect((await bad('noloc', [{ key: 'offset', value: '0' }])).message).toMatch(/tensor 'noloc': external data without a location/);
    expect((await bad('missing', [{ key: 'location', value: 'nowhere.bin' }])).message).toMatch(
      /external data file nowhere\.bin cannot be read \(ENOENT\)/,
    );
    const past = await bad('past', [
      { key: 'location', value: 'short.bin' },
      { key: 'offset', value: '4' },
    ]);
    expect(past.message).toMatch(/short\.bin holds 8 bytes; offset 4 \+ length 8 reach past its end/);
    expect(
      (
        await bad('negative', [
          { key: 'location', value: 'short.bin' },
          { key: 'offset', value: '-4' },
        ])
      ).message,
    ).toMatch(/offset -4/);
    expect(
      (
        await bad('fraction', [
          { key: 'location', value: 'short.bin' },
          { key: 'length', value: '2.5' },
        ])
      ).message,
    ).toMatch(/length 2\.5 reach past/);
  });

  it('Constant nodes of the ONNX domain are constants; one of another domain, or without a value, is not; graph inputs leave out initializers', async () => {
    const m = await readOnnxModel(
      await writeModel('const.onnx', {
        node: [
          {
            opType: 'Constant',
            output: ['c'],
            attribute: [{ name: 'value', type: 4, t: { dims: [1], dataType: T.FLOAT, floatData: [7] } }],
          },
          {
            opType: 'Constant',
            domain: 'custom',
            output: ['foreign'],
            attribute: [{ name: 'value', type: 4, t: { dims: [1], dataType: T.FLOAT, floatData: [8] } }],
          },
          { opType: 'Constant', output: ['novalue'], attribute: [{ name: 'value_float', type: 1, f: 3 }] },
          relu,
        ],
        initializer: [{ name: 'W', dims: [1], dataType: T.FLOAT, floatData: [1] }],
        input: [
          { name: 'X', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'N' }, { dimValue: 4 }, {}] } } } },
          { name: 'W', type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimValue: 1 }] } } } },
          { name: 'untyped' },
        ],
      }),
    );
    expect(Array.from(m.constants.get('c')?.data ?? [])).toEqual([7]);
    expect(m.constants.has('foreign')).toBe(false);
    expect(m.constants.has('novalue')).toBe(false);
    expect(m.inputs).toEqual([
      { name: 'X', elemType: T.FLOAT, dims: ['N', 4, undefined] },
      { name: 'untyped', elemType: 0, dims: undefined },
    ]);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

const modelOf = (nodes: OnnxProto.INodeProto[], constants: Record<string, ModelTensor> = {}): OnnxModel => ({
  file: 'm.onnx',
  sha256: '0',
  proto: onnx.ModelProto.create({ graph: { node: nodes } }),
  constants: new Map(Object.entries(constants)),
  inputs: [],
});

describe('nodeCandidates', () => {
  it('layers of the ONNX domain (empty or ai.onnx) are candidates; of another domain, or quantized, skipped with the reason; others ignored', () => {
    const { candidates, skipped } = nodeCandidates(
      modelOf([
        { opType: 'Conv', input: ['x', 'w'] },
        { opType: 'Gemm', domain: 'ai.onnx', name: 'fc', input: ['h', 'w2'] },
        { opType: 'Conv', domain: 'com.microsoft', name: 'fused' },
        { opType: 'QLinearConv', domain: 'com.vendor' },
        { opType: 'Gelu', domain: 'com.microsoft' },
        { opType: 'MatMulInteger', name: 'q' },
        { opType: 'MatMul' },
        relu,
      ]),
    );
    expect(candidates.map((c) => [c.index, c.node, c.opType, c.input])).toEqual([
      [0, '#0 Conv', 'Conv', 'x'],
      [1, 'fc', 'Gemm', 'h'],
      [6, '#6 MatMul', 'MatMul', ''],
    ]);
    expect(skipped).toEqual([
      { node: 'fused', opType: 'Conv', reason: 'operator domain com.microsoft (convcheck reads the ONNX domain)' },
      { node: '#3 QLinearConv', opType: 'QLinearConv', reason: 'operator domain com.vendor (convcheck reads the ONNX domain)' },
      { node: 'q', opType: 'MatMulInteger', reason: '--model does not read quantized nodes (their scales and zero points) yet' },
    ]);
  });
});

const f32 = (dims: number[], values?: number[]): ModelTensor => {
  const n = dims.reduce((a, d) => a * d, 1);
  return { dims, dataType: T.FLOAT, data: Float64Array.from(values ?? Array.from({ length: n }, (_, i) => i + 1)) };
};
const SOURCE = { model: 'm.onnx', sha256: '0', input: 'generated:1' };
const ints = (name: string, v: number[]): OnnxProto.IAttributeProto => ({ name, type: 7, ints: v });
const int = (name: string, v: number): OnnxProto.IAttributeProto => ({ name, type: 2, i: v });
const float = (name: string, v: number): OnnxProto.IAttributeProto => ({ name, type: 1, f: v });
const str = (name: string, v: string): OnnxProto.IAttributeProto => ({ name, type: 3, s: new TextEncoder().encode(v) });

/** layerOfNode on one node with these constants, x of this shape (FLOAT unless xType says). */
function layer(
  opType: string,
  input: string[],
  attribute: OnnxProto.IAttributeProto[],
  constants: Record<string, ModelTensor>,
  xShape: number[],
  xType: number = T.FLOAT,
): ReadLayer | { readonly reason: string } {
  const proto: OnnxProto.INodeProto = { opType, name: 'n', input, attribute };
  const c: NodeCandidate = { index: 3, node: 'n', opType, input: input[0], proto };
  return layerOfNode(modelOf([proto], constants), c, xShape, xType, SOURCE);
}
const reasonOf = (r: ReadLayer | { readonly reason: string }): string | undefined => ('reason' in r ? r.reason : undefined);
const read = (r: ReadLayer | { readonly reason: string }): ReadLayer => {
  if ('reason' in r) throw new Error(`expected a layer, got: ${r.reason}`);
  return r;
};

describe('layerOfNode: the reasons a node is not a layer', () => {
  const W = { w: f32([2, 1, 3, 3]), b: f32([2]) };
  it('x, weight or bias not FLOAT, or not constant', () => {
    expect(reasonOf(layer('Conv', ['x', 'w'], [], W, [1, 1, 5, 5], T.INT8))).toBe('its input x is INT8; convcheck runs FLOAT layers');
    expect(reasonOf(layer('Conv', ['x', 'w'], [], W, [1, 1, 5, 5], 42))).toBe('its input x is 42; convcheck runs FLOAT layers');
    expect(reasonOf(layer('Conv', ['x', 'wx'], [], W, [1, 1, 5, 5]))).toMatch(/^its weight wx is not a constant/);
    expect(reasonOf(layer('Conv', ['x'], [], W, [1, 1, 5, 5]))).toMatch(/^its weight undefined is not a constant/);
    expect(reasonOf(layer('Conv', ['x', 'w', 'bx'], [], W, [1, 1, 5, 5]))).toMatch(/^its bias bx is not a constant/);
    const w16 = { ...W.w, dataType: T.FLOAT16 };
    expect(reasonOf(layer('Conv', ['x', 'w'], [], { w: w16 }, [1, 1, 5, 5]))).toBe('its weight w is FLOAT16; convcheck runs FLOAT layers');
    expect(reasonOf(layer('Conv', ['x', 'w', 'b'], [], { ...W, b: { ...W.b, dataType: 77 } }, [1, 1, 5, 5]))).toBe(
      'its bias b is 77; convcheck runs FLOAT layers',
    );
  });
  it('conv: spatial rank outside 1..3 or x of another rank; kernel_shape unlike the weight; auto_pad not an ONNX value', () => {
    expect(reasonOf(layer('Conv', ['x', 'w'], [], { w: f32([2, 1]) }, [1, 1]))).toBe(
      "x [1,1] and w [2,1]: convcheck's Conv takes 1 to 3 spatial axes",
    );
    expect(reasonOf(layer('ConvTranspose', ['x', 'w'], [], { w: f32([1, 1, 1, 1, 1, 1]) }, [1, 1, 2, 2, 2, 2]))).toMatch(
      /convcheck's ConvTranspose takes 1 to 3 spatial axes/,
    );
    expect(reasonOf(layer('Conv', ['x', 'w'], [], W, [1, 1, 5]))).toMatch(/^x \[1,1,5\] and w \[2,1,3,3\]/);
    expect(reasonOf(layer('Conv', ['x', 'w'], [ints('kernel_shape', [3, 2])], W, [1, 1, 5, 5]))).toBe(
      "kernel_shape [3,2] differs from the weight's [3,3]",
    );
    expect(reasonOf(layer('Conv', ['x', 'w'], [str('auto_pad', 'SAME')], W, [1, 1, 5, 5]))).toBe('auto_pad SAME is not an ONNX value');
  });
  it('conv: a geometry the operator rejects gives its message (channels 2 ≠ 1·group)', () => {
    expect(reasonOf(layer('Conv', ['x', 'w'], [], W, [1, 2, 5, 5]))).toMatch(/channel/);
  });
  it('ConvTranspose: auto_pad SAME_*, output_shape', () => {
    const up = { w: f32([1, 2, 2, 2]) };
    expect(reasonOf(layer('ConvTranspose', ['x', 'w'], [str('auto_pad', 'SAME_LOWER')], up, [1, 1, 3, 3]))).toBe(
      'auto_pad SAME_LOWER on ConvTranspose (convcheck takes explicit pads there)',
    );
    expect(reasonOf(layer('ConvTranspose', ['x', 'w'], [ints('output_shape', [6, 6])], up, [1, 1, 3, 3]))).toMatch(
      /^output_shape is given/,
    );
  });
  it('dense: weight not 2-D, x not [N, K], Gemm transA, alpha ≠ 1, beta ≠ 1 with a bias, a bias not [M] or [1, M]', () => {
    const fc = { w: f32([4, 3]), b: f32([3]) };
    expect(reasonOf(layer('MatMul', ['x', 'w'], [], { w: f32([1, 4, 3]) }, [2, 4]))).toBe(
      "its weight is 3-D [1,4,3]; convcheck's dense takes a 2-D weight",
    );
    expect(reasonOf(layer('MatMul', ['x', 'w'], [], fc, [1, 2, 4]))).toBe("its input x is [1,2,4]; convcheck's dense takes [N, K]");
    expect(reasonOf(layer('Gemm', ['x', 'w'], [int('transA', 1)], fc, [2, 4]))).toBe("transA = 1 (convcheck's dense takes x as [N, K])");
    expect(reasonOf(layer('Gemm', ['x', 'w'], [float('alpha', 2)], fc, [2, 4]))).toBe(
      "alpha 2, beta 1 (convcheck's dense computes x·wᵀ + b)",
    );
    expect(reasonOf(layer('Gemm', ['x', 'w', 'b'], [float('beta', 0.5)], fc, [2, 4]))).toBe(
      "alpha 1, beta 0.5 (convcheck's dense computes x·wᵀ + b)",
    );
    expect(reasonOf(layer('Gemm', ['x', 'w', 'b'], [], { ...fc, b: f32([2, 3]) }, [2, 4]))).toBe(
      "its bias C is [2,3]; convcheck's dense adds one bias per output [M] = [3]",
    );
    expect(reasonOf(layer('Gemm', ['x', 'w', 'b'], [], { ...fc, b: f32([4]) }, [2, 4]))).toMatch(/^its bias C is \[4\]/);
    expect(reasonOf(layer('Gemm', ['x', 'w', 'b'], [], { ...fc, b: f32([1, 1, 3]) }, [2, 4]))).toMatch(/^its bias C is \[1,1,3\]/);
    expect(reasonOf(layer('MatMul', ['x', 'w'], [], fc, [2, 5]))).toMatch(/5|4/);
  });
});

describe('layerOfNode: layers read', () => {
  it('conv x=[1,1,5,4] w=[2,1,3,3] s=2 auto_pad SAME_LOWER: the odd pad pixel at the beginning; VALID: pads 0 whatever pads says', () => {
    const W = { w: f32([2, 1, 3, 3]) };
    const lower = read(layer('Conv', ['x', 'w', ''], [str('auto_pad', 'SAME_LOWER'), ints('strides', [2, 2])], W, [1, 1, 5, 4]));
    // H: out 3, total (3−1)·2 + 3 − 5 = 2 → 1/1; W: out 2, total (2−1)·2 + 3 − 4 = 1 → begin 1, end 0
    expect(lower.layer.op === 'conv' && lower.layer.spec.attrs.pads).toEqual([1, 1, 1, 0]);
    expect(lower.b).toBeUndefined();
    expect(lower.layer.spec.hasBias).toBe(false);
    expect((lower.layer.spec as { source?: unknown }).source).toEqual({ ...SOURCE, node: 'n', index: 3 });
    const upper = read(layer('Conv', ['x', 'w'], [str('auto_pad', 'SAME_UPPER'), ints('strides', [2, 2])], W, [1, 1, 5, 4]));
    expect(upper.layer.op === 'conv' && upper.layer.spec.attrs.pads).toEqual([1, 0, 1, 1]);
    const valid = read(layer('Conv', ['x', 'w'], [str('auto_pad', 'VALID'), ints('pads', [1, 1, 1, 1])], W, [1, 1, 5, 4]));
    expect(valid.layer.op === 'conv' && valid.layer.spec.attrs.pads).toEqual([0, 0, 0, 0]);
    expect(valid.shapes).toContain('pads=[0,0,0,0]');
    const empty = read(layer('Conv', ['x', 'w'], [str('auto_pad', '')], W, [1, 1, 5, 4]));
    expect(empty.layer.op === 'conv' && empty.layer.spec.attrs.pads).toEqual([0, 0, 0, 0]);
  });
  it('ConvTranspose x=[1,2,3] w=[2,3,2] s=2 output_padding 1 group 1 with bias', () => {
    const r = read(
      layer(
        'ConvTranspose',
        ['x', 'w', 'b'],
        [ints('strides', [2]), ints('output_padding', [1]), str('auto_pad', 'NOTSET')],
        { w: f32([2, 3, 2]), b: f32([3], [5, 6, 7]) },
        [1, 2, 3],
      ),
    );
    expect(r.layer.op).toBe('convTranspose');
    expect(r.layer.op === 'convTranspose' && r.layer.spec.attrs).toEqual({
      strides: [2],
      pads: [0, 0],
      dilations: [1],
      group: 1,
      outputPadding: [1],
    });
    expect(Array.from(r.b ?? [])).toEqual([5, 6, 7]);
    expect(r.layer.name).toBe('n');
    expect(r.layer.network).toBe('m.onnx');
  });
  it('Gemm transB=0 and MatMul transpose w [K, M] to [M, K]; Gemm transB=1 keeps it; beta ≠ 1 without a bias is fine; a [1, M] bias is one per output', () => {
    const wKM = f32([2, 3], [1, 2, 3, 4, 5, 6]);
    const plain = read(layer('Gemm', ['x', 'w'], [float('beta', 3)], { w: wKM }, [4, 2]));
    expect(plain.layer.op === 'dense' && plain.layer.spec.wShape).toEqual([3, 2]);
    expect(Array.from(plain.w)).toEqual([1, 4, 2, 5, 3, 6]);
    const mm = read(layer('MatMul', ['x', 'w', 'ignored'], [], { w: wKM }, [4, 2]));
    expect(Array.from(mm.w)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(mm.b).toBeUndefined();
    const tb = read(layer('Gemm', ['x', 'w', 'c'], [int('transB', 1)], { w: wKM, c: f32([1, 2], [9, 8]) }, [4, 3]));
    expect(tb.layer.op === 'dense' && tb.layer.spec.wShape).toEqual([2, 3]);
    expect(Array.from(tb.w)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(tb.b ?? [])).toEqual([9, 8]);
    expect(tb.shapes).toContain('bias=yes');
  });
});
