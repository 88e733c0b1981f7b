/** `decodeMessage` (src/browser/wire.ts) refuses a damaged message with a line saying what is wrong, never a wrong value. */
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../../src/browser/wire.js';

/** A message whose header is `header` (JSON) followed by `payload` bytes, laid out as encodeMessage lays it out. */
function message(header: string, payload = 0): Uint8Array {
  const h = new TextEncoder().encode(header);
  const start = Math.ceil((4 + h.byteLength) / 8) * 8;
  const out = new Uint8Array(start + payload);
  new DataView(out.buffer).setUint32(0, h.byteLength, true);
  out.set(h, 4);
  return out;
}

describe('decodeMessage', () => {
  it('the hand-made layout is the encoder’s (control for the cases below)', () => {
    const m = message('{"arrays":[["Float32Array",2]],"value":{"$bin":0}}', 8);
    new Float32Array(m.buffer, m.byteLength - 8, 2).set([1.5, -2]);
    const back = decodeMessage(m);
    expect(back).toEqual(decodeMessage(encodeMessage(new Float32Array([1.5, -2]))));
    expect(back).toEqual(new Float32Array([1.5, -2]));
  });
  it('a header longer than the message', () => {
    const m = message('{"arrays":[],"value":1}');
    new DataView(m.buffer).setUint32(0, 1000, true);
    expect(() => decodeMessage(m)).toThrowError(`wire: a header of 1000 bytes does not fit in a message of ${m.byteLength}`);
  });
  it('an array type the wire does not carry', () => {
    expect(() => decodeMessage(message('{"arrays":[["BigInt64Array",1]],"value":null}', 8))).toThrowError(
      'wire: unknown array type BigInt64Array',
    );
  });
  it('undefined travels as null (JSON has no undefined at the top level)', () => {
    expect(decodeMessage(encodeMessage(undefined))).toBeNull();
  });
  it('a message without a header', () => {
    expect(() => decodeMessage(new Uint8Array(3))).toThrowError('wire: a message of 3 bytes is too short');
  });
});
