#!/usr/bin/env node
// The `convcheck` command. Runs the compiled CLI from dist/ when it exists (installed packages,
// or after `npm run build`); otherwise registers tsx and runs the TypeScript source, so the
// command works in a fresh checkout without a build. CONVCHECK_FROM_SOURCE=1 forces the source
// (useful while dist/ is stale).
import { existsSync } from 'node:fs';

const dist = new URL('../dist/cli/main.js', import.meta.url);
let cli;
if (existsSync(dist) && !process.env.CONVCHECK_FROM_SOURCE) {
  cli = await import(dist.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
await cli.runCli(process.argv.slice(2));
