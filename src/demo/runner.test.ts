import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Host } from '../inventory/types.js';
import { argv, literal, type ShellCommand, sh } from '../transport/shell.js';
import { type Target, TransportError } from '../transport/types.js';
import { DEMO_COMMANDS } from './commands.js';
import { demoInventory } from './inventory.js';
import { DemoRunner, simulateCommand } from './runner.js';

const inv = demoInventory('showcase');
const H = (short: string): Host => inv.hosts.find((h) => h.name.startsWith(`${short}.`))!;
const on = (short: string): Target => ({ kind: 'host', host: H(short) });
const bastion: Target = { kind: 'bastion' };
const fast = () => new DemoRunner({ scenario: 'showcase', lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } });
const EPS = 'https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379';
const V2 = ['etcdctl', '--cert-file=/etc/etcd/peer.crt', '--key-file=/etc/etcd/peer.key', '--ca-file=/etc/etcd/ca.crt', `--peers=${EPS}`];
const V3 = (eps = EPS) =>
  sh`ETCDCTL_API=3 etcdctl --cert=/etc/etcd/peer.crt --key=/etc/etcd/peer.key --cacert=/etc/etcd/ca.crt --endpoints=${eps}`;

async function run(target: Target, cmd: ShellCommand) {
  return fast().run(target, cmd);
}

test('probe: ok everywhere but one app node', async () => {
  let i = 0;
  const r = new DemoRunner({ scenario: 'showcase', probeDelayMs: { min: 5, max: 40 }, random: () => [0, 0.5, 1][i++ % 3]! });
  const results = await Promise.all(inv.hosts.map((h) => r.probe(h)));
  const down = inv.hosts.filter((_, k) => results[k]!.state !== 'ok').map((h) => h.name);
  assert.deepEqual(down, ['app-node-2.demo.example.com']);
  const bad = results[inv.hosts.findIndex((h) => h.name.startsWith('app-node-2'))]!;
  assert.equal(bad.state, 'unreachable');
  assert.match(bad.reason!, /ssh: connect to host 10\.0\.0\.23 port 22: No route to host/);
  assert.ok(bad.hint);
});

test('run on the down host rejects with TransportError(unreachable)', async () => {
  await assert.rejects(
    fast().run(on('app-node-2'), literal('true')),
    (e: unknown) => e instanceof TransportError && e.state === 'unreachable',
  );
});

test('streams lines in order, one at a time, and returns them in the result', async () => {
  const r = new DemoRunner({ scenario: 'showcase', lineDelayMs: 2, startDelayMs: 1 });
  const seen: string[] = [];
  // lines are paced: the run has not delivered everything by the time the first line arrives
  let seenWhenFirstResolved = -1;
  const res = await r.run(on('infra-node-0'), literal('docker info'), {
    onStdout: (l) => {
      seen.push(`o:${l}`);
      if (seen.length === 1) setImmediate(() => (seenWhenFirstResolved = seen.length));
    },
    onStderr: (l) => seen.push(`e:${l}`),
  });
  assert.equal(res.exitCode, 0);
  const outLines = res.stdout.trimEnd().split('\n');
  assert.deepEqual(
    seen.filter((s) => s.startsWith('o:')).map((s) => s.slice(2)),
    outLines,
  );
  assert.deepEqual(seen.slice(-2), ['e:WARNING: bridge-nf-call-iptables is disabled', 'e:WARNING: bridge-nf-call-ip6tables is disabled']);
  assert.ok(res.stdout.endsWith('\n'));
  assert.ok(
    seenWhenFirstResolved >= 1 && seenWhenFirstResolved < outLines.length,
    `lines arrive one by one (${seenWhenFirstResolved} of ${outLines.length} at once)`,
  );
  assert.match(res.stdout, /^Storage Driver: overlay2\n Backing Filesystem: xfs$/m);
  assert.match(res.stdout, /^Name: infra-node-0\.demo\.example\.com$/m);
  assert.equal(res.timedOut, false);
  assert.equal(res.cancelled, false);
});

