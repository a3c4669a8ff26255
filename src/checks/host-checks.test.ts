import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiHealthCheck } from './api-health.js';
import { diskCheck } from './disk.js';
import { dockerStorageCheck } from './docker-storage.js';
import { entropyCheck } from './entropy.js';
import { kubeletPortCheck } from './kubelet-port.js';
import { mtuCheck } from './mtu.js';
import { ntpCheck } from './ntp.js';
import { skydnsCheck } from './skydns.js';
import { parseDf, parseDockerStorageSysconfig, parseIpLink, parseNodeConfigMtu, parseTimedatectl } from './parse/host.js';
import { ctxOf, fixture, judge, labInventory, out } from './test-helpers.js';

const inv = labInventory();
const ctx = ctxOf(inv);
const master = inv.hosts[0]!;
const node = inv.hosts[6]!;

test('ntp: guide sample ok; newer systemd wording; disabled → fail fix-ntp; unsynchronised → warn; no systemd → error', () => {
  assert.equal(judge(ntpCheck, { timedatectl: out(fixture('guide/timedatectl.txt')) }, master, ctx).status, 'ok');
  assert.deepEqual(parseTimedatectl('System clock synchronized: yes\n              NTP service: active\n'), { ntpEnabled: true, synchronized: true });
  const off = judge(ntpCheck, { timedatectl: out(fixture('guide/timedatectl.txt').replace('NTP enabled: yes', 'NTP enabled: no').replace('NTP synchronized: yes', 'NTP synchronized: no')) }, master, ctx);
  assert.equal(off.status, 'fail');
  assert.equal(off.fix?.procedure, 'fix-ntp');
  assert.equal(judge(ntpCheck, { timedatectl: out('System clock synchronized: no\nNTP service: active\n') }, node, ctx).status, 'warn');
  assert.equal(judge(ntpCheck, { timedatectl: out('', 1, 'Failed to create bus connection: No such file or directory') }, master, ctx).status, 'error');
});

test('ntp: "NTP synchronized: no" fails on an etcd member, warns on the other hosts', () => {
  const unsynced = out(fixture('guide/timedatectl.txt').replace('NTP synchronized: yes', 'NTP synchronized: no'));
  const etcd = judge(ntpCheck, { timedatectl: unsynced }, master, ctx);
  assert.equal(etcd.status, 'fail');
  assert.match(etcd.message, /not synchronised.*etcd member/);
  assert.equal(etcd.fix?.procedure, 'fix-ntp');
  assert.equal(judge(ntpCheck, { timedatectl: unsynced }, node, ctx).status, 'warn');
  assert.equal(judge(ntpCheck, { timedatectl: unsynced }, inv.hosts[3]!, ctx).status, 'warn'); // infra
});

test('entropy: 500 warn, 900 ok below ideal, 3000 ok, 256 on kernel ≥ 5.18 ok, garbage → error', () => {
  const e = (n: string, kernel = '3.10.0-693.el7.x86_64') => judge(entropyCheck, { entropy: out(n), kernel: out(kernel) }, master, ctx);
  assert.equal(e('500\n').status, 'warn');
  assert.equal(e('500\n').fix?.procedure, 'fix-entropy');
  const mid = e('900\n');
  assert.equal(mid.status, 'ok');
  assert.match(mid.message, /below the ideal 1000/);
  assert.equal(e('3000\n').status, 'ok');
  assert.equal(e('2683\n').message, 'entropy 2683 available');
  assert.equal(e('256\n', '6.1.0-18-amd64').status, 'ok');
  assert.equal(e('256\n').status, 'warn');
  assert.equal(e('lots').status, 'error');
});

