// The DEMO cluster's etcd with state: what runs follows the hosts' files (the static pod's manifest, the data
// dir, etcd.conf), etcdctl reads and changes one membership, and backups and snapshots are real files.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host } from '../inventory/types.js';
import { parseV2ClusterHealth, parseV2MemberList, parseV3EndpointHealth, parseV3MemberList } from '../ocp/etcd.js';
import { type ShellCommand, sh } from '../transport/shell.js';
import type { Target } from '../transport/types.js';
import { demoEtcd, STATIC_POD_START_MS } from './etcd.js';
import { demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';

const inv = demoInventory();
const H = (short: string): Host => inv.hosts.find((h) => h.name.startsWith(`${short}.`))!;
const on = (short: string): Target => ({ kind: 'host', host: H(short) });
const EPS = 'https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379';
const V2 = (eps = EPS) =>
  sh`ETCDCTL_API=2 etcdctl --cert-file /etc/etcd/peer.crt --key-file /etc/etcd/peer.key --ca-file /etc/etcd/ca.crt --endpoints ${eps}`;
const V3 = (eps = EPS) =>
  sh`ETCDCTL_API=3 etcdctl --cert /etc/etcd/peer.crt --key /etc/etcd/peer.key --cacert /etc/etcd/ca.crt --endpoints ${eps}`;
const fast = () => new DemoRunner({ lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
const MANIFEST = '/etc/origin/node/pods/etcd.yaml';
const STOPPED = '/etc/origin/node/pods-stopped/etcd.yaml';

async function sayOn(r: DemoRunner, target: Target, cmd: ShellCommand) {
  const res = await r.run(target, cmd);
  return { ...res, text: `${res.stdout}\n${res.stderr}` };
}

test('as seeded: three started members, healthy through v2 and v3, listening on 2379/2380', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const health = await sayOn(r, on('master-0'), sh`${V2()} cluster-health`);
  assert.equal(parseV2ClusterHealth(health.text).cluster, 'healthy');
  const list = await sayOn(r, on('master-0'), sh`${V3()} member list -w json`);
  assert.deepEqual(
    parseV3MemberList(list.stdout).map((m) => [m.name, m.started, m.peerURLs[0]]),
    [0, 1, 2].map((i) => [H(`master-${i}`).name, true, `https://10.0.0.${i + 1}:2380`]),
  );
  const ss = await sayOn(r, on('master-1'), sh`ss -l4n`);
  assert.match(ss.stdout, /^tcp {2}LISTEN .* 10\.0\.0\.2:2380 /m);
  // OCP's etcd does not listen on localhost
  const local = await sayOn(r, on('master-1'), sh`${V3('https://127.0.0.1:2379')} endpoint health`);
  assert.equal(local.exitCode, 1);
});

test('moving the manifest to pods-stopped/ stops etcd; moving it back starts it after the kubelet’s delay', async (t) => {
  const r = fast();
  t.after(() => r.close());
  await sayOn(r, on('master-1'), sh`mkdir -p /etc/origin/node/pods-stopped && mv ${MANIFEST} ${STOPPED}`);
  const gone = await sayOn(r, on('master-1'), sh`ss -ltn; docker ps -q --filter label=io.kubernetes.container.name=etcd`);
  assert.doesNotMatch(gone.stdout, /:2379/);
  const degraded = await sayOn(r, on('master-0'), sh`${V2()} cluster-health`);
  assert.equal(parseV2ClusterHealth(degraded.text).cluster, 'degraded');
  const v3 = parseV3EndpointHealth((await sayOn(r, on('master-0'), sh`${V3()} endpoint health`)).text);
  assert.deepEqual(
    v3.filter((x) => !x.healthy).map((x) => x.endpoint),
    ['https://10.0.0.2:2379'],
  );
  await sayOn(r, on('master-1'), sh`mv ${STOPPED} ${MANIFEST}`);
  const soon = await sayOn(r, on('master-1'), sh`${V3('https://10.0.0.2:2379')} endpoint health`);
  assert.equal(soon.exitCode, 1, 'not at once: the kubelet starts it at its next sync');
  await new Promise((done) => setTimeout(done, STATIC_POD_START_MS + 100));
  const back = await sayOn(r, on('master-0'), sh`${V2()} cluster-health`);
  assert.equal(parseV2ClusterHealth(back.text).cluster, 'healthy');
});

test('member remove, then add and a start with ETCD_INITIAL_CLUSTER_STATE=existing on an empty data dir', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const id = demoEtcd(r.cluster).members[2]!.id;
  await sayOn(r, on('master-2'), sh`mkdir -p /etc/origin/node/pods-stopped && mv ${MANIFEST} ${STOPPED}`);
  const removed = await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member remove ${id}`);
  assert.equal(removed.stdout.trim(), `Removed member ${id} from cluster`);
  const two = parseV3MemberList((await sayOn(r, on('master-0'), sh`${V3()} member list -w json`)).stdout);
  assert.equal(two.length, 2);
  const add = await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member add ${H('master-2').name} https://10.0.0.3:2380`);
  assert.match(add.stdout, /^ETCD_INITIAL_CLUSTER_STATE="existing"$/m);
  const listed = parseV2MemberList((await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member list`)).text);
  assert.deepEqual(
    listed.map((m) => m.started),
    [true, true, false],
  );
  await sayOn(
    r,
    on('master-2'),
    sh`rm -rf /var/lib/etcd/member && sed -i 's/^ETCD_INITIAL_CLUSTER_STATE=.*/ETCD_INITIAL_CLUSTER_STATE=existing/' /etc/etcd/etcd.conf
      && mv ${STOPPED} ${MANIFEST}`,
  );
  await new Promise((done) => setTimeout(done, STATIC_POD_START_MS + 100));
  const health = await sayOn(r, on('master-0'), sh`${V2()} cluster-health`);
  assert.equal(parseV2ClusterHealth(health.text).cluster, 'healthy', health.text);
  const files = await sayOn(r, on('master-2'), sh`ls /var/lib/etcd/member/wal`);
  assert.match(files.stdout, /\.wal$/m, 'the joined member wrote its data dir');
});

test('snapshot save writes a file whose size snapshot status reports; backup needs etcd stopped and writes member/', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const saved = await sayOn(r, on('master-0'), sh`mkdir -p /backup/x && ${V3('https://10.0.0.1:2379')} snapshot save /backup/x/db`);
  assert.equal(saved.stdout.trim(), 'Snapshot saved at /backup/x/db');
  const status = await sayOn(r, on('master-0'), sh`ETCDCTL_API=3 etcdctl snapshot status /backup/x/db -w json; stat -c %s /backup/x/db`);
  const [json, size] = status.stdout.trim().split('\n');
  assert.deepEqual(JSON.parse(json!), { hash: JSON.parse(json!).hash, revision: 161042, totalKey: 1869, totalSize: Number(size) });
  const live = await sayOn(r, on('master-0'), sh`ETCDCTL_API=2 etcdctl backup --data-dir /var/lib/etcd --backup-dir /backup/x`);
  assert.notEqual(live.exitCode, 0, 'etcd still runs: its WAL is locked');
  await sayOn(r, on('master-0'), sh`mkdir -p /etc/origin/node/pods-stopped && mv ${MANIFEST} ${STOPPED}`);
  const b = await sayOn(
    r,
    on('master-0'),
    sh`ETCDCTL_API=2 etcdctl backup --data-dir /var/lib/etcd --backup-dir /backup/x && ls /backup/x/member/wal`,
  );
  assert.equal(b.exitCode, 0, b.text);
  assert.match(b.stdout, /\.wal$/m);
  assert.match(b.stderr, /ignoring v3 raft entry/);
  assert.deepEqual(r.unanswered, []);
});

test('force-new-cluster: one member, a new id, peerURL http://localhost:2380; member update fixes it', async (t) => {
  const r = fast();
  t.after(() => r.close());
  for (const m of ['master-0', 'master-1', 'master-2'])
    await sayOn(r, on(m), sh`mkdir -p /etc/origin/node/pods-stopped && mv ${MANIFEST} ${STOPPED}`);
  const old = demoEtcd(r.cluster).members[0]!.id;
  await sayOn(r, on('master-0'), sh`echo ETCD_FORCE_NEW_CLUSTER=true >> /etc/etcd/etcd.conf && mv ${STOPPED} ${MANIFEST}`);
  await new Promise((done) => setTimeout(done, STATIC_POD_START_MS + 100));
  const one = parseV2MemberList((await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member list`)).text);
  assert.equal(one.length, 1);
  assert.notEqual(one[0]!.id, old);
  assert.deepEqual(one[0]!.peerURLs, ['http://localhost:2380']);
  const mode = await sayOn(r, on('master-0'), sh`for p in $(pgrep -x etcd); do tr '\\0' '\\n' < /proc/$p/environ; done`);
  assert.match(mode.stdout, /^ETCD_FORCE_NEW_CLUSTER=true$/m);
  await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member update ${one[0]!.id} https://10.0.0.1:2380`);
  const fixed = parseV2MemberList((await sayOn(r, on('master-0'), sh`${V2('https://10.0.0.1:2379')} member list`)).text);
  assert.deepEqual(fixed[0]!.peerURLs, ['https://10.0.0.1:2380']);
});