test('AbortSignal stops the command: cancelled, no exit code, partial output', async () => {
  const r = new DemoRunner({ scenario: 'showcase', lineDelayMs: 20, startDelayMs: 0 });
  const ac = new AbortController();
  const lines: string[] = [];
  const p = r.run(on('master-0'), literal('docker info'), {
    signal: ac.signal,
    onStdout: (l) => {
      lines.push(l);
      if (lines.length === 2) ac.abort();
    },
  });
  const res = await p;
  assert.equal(res.cancelled, true);
  assert.equal(res.exitCode, null);
  assert.ok(lines.length > 0 && lines.length < 10, `got ${lines.length} lines`);
  const pre = new AbortController();
  pre.abort();
  const res2 = await r.run(bastion, literal('hostname'), { signal: pre.signal });
  assert.equal(res2.cancelled, true);
  assert.equal(res2.stdout, '');
});

test('timeoutMs ends a long command: timedOut (the command did not end by itself: no exit code)', async () => {
  const res = await fast().run(on('master-0'), literal('sleep 30'), { timeoutMs: 30 });
  assert.equal(res.timedOut, true);
  assert.equal(res.cancelled, false);
  assert.equal(res.exitCode, null);
});

test('maxBufferBytes keeps the tail', async () => {
  const res = await fast().run(bastion, literal('oc get nodes'), { maxBufferBytes: 100 });
  assert.equal(res.truncated, true);
  assert.ok(Buffer.byteLength(res.stdout) <= 100);
  assert.ok(res.stdout.endsWith('v1.10.0+b81c8f8\n'));
});

test('basics: hostname, true, echo, unknown commands, && || ;', async () => {
  assert.equal((await run(on('master-1'), literal('hostname'))).stdout, 'master-1.demo.example.com\n');
  assert.equal((await run(on('master-1'), literal('hostname -s'))).stdout, 'master-1\n');
  assert.equal((await run(bastion, literal('hostname'))).stdout, 'bastion.demo.example.com\n');
  const t = await run(on('lb'), literal('true'));
  assert.deepEqual([t.exitCode, t.stdout, t.stderr], [0, '', '']);
  assert.equal((await run(on('lb'), sh`echo ${'hello world'} ${'x'}`)).stdout, 'hello world x\n');
  const u = await run(on('master-0'), literal('frobnicate --now'));
  assert.deepEqual([u.exitCode, u.stderr], [127, 'sh: line 1: frobnicate: command not found\n']);
  const seq = await run(on('master-0'), literal('false && echo no; false || echo yes; echo end'));
  assert.deepEqual([seq.exitCode, seq.stdout], [0, 'yes\nend\n']);
  const inner = await run(on('master-0'), literal("sh -c 'hostname -s; exit 3'"));
  assert.deepEqual([inner.exitCode, inner.stdout], [3, 'master-0\n']);
});

test('chapter 2: timedatectl, entropy', async () => {
  const t = await run(on('app-node-0'), literal('timedatectl'));
  assert.match(t.stdout, /^ {5}NTP enabled: yes$/m);
  assert.match(t.stdout, /^NTP synchronized: yes$/m);
  const e = await run(on('app-node-0'), literal('cat /proc/sys/kernel/random/entropy_avail'));
  assert.match(e.stdout, /^\d{4}\n$/);
  assert.ok(Number(e.stdout) > 1000);
});

test('df -hT: master has / of 45G; nodes have /var/lib/docker and openshift.local.volumes', async () => {
  const m = await run(on('master-0'), literal('df -hT'));
  assert.match(m.stdout, /^Filesystem\s+Type\s+Size\s+Used\s+Avail\s+Use%\s+Mounted on$/m);
  assert.match(m.stdout, /^\/dev\/sda1\s+xfs\s+45G\s+2\.8G\s+43G\s+7%\s+\/$/m);
  const n = await run(on('app-node-0'), literal('df -hT'));
  assert.match(n.stdout, /^\/dev\/mapper\/docker--vg-docker--root--lv\s+xfs\s+25G\s+2\.8G\s+23G\s+11%\s+\/var\/lib\/docker$/m);
  assert.match(n.stdout, /\/var\/lib\/origin\/openshift\.local\.volumes$/m);
  const dm = await run(on('app-node-1'), literal('df -hT /var/lib/docker'));
  assert.match(
    dm.stdout,
    /\n\/dev\/sda1\s+xfs\s+50G\s+\S+\s+\S+\s+\d+%\s+\/\n$/,
    'devicemapper: the thin pool is not mounted, /var/lib/docker is on /',
  );
});

