/**
 * Run seeds. fast-check consumes a 32-bit integer; people give whatever their CI has at hand: a
 * run id (GitHub's exceed 2³¹), a commit hash, a branch name. Any integer and any non-empty
 * string is accepted and mapped, deterministically, to the 32-bit seed the run uses; the report
 * records both.
 */
import { InvalidArgumentError } from '../errors.js';

/** A seed as given and the 32-bit seed used. */
export interface ResolvedSeed {
  /** What fast-check is seeded with: a signed 32-bit integer. */
  readonly used: number;
  /** The seed as given (decimal text for a number), or undefined for a random seed. */
  readonly given: string | undefined;
}

const INTEGER = /^[+-]?\d+$/;

/**
 * Maps a seed to a 32-bit one: a signed 32-bit integer is used as is; a larger integer is taken
 * modulo 2³² (as a signed 32-bit value, so `12065425413` → `-819476475`); any other string is
 * hashed with 32-bit FNV-1a over its UTF-8 bytes. Throws for NaN, fractions, ±Infinity and the
 * empty string.
 * @example resolveSeed('12065425413').used // -819476475
 */
export function resolveSeed(seed: number | string | undefined, fn = 'verifyKernel'): ResolvedSeed {
  if (seed === undefined) return { used: randomSeed(), given: undefined };
  if (typeof seed === 'number') {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidArgumentError(fn, 'seed', seed, `seed must be an integer (or a string, which is hashed), got ${seed}`);
    }
    return { used: Number(BigInt.asIntN(32, BigInt(seed))), given: String(seed) };
  }
  if (typeof seed !== 'string') {
    throw new InvalidArgumentError(fn, 'seed', seed, `seed must be an integer or a string, got ${seed === null ? 'null' : typeof seed}`);
  }
  const text = seed.trim();
  if (text === '') throw new InvalidArgumentError(fn, 'seed', seed, 'seed must not be empty');
  if (INTEGER.test(text)) return { used: Number(BigInt.asIntN(32, BigInt(text))), given: text };
  return { used: fnv1a32(text), given: text };
}

/** A random non-negative 31-bit seed (easier to copy from a log than a negative one). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** 32-bit FNV-1a of the UTF-8 bytes of `s`, as a signed 32-bit integer. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
