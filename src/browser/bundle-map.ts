/**
 * Which parts of a page bundle are the kernel's own code: the bundle's inline source map (esbuild,
 * `sourcemap: 'inline'`) says which source each generated line came from; the lines of the
 * kernel's files (not convcheck's page runtime, not a library unless asked) become character
 * ranges of the bundle, so coverage taken in the page can be limited to them.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { isKernelPath } from '../runner/coverage-agent.js';
import type { KernelCoverageOptions } from '../runner/kernel-coverage-probe.js';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** The values of one source-map segment (base64 VLQ). */
function decodeSegment(seg: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of seg) {
    const d = DIGIT.get(ch);
    if (d === undefined) break;
    value += (d & 31) << shift;
    if (d & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** The inline source map of `bundle`, if it has one. */
function inlineMap(bundle: string): { sources: string[]; mappings: string } | undefined {
  const m = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/.exec(bundle);
  if (m === null) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1], 'base64').toString('utf8')) as { sources: string[]; mappings: string };
  } catch {
    return undefined;
  }
}

/**
 * The character ranges [start, end) of `bundle` whose generated lines map to a kernel file
 * (sources resolved against `cwd`); undefined when the bundle has no inline source map.
 */
export function kernelRangesOfBundle(bundle: string, options: KernelCoverageOptions, cwd: string): Array<[number, number]> | undefined {
  const map = inlineMap(bundle);
  if (map === undefined) return undefined;
  const own = map.sources.map((s) => {
    const abs = isAbsolute(s) ? s : resolve(cwd, s);
    // the bundler's virtual modules (emptied Node built-ins, the left-out registry) are no files
    return !/convcheck-page-entry\.js$/.test(s) && isKernelPath(abs, options) && existsSync(abs);
  });
  const lineStarts = [0];
  for (let i = 0; i < bundle.length; i++) if (bundle.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const ranges: Array<[number, number]> = [];
  let source = 0;
  map.mappings.split(';').forEach((line, i) => {
    let first: number | undefined;
    for (const seg of line.split(',')) {
      const v = decodeSegment(seg);
      if (v.length >= 4) {
        source += v[1];
        first ??= source;
      }
    }
    if (first === undefined || !own[first] || i >= lineStarts.length) return;
    const start = lineStarts[i];
    const end = i + 1 < lineStarts.length ? lineStarts[i + 1] : bundle.length;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[1] === start) last[1] = end;
    else ranges.push([start, end]);
  });
  return ranges;
}
