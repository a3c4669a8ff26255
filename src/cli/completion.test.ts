import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { PROCEDURES } from '../../procedures/index.js';
import { completionScript } from './completion.js';
import { main } from './main.js';

const BASH = completionScript('bash');

/** What the bash completion offers for the words typed so far (the last one is being completed). */
function complete(...words: string[]): string[] {
  const line = ['day2-tui', ...words];
  const script = `${BASH}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${line.length - 1}
_day2_tui; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('completion bash: valid bash (bash -n), printed by the command line', async () => {
  const r = spawnSync('bash', ['-n'], { input: BASH, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  let out = '';
  assert.equal(await main(['completion', 'bash'], { stdout: (t) => void (out += t), stderr: () => {}, env: {}, isTTY: false }), 0);
  assert.equal(out, BASH);
});

test('completion bash: commands, procedure ids, check ids, scenarios and options', () => {
  assert.deepEqual(complete('ru'), ['run', 'runs']);
  assert.deepEqual(complete('run', 'etcd-res'), ['etcd-restore']);
  assert.ok(complete('run', 'etcd-re').includes('etcd-restore'));
  assert.deepEqual(complete('plan', ''), PROCEDURES.map((p) => p.entry.id).sort());
  assert.deepEqual(complete('run', 'etcd-backup', ''), [], 'one procedure id only');
  assert.deepEqual(complete('check', '--only', 'etcd-m'), ['etcd-members']);
  assert.deepEqual(complete('check', '--only', 'ntp,etcd-m'), ['ntp,etcd-members']);
  assert.deepEqual(complete('--demo', '=', 'etcd-q'), ['etcd-quorum-lost']);
  assert.ok(complete('--demo', '=').includes('healthy'));
  assert.deepEqual(complete('-i', 'hosts', 'ru'), ['run', 'runs'], 'the value of -i is not the command');
  assert.ok(complete('run', 'etcd-backup', '--y').includes('--yes'));
  assert.ok(complete('--ver').includes('--version'));
  assert.deepEqual(complete('completion', ''), ['bash', 'zsh']);
});

test('completion bash: config, its actions and the setting keys come from the program and the store', () => {
  assert.deepEqual(complete('con'), ['config']);
  assert.deepEqual(complete('config', ''), ['get', 'list', 'path', 'set', 'unset']);
  assert.deepEqual(complete('config', 'set', 'con'), ['concurrency']);
  assert.deepEqual(complete('--oc', '/x', 'config', 'get', 'k'), ['known-hosts', 'kubeconfig']);
  assert.deepEqual(complete('config', 'set', 'oc', ''), [], 'the value is not completed from the keys');
  assert.ok(complete('config', 'list', '--j').includes('--json'));
  assert.ok(complete('--kube').includes('--kubeconfig'));
});

test('completion zsh: the same function through bashcompinit (zsh itself is not run here)', () => {
  const zsh = completionScript('zsh');
  assert.match(zsh, /^#compdef day2-tui\n/);
  assert.match(zsh, /autoload -U \+X bashcompinit && bashcompinit\n/);
  assert.ok(zsh.endsWith(BASH));
});