test('move-leader: asked of the leader it hands over (endpoint status follows); elsewhere it fails as etcdctl 3.4 does', async (t) => {
  const r = fast();
  t.after(() => r.close());
  const leader = async () =>
    (await sayOn(r, on('master-0'), sh`${V3()} endpoint status`)).stdout
      .split('\n')
      .find((l) => l.split(', ')[4] === 'true')
      ?.split(', ')[1];
  const [m0, m1] = ['master-0', 'master-1'].map((h) => demoEtcd(r.cluster).members.find((m) => m.name === H(h).name)!.id);
  const was = await leader();
  const to = was === m0 ? m1! : m0!;
  const moved = await sayOn(r, on('master-0'), sh`${V3()} move-leader ${to}`);
  assert.deepEqual([moved.exitCode, moved.stdout.trim()], [0, `Leadership transferred from ${was} to ${to}`]);
  assert.equal(await leader(), to);
  const notLeader = EPS.split(',').filter((_, i) => H(`master-${i}`).name !== demoEtcd(r.cluster).members.find((m) => m.id === to)!.name);
  const refused = await sayOn(r, on('master-0'), sh`${V3(notLeader.join(','))} move-leader ${was ?? ''}`);
  assert.deepEqual([refused.exitCode, refused.stderr.trim()], [128, `Error: no leader endpoint given at [${notLeader.join(' ')}]`]);
  const stranger = await sayOn(r, on('master-0'), sh`${V3()} move-leader 1234abcd`);
  assert.deepEqual([stranger.exitCode, stranger.stderr.trim()], [1, 'Error: etcdserver: bad leader transferee']);
});
