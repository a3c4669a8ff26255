// The demo's shell: real `sh` and coreutils on each host's own files, the cluster's tools answered by the
// simulated cluster, nothing reaching the network, and every command it cannot follow written down.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import type { Host } from '../inventory/types.js';
import { literal } from '../transport/shell.js';
import type { Target } from '../transport/types.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const inv = demoInventory('showcase');
const on = (short: string): Target => ({ kind: 'host', host: inv.hosts.find((h: Host) => h.name.startsWith(`${short}.`))! });
const runner = new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
after(() => runner.close());

test('a file written by one command is there for the next, on that host only', async () => {
  const w = await runner.run(on('master-0'), literal('mkdir -p /backup/t && echo kept > /backup/t/f && ls /backup/t'));
  assert.deepEqual([w.exitCode, w.stdout], [0, 'f\n']);
  assert.equal((await runner.run(on('master-0'), literal('cat /backup/t/f'))).stdout, 'kept\n');
  const other = await runner.run(on('master-1'), literal('cat /backup/t/f'));
  assert.deepEqual([other.exitCode, other.stderr], [1, 'cat: /backup/t/f: No such file or directory\n']);
});

test('hosts start with their OCP 3.10 files: etcd.conf on members, static pods on masters, node-config on nodes', async () => {
  const conf = await runner.run(on('master-1'), literal("grep -E '^ETCD_(NAME|INITIAL_ADVERTISE_PEER_URLS)=' /etc/etcd/etcd.conf"));
  assert.equal(conf.stdout, 'ETCD_NAME=master-1.demo.example.com\nETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.2:2380\n');
  const pods = await runner.run(on('master-0'), literal('ls /etc/origin/node/pods'));
  assert.equal(pods.stdout, 'apiserver.yaml\ncontroller.yaml\netcd.yaml\n');
  const node = await runner.run(on('app-node-0'), literal('test -e /etc/origin/node/node-config.yaml && test ! -e /etc/etcd/etcd.conf'));
  assert.equal(node.exitCode, 0);
});

test('cluster tools answer from the simulated cluster, their environment and paths included', async () => {
  const v = await runner.run(on('master-0'), literal('ETCDCTL_API=3 etcdctl version | head -1; hostname -s; rpm -qa | grep -c etcd'));
  assert.equal(v.exitCode, 0);
  assert.match(v.stdout, /^etcdctl version: 3\.\d+\.\d+\nmaster-0\n1\n$/);
});

test('no connection leaves the machine: /dev/tcp answers from the simulated network, address in a variable too', async () => {
  const probe = literal(
    'for a in 10.0.0.2 10.0.0.23 192.0.2.1; do if timeout 5 bash -c \'exec 3<>"/dev/tcp/$1/$2"\' _ "$a" 10250 2>/dev/null; ' +
      'then echo "open $a"; else echo "closed $a"; fi; done',
  );
  const r = await runner.run(on('master-0'), probe);
  assert.equal(r.stdout, 'open 10.0.0.2\nclosed 10.0.0.23\nclosed 192.0.2.1\n');
});

test('what the demo cannot follow is written down, and the command fails saying so', async () => {
  const before = runner.unanswered.length;
  const unknown = await runner.run(on('master-0'), literal('frobnicate --now'));
  assert.equal(unknown.exitCode, 127);
  const noRule = await runner.run(on('master-0'), literal('oc adm frobnicate'));
  assert.equal(noRule.exitCode, 127);
  assert.match(noRule.stderr, /the DEMO cluster does not simulate `oc adm frobnicate`/);
  assert.deepEqual(runner.unanswered.slice(before), [
    "master-0.demo.example.com: frobnicate (not on a demo host's PATH)",
    'master-0.demo.example.com: oc adm frobnicate',
  ]);
});

test("close removes the hosts' directories", async () => {
  const r = new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0 });
  const res = await r.run(on('master-0'), literal('cd /etc && pwd && echo "$HOME"'));
  assert.equal(res.stdout, '/etc\n/root\n');
  const base = (r as unknown as { shellReady: Promise<{ roots: { base: string } }> }).shellReady;
  const dir = (await base).roots.base;
  assert.ok(existsSync(dir));
  await r.close();
  assert.ok(!existsSync(dir));
});
