#!/usr/bin/env node
// Start-up benchmark: time from process start to the first full frame of Home (demo cluster), measured
// on a real pseudo-terminal (util-linux `script`), beside bare `node -e 0` run the same way in the same
// invocation. Prints both medians and the ratio. Usage: node bench/startup.mjs [runs]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 7);
const root = fileURLToPath(new URL('..', import.meta.url));
// The footer and both panes' titles are drawn in the same frame; the last host line proves the host list is in.
const HOME_READY = /PROCEDURES[\s\S]*\? help/;
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]/g, '');

function timeUntil(command, ready) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('script', ['-qfec', `stty cols 80 rows 24; exec ${command}`, '/dev/null'], {
      cwd: root,
      env: { ...process.env, TERM: 'xterm-256color' },
      stdio: ['pipe', 'pipe', 'ignore'], // `script` says "...killed." when the run is ended
    });
    let out = '';
    let done = false;
    const finish = (err) => {
      if (done) return;
      done = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (child.exitCode === null) child.kill('SIGTERM');
      err ? reject(err) : resolve(ms);
    };
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (ready(stripAnsi(out))) finish();
    });
    child.on('exit', () =>
      ready(stripAnsi(out)) ? finish() : finish(new Error(`${command} exited before it was ready:\n${stripAnsi(out).slice(-2000)}`)),
    );
    setTimeout(() => finish(new Error(`${command}: not ready after 30 s`)), 30_000).unref();
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = [];
const tui = [];
for (let i = 0; i < runs; i++) {
  base.push(await timeUntil(`node -e "process.stdout.write('READY')"`, (s) => s.includes('READY')));
  tui.push(await timeUntil('./bin/day2-tui --demo', (s) => HOME_READY.test(s)));
}
const b = median(base);
const t = median(tui);
console.log(`runs: ${runs} each, interleaved, on a pty at 80x24`);
console.log(`node -e 0 (baseline)        median ${b.toFixed(0)} ms   all: ${base.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`day2-tui --demo first Home  median ${t.toFixed(0)} ms   all: ${tui.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`ratio: ${(t / b).toFixed(1)}x`);
