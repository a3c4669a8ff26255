// Bundles the console into one ESM file: start-up is about half as long as loading the module graph
// unbundled (LAB-FACTS.md). ssh2 stays external (optional native parts) and is loaded only when a real
// inventory needs it.

import { mkdirSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

mkdirSync('dist', { recursive: true });
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/day2-tui.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  external: ['ssh2', 'cpu-features'],
  // Ink imports react-devtools-core only when DEV is set; keep it out of the bundle. is-in-ci: see the file.
  alias: { 'react-devtools-core': './scripts/devtools-stub.mjs', 'is-in-ci': './scripts/is-in-ci-tty.mjs' },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: {
    js: "import { createRequire as __day2CreateRequire } from 'node:module'; const require = __day2CreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync('dist/package.json', `${JSON.stringify({ type: 'module' })}\n`);
