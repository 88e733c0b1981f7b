/**
 * `--model-input FILE` and generated model inputs (src/models/onnx-input.ts): JSON in both shapes,
 * TensorProto files (named or not, raw_data or float_data), and every ModelFileError.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/errors.js';
import { modelFeeds } from '../../src/models/onnx-input.js';
import { littleEndianBytes } from '../../src/models/onnx-elements.js';
import type { OnnxProto } from '../../src/models/onnx-proto.js';
import { onnx } from '../../src/models/onnx-proto.js';
import type { GraphInput, OnnxModel } from '../../src/models/onnx-reader.js';

const T = onnx.TensorProto.DataType;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const model = (...inputs: GraphInput[]): OnnxModel => ({
  file: 'net.onnx',
  sha256: '0',
  proto: onnx.ModelProto.create({}),
  constants: new Map(),
  inputs,
});
const X: GraphInput = { name: 'x', elemType: T.FLOAT, dims: [1, 2] };
const Y: GraphInput = { name: 'y', elemType: T.FLOAT, dims: ['N', 3] };

async function file(name: string, content: string | Uint8Array): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, content);
  return p;
}
const json = (name: string, doc: unknown) => file(`${name}.json`, JSON.stringify(doc));
const pb = (name: string, t: OnnxProto.ITensorProto) => file(`${name}.pb`, onnx.TensorProto.encode(onnx.TensorProto.create(t)).finish());

async function failure(m: OnnxModel, inputFile: string | undefined): Promise<string> {
  const e = await modelFeeds(m, inputFile, 1).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  return (e as ModelFileError).message;
}

describe('--model-input JSON', () => {
  it('{"dims","data"} feeds the only input; {name: {...}} feeds each by name; symbolic declared dims take any size', async () => {
    const one = await modelFeeds(model(X), await json('one', { dims: [1, 2], data: [0.5, -1] }), 7);
    expect(one.input).toMatch(/one\.json$/);
    expect(Array.from(one.feeds.get('x')?.data ?? [])).toEqual([0.5, -1]);
    const two = await modelFeeds(
      model(X, Y),
      await json('two', { x: { dims: [1, 2], data: [1, 2] }, y: { dims: [2, 3], data: [1, 2, 3, 4, 5, 6] } }),
      7,
    );
    expect(two.feeds.get('y')?.dims).toEqual([2, 3]);
    expect(two.feeds.get('y')?.data).toBeInstanceOf(Float32Array);
  });
  it('not JSON, a bare tensor for a model of two inputs, a list, a malformed entry: each a ModelFileError', async () => {
    expect(await failure(model(X), await file('broken.json', '{"dims": ['))).toMatch(/--model-input .*broken\.json: is not JSON/);
    expect(await failure(model(X, Y), await json('bare', { dims: [1, 2], data: [1, 2] }))).toMatch(
      /expected \{"dims": \[\.\.\.\], "data": \[\.\.\.\]\} per input name$/,
    );
    expect(await failure(model(X), await json('list', [1, 2]))).toMatch(/expected \{"dims": \[\.\.\.\], "data": \[\.\.\.\]\}$/);
    expect(await failure(model(X), await json('strings', { x: { dims: [2], data: ['a', 'b'] } }))).toMatch(
      /input 'x' must be \{"dims": \[\.\.\.\], "data": \[numbers\]\}/,
    );
    expect(await failure(model(X), await json('nodims', { x: { data: [1] } }))).toMatch(/input 'x' must be/);
    expect(await failure(model(X), await json('scalar', { x: 3 }))).toMatch(/input 'x' must be/);
  });
  it('an unknown input name, a missing input, dims unlike the data or the declaration, a non-FLOAT input', async () => {
    expect(await failure(model(X), await json('unknown', { z: { dims: [1], data: [1] } }))).toMatch(
      /names input 'z'; the model's inputs are 'x'$/,
    );
    expect(await failure(model(X, Y), await json('missing', { x: { dims: [1, 2], data: [1, 2] } }))).toMatch(
      /gives no value for input 'y'/,
    );
    expect(await failure(model(X), await json('count', { dims: [1, 2], data: [1, 2, 3] }))).toMatch(
      /input 'x': --model-input .*count\.json gives dims \[1,2\] and 3 values/,
    );
    expect(await failure(model(X), await json('zero', { dims: [0, 2], data: [] }))).toMatch(/gives dims \[0,2\] and 0 values/);
    expect(await failure(model(X), await json('shape', { dims: [2, 1], data: [1, 2] }))).toMatch(
      /gives dims \[2,1\]; the model declares \[1,2\]/,
    );
    expect(await failure(model({ ...Y, dims: ['N', undefined] }), await json('rank', { dims: [6], data: [1, 2, 3, 4, 5, 6] }))).toMatch(
      /the model declares \[N,\?\]/,
    );
    expect(await failure(model({ ...X, elemType: T.INT64 }), await json('int', { dims: [1, 2], data: [1, 2] }))).toMatch(
      /input 'x': is INT64; convcheck feeds FLOAT inputs/,
    );
    expect(await failure(model({ ...X, elemType: 0 }), await json('undef', { dims: [1, 2], data: [1, 2] }))).toMatch(/is UNDEFINED/);
    expect(await failure(model({ ...X, elemType: 99 }), await json('odd', { dims: [1, 2], data: [1, 2] }))).toMatch(/is 99;/);
  });
  it('an unreadable file names its errno', async () => {
    expect(await failure(model(X), join(dir, 'nothing.json'))).toMatch(/nothing\.json: cannot be read \(ENOENT\)/);
  });
});

describe('--model-input TensorProto (.pb)', () => {
  it('raw_data and float_data; an unnamed tensor feeds the only input, a named one its input', async () => {
    const raw = await modelFeeds(
      model(X),
      await pb('raw', { dims: [1, 2], dataType: T.FLOAT, rawData: littleEndianBytes('float32', Float32Array.of(3, -4)) }),
      1,
    );
    expect(Array.from(raw.feeds.get('x')?.data ?? [])).toEqual([3, -4]);
    const named = await modelFeeds(
      model({ ...Y, dims: [1, 3] }),
      await pb('named', { name: 'y', dims: [1, 3], dataType: T.FLOAT, floatData: [1, 2, 3] }),
      1,
    );
    expect(Array.from(named.feeds.get('y')?.data ?? [])).toEqual([1, 2, 3]);
  });
  it('an unnamed tensor for two inputs, a non-FLOAT tensor, bytes that are not a TensorProto', async () => {
    expect(await failure(model(X, Y), await pb('anon', { dims: [1, 2], dataType: T.FLOAT, floatData: [1, 2] }))).toMatch(
      /the tensor has no name and the model has several inputs/,
    );
    expect(await failure(model(X), await pb('i64', { dims: [1, 2], dataType: T.INT64, int64Data: [1, 2] }))).toMatch(
      /holds INT64; convcheck feeds FLOAT inputs/,
    );
    expect(await failure(model(X), await pb('weird', { dims: [1], dataType: 99, floatData: [1] }))).toMatch(/holds 99;/);
    expect(await failure(model(X), await file('junk.pb', Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff)))).toMatch(
      /is neither JSON nor a TensorProto \(/,
    );
  });
});

describe('generated inputs', () => {
  it('uniform in [−1, 1), the same for the same seed, described as generated:<seed>', async () => {
    const a = await modelFeeds(model({ ...X, dims: [4, 8] }), undefined, 11);
    const b = await modelFeeds(model({ ...X, dims: [4, 8] }), undefined, 11);
    const c = await modelFeeds(model({ ...X, dims: [4, 8] }), undefined, 12);
    expect(a.input).toBe('generated:11');
    const data = Array.from(a.feeds.get('x')?.data ?? []);
    expect(data).toHaveLength(32);
    expect(data.every((v) => v >= -1 && v < 1)).toBe(true);
    expect(new Set(data).size).toBeGreaterThan(16);
    expect(Array.from(b.feeds.get('x')?.data ?? [])).toEqual(data);
    expect(Array.from(c.feeds.get('x')?.data ?? [])).not.toEqual(data);
  });
  it('a symbolic, missing or unknown dimension cannot be generated: asks for --model-input', async () => {
    expect(await failure(model(Y), undefined)).toMatch(/input 'y': has a dynamic shape \[N,3\]; give its values with --model-input FILE/);
    expect(await failure(model({ ...X, dims: undefined }), undefined)).toMatch(/dynamic shape \[\?\]/);
    expect(await failure(model({ ...X, dims: [undefined, 2] }), undefined)).toMatch(/dynamic shape \[\?,2\]/);
    expect(await failure(model({ ...X, dims: [0, 2] }), undefined)).toMatch(/dynamic shape \[0,2\]/);
    expect(await failure(model({ ...X, elemType: T.DOUBLE }), undefined)).toMatch(/is DOUBLE; convcheck feeds FLOAT inputs/);
  });
});
