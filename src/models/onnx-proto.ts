/**
 * The `onnx.proto` messages (ModelProto, GraphProto, NodeProto, TensorProto, …) from the
 * `onnx-proto` package (protobufjs code generated from ONNX's own schema), for the model builder
 * and the model reader. The package is CommonJS: its namespace is its default export.
 */
import onnxProto from 'onnx-proto';

/** The generated message classes and enums of `onnx.proto`. */
export const onnx = onnxProto.onnx;
/** The `onnx` namespace's types (`OnnxProto.IModelProto`, …). */
export type { onnx as OnnxProto } from 'onnx-proto';

/**
 * A protobuf int64 as a number: protobufjs hands int64 fields back as `Long` objects when the
 * `long` package is present, as numbers otherwise. Throws a RangeError past 2⁵³ (no dimension,
 * attribute or offset of a model convcheck can run is that large).
 */
export function int64ToNumber(v: number | { toNumber(): number; toString(): string } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new RangeError(`int64 ${v.toString()} is beyond 2^53`);
  return n;
}
