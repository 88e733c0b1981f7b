/**
 * Kernel capabilities, defined once: each field's default, the check a declared value must pass
 * and how a report shows it. `KernelCapabilities`, `completeCapabilities`, the loader's
 * validation and the reports all read this table.
 */

import { ACTIVATION_KINDS } from './activation.js';
import type { ActivationKind } from './activation.js';

/** One capability: its default ("supported" unless said otherwise), its check, its display. */
interface CapabilitySpec<T> {
  readonly default: T;
  /** What a valid value is, for the loader's message (`a boolean`). */
  readonly what: string;
  readonly ok: (v: unknown) => boolean;
  /** Label and value as a report shows them: `group yes`. */
  readonly label: string;
  readonly show: (v: T) => string;
}

/** (data type, weight type) pairs of the quantized operators: `u8s8` is uint8 data with int8 weights. */
export type QuantizedTypePair = 'u8u8' | 'u8s8' | 's8u8' | 's8s8';

/** Every type pair, in the order reports list them. */
export const QUANTIZED_TYPE_PAIRS: readonly QuantizedTypePair[] = ['u8u8', 'u8s8', 's8u8', 's8s8'];

/** The quantized operators (their kernel method names). */
export const QUANTIZED_OPERATORS: readonly string[] = ['convInteger', 'qlinearConv', 'matMulInteger', 'qlinearMatMul'];

const yesNo = (v: boolean): string => (v ? 'yes' : 'no');
const flag = (label: string): CapabilitySpec<boolean> => ({
  default: true,
  what: 'a boolean',
  ok: (v) => typeof v === 'boolean',
  label,
  show: yesNo,
});

/** Every capability a kernel may declare, in the order reports list them. */
export const CAPABILITIES = {
  /** Spatial ranks accepted by `conv`; default `[1, 2, 3]`. */
  spatialRanks: {
    default: [1, 2, 3] as readonly number[],
    what: 'a non-empty array of spatial ranks from {1, 2, 3} (an empty one leaves no conv problem to generate)',
    ok: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((r) => r === 1 || r === 2 || r === 3),
    label: 'spatial ranks',
    show: (v: readonly number[]) => `[${v.join(',')}]`,
  } satisfies CapabilitySpec<readonly number[]>,
  group: flag('group'),
  dilation: flag('dilation'),
  /** Stride > 1 and dilation > 1 on the same call (tfjs refuses it). */
  strideWithDilation: flag('stride with dilation'),
  asymmetricPads: flag('asymmetric pads'),
  /** NaN / ±Infinity propagate as IEEE-754 says. */
  specialValues: flag('special values'),
  /**
   * Largest tensor (in elements) it accepts. The smallest problem has one element per tensor
   * (x=[1,1,1] w=[1,1,1] → y=[1,1,1]); a bound below it leaves nothing to generate.
   */
  maxElements: {
    default: Number.POSITIVE_INFINITY,
    what: 'an integer >= 1 (the smallest problem has one element per tensor) or Infinity',
    ok: (v: unknown) => typeof v === 'number' && v >= 1 && (Number.isInteger(v) || v === Number.POSITIVE_INFINITY),
    label: 'max elements',
    show: (v: number) => (Number.isFinite(Number(v)) ? String(v) : 'unlimited'),
  } satisfies CapabilitySpec<number>,
  /** Fused activations it applies after the bias (`attrs.activation`); default none — it is never handed one. */
  activations: {
    default: [] as readonly ActivationKind[],
    what: `an array of activation kinds from {${ACTIVATION_KINDS.join(', ')}}`,
    ok: (v: unknown) => Array.isArray(v) && v.every((k) => ACTIVATION_KINDS.includes(k as ActivationKind)),
    label: 'fused activations',
    show: (v: readonly ActivationKind[]) => (v.length === 0 ? 'none' : v.join(', ')),
  } satisfies CapabilitySpec<readonly ActivationKind[]>,
  /**
   * Quantized operators (`convInteger`, `qlinearConv`, `matMulInteger`, `qlinearMatMul`): the
   * (data, weight) type pairs accepted, `u8u8` = uint8 x with uint8 w, …; y has x's type. Default all four.
   */
  quantizedTypes: {
    default: QUANTIZED_TYPE_PAIRS,
    what: `a non-empty array of type pairs from {${QUANTIZED_TYPE_PAIRS.join(', ')}} (data type, weight type)`,
    ok: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((p) => QUANTIZED_TYPE_PAIRS.includes(p as QuantizedTypePair)),
    label: 'quantized types',
    show: (v: readonly QuantizedTypePair[]) => v.join(','),
  } satisfies CapabilitySpec<readonly QuantizedTypePair[]>,
  /**
   * The quantized operators that take weight scales and zero points per output channel (`[M]`),
   * not only per tensor; default all four (onnxruntime's ConvInteger takes only a per-tensor w_zero_point).
   */
  quantizedPerChannel: {
    default: QUANTIZED_OPERATORS,
    what: `an array of operator names from {${QUANTIZED_OPERATORS.join(', ')}}`,
    ok: (v: unknown) => Array.isArray(v) && v.every((o) => QUANTIZED_OPERATORS.includes(o as string)),
    label: 'per-channel weights',
    show: (v: readonly string[]) => (v.length === 0 ? 'none' : v.join(',')),
  } satisfies CapabilitySpec<readonly string[]>,
  /** Spatial ranks accepted by `convInteger` and `qlinearConv`; default `[1, 2, 3]`. */
  quantizedSpatialRanks: {
    default: [1, 2, 3] as readonly number[],
    what: 'a non-empty array of spatial ranks from {1, 2, 3}',
    ok: (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((r) => r === 1 || r === 2 || r === 3),
    label: 'quantized conv ranks',
    show: (v: readonly number[]) => `[${v.join(',')}]`,
  } satisfies CapabilitySpec<readonly number[]>,
};

type Specs = typeof CAPABILITIES;

/** What a kernel supports. Every field is optional; the default is "supported". */
export type KernelCapabilities = { [K in keyof Specs]?: Specs[K]['default'] };

/** Capabilities with every default filled in. */
export type CompleteCapabilities = { [K in keyof Specs]: Specs[K]['default'] };

/** The capability field names, in table order. */
export const capabilityNames = Object.keys(CAPABILITIES) as ReadonlyArray<keyof Specs>;

/** Fills the defaults of `KernelCapabilities` ("supported" everywhere, ranks 1–3, no size limit). */
export function completeCapabilities(c: KernelCapabilities | undefined): CompleteCapabilities {
  const out: Record<string, unknown> = {};
  for (const name of capabilityNames) out[name] = c?.[name] ?? CAPABILITIES[name].default;
  return out as CompleteCapabilities;
}

/** What is wrong with capability `field` = `value`, to follow `kernel.capabilities` in a message (` has an unknown field …` or `.group must be a boolean`), or undefined. */
export function capabilityProblem(field: string, value: unknown): string | undefined {
  if (!Object.hasOwn(CAPABILITIES, field)) {
    return ` has an unknown field '${field}'; known fields: ${capabilityNames.join(', ')}`;
  }
  const spec = CAPABILITIES[field as keyof Specs];
  return value === undefined || spec.ok(value) ? undefined : `.${field} must be ${spec.what}`;
}

/** One line for reports: `spatial ranks [1,2,3] · group yes · …`. */
export function describeCapabilities(c: CompleteCapabilities): string {
  return capabilityNames
    .map((name) => `${CAPABILITIES[name].label} ${(CAPABILITIES[name].show as (v: unknown) => string)(c[name])}`)
    .join(' · ');
}