test('disk: guide samples; below thresholds; docker sharing /var', () => {
  const fs = parseDf(fixture('guide/df-node.txt'));
  assert.equal(fs.length, 8);
  assert.equal(fs[0]!.sizeBytes, 25 * 2 ** 30);
  assert.equal(judge(diskCheck, { df: out(fixture('guide/df-master.txt')) }, master, ctx).status, 'ok');
  const n = judge(diskCheck, { df: out(fixture('guide/df-node.txt')) }, node, ctx);
  assert.equal(n.status, 'ok');
  assert.match(n.message, /\/var\/lib\/docker 27 GB/);
  // a master with a 30 GB / that holds /var
  const small = judge(diskCheck, { df: out(fixture('guide/df-master.txt').replace(' 45G', ' 30G')) }, master, ctx);
  assert.equal(small.status, 'fail');
  assert.match(small.message, /masters need ≥ 40 GB/);
  // node: docker on / with 25G → shares /var, needs 30
  const shared = judge(diskCheck, { df: out(fixture('guide/df-master.txt').replace(' 45G', ' 25G')) }, node, ctx);
  assert.equal(shared.status, 'fail');
  assert.match(shared.message, /shares it/);
  // exact bytes from df -PT -B1; docker 10 GB → fail
  const b1 =
    'Filesystem     Type      1-blocks        Used   Available Capacity Mounted on\n' +
    '/dev/sda1      xfs    53687091200  1000000000 52687091200       2% /\n' +
    '/dev/sdb       xfs    10737418240   100000000 10637418240       1% /var/lib/docker\n';
  const d = judge(diskCheck, { df: out(b1) }, node, ctx);
  assert.equal(d.status, 'fail');
  assert.match(d.message, /\/var\/lib\/docker is 11 GB, needs ≥ 15 GB/);
  const full = judge(diskCheck, { df: out(b1.replace('      2% /\n', '     95% /\n').replace('10737418240', '53687091200')) }, node, ctx);
  assert.equal(full.status, 'warn');
});

