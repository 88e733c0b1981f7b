/**
 * Run seeds (src/runner/seed.ts): integers used as given or taken modulo 2³², every other string
 * hashed with 32-bit FNV-1a — checked against published FNV-1a vectors and an independent BigInt
 * implementation — and random seeds spread over [0, 2³¹).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { randomSeed, resolveSeed } from '../../src/runner/seed.js';

/** FNV-1a over the UTF-8 bytes, in BigInt arithmetic (independent of the Math.imul version), as a signed 32-bit integer. */
function fnv1aBig(s: string): number {
  let h = 0x811c9dc5n;
  for (const byte of Buffer.from(s, 'utf8')) h = ((h ^ BigInt(byte)) * 0x01000193n) % 2n ** 32n;
  return Number(BigInt.asIntN(32, h));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('resolveSeed: integers', () => {
  it.each([
    [0, 0],
    [-1, -1],
    [2 ** 31 - 1, 2 ** 31 - 1],
    [2 ** 31, -(2 ** 31)],
    [-(2 ** 31) - 1, 2 ** 31 - 1],
    [2 ** 32 + 5, 5],
    [Number.MAX_SAFE_INTEGER, -1],
  ])('number %d is used as %d', (seed, used) => {
    expect(resolveSeed(seed)).toEqual({ used, given: String(seed) });
  });

  it.each([
    ['7', 7, '7'],
    ['+7', 7, '+7'],
    ['-7', -7, '-7'],
    ['  42\n', 42, '42'],
    ['4294967298', 2, '4294967298'],
    ['12065425413', -819476475, '12065425413'],
  ])('text %j is the integer %d', (seed, used, given) => {
    expect(resolveSeed(seed)).toEqual({ used, given });
  });

  it('rejects numbers that are not safe integers, naming the function', () => {
    for (const bad of [2 ** 53, 1.5, Number.NaN, Number.NEGATIVE_INFINITY]) {
      const e = (() => {
        try {
          resolveSeed(bad, 'cli');
        } catch (error) {
          return error;
        }
      })();
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e).toMatchObject({
        fn: 'cli',
        argument: 'seed',
        value: bad,
        message: `cli: seed must be an integer (or a string, which is hashed), got ${bad}`,
      });
    }
  });
});

describe('resolveSeed: text is hashed with FNV-1a', () => {
  it('published FNV-1a 32 vectors: "a" → 0xe40c292c, "foobar" → 0xbf9cf968', () => {
    expect(resolveSeed('a')).toEqual({ used: 0xe40c292c | 0, given: 'a' });
    expect(resolveSeed('foobar')).toEqual({ used: 0xbf9cf968 | 0, given: 'foobar' });
  });

  it.each(['123abc', 'abc123', '12 34', '+', '-', '1e5', '0x10', '--1', '1.0', 'main-1234', 'é', '種子', '😀'])(
    '%j is hashed, not parsed',
    (seed) => {
      expect(resolveSeed(seed)).toEqual({ used: fnv1aBig(seed), given: seed });
    },
  );

  it('hashing trims surrounding white space', () => {
    expect(resolveSeed(' 123abc ')).toEqual({ used: fnv1aBig('123abc'), given: '123abc' });
  });

  it.each([
    ['', 'seed must not be empty'],
    [' \t', 'seed must not be empty'],
    [null, 'seed must be an integer or a string, got null'],
    [true, 'seed must be an integer or a string, got boolean'],
    [{}, 'seed must be an integer or a string, got object'],
    [10n, 'seed must be an integer or a string, got bigint'],
  ])('rejects %o', (seed, message) => {
    expect(() => resolveSeed(seed as unknown as string)).toThrow(new InvalidArgumentError('verifyKernel', 'seed', seed, message));
    expect(() => resolveSeed(seed as unknown as string)).toThrow(`verifyKernel: ${message}`);
  });
});

describe('random seeds', () => {
  it('undefined draws a random seed and records none given', () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    expect(resolveSeed(undefined)).toEqual({ used: 2 ** 29, given: undefined });
  });

  it('randomSeed spreads Math.random() over [0, 2³¹)', () => {
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValue(0);
    expect(randomSeed()).toBe(0);
    random.mockReturnValue(0.5);
    expect(randomSeed()).toBe(2 ** 30);
    random.mockReturnValue(1 - 2 ** -53);
    expect(randomSeed()).toBe(2 ** 31 - 1);
    random.mockReturnValue(0.1);
    expect(randomSeed()).toBe(Math.floor(0.1 * 2 ** 31));
  });

  it('unmocked, 20 random seeds are non-negative 31-bit integers, not all equal', () => {
    const seeds = Array.from({ length: 20 }, () => randomSeed());
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});
