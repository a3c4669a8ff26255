// `npm run release`: the console as one self-contained file for a bastion without internet (issue 15).
//   dist/day2-tui                    one minified ESM file, ssh2 inside with its pure-JavaScript crypto, a
//                                    `#!/usr/bin/env node` line, executable; version and git commit inside
//   dist/day2-tui-<version>.tar.gz   that file, the README and the licence texts of every bundled package
// `node scripts/release.mjs --sea` also builds dist/day2-tui-<version>-<platform>-<arch>, a Node single
// executable application (the running `node` with the file injected; needs postject, see findPostject).
//
// Unlike scripts/build.mjs (dist/day2-tui.js, loaded by bin/day2-tui beside node_modules), nothing stays
// external: ssh2's optional native parts are replaced by a module that throws, which is exactly what ssh2
// meets when they were never compiled — it catches that and uses its JavaScript ciphers.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const started = Date.now();
const wantSea = process.argv.includes('--sea');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const version = pkg.version;
const commit = gitCommit();

/** The commit, `-dirty` when the work tree has changes; `unknown` outside a git checkout. */
function gitCommit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

// ssh2 loads `./crypto/build/Release/sshcrypto.node` and `cpu-features` inside try/catch: both become a
// module that throws, so the release never carries (or looks beside itself for) a native addon.
const leaveOutNative = {
  name: 'leave-out-native',
  setup(b) {
    b.onResolve({ filter: /(^cpu-features$|\.node$)/ }, (args) => ({ path: args.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`${args.path} is left out of the release (pure JavaScript is used)`)});`,
      loader: 'js',
    }));
  },
};

mkdirSync('dist', { recursive: true });
const outfile = 'dist/day2-tui';
const result = await build({
  entryPoints: ['src/cli/main.ts'],
  outfile,
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  plugins: [leaveOutNative],
  alias: { 'react-devtools-core': './scripts/devtools-stub.mjs', 'is-in-ci': './scripts/is-in-ci-tty.mjs' },
  define: {
    'process.env.NODE_ENV': '"production"',
    // src/cli/args.ts: `--version` prints "<version> (<commit>)"
    __DAY2_COMMIT__: JSON.stringify(commit),
  },
  // ESM: the bundled CommonJS packages (ssh2, …) call require() for Node's built-in modules, and ssh2's
  // poly1305 (emscripten) reads __filename/__dirname: all three are given, for this file.
  banner: {
    // __day2Loaded: the single executable's loader removes its temporary copy once the module runs (buildSea).
    js: "#!/usr/bin/env node\nimport { createRequire as __day2CreateRequire } from 'node:module'; import { fileURLToPath as __day2Path } from 'node:url'; import { dirname as __day2Dir } from 'node:path'; const require = __day2CreateRequire(import.meta.url); const __filename = __day2Path(import.meta.url); const __dirname = __day2Dir(__filename); globalThis.__day2Loaded?.();",
  },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
const leftOut = Object.keys(result.metafile.inputs).filter((p) => p.startsWith('left-out:'));
if (!leftOut.some((p) => p.includes('sshcrypto.node'))) {
  fail('ssh2 no longer loads crypto/build/Release/sshcrypto.node: look at node_modules/ssh2/lib/protocol/crypto.js again');
}

// ---- the licences of what is inside, from the metafile's inputs
const packages = bundledPackages(Object.keys(result.metafile.inputs));
const licences = [
  `day2-tui ${version} (${commit}) bundles these packages; the licence text of each follows.`,
  `day2-tui itself: ${pkg.license} (package.json).`,
  '',
  ...packages.map((p) => `  ${p.name}@${p.version}  ${p.license}`),
  '',
];
for (const p of packages) {
  licences.push('='.repeat(100), `${p.name}@${p.version} — ${p.license}`, '='.repeat(100));
  if (p.texts.length === 0) licences.push(`(the package carries no licence file; its package.json says ${p.license})`, '');
  for (const t of p.texts) licences.push(`--- ${t.file}`, t.text.trimEnd(), '');
}

/** Each package (by its directory under node_modules) with at least one file in the bundle. */
function bundledPackages(inputs) {
  const dirs = new Set();
  for (const input of inputs) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(m[1]);
  }
  return [...dirs]
    .map((dir) => {
      const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      const texts = readdirSync(dir)
        .filter((f) => /^(licen[cs]e|copying|notice)/i.test(f) && statSync(join(dir, f)).isFile())
        .sort()
        .map((file) => ({ file, text: readFileSync(join(dir, file), 'utf8') }));
      const license = typeof meta.license === 'string' ? meta.license : (meta.license?.type ?? 'unknown');
      return { name: meta.name, version: meta.version, license, texts };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

// ---- the tarball: day2-tui-<version>/{day2-tui, README.md, THIRD-PARTY-LICENSES.txt}
const stage = mkdtempSync(join(tmpdir(), 'day2-release-'));
const top = `day2-tui-${version}`;
mkdirSync(join(stage, top));
copyFileSync(outfile, join(stage, top, 'day2-tui'));
chmodSync(join(stage, top, 'day2-tui'), 0o755);
copyFileSync('README.md', join(stage, top, 'README.md'));
writeFileSync(join(stage, top, 'THIRD-PARTY-LICENSES.txt'), `${licences.join('\n')}\n`);
const tarball = `dist/${top}.tar.gz`;
execFileSync('tar', ['-C', stage, '--owner=0', '--group=0', '--numeric-owner', '-czf', resolve(tarball), top]);
rmSync(stage, { recursive: true, force: true });

const lines = [
  `${outfile}  ${size(outfile)}  (${version}, ${commit}; ${packages.length} packages bundled)`,
  `${tarball}  ${size(tarball)}`,
];

// ---- the single executable application
if (wantSea) lines.push(buildSea());

process.stdout.write(`${lines.join('\n')}\nrelease built in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

function size(file) {
  return `${(statSync(file).size / 1024).toFixed(0)} KiB`;
}

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

/**
 * Node 20's SEA runs a CommonJS main script whose require() sees built-in modules only, and the console
 * is ESM (Ink and yoga-layout use top-level await, which esbuild cannot turn into CommonJS). So the main
 * script is a small CommonJS loader: it writes the ESM file (a SEA asset) into a private temporary directory
 * (mkdtemp: mode 0700), imports it with Node's own ESM loader (vm's USE_MAIN_CONTEXT_DEFAULT_LOADER), and
 * removes the directory as soon as the module starts (or at exit, if it never does).
 */
function buildSea() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 12)) fail(`a single executable needs Node ≥ 20.12 (sea.getAsset); this is ${process.version}`);
  const postject = findPostject();
  const work = mkdtempSync(join(tmpdir(), 'day2-sea-'));
  try {
    const main = join(work, 'sea-main.cjs');
    writeFileSync(
      main,
      `'use strict';
const { getAsset } = require('node:sea');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script, constants } = require('node:vm');
const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'day2-tui-sea-'));
const remove = () => fs.rmSync(dir, { recursive: true, force: true });
// the module's first statement calls this: it has been read, the copy is no longer needed
globalThis.__day2Loaded = () => { delete globalThis.__day2Loaded; remove(); };
process.on('exit', remove);
// the loader below is Node's own; its "experimental" notice is not the operator's concern
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String((warning && warning.message) || warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(process, warning, ...rest);
};
const file = path.join(dir, 'day2-tui.mjs');
fs.writeFileSync(file, getAsset('day2-tui.mjs', 'utf8'), { mode: 0o600 });
const load = new Script('import(' + JSON.stringify(pathToFileURL(file).href) + ')', {
  filename: 'day2-tui-sea-loader.js',
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
load.runInThisContext().catch((err) => {
  process.stderr.write('day2-tui: ' + (err && err.stack ? err.stack : String(err)) + '\\n');
  process.exit(2);
});
`,
    );
    const blob = join(work, 'sea.blob');
    const config = join(work, 'sea-config.json');
    writeFileSync(
      config,
      JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, assets: { 'day2-tui.mjs': resolve(outfile) } }),
    );
    run(process.execPath, ['--experimental-sea-config', config]);
    const exe = `dist/day2-tui-${version}-${process.platform}-${process.arch}`;
    rmSync(exe, { force: true });
    copyFileSync(process.execPath, exe);
    chmodSync(exe, 0o755);
    const macho = process.platform === 'darwin' ? ['--macho-segment-name', 'NODE_SEA'] : [];
    if (process.platform === 'darwin') run('codesign', ['--remove-signature', exe]);
    run(postject.command, [
      ...postject.args,
      exe,
      'NODE_SEA_BLOB',
      blob,
      '--sentinel-fuse',
      'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
      ...macho,
    ]);
    if (process.platform === 'darwin') run('codesign', ['--sign', '-', exe]);
    return `${exe}  ${size(exe)}  (single executable: ${process.version} ${process.platform}-${process.arch})`;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** postject: $POSTJECT (its CLI, or the directory it is installed under), else the project's devDependency. */
function findPostject() {
  const hint =
    'postject is needed to build the single executable: add it to devDependencies (npm install --save-dev postject@1.0.0-alpha.6), ' +
    'or install it elsewhere (npm install --prefix /tmp/pj postject) and set POSTJECT=/tmp/pj/node_modules/.bin/postject';
  const given = process.env.POSTJECT;
  if (given) {
    const cli = existsSync(join(given, 'node_modules/postject/dist/cli.js')) ? join(given, 'node_modules/postject/dist/cli.js') : given;
    if (!existsSync(cli)) fail(`POSTJECT=${given} does not exist. ${hint}`);
    return { command: process.execPath, args: [cli] };
  }
  try {
    const cli = join(dirname(createRequire(join(root, 'package.json')).resolve('postject/package.json')), 'dist/cli.js');
    return { command: process.execPath, args: [cli] };
  } catch {
    fail(`postject is not installed. ${hint}`);
  }
}

function run(command, args) {
  const r = spawnSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) fail(`${command} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
}