test('df -PT -B1: exact bytes, POSIX header, columns aligned like coreutils', async () => {
  const r = await run(on('infra-node-0'), literal('df -PT -B1'));
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^Filesystem\s+Type\s+1B-blocks\s+Used\s+Available Capacity Mounted on$/);
  const root = lines.find((l) => l.endsWith(' /'))!;
  const [, size, used, avail, pct] = /^\/dev\/sda1\s+xfs\s+(\d+) (?:\s*)(\d+) (?:\s*)(\d+)\s+(\d+)% \/$/.exec(root)!;
  assert.equal(Number(size), Number(used) + Number(avail));
  assert.equal(Number(pct), Math.ceil((100 * Number(used)) / Number(size)));
  assert.ok(Number(size) > 25e9 && Number(size) < 30e9);
  const at = lines[0]!.indexOf('Mounted on');
  for (const l of lines.slice(1)) assert.ok(l[at - 1] === ' ' && l[at - 2] !== ' ' && l[at] === '/', `aligned: ${l}`);
  const k = await run(on('infra-node-0'), literal('df -P'));
  assert.match(k.stdout, /^Filesystem\s+1024-blocks\s+Used\s+Available Capacity Mounted on$/m);
});

test('etcd v2: cluster-health and member list as the guide shows them', async () => {
  const h = await run(on('master-0'), argv(...V2, 'cluster-health'));
  const lines = h.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 4);
  for (const l of lines.slice(0, 3))
    assert.match(l, /^member [0-9a-f]{16} is healthy: got healthy result from https:\/\/10\.0\.0\.[1-3]:2379$/);
  assert.equal(lines[3], 'cluster is healthy');
  const ml = await run(on('master-0'), argv(...V2, 'member', 'list'));
  const members = ml.stdout.trimEnd().split('\n');
  assert.equal(members.length, 3);
  for (const l of members)
    assert.match(
      l,
      new RegExp(
        String.raw`^[0-9a-f]{16}: name=master-\d\.demo\.example\.com peerURLs=https:\/\/10\.0\.0\.\d:2380 ` +
          String.raw`clientURLs=https:\/\/10\.0\.0\.\d:2379 isLeader=(true|false)$`,
      ),
    );
  assert.equal(members.filter((l) => l.endsWith('isLeader=true')).length, 1);
});

test('etcd v3: endpoint health (good and bad endpoints), member list simple/table/json, endpoint status', async () => {
  const ok = await run(on('master-1'), sh`${V3()} endpoint health`);
  assert.equal(ok.exitCode, 0);
  assert.deepEqual(
    ok.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/took = .*$/, 'took = X')),
    ['https://10.0.0.1:2379', 'https://10.0.0.2:2379', 'https://10.0.0.3:2379'].map(
      (e) => `${e} is healthy: successfully committed proposal: took = X`,
    ),
  );
  assert.match(ok.stdout, /took = \d+\.\d+ms\n/);
  const bad = await run(on('master-1'), sh`${V3(`${EPS},https://10.0.0.9:2379`)} endpoint health`);
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /^https:\/\/10\.0\.0\.9:2379 is unhealthy: failed to connect: .*\nError: unhealthy cluster\n$/);
  const noEp = await run(
    on('master-1'),
    literal('ETCDCTL_API=3 etcdctl --cert=/etc/etcd/peer.crt --key=/etc/etcd/peer.key --cacert=/etc/etcd/ca.crt endpoint health'),
  );
  assert.equal(noEp.exitCode, 1, 'without --endpoints etcdctl3 asks 127.0.0.1, where OCP etcd does not listen');
  const simple = await run(on('master-1'), sh`${V3()} member list`);
  for (const l of simple.stdout.trimEnd().split('\n'))
    assert.match(l, /^[0-9a-f]{16}, started, master-\d\.demo\.example\.com, https:\/\/10\.0\.0\.\d:2380, https:\/\/10\.0\.0\.\d:2379$/);
  const table = await run(on('master-1'), sh`${V3()} member list -w table`);
  assert.match(table.stdout, /^\|\s+ID\s+\|\s+STATUS\s+\|\s+NAME\s+\|\s+PEER ADDRS\s+\|\s+CLIENT ADDRS\s+\|$/m);
  assert.equal(table.stdout.trimEnd().split('\n').length, 7);
  const json = await run(on('master-1'), sh`${V3()} member list --write-out=json`);
  const parsed = JSON.parse(json.stdout) as { members: { name: string; ID: number; clientURLs: string[] }[] };
  assert.deepEqual(
    parsed.members.map((m) => m.clientURLs[0]),
    EPS.split(','),
  );
  assert.match(json.stdout, /"ID":\d{16,20}[,}]/, 'IDs are uint64 decimals');
  const status = await run(on('master-1'), sh`${V3()} endpoint status -w table`);
  assert.equal((status.stdout.match(/\| true /g) ?? []).length, 1, 'one leader');
});

