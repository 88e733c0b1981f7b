/**
 * ONNX tensor element types convcheck reads and writes: one table gives each type's
 * `TensorProto.DataType` code (onnx.proto), its typed array, its bytes per element and how a
 * little-endian `raw_data` byte string turns into that array. The model builder
 * (`adapters/onnx-model.ts`) and the model reader (`onnx-reader.ts`) both go through it.
 */

/** Element types of tensors convcheck builds and reads. */
export type OnnxElementType = 'float32' | 'float16' | 'float64' | 'int8' | 'uint8' | 'int32' | 'int64';

/**
 * Typed array holding a tensor's elements: float16 as its raw binary16 bits (`Uint16Array`),
 * int64 as `BigInt64Array`.
 */
export type OnnxElementArray = Float32Array | Uint16Array | Float64Array | Int8Array | Uint8Array | Int32Array | BigInt64Array;

interface ElementSpec {
  /** `TensorProto.DataType` in onnx.proto. */
  readonly code: number;
  readonly bytes: number;
  /** A fresh array of `n` elements. */
  readonly alloc: (n: number) => OnnxElementArray;
  /** The `n` elements of a little-endian byte string. */
  readonly fromLittleEndian: (view: DataView, n: number) => OnnxElementArray;
  /** Whether `a` is this type's typed array. */
  readonly is: (a: OnnxElementArray) => boolean;
}

// raw_data is little-endian whatever the host's byte order (onnx.proto), hence DataView reads
const read =
  <A extends OnnxElementArray>(make: (n: number) => A, get: (v: DataView, at: number) => number | bigint, bytes: number) =>
  (view: DataView, n: number): A => {
    const out = make(n);
    for (let i = 0; i < n; i++) (out as unknown as Array<number | bigint>)[i] = get(view, i * bytes);
    return out;
  };

/** The element types, by name. */
export const ONNX_ELEMENTS: Readonly<Record<OnnxElementType, ElementSpec>> = {
  float32: {
    code: 1,
    bytes: 4,
    alloc: (n) => new Float32Array(n),
    fromLittleEndian: read(
      (n) => new Float32Array(n),
      (v, o) => v.getFloat32(o, true),
      4,
    ),
    is: (a) => a instanceof Float32Array,
  },
  uint8: {
    code: 2,
    bytes: 1,
    alloc: (n) => new Uint8Array(n),
    fromLittleEndian: read(
      (n) => new Uint8Array(n),
      (v, o) => v.getUint8(o),
      1,
    ),
    is: (a) => a instanceof Uint8Array,
  },
  int8: {
    code: 3,
    bytes: 1,
    alloc: (n) => new Int8Array(n),
    fromLittleEndian: read(
      (n) => new Int8Array(n),
      (v, o) => v.getInt8(o),
      1,
    ),
    is: (a) => a instanceof Int8Array,
  },
  int32: {
    code: 6,
    bytes: 4,
    alloc: (n) => new Int32Array(n),
    fromLittleEndian: read(
      (n) => new Int32Array(n),
      (v, o) => v.getInt32(o, true),
      4,
    ),
    is: (a) => a instanceof Int32Array,
  },
  int64: {
    code: 7,
    bytes: 8,
    alloc: (n) => new BigInt64Array(n),
    fromLittleEndian: read(
      (n) => new BigInt64Array(n),
      (v, o) => v.getBigInt64(o, true),
      8,
    ),
    is: (a) => a instanceof BigInt64Array,
  },
  float16: {
    code: 10,
    bytes: 2,
    alloc: (n) => new Uint16Array(n),
    fromLittleEndian: read(
      (n) => new Uint16Array(n),
      (v, o) => v.getUint16(o, true),
      2,
    ),
    is: (a) => a instanceof Uint16Array,
  },
  float64: {
    code: 11,
    bytes: 8,
    alloc: (n) => new Float64Array(n),
    fromLittleEndian: read(
      (n) => new Float64Array(n),
      (v, o) => v.getFloat64(o, true),
      8,
    ),
    is: (a) => a instanceof Float64Array,
  },
};

/** The element type of a `TensorProto.DataType` code, or undefined for one convcheck does not handle. */
export function elementTypeOfCode(code: number): OnnxElementType | undefined {
  return (Object.keys(ONNX_ELEMENTS) as OnnxElementType[]).find((t) => ONNX_ELEMENTS[t].code === code);
}

/** The `TensorProto.DataType` names, for messages about types convcheck does not handle. */
export const DATA_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'UNDEFINED',
  1: 'FLOAT',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'STRING',
  9: 'BOOL',
  10: 'FLOAT16',
  11: 'DOUBLE',
  12: 'UINT32',
  13: 'UINT64',
  14: 'COMPLEX64',
  15: 'COMPLEX128',
  16: 'BFLOAT16',
};

/** The elements of `a` as little-endian bytes (the `raw_data` of a TensorProto). */
export function littleEndianBytes(type: OnnxElementType, a: OnnxElementArray): Uint8Array {
  const spec = ONNX_ELEMENTS[type];
  const out = new Uint8Array(spec.bytes * a.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    const o = i * spec.bytes;
    switch (type) {
      case 'float32':
        view.setFloat32(o, v as number, true);
        break;
      case 'float64':
        view.setFloat64(o, v as number, true);
        break;
      case 'float16':
        view.setUint16(o, v as number, true);
        break;
      case 'int8':
        view.setInt8(o, v as number);
        break;
      case 'uint8':
        view.setUint8(o, v as number);
        break;
      case 'int32':
        view.setInt32(o, v as number, true);
        break;
      case 'int64':
        view.setBigInt64(o, v as bigint, true);
        break;
    }
  }
  return out;
}
