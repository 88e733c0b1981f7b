// The buggy example's reports must each carry the shrunk counterexample; the HTML its heat-map.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const report = JSON.parse(readFileSync(join(dir, 'verification.json'), 'utf8'));
const failed = report.properties.filter((p) => p.status === 'failed');
const problems = [];
if (failed.length === 0) problems.push('verification.json: no failed property');
const f = failed.find((p) => p.failure?.heatmap)?.failure ?? failed[0]?.failure;
if (!f?.problem?.startsWith('x=')) problems.push('verification.json: no one-line problem');
const html = readFileSync(join(dir, 'verification.html'), 'utf8');
const md = readFileSync(join(dir, 'verification.md'), 'utf8');
const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
const escaped = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
if (f && !md.includes(f.problem)) problems.push('verification.md: counterexample missing');
if (f && !html.includes(escaped(f.problem))) problems.push('verification.html: counterexample missing');
if (f && !junit.includes(escaped(f.problem))) problems.push('junit.xml: counterexample missing');
if (!/<svg[\s\S]*<rect/.test(html)) problems.push('verification.html: no heat-map (inline SVG)');
if (!/<failure /.test(junit)) problems.push('junit.xml: no <failure>');
for (const p of problems) console.error(p);
console.log(problems.length === 0 ? `buggy kernel reports OK: ${failed.map((p) => p.id).join(', ')}` : 'buggy kernel reports incomplete');
process.exit(problems.length === 0 ? 0 : 1);
