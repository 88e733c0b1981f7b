/**
 * `KernelCoverageTap` (src/runner/kernel-coverage-probe.ts): a script's first take and a shader's
 * first source are kept for every run that attaches; other takes wait for the next listener, at
 * most 64 of them, except takes that created a shader, which are always kept.
 */
import { describe, expect, it } from 'vitest';
import { type CallCoverage, KernelCoverageTap, LOAD_SIGNATURE } from '../../src/runner/kernel-coverage-probe.js';

const script = (url: string, source?: string) => ({ url, functions: [], ...(source !== undefined ? { source } : {}) });
const take = (signature: string, scripts = [script('file:///k.js')], shaders?: CallCoverage['shaders']): CallCoverage => ({
  signature,
  scripts,
  ...(shaders !== undefined ? { shaders } : {}),
});

describe('KernelCoverageTap', () => {
  it('a script’s first take (with its source) goes to every listener; a later take only to the one attached', () => {
    const tap = new KernelCoverageTap({});
    tap.emit(take(LOAD_SIGNATURE, [script('file:///k.js', 'export default 1;')]));
    const first: CallCoverage[] = [];
    tap.attach((c) => first.push(c));
    tap.emit(take('conv a'));
    tap.detach();
    const second: CallCoverage[] = [];
    tap.attach((c) => second.push(c));
    expect(first.map((c) => c.signature)).toEqual([LOAD_SIGNATURE, LOAD_SIGNATURE, 'conv a']);
    expect(first[0].scripts[0].source).toBe('export default 1;');
    expect(second.map((c) => c.signature)).toEqual([LOAD_SIGNATURE]);
  });
  it('while attached, a take with a new script is split: its first take, then the rest', () => {
    const tap = new KernelCoverageTap({});
    const got: CallCoverage[] = [];
    tap.attach((c) => got.push(c));
    tap.emit(take('conv b', [script('file:///k.js', 'src'), script('file:///lib.js')]));
    expect(got).toEqual([
      { signature: LOAD_SIGNATURE, scripts: [script('file:///k.js', 'src')] },
      { signature: 'conv b', scripts: [script('file:///lib.js')] },
    ]);
  });
  it('a shader’s first source is kept for later runs; with nobody listening at most 64 plain takes wait, shader takes always', () => {
    const tap = new KernelCoverageTap({});
    const shader = { created: [{ key: 'k1', kind: 'wgsl', source: '@compute fn main() {}' }], used: ['k1'] };
    for (let i = 0; i < 70; i++) tap.emit(take(`conv ${i}`));
    tap.emit(take('conv shader', [], shader));
    const got: CallCoverage[] = [];
    tap.attach((c) => got.push(c));
    const signatures = got.map((c) => c.signature);
    expect(signatures[0]).toBe(LOAD_SIGNATURE);
    expect(got[0].shaders?.created.map((v) => v.key)).toEqual(['k1']);
    expect(signatures.slice(1)).toEqual([...Array.from({ length: 64 }, (_, i) => `conv ${i}`), 'conv shader']);
  });
});