test('etcd: aliases and missing binaries fail like on a real host', async () => {
  const alias = await run(on('master-0'), literal('etcdctl2 cluster-health'));
  assert.deepEqual([alias.exitCode, alias.stderr], [127, 'sh: line 1: etcdctl2: command not found\n']);
  const notEtcd = await run(on('app-node-0'), argv(...V2, 'cluster-health'));
  assert.equal(notEtcd.exitCode, 127);
  const noCerts = await run(on('master-0'), literal('etcdctl cluster-health'));
  assert.equal(noCerts.exitCode, 4);
  assert.match(noCerts.stderr, /tls: bad certificate/);
});

test('oc get nodes (table and json): masters SchedulingDisabled, the down node NotReady', async () => {
  const t = await run(bastion, literal('oc get nodes'));
  const rows = t.stdout.trimEnd().split('\n');
  assert.match(rows[0]!, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
  assert.equal(rows.length, 10);
  assert.match(t.stdout, /^master-0\.demo\.example\.com\s+Ready,SchedulingDisabled\s+master\s+41d\s+v1\.10\.0\+b81c8f8$/m);
  assert.match(t.stdout, /^infra-node-0\.demo\.example\.com\s+Ready\s+infra\s+/m);
  assert.match(t.stdout, /^app-node-2\.demo\.example\.com\s+NotReady\s+compute\s+/m);
  const j = JSON.parse((await run(bastion, literal('oc get nodes -o json'))).stdout) as {
    kind: string;
    items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
  };
  assert.equal(j.kind, 'List');
  assert.equal(j.items.length, 9);
  const ready = Object.fromEntries(j.items.map((i) => [i.metadata.name, i.status.conditions.find((c) => c.type === 'Ready')!.status]));
  assert.equal(ready['app-node-2.demo.example.com'], 'Unknown');
  assert.equal(ready['master-0.demo.example.com'], 'True');
  const onNode = await run(on('app-node-0'), literal('oc get nodes'));
  assert.equal(onNode.exitCode, 1, 'nodes have no kubeconfig');
  assert.equal((await run(on('master-0'), literal('oc get nodes'))).exitCode, 0, 'masters do');
});

test('oc: storageclass, router and registry dc, pods in default', async () => {
  const sc = await run(bastion, literal('oc get storageclass'));
  assert.equal((sc.stdout.match(/\(default\)/g) ?? []).length, 1);
  for (const [cmd, name] of [
    ['oc -n default get dc/router', 'router'],
    ['oc -n default get deploymentconfigs/router', 'router'],
    ['oc get dc docker-registry -n default', 'docker-registry'],
    ['oc -n default get deploymentconfigs/docker-registry', 'docker-registry'],
  ] as const) {
    const r = await run(bastion, literal(cmd));
    assert.match(r.stdout, /^NAME\s+REVISION\s+DESIRED\s+CURRENT\s+TRIGGERED BY\n/, cmd);
    assert.match(r.stdout, new RegExp(`^${name}\\s+1\\s+3\\s+3\\s+config$`, 'm'), cmd);
  }
  const pods = await run(bastion, literal('oc get pods -o wide -n default'));
  const rows = pods.stdout.trimEnd().split('\n');
  assert.match(rows[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE$/);
  assert.equal(rows.filter((r) => /^router-1-\w{5}\s+1\/1\s+Running/.test(r)).length, 3);
  assert.equal(rows.filter((r) => /^docker-registry-1-\w{5}\s+1\/1\s+Running/.test(r)).length, 3);
  assert.ok(rows.slice(1).every((r) => /infra-node-\d\.demo\.example\.com$/.test(r)));
  const same = await run(bastion, literal('oc get pods -o wide -n default'));
  assert.equal(same.stdout, pods.stdout, 'deterministic');
});

test('docker info: overlay2, devicemapper on app-node-1, none on the lb', async () => {
  assert.match((await run(on('app-node-1'), literal('docker info'))).stdout, /^Storage Driver: devicemapper$/m);
  assert.equal((await run(on('app-node-1'), literal('docker info | grep "Storage Driver"'))).stdout, 'Storage Driver: devicemapper\n');
  assert.match((await run(on('app-node-1'), literal('cat /etc/sysconfig/docker-storage'))).stdout, /--storage-driver devicemapper/);
  assert.equal((await run(on('lb'), literal('docker info'))).exitCode, 127);
});

test('ip link show', async () => {
  const eth0 = await run(on('infra-node-0'), literal('ip link show eth0'));
  assert.match(eth0.stdout, /^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT/);
  assert.equal(eth0.stdout.trimEnd().split('\n').length, 2);
  const all = await run(on('infra-node-0'), literal('ip link show'));
  assert.match(all.stdout, /^\d+: tun0: .* mtu 1450 /m);
  const none = await run(on('infra-node-0'), literal('ip link show eth9'));
  assert.deepEqual([none.exitCode, none.stderr], [1, 'Device "eth9" does not exist.\n']);
});

test('ip -o link / -o addr / route show default, as iproute prints them', async () => {
  const links = await run(on('master-0'), literal('ip -o link show'));
  const ll = links.stdout.trimEnd().split('\n');
  assert.equal(ll.length, 7, 'one line per link');
  assert.match(
    ll[1]!,
    new RegExp(
      '^2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode ' +
        String.raw`DEFAULT group default qlen 1000\\ {4}link\/ether fa:16:3e:[0-9a-f:]{8} brd ` +
        'ff:ff:ff:ff:ff:ff$',
    ),
  );
  assert.match(links.stdout, /^7: tun0: .* mtu 1450 /m);
  const addrs = await run(on('master-0'), literal('ip -o addr show'));
  assert.match(
    addrs.stdout,
    /^2: eth0 {4}inet 10\.0\.0\.1\/24 brd 10\.0\.0\.255 scope global eth0\\ {7}valid_lft forever preferred_lft forever$/m,
  );
  assert.match(addrs.stdout, /^2: eth0 {4}inet6 fe80::f816:3eff:fe[0-9a-f]{2}:[0-9a-f]{1,4}\/64 scope link \\/m);
  assert.match(addrs.stdout, /^7: tun0 {4}inet 10\.128\.0\.1\/23 /m);
  assert.equal((await run(on('lb'), literal('ip -o -4 addr show'))).stdout.trimEnd().split('\n').length, 2, 'lo and eth0 only on the lb');
  const route = await run(on('app-node-0'), literal('ip route show default'));
  assert.equal(route.stdout, 'default via 10.0.0.253 dev eth0 proto static metric 100 \n');
  const nc = await run(on('app-node-0'), literal('cat /etc/origin/node/node-config.yaml'));
  assert.match(nc.stdout, /^networkConfig:\n {2}mtu: 1450\n {2}networkPluginName: redhat\/openshift-ovs-subnet$/m);
  assert.match(nc.stdout, /^ {2}- node-role\.kubernetes\.io\/compute=true$/m);
  assert.equal((await run(on('lb'), literal('cat /etc/origin/node/node-config.yaml'))).exitCode, 1);
});

test('cluster DNS: oc get svc -n default, dig +short on nodes (SkyDNS) and on the bastion', async () => {
  const svc = await run(bastion, literal('oc get svc -n default'));
  assert.match(svc.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/m);
  assert.match(svc.stdout, /^docker-registry\s+ClusterIP\s+172\.30\.150\.7\s+<none>\s+5000\/TCP\s+41d$/m);
  assert.match(svc.stdout, /^kubernetes\s+ClusterIP\s+172\.30\.0\.1\s+<none>\s+443\/TCP,53\/UDP,53\/TCP\s+41d$/m);
  assert.equal((await run(bastion, literal('oc get svc/router -n default'))).stdout.trimEnd().split('\n').length, 2);
  assert.equal((await run(bastion, literal('oc get svc nope -n default'))).exitCode, 1);
  assert.equal((await run(on('app-node-0'), literal('dig +short kubernetes.default.svc.cluster.local'))).stdout, '172.30.0.1\n');
  assert.equal((await run(on('master-2'), literal('dig +short docker-registry.default.svc.cluster.local'))).stdout, '172.30.150.7\n');
  const outside = await run(bastion, literal('dig +short kubernetes.default.svc.cluster.local'));
  assert.deepEqual([outside.exitCode, outside.stdout], [0, ''], 'NXDOMAIN outside the cluster: nothing, exit 0');
  assert.equal((await run(bastion, literal('dig +short master-1.demo.example.com'))).stdout, '10.0.0.2\n');
});

test('curl: registry service from a node, the registry route from the bastion, failures like curl 7.29', async () => {
  const reg = await run(on('app-node-0'), literal('curl -v --max-time 20 https://docker-registry.default.svc:5000/healthz'));
  assert.equal(reg.exitCode, 0);
  assert.match(reg.stderr, /^\* Initializing NSS with certpath: sql:\/etc\/pki\/nssdb$/m);
  assert.match(reg.stderr, /^\* SSL connection using /m);
  assert.match(reg.stderr, /^< HTTP\/1\.1 200 OK$/m);
  const route = await run(bastion, literal('curl -kv --max-time 20 https://docker-registry-default.apps.demo.example.com/healthz'));
  assert.equal(route.exitCode, 0);
  assert.match(route.stderr, /^\* Connected to docker-registry-default\.apps\.demo\.example\.com \(10\.0\.0\.10\) port 443 \(#0\)$/m);
  assert.match(route.stderr, /^\* skipping SSL peer certificate verification$/m);
  assert.match(route.stderr, /^> Host: docker-registry-default\.apps\.demo\.example\.com$/m);
  assert.match(route.stderr, /^< HTTP\/1\.1 200 OK$/m);
  const other = await run(bastion, literal('curl -kv https://nothing.apps.demo.example.com/'));
  assert.match(other.stderr, /^< HTTP\/1\.1 503 Service Unavailable$/m);
  const noK = await run(bastion, literal('curl -v https://docker-registry-default.apps.demo.example.com/healthz'));
  assert.equal(noK.exitCode, 60, 'the OpenShift CA is not trusted on the bastion');
  const api = await run(on('master-0'), literal('curl -sk --max-time 10 https://10.0.0.1:8443/healthz'));
  assert.deepEqual([api.exitCode, api.stdout, api.stderr], [0, 'ok\n', '']);
  const down = await run(on('master-0'), literal('curl -sk https://10.0.0.23:10250/healthz'));
  assert.deepEqual([down.exitCode, down.stderr], [7, ''], '-s hides the error');
  const downS = await run(on('master-0'), literal('curl -k https://10.0.0.23:10250/healthz'));
  assert.equal(downS.stderr, 'curl: (7) Failed connect to 10.0.0.23:10250; No route to host\n');
});

test('systemctl show: properties of a unit, not-found for one that is not there', async () => {
  const api = await run(
    on('master-0'),
    literal('systemctl show --property=LoadState,ActiveState,SubState atomic-openshift-master-api.service'),
  );
  assert.deepEqual([api.exitCode, api.stdout], [0, 'LoadState=loaded\nActiveState=active\nSubState=running\n']);
  const none = await run(on('app-node-0'), literal('systemctl show -p LoadState etcd.service'));
  assert.deepEqual([none.exitCode, none.stdout], [0, 'LoadState=not-found\n']);
});

test('iptables -S: the rules iptables.service loaded from /etc/sysconfig/iptables, as iptables prints them', async () => {
  const res = await run(on('master-0'), literal('iptables -S'));
  const lines = res.stdout.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    '-P INPUT ACCEPT',
    '-P FORWARD ACCEPT',
    '-P OUTPUT ACCEPT',
    '-N OS_FIREWALL_ALLOW',
    '-A INPUT -j OS_FIREWALL_ALLOW',
  ]);
  assert.ok(lines.includes('-A OS_FIREWALL_ALLOW -p tcp -m state --state NEW -m tcp --dport 2380 -j ACCEPT'));
  const rpm = await run(on('app-node-0'), literal('rpm -q iptables-services'));
  assert.equal(rpm.stdout, 'iptables-services-1.4.21-24.el7.x86_64\n');
});

test('iptables -N/-I/-A/-C change the live rules; iptables-save prints them; the saved file is not touched', async () => {
  const r = fast();
  try {
    const rule = '-p tcp -m state --state NEW -m tcp --dport 2379 -j ACCEPT';
    const say = (script: string) => r.run(on('app-node-0'), literal(script));
    const absent = await say(`iptables -C OS_FIREWALL_ALLOW ${rule}`);
    assert.deepEqual([absent.exitCode, absent.stderr], [1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n']);
    assert.equal((await say('iptables -N OS_FIREWALL_ALLOW')).stderr, 'iptables: Chain already exists.\n');
    assert.equal((await say('iptables -L NOPE -n')).exitCode, 1);
    assert.equal((await say(`iptables -A OS_FIREWALL_ALLOW ${rule} && iptables -C OS_FIREWALL_ALLOW ${rule}`)).exitCode, 0);
    assert.equal((await say('iptables -N X && iptables -t filter -I INPUT -j X')).exitCode, 0);
    const saved = (await say('iptables-save')).stdout.split('\n');
    assert.ok(saved.includes(`-A OS_FIREWALL_ALLOW ${rule}`) && saved.includes(':X - [0:0]'));
    assert.equal(
      saved.find((l) => l.startsWith('-A INPUT')),
      '-A INPUT -j X',
      '-I puts it first in its chain',
    );
    assert.doesNotMatch((await say('cat /etc/sysconfig/iptables')).stdout, /2379/);
  } finally {
    await r.close();
  }
});

test('tar: an old-style first word (tar czvf F …, tar xzvf F) as GNU tar takes it', async () => {
  const res = await run(
    on('master-0'),
    literal(
      'mkdir -p /tmp/a /tmp/b && echo x > /tmp/a/f && tar czf /tmp/a.tgz -C /tmp/a . && tar xzvf /tmp/a.tgz -C /tmp/b && cat /tmp/b/f',
    ),
  );
  assert.deepEqual([res.exitCode, res.stdout], [0, './\n./f\nx\n']);
});

test('shell: for/if/else, $var, bash -c positional parameters and /dev/tcp connects (the kubelet-port probe)', async () => {
  const connect = sh`timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$a" 10250 2>/dev/null`;
  const ips = ['10.0.0.1', '10.0.0.21', '10.0.0.23', '10.0.0.10'];
  const probe = sh`for a in ${ips}; do if ${connect}; then echo "open $a"; else echo "closed $a"; fi; done`;
  const r = await run(on('master-1'), probe);
  assert.deepEqual([r.exitCode, r.stdout, r.stderr], [0, 'open 10.0.0.1\nopen 10.0.0.21\nclosed 10.0.0.23\nclosed 10.0.0.10\n', '']);
  // no connection leaves the machine: the down host's address fails, and says which address it was
  const noRoute = await run(on('master-1'), literal("bash -c 'exec 3<>/dev/tcp/$1/$2' _ 10.0.0.23 10250"));
  assert.equal(noRoute.exitCode, 1);
  assert.match(noRoute.stderr, /\/dev\/tcp\/10\.0\.0\.23\/10250/);
  const ifOnly = await run(on('master-1'), literal('if false; then echo yes; fi; echo after'));
  assert.deepEqual([ifOnly.exitCode, ifOnly.stdout], [0, 'after\n']);
  const loop = await run(on('master-1'), literal('for h in a b; do echo "x $h"; done && echo end'));
  assert.equal(loop.stdout, 'x a\nx b\nend\n');
  const bad = await run(on('master-1'), literal('for h in a b; do echo $h'));
  assert.equal(bad.exitCode, 2);
});

test('simulateCommand is deterministic and every table rule has a unique id', () => {
  const r = fast();
  const a = simulateCommand(r.cluster, r.cluster.hosts[0], 'oc get nodes -o json');
  const b = simulateCommand(r.cluster, r.cluster.hosts[0], 'oc get nodes -o json');
  assert.deepEqual(a, b);
  assert.equal(new Set(DEMO_COMMANDS.map((c) => c.id)).size, DEMO_COMMANDS.length);
});