test('docker-storage: guide sample ok; devicemapper warn; loop fail; no docker skipped; daemon down error', () => {
  assert.deepEqual(parseDockerStorageSysconfig(fixture('guide/docker-storage.txt')), { options: '--storage-driver overlay2', storageDriver: 'overlay2' });
  const ok = judge(dockerStorageCheck, { info: out(fixture('guide/docker-info.txt')), sysconfig: out(fixture('guide/docker-storage.txt')) }, node, ctx);
  assert.equal(ok.status, 'ok');
  assert.equal(ok.message, 'overlay2 on xfs');
  const dm = fixture('guide/docker-info.txt').replace('Storage Driver: overlay2', 'Storage Driver: devicemapper');
  const w = judge(dockerStorageCheck, { info: out(dm), sysconfig: out('DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs"') }, node, ctx);
  assert.equal(w.status, 'warn');
  assert.equal(w.fix?.procedure, 'docker-storage-overlay2');
  assert.equal(judge(dockerStorageCheck, { info: out(dm + ' Data loop file: /var/lib/docker/devicemapper/devicemapper/data\n'), sysconfig: out('', 1) }, node, ctx).status, 'fail');
  assert.equal(judge(dockerStorageCheck, { info: out('', 127, 'bash: docker: command not found'), sysconfig: out('', 1) }, node, ctx).status, 'skipped');
  assert.equal(judge(dockerStorageCheck, { info: out('', 1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'), sysconfig: out('') }, node, ctx).status, 'error');
});

test('mtu: node mtu = interface − 50 ok; too big → fail fix-mtu; hang after NSS → fail', () => {
  assert.deepEqual(parseIpLink(fixture('guide/ip-link-eth0.txt')), [{ index: 2, name: 'eth0', up: true, mtu: 1500 }]);
  assert.equal(parseNodeConfigMtu(fixture('guide/node-config.yaml')), 1450);
  assert.equal(parseNodeConfigMtu('networkConfig:\n  networkPluginName: x\nmtu: 9000\n'), undefined);
  const pre = mtuCheck.pre!.parse({ registry: out('docker-registry.default.svc:5000\n') }, ctx);
  assert.deepEqual(pre, { registry: 'docker-registry.default.svc:5000' });
  assert.match(mtuCheck.commands(node, ctx, pre)['curl']!.script, /^curl -v --max-time 20 https.*healthz'?$/);
  const base = {
    links: out('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n' + fixture('guide/ip-link-eth0.txt') + '5: tun0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue\n'),
    addrs: out('2: eth0    inet 10.0.2.1/24 brd 10.0.2.255 scope global eth0\\       valid_lft forever\n'),
    route: out('default via 10.0.2.254 dev eth0\n'),
    nodeConfig: out(fixture('guide/node-config.yaml')),
  };
  const ok = judge(mtuCheck, { ...base, curl: out('', 0, fixture('guide/curl-registry-healthz-ok.stderr')) }, node, ctx, pre);
  assert.equal(ok.status, 'ok');
  assert.match(ok.message, /eth0 1500, node mtu 1450; registry \/healthz HTTP 200/);
  const big = judge(mtuCheck, { ...base, nodeConfig: out(fixture('guide/node-config.yaml').replace('1450', '1500')) }, node, ctx, pre);
  assert.equal(big.status, 'fail');
  assert.equal(big.fix?.procedure, 'fix-mtu');
  const hang = judge(mtuCheck, { ...base, curl: out('', 28, fixture('guide/curl-registry-healthz-mtu.stderr')) }, node, ctx, pre);
  assert.equal(hang.status, 'fail');
  assert.match(hang.message, /Initializing NSS/);
  const noReg = mtuCheck.pre!.parse({ registry: out('', 1, 'Error from server (NotFound): deploymentconfigs.apps.openshift.io "docker-registry" not found') }, ctx);
  assert.equal(mtuCheck.commands(node, ctx, noReg)['curl'], undefined);
  assert.equal(judge(mtuCheck, base, node, ctx, noReg).status, 'ok');
});

test('skydns: resolves to the service IP (guide) ok; wrong IP / nothing → fail; dig missing → error', () => {
  const svc = 'NAME              CLUSTER-IP     EXTERNAL-IP   PORT(S)                 AGE\ndocker-registry   172.30.150.7   <none>        5000/TCP                3d\nkubernetes        172.30.0.1     <none>        443/TCP,53/UDP,53/TCP   3d\n';
  const pre = skydnsCheck.pre!.parse({ svc: out(svc) }, ctx);
  assert.deepEqual(pre.clusterIPs, { 'docker-registry': '172.30.150.7', kubernetes: '172.30.0.1' });
  assert.deepEqual(Object.keys(skydnsCheck.commands(node, ctx, pre)), ['docker-registry', 'kubernetes']);
  const ok = judge(skydnsCheck, { 'docker-registry': out(fixture('guide/dig-short-registry.txt')), kubernetes: out('172.30.0.1\n') }, node, ctx, pre);
  assert.equal(ok.status, 'ok');
  assert.equal(judge(skydnsCheck, { 'docker-registry': out('172.30.9.9\n'), kubernetes: out('172.30.0.1\n') }, node, ctx, pre).status, 'fail');
  assert.equal(judge(skydnsCheck, { 'docker-registry': out(';; connection timed out; no servers could be reached\n', 9), kubernetes: out('') }, node, ctx, pre).status, 'fail');
  assert.equal(judge(skydnsCheck, { 'docker-registry': out('', 127, 'sh: dig: not found'), kubernetes: out('', 127) }, node, ctx, pre).status, 'error');
});

test('api-health: active + ok + version → ok; inactive unit → fail; 3.10 static pod (no unit) uses healthz', () => {
  const v = (unit: string, healthz = out('ok')) =>
    judge(apiHealthCheck, { unit: out(unit), healthz, version: out(fixture('guide/curl-version.txt')) }, master, ctx);
  const ok = v('LoadState=loaded\nActiveState=active\nSubState=running\n');
  assert.equal(ok.status, 'ok');
  assert.match(ok.message, /v1\.6\.1\+5115d708d7/);
  assert.equal(v('LoadState=loaded\nActiveState=failed\nSubState=failed\n').status, 'fail');
  assert.equal(v('LoadState=not-found\nActiveState=inactive\nSubState=dead\n').status, 'ok');
  assert.equal(v('LoadState=not-found\nActiveState=inactive\nSubState=dead\n', out('', 7)).status, 'fail');
});

test('kubelet-port: all open ok; a closed node → fail naming it', () => {
  const script = kubeletPortCheck.commands(master, ctx)['probe']!.script;
  assert.match(script, /for a in 127\.0\.8\.1 127\.0\.8\.2/);
  const lines = inv.hosts.filter((h) => h.roles.includes('node')).map((h) => `open ${h.vars['openshift_ip']}`);
  assert.equal(judge(kubeletPortCheck, { probe: out(lines.join('\n')) }, master, ctx).status, 'ok');
  const bad = judge(kubeletPortCheck, { probe: out(lines.join('\n').replace('open 10.0.2.3', 'closed 10.0.2.3')) }, master, ctx);
  assert.equal(bad.status, 'fail');
  assert.match(bad.message, /node-2\.example\.com/);
});
