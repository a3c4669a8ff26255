#!/usr/bin/env node
// Release size benchmark (issue 15): builds the release (`scripts/release.mjs`, with `--sea` when postject
// is found: POSTJECT or the devDependency) and prints the size of dist/day2-tui, of its tarball and of the
// single executable, beside baselines measured in the same invocation: what a bastion needs today (the
// development bundle dist/day2-tui.js plus the production packages of node_modules it loads) and the bare
// `node` binary the single executable is made of. Also the median time of `--version` for each.
// Usage: node bench/release-size.mjs [runs]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
const root = fileURLToPath(new URL('..', import.meta.url));
const { version, dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const sea = process.env.POSTJECT || existsSync(join(root, 'node_modules', 'postject')) ? ['--sea'] : [];
const t0 = Date.now();
execFileSync(process.execPath, [join(root, 'scripts', 'release.mjs'), ...sea], { stdio: 'inherit' });
const buildMs = Date.now() - t0;
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

/** Bytes of a file, or of everything under a directory (symbolic links not followed). */
function bytes(path) {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, f) => sum + bytes(join(path, f)), 0);
}

/** The production dependency closure of package.json, as directories under node_modules. */
function productionPackages() {
  const seen = new Set();
  const visit = (name) => {
    const dir = join(root, 'node_modules', name);
    if (seen.has(dir) || !existsSync(dir)) return;
    seen.add(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const d of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) visit(d);
  };
  for (const d of Object.keys(dependencies)) visit(d);
  return [...seen];
}

function medianMs(command, args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    const r = spawnSync(command, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

const kib = (n) => `${(n / 1024).toFixed(0).padStart(8)} KiB`;
const dist = (f) => join(root, 'dist', f);
const seaFile = dist(`day2-tui-${version}-${process.platform}-${process.arch}`);
const devPackages = productionPackages();
const devBytes = bytes(dist('day2-tui.js')) + devPackages.reduce((s, d) => s + bytes(d), 0);
const rows = [
  [
    'dist/day2-tui (release file; needs node)',
    statSync(dist('day2-tui')).size,
    medianMs(process.execPath, [dist('day2-tui'), '--version']),
  ],
  [`dist/day2-tui-${version}.tar.gz`, statSync(dist(`day2-tui-${version}.tar.gz`)).size, undefined],
  ...(existsSync(seaFile) && sea.length
    ? [[`dist/${seaFile.split('/').pop()} (single executable)`, statSync(seaFile).size, medianMs(seaFile, ['--version'])]]
    : []),
  [
    `baseline: dist/day2-tui.js + ${devPackages.length} production packages of node_modules`,
    devBytes,
    medianMs(process.execPath, [join(root, 'bin', 'day2-tui'), '--version']),
  ],
  [
    `baseline: bare node ${process.version} (${process.execPath})`,
    statSync(process.execPath).size,
    medianMs(process.execPath, ['-e', '0']),
  ],
];
console.log(
  `release built in ${(buildMs / 1000).toFixed(1)} s${sea.length ? ' (with the single executable)' : ' (no postject: no single executable)'}`,
);
console.log(`${'what'.padEnd(72)}${'size'.padStart(12)}   --version, median of ${runs}`);
for (const [what, size, ms] of rows) console.log(`${what.padEnd(72)}${kib(size)}   ${ms === undefined ? '' : `${ms.toFixed(0)} ms`}`);
