/**
 * `kernelRangesOfBundle` (src/browser/bundle-map.ts) on a real esbuild bundle with its inline
 * source map: the ranges cover the kernel file's lines and nothing of its library; a bundle
 * without a map, or with a map that is not JSON, has no ranges.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleForPage } from '../../src/browser/bundle.js';
import { kernelRangesOfBundle } from '../../src/browser/bundle-map.js';

let dir: string;
let bundle: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'convcheck-bundle-map-'));
  await mkdir(join(dir, 'node_modules', 'lib'), { recursive: true });
  await writeFile(join(dir, 'node_modules', 'lib', 'package.json'), '{"name":"lib","main":"index.js"}');
  await writeFile(join(dir, 'node_modules', 'lib', 'index.js'), 'export function libraryTwice(v) {\n  return v * 2 + 0.25;\n}\n');
  await writeFile(
    join(dir, 'kernel.js'),
    "import { libraryTwice } from 'lib';\nexport function kernelOwnCode(v) {\n  return libraryTwice(v) + 1000;\n}\n",
  );
  const bytes = await bundleForPage({
    entry: "export { kernelOwnCode } from './kernel.js';\n",
    resolveDir: dir,
    urlOf: (p) => `http://server/fs${p}`,
    label: 'kernel.js',
    sourcemap: true,
  });
  bundle = new TextDecoder().decode(bytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const text = (ranges: Array<[number, number]>) => ranges.map(([a, b]) => bundle.slice(a, b)).join('');

describe('kernelRangesOfBundle', () => {
  it('the kernel’s own lines, not its library’s (relative sources resolved against cwd)', () => {
    const ranges = kernelRangesOfBundle(bundle, { libraries: false }, dir)!;
    expect(ranges.length).toBeGreaterThan(0);
    expect(text(ranges)).toContain('kernelOwnCode');
    expect(text(ranges)).toContain('1e3');
    expect(text(ranges)).not.toContain('0.25');
    for (const [a, b] of ranges) expect(a).toBeLessThan(b);
  });
  it('with libraries: the library’s lines too', () => {
    expect(text(kernelRangesOfBundle(bundle, { libraries: true }, dir)!)).toContain('0.25');
  });
  it('no inline map, or a map that is not JSON: undefined', () => {
    const body = bundle.slice(0, bundle.indexOf('//# sourceMappingURL'));
    expect(kernelRangesOfBundle(body, { libraries: false }, dir)).toBeUndefined();
    const broken = `${body}//# sourceMappingURL=data:application/json;base64,${Buffer.from('{not json').toString('base64')}\n`;
    expect(kernelRangesOfBundle(broken, { libraries: false }, dir)).toBeUndefined();
  });
});
