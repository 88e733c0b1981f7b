/**
 * The binary wire format between Node and the kernel page. A message is any JSON-like value in
 * which typed arrays may appear (the worker protocol's requests and replies: tensors, inputs as
 * the kernel left them); typed arrays travel as raw bytes after a JSON header, never as JSON
 * arrays of numbers. Runs unchanged in Node and in the page (DataView, TextEncoder only).
 *
 * Layout: `u32 headerBytes` · header (UTF-8 JSON) · zero padding to 8 bytes · the arrays' bytes,
 * each starting at a multiple of 8 (so a Float64Array can view the received buffer in place).
 * In the header a typed array is `{"$bin": i}` (its type and length are in the header's array
 * table); numbers JSON cannot hold are `{"$num": "NaN" | "Infinity" | "-Infinity" | "-0"}`, and
 * `undefined` in an array is `{"$undefined": true}`.
 */

type ArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor;

const ARRAY_TYPES: Record<string, ArrayCtor> = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
  Int8Array,
  Int16Array,
  Uint16Array,
};

type Typed = InstanceType<ArrayCtor>;

function isTyped(v: unknown): v is Typed {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && Object.hasOwn(ARRAY_TYPES, v.constructor.name);
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Encodes `value` (JSON-like, with typed arrays anywhere) into one binary message. */
export function encodeMessage(value: unknown): Uint8Array {
  const arrays: Typed[] = [];
  const body = JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
    // Look at the holder's own property: for a typed array `v` is already a plain object.
    const raw = key === '' ? v : (this as Record<string, unknown>)[key];
    if (isTyped(raw)) {
      arrays.push(raw);
      return { $bin: arrays.length - 1 };
    }
    if (typeof raw === 'number' && (!Number.isFinite(raw) || Object.is(raw, -0))) {
      return { $num: Object.is(raw, -0) ? '-0' : String(raw) };
    }
    // JSON writes `undefined` in an array as null; the operator inputs use it for an absent bias.
    if (raw === undefined && Array.isArray(this)) return { $undefined: true };
    return v;
  });
  const table = arrays.map((a) => [a.constructor.name, a.length]);
  const headerBytes = new TextEncoder().encode(`{"arrays":${JSON.stringify(table)},"value":${body ?? 'null'}}`);
  let size = align8(4 + headerBytes.length);
  const offsets = arrays.map((a) => {
    const at = size;
    size = align8(size + a.byteLength);
    return at;
  });
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, headerBytes.length, true);
  out.set(headerBytes, 4);
  arrays.forEach((a, i) => out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), offsets[i]));
  return out;
}

/**
 * Decodes a message made by `encodeMessage`. Each typed array is a copy that owns its buffer,
 * so a receiver may keep, transfer or write it.
 */
export function decodeMessage(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 4) throw new Error(`wire: a message of ${bytes.byteLength} bytes is too short`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + headerLength > bytes.byteLength)
    throw new Error(`wire: a header of ${headerLength} bytes does not fit in a message of ${bytes.byteLength}`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength))) as {
    arrays: Array<[string, number]>;
    value: unknown;
  };
  let offset = align8(4 + headerLength);
  const arrays = header.arrays.map(([type, n]) => {
    const Ctor = ARRAY_TYPES[type];
    if (Ctor === undefined) throw new Error(`wire: unknown array type ${type}`);
    const byteLength = n * Ctor.BYTES_PER_ELEMENT;
    if (offset + byteLength > bytes.byteLength)
      throw new Error(`wire: array of ${byteLength} bytes at ${offset} overruns the message (${bytes.byteLength} bytes)`);
    const copy = new Ctor(n);
    new Uint8Array(copy.buffer).set(bytes.subarray(offset, offset + byteLength));
    offset = align8(offset + byteLength);
    return copy;
  });
  return revive(header.value, arrays);
}

function revive(v: unknown, arrays: readonly Typed[]): unknown {
  if (Array.isArray(v)) return v.map((e) => revive(e, arrays));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && typeof o.$bin === 'number') return arrays[o.$bin];
  if (keys.length === 1 && typeof o.$num === 'string') return o.$num === '-0' ? -0 : Number(o.$num);
  if (keys.length === 1 && o.$undefined === true) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = revive(o[k], arrays);
  return out;
}
