/**
 * The capability gate: whether one kernel call — with these tensors and attributes — lies inside
 * what the kernel declared. Every call convcheck makes passes through it (the guard in
 * `runner/guarded-call.ts` asks before it converts a single input), whether the case was
 * generated, derived by a metamorphic relation or an equivalence, shrunk, or replayed from the
 * counterexample database. The generators honour the capabilities by construction; the gate is
 * what makes that a guarantee rather than a hope: a call it refuses is never sent, and the case
 * is reported as not sent, with the reason.
 *
 * It reads the attribute names every conv-like operator of the table shares (`strides`, `pads`,
 * `dilations`, `group`, `activation`), so a new operator with the same attributes is gated
 * without a line here.
 */
import type { CompleteCapabilities } from './capabilities.js';
import { QUANTIZED_OPERATORS } from './capabilities.js';

/** What the gate needs of a call: its tensors' shapes and data, its attributes and its output shape. */
export interface GatedCall {
  readonly method: string;
  readonly inputs: ReadonlyArray<readonly [string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> } | undefined]>;
  readonly attrs: unknown;
  readonly outputShape: readonly number[];
}

const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function numbers(v: unknown): readonly number[] | undefined {
  return Array.isArray(v) && v.every((n) => typeof n === 'number') ? (v as number[]) : undefined;
}

/** The first non-finite element of `data`, or -1. */
function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Short type names of the quantized operators' 8-bit data, for `quantizedTypes` pairs. */
const SHORT: Record<string, string> = { uint8: 'u8', int8: 's8' };

/**
 * A quantized operator's call against `quantizedTypes` (the data and weight types — the first
 * input and the weight: `w` / `b`) and `quantizedPerChannel` (a weight scale or zero point with
 * more than one value), or undefined.
 */
function inadmissibleQuantization(call: GatedCall, caps: CompleteCapabilities): string | undefined {
  const m = `${call.method}()`;
  const dtype = (name: string) => (call.inputs.find(([n]) => n === name)?.[1] as { dtype?: string } | undefined)?.dtype;
  const data = dtype(call.inputs[0]?.[0] ?? '');
  const weight = dtype('w') ?? dtype('b');
  if (data !== undefined && weight !== undefined && SHORT[data] && SHORT[weight]) {
    const pair = `${SHORT[data]}${SHORT[weight]}`;
    if (!caps.quantizedTypes.includes(pair as never))
      return `${m} has ${data} data with ${weight} weights (${pair}) and the kernel declares quantizedTypes [${caps.quantizedTypes.join(',')}]`;
  }
  const perChannel = call.inputs.find(([n, t]) => /^[wb](ZeroPoint|Scale)$/.test(n) && t !== undefined && product(t.shape) > 1);
  if (perChannel && !caps.quantizedPerChannel.includes(call.method)) {
    return `${m} has a per-channel ${perChannel[0]} (${product(perChannel[1]!.shape)} values) and the kernel declares quantizedPerChannel [${caps.quantizedPerChannel.join(',')}]`;
  }
  return undefined;
}

/**
 * Why `call` falls outside `caps` — one sentence naming the capability and the values, e.g.
 * `pads [0,1] are asymmetric (begin ≠ end on axis 0) and the kernel declares asymmetricPads: false`
 * — or undefined when the kernel declared everything the call needs.
 */
export function inadmissibleCall(call: GatedCall, caps: CompleteCapabilities): string | undefined {
  const a = (typeof call.attrs === 'object' && call.attrs !== null ? call.attrs : {}) as Record<string, unknown>;
  const strides = numbers(a.strides);
  const dilations = numbers(a.dilations);
  const pads = numbers(a.pads);
  const m = `${call.method}()`;
  const quantized = QUANTIZED_OPERATORS.includes(call.method);
  if (strides !== undefined) {
    const rank = strides.length;
    const [ranks, field] = quantized ? [caps.quantizedSpatialRanks, 'quantizedSpatialRanks'] : [caps.spatialRanks, 'spatialRanks'];
    if (!ranks.includes(rank)) return `${m} has spatial rank ${rank} and the kernel declares ${field} [${ranks.join(',')}]`;
  }
  if (quantized) {
    const why = inadmissibleQuantization(call, caps);
    if (why !== undefined) return why;
  }
  if (typeof a.group === 'number' && a.group > 1 && !caps.group) return `${m} has group ${a.group} and the kernel declares group: false`;
  const dilated = dilations?.some((d) => d > 1) ?? false;
  if (dilated && !caps.dilation) return `${m} has dilations [${dilations!.join(',')}] and the kernel declares dilation: false`;
  if (dilated && strides?.some((s) => s > 1) && !caps.strideWithDilation) {
    return `${m} has strides [${strides.join(',')}] with dilations [${dilations!.join(',')}] and the kernel declares strideWithDilation: false`;
  }
  if (pads !== undefined && !caps.asymmetricPads) {
    const r = pads.length / 2;
    const axis = pads.slice(0, r).findIndex((p, i) => p !== pads[i + r]);
    if (axis >= 0)
      return `${m} has pads [${pads.join(',')}], asymmetric on axis ${axis} (begin ${pads[axis]} ≠ end ${pads[axis + r]}), and the kernel declares asymmetricPads: false`;
  }
  const activation = a.activation as { kind?: unknown } | undefined;
  if (activation !== undefined && !caps.activations.includes(activation.kind as never)) {
    return `${m} has the fused activation ${String(activation.kind)} and the kernel declares activations [${caps.activations.join(', ')}]`;
  }
  const sizes: Array<[string, number]> = [
    ...call.inputs.flatMap(([name, t]) => (t ? [[name, product(t.shape)] as [string, number]] : [])),
    ['y', product(call.outputShape)],
  ];
  const [largestName, largest] = sizes.reduce((best, s) => (s[1] > best[1] ? s : best));
  if (largest > caps.maxElements)
    return `${m}'s ${largestName} has ${largest} elements and the kernel declares maxElements ${caps.maxElements}`;
  if (!caps.specialValues) {
    for (const [name, t] of call.inputs) {
      const at = t ? firstNonFinite(t.data) : -1;
      if (at >= 0) return `${m}'s ${name} holds ${t!.data[at]} at element ${at} and the kernel declares specialValues: false`;
    }
  }
  return undefined;
}
