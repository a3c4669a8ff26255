import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import type { Host } from '../inventory/types.js';
import { parseDockerStorageSysconfig } from '../ocp/lvm.js';
import { apiHealthCheck } from './api-health.js';
import { diskCheck } from './disk.js';
import { dockerStorageCheck } from './docker-storage.js';
import { entropyCheck } from './entropy.js';
import { kubeletPortCheck } from './kubelet-port.js';
import { mtuCheck } from './mtu.js';
import { CLOCK_SAMPLE, ntpCheck } from './ntp.js';
import {
  parseClockSample,
  parseDf,
  parseDockerInfo,
  parseDockerSize,
  parseEpochSeconds,
  parseIpLink,
  parseTimedatectl,
} from './parse/host.js';
import { skydnsCheck } from './skydns.js';
import { ctxOf, fixture, judge, judgeAcross, labInventory, out, TEST_NOW } from './test-helpers.js';
import type { CommandOutput, Verdict } from './types.js';

const inv = labInventory();
const ctx = ctxOf(inv);
const master = inv.hosts[0]!;
const node = inv.hosts[6]!;
const kubelets = inv.hosts.filter((h) => h.roles.includes('node') || h.roles.includes('master'));

/**
 * Clock samples as the health run records them, for a host whose clock is `offsetS` from the bastion's:
 * the batch handed over at TEST_NOW, the session's shell started `connectMs` later (a pooled connection's new channel),
 * each date taken after
 * the login shell (`loginMs`) 5 ms apart, each answer read `lagMs` after the date (a busy bastion reads
 * late). `age: false`: a host that printed its date only.
 */
function clocks(
  offsetS = 0,
  o: { connectMs?: number; loginMs?: number; lagMs?: number; age?: boolean } = {},
): Record<string, CommandOutput> {
  const { connectMs = 10, loginMs = 700, lagMs = 5, age = true } = o;
  const sessionStart = TEST_NOW + connectMs;
  const out: Record<string, CommandOutput> = {};
  [0, 1, 2].forEach((k) => {
    const t = sessionStart + loginMs + 5 * k; // real time of the date
    const uptime = Math.floor((1000 + (t - sessionStart) / 1000) * 100) / 100;
    const date = (t / 1000 + offsetS).toFixed(9);
    const stdout = age ? `${uptime.toFixed(2)}\n${date}\n100000\n100\n` : `${date}\n`;
    out[`clock${k + 1}`] = { stdout, stderr: '', exitCode: 0, sentAt: TEST_NOW, receivedAt: t + lagMs };
  });
  return out;
}

const ntp = (timedatectl: CommandOutput, h = master, clock = clocks()) => judge(ntpCheck, { timedatectl, ...clock }, h, ctx);

test('ntp: guide sample ok; newer systemd wording; disabled → fail fix-ntp; unsynchronised → warn; no systemd → error', () => {
  const ok = ntp(out(fixture('guide/timedatectl.txt')));
  assert.equal(ok.status, 'ok');
  assert.match(ok.message, /^NTP enabled and synchronised; clock 0\.0\d\d s (ahead of|behind) the bastion's \(± 0\.0\d\d s\)$/);
  assert.deepEqual(parseTimedatectl('System clock synchronized: yes\n              NTP service: active\n'), {
    ntpEnabled: true,
    synchronized: true,
  });
  const off = ntp(
    out(
      fixture('guide/timedatectl.txt')
        .replace('NTP enabled: yes', 'NTP enabled: no')
        .replace('NTP synchronized: yes', 'NTP synchronized: no'),
    ),
  );
  assert.equal(off.status, 'fail');
  assert.equal(off.fix?.procedure, 'fix-ntp');
  assert.equal(ntp(out('System clock synchronized: no\nNTP service: active\n'), node).status, 'warn');
  assert.equal(ntp(out('', 1, 'Failed to create bus connection: No such file or directory')).status, 'error');
});

test('ntp: "NTP synchronized: no" fails on an etcd member, warns on the other hosts', () => {
  const unsynced = out(fixture('guide/timedatectl.txt').replace('NTP synchronized: yes', 'NTP synchronized: no'));
  const etcd = ntp(unsynced);
  assert.equal(etcd.status, 'fail');
  assert.match(etcd.message, /not synchronised.*etcd member/);
  assert.equal(etcd.fix?.procedure, 'fix-ntp');
  assert.equal(ntp(unsynced, node).status, 'warn');
  assert.equal(ntp(unsynced, inv.hosts[3]!).status, 'warn'); // infra
});

test(
  "ntp clock offset: the host's date against the bastion's clock, round trip taken out; over 1 s warn, over 5 s fail, " +
    'naming host and offset',
  () => {
    const synced = out(fixture('guide/timedatectl.txt'));
    assert.deepEqual(parseEpochSeconds('1538644353.517281634\n'), { ms: 1538644353517.2817, resolutionMs: 0.000001 });
    assert.throws(() => parseEpochSeconds('Thu Oct  4 09:12:33 UTC 2018'), /not a date \+%s\.%N time/);
    assert.deepEqual(parseEpochSeconds('1538644353'), { ms: 1538644353000, resolutionMs: 1000 }); // a date without %N: good to a second
    // uptime 19881.01 s, the group leader started at tick 1987948 (100 a second): the session is 1.53 s old (less 20 ms rounding)
    const sample = parseClockSample('19881.01\n1796616661.995038137\n1987948\n100\n');
    assert.equal(sample.hostMs, 1796616661995.0381);
    assert.equal(Math.round(sample.sessionAgeMs), 1510);
    assert.equal(parseClockSample('1796616661.995038137\n').sessionAgeMs, 0);
    assert.throws(() => parseClockSample('sh: date: command not found\n'), /not a clock sample/);
    const ok = ntp(synced, node);
    assert.equal(ok.status, 'ok');
    const c = (v: Verdict) => (v.details as { clock: { offsetSeconds: number; uncertaintySeconds: number } }).clock;
    assert.ok(Math.abs(c(ok).offsetSeconds) < 0.02 && c(ok).uncertaintySeconds < 0.02, JSON.stringify(c(ok))); // the 700 ms login taken off
    // a new connection (300 ms before the session's shell starts) cannot be taken off: a wider bracket, still ok
    const fresh = ntp(synced, node, clocks(0, { connectMs: 300 }));
    assert.equal(fresh.status, 'ok');
    assert.ok(
      Math.abs(c(fresh).offsetSeconds) <= c(fresh).uncertaintySeconds && c(fresh).uncertaintySeconds < 0.2,
      JSON.stringify(c(fresh)),
    );
    const warn = ntp(synced, node, clocks(2.5));
    assert.equal(warn.status, 'warn');
    assert.match(
      warn.message,
      /^node-0\.example\.com's clock is 2\.5 s ahead of the bastion's \(± 0\.0\d\d s\): over 1 s; NTP enabled and synchronised$/,
    );
    assert.equal(warn.fix?.procedure, 'fix-ntp');
    const fail = ntp(synced, node, clocks(-12));
    assert.equal(fail.status, 'fail');
    assert.match(fail.message, /^node-0\.example\.com's clock is 12\.0 s behind the bastion's/);
    assert.equal(c(fail).offsetSeconds.toFixed(1), '-12.0');
    // a busy bastion that reads the answers 0.7 s late: a wider bracket, still around the truth, still ok
    const busy = ntp(synced, node, clocks(0, { lagMs: 700 }));
    assert.equal(busy.status, 'ok');
    assert.ok(Math.abs(c(busy).offsetSeconds) <= c(busy).uncertaintySeconds, JSON.stringify(c(busy)));
    // 1.5 s late: within 1 s cannot be told — warn, never ok, never a made-up skew
    const vague = ntp(synced, node, clocks(0, { lagMs: 1500 }));
    assert.equal(vague.status, 'warn');
    assert.match(
      vague.message,
      new RegExp(
        String.raw`^clock offset not measured within 1 s: about 0\.\d{3} s behind the bastion's, ± 0\.\d{3} ` +
          String.raw`s \(the bastion took 1\.\d s to time the quickest answer: busy\? run the check again\)`,
      ),
    );
    assert.equal(vague.again, true); // the health run measures again before settling on it
    assert.equal(ok.again, undefined);
    assert.equal(warn.again, undefined);
    assert.equal(ntp(synced, node, clocks(10, { lagMs: 1500 })).status, 'fail');
    // a host that printed only its date: the whole round trip is the bracket
    const dateOnly = ntp(synced, node, clocks(0, { connectMs: 50, loginMs: 100, age: false }));
    assert.equal(dateOnly.status, 'ok');
    assert.ok(c(dateOnly).uncertaintySeconds > 0.05, JSON.stringify(c(dateOnly)));
    // outside a health run (no send and answer times) the offset is not made up
    const noTimes = ntp(synced, node, {
      clock1: out('1538644353.517281634\n'),
      clock2: out('1538644353.517281634\n'),
      clock3: out('1538644353.517281634\n'),
    });
    assert.equal(noTimes.status, 'error');
    assert.match(noTimes.message, /clock offset not measured/);
    // a disabled NTP and a skew: the sync part speaks first, the status is fail
    const both = ntp(out(fixture('guide/timedatectl.txt').replace('NTP enabled: yes', 'NTP enabled: no')), node, clocks(30));
    assert.equal(both.status, 'fail');
    assert.match(both.message, /^NTP is not enabled .*; node-0\.example\.com's clock is 30\.0 s ahead/);
    assert.deepEqual(Object.keys(ntpCheck.commands(node, ctx)), ['timedatectl', 'clock1', 'clock2', 'clock3']);
  },
);

test('ntp clock sample: the command reads only, and what it prints on this Linux machine parses', () => {
  const script = ntpCheck.commands(node, ctx)['clock1']!.script;
  assert.equal(script, CLOCK_SAMPLE.script);
  assert.doesNotMatch(script, />|\brm\b|\bmv\b|\btee\b/);
  // in its own process group led by its shell, as sshd runs a session (a test runner's group leader may be gone)
  const printed = execFileSync('setsid', ['-w', 'sh', '-c', script], { encoding: 'utf8' });
  assert.match(printed, /^\d+\.\d{2}\n\d{10}\.\d{9}\n\d+\n\d+\n$/); // uptime, date, the leader's start tick, CLK_TCK
  const s = parseClockSample(printed);
  assert.ok(s.sessionAgeMs >= 0 && s.resolutionMs < 1, JSON.stringify(s));
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

test(
  "disk: docker on devicemapper — the thin pool's data and metadata use from docker info: 80% warn, 90% or below its " +
    'minimum free space fail',
  () => {
    const df = out(fixture('guide/df-node.txt'));
    const thin = fixture('rhel7/docker-info-devicemapper-thinpool.txt');
    assert.deepEqual(parseDockerInfo(thin).thinPool, {
      name: 'docker--vg-docker--pool',
      dataUsed: 21.47e9,
      dataTotal: 25.5e9,
      dataAvailable: 4.03e9,
      metadataUsed: 6.259e6,
      metadataTotal: 29.36e6,
      metadataAvailable: 23.1e6,
      minFreeSpace: 2.55e9,
    });
    assert.equal(parseDockerSize('390.6MB'), 390.6e6);
    assert.equal(parseDockerSize('0 B'), 0);
    assert.equal(diskCheck.commands(node, ctx)['docker']!.script, 'timeout 10 docker info');
    const disk = (info: CommandOutput) => judge(diskCheck, { df, docker: info }, node, ctx);
    // the fixture: 21.47 GB used, 4.03 GB available → 84%
    const w = disk(out(thin));
    assert.equal(w.status, 'warn');
    assert.equal(w.message, 'docker thin pool docker--vg-docker--pool: data 84% used (4.0 GB free), metadata 21% used (80% or more)');
    assert.equal(w.fix?.procedure, 'docker-storage-expand');
    const f = disk(
      out(
        thin
          .replace('Data Space Used: 21.47 GB', 'Data Space Used: 23.5 GB')
          .replace('Data Space Available: 4.03 GB', 'Data Space Available: 2 GB'),
      ),
    );
    assert.equal(f.status, 'fail');
    assert.match(
      f.message,
      /data 92% used \(2\.0 GB free\), metadata 21% used, below its minimum free space of 2\.5 GB — docker creates no more containers$/,
    );
    const meta = disk(
      out(
        thin
          .replace('Data Space Used: 21.47 GB', 'Data Space Used: 2.147 GB')
          .replace('Data Space Available: 4.03 GB', 'Data Space Available: 23.35 GB')
          .replace('Metadata Space Used: 6.259 MB', 'Metadata Space Used: 27.9 MB')
          .replace('Metadata Space Available: 23.1 MB', 'Metadata Space Available: 1.46 MB'),
      ),
    );
    assert.equal(meta.status, 'fail');
    assert.match(meta.message, /metadata 95% used .*read-only/);
    const fine = disk(
      out(
        thin
          .replace('Data Space Used: 21.47 GB', 'Data Space Used: 2.147 GB')
          .replace('Data Space Available: 4.03 GB', 'Data Space Available: 23.35 GB'),
      ),
    );
    assert.equal(fine.status, 'ok');
    assert.match(fine.message, /docker thin pool docker--vg-docker--pool: data 8% used \(23 GB free\), metadata 21% used/);
    // loop files on a small filesystem: the pool says 107.4 GB, the filesystem has 2.9 GB left → 80%
    const loop =
      'Storage Driver: devicemapper\n Pool Name: docker-253:0-1234567-pool\n Data Space Used: 11.8 GB\n Data Space ' +
      'Total: 107.4 GB\n Data Space Available: 2.9 GB\n Metadata Space Used: 581.6 kB\n Metadata Space Total: 2.147 ' +
      'GB\n Metadata Space Available: 2.147 GB\n Thin Pool Minimum Free Space: 10.74 GB\n';
    assert.equal(disk(out(loop)).status, 'fail'); // 2.9 GB free is below docker's 10.74 GB minimum
    // overlay2: nothing about a pool; docker absent: nothing either; docker info failing: warn, never a silent ok
    assert.equal(disk(out(fixture('guide/docker-info.txt'))).status, 'ok');
    assert.equal(disk(out('', 127, 'timeout: failed to run command ‘docker’: No such file or directory')).status, 'ok');
    const down = disk(out('', 1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'));
    assert.equal(down.status, 'warn');
    assert.match(down.message, /docker's thin pool not checked: docker info failed: Cannot connect to the Docker daemon/);
    assert.match(disk(out('', 124)).message, /docker info did not answer within 10 s/);
    // a size failure and a full pool: both said, fail
    const both = judge(
      diskCheck,
      {
        df: out(fixture('guide/df-master.txt').replace(' 45G', ' 25G')),
        docker: out(thin.replace('Data Space Available: 4.03 GB', 'Data Space Available: 1 GB')),
      },
      node,
      ctx,
    );
    assert.equal(both.status, 'fail');
    assert.match(both.message, /shares it.*; docker thin pool/);
  },
);

test('docker-storage: guide sample ok; devicemapper warn; loop fail; no docker skipped; daemon down error', () => {
  assert.deepEqual(parseDockerStorageSysconfig(fixture('guide/docker-storage.txt')), {
    options: '--storage-driver overlay2',
    storageDriver: 'overlay2',
  });
  const ok = judge(
    dockerStorageCheck,
    { info: out(fixture('guide/docker-info.txt')), sysconfig: out(fixture('guide/docker-storage.txt')) },
    node,
    ctx,
  );
  assert.equal(ok.status, 'ok');
  assert.equal(ok.message, 'overlay2 on xfs');
  const dm = fixture('guide/docker-info.txt').replace('Storage Driver: overlay2', 'Storage Driver: devicemapper');
  const w = judge(
    dockerStorageCheck,
    { info: out(dm), sysconfig: out('DOCKER_STORAGE_OPTIONS="--storage-driver devicemapper --storage-opt dm.fs=xfs"') },
    node,
    ctx,
  );
  assert.equal(w.status, 'warn');
  assert.equal(w.fix?.procedure, 'docker-storage-overlay2');
  assert.equal(
    judge(
      dockerStorageCheck,
      { info: out(`${dm} Data loop file: /var/lib/docker/devicemapper/devicemapper/data\n`), sysconfig: out('', 1) },
      node,
      ctx,
    ).status,
    'fail',
  );
  assert.equal(
    judge(dockerStorageCheck, { info: out('', 127, 'bash: docker: command not found'), sysconfig: out('', 1) }, node, ctx).status,
    'skipped',
  );
  assert.equal(
    judge(
      dockerStorageCheck,
      {
        info: out('', 1, 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?'),
        sysconfig: out(''),
      },
      node,
      ctx,
    ).status,
    'error',
  );
});

test('mtu: node mtu = interface − 50 ok; too big → fail fix-mtu; hang after NSS → fail', () => {
  assert.deepEqual(parseIpLink(fixture('guide/ip-link-eth0.txt')), [{ index: 2, name: 'eth0', up: true, mtu: 1500 }]);
  const pre = mtuCheck.pre!.parse({ registry: out('docker-registry.default.svc:5000\n') }, ctx);
  assert.deepEqual(pre, { registry: 'docker-registry.default.svc:5000' });
  assert.match(mtuCheck.commands(node, ctx, pre)['curl']!.script, /^curl -v --max-time 20 https.*healthz'?$/);
  const base = {
    links: out(
      `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue\n${fixture('guide/ip-link-eth0.txt')}5: tun0: ` +
        `<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue\n`,
    ),
    addrs: out('2: eth0    inet 10.0.2.1/24 brd 10.0.2.255 scope global eth0\\       valid_lft forever\n'),
    route: out('default via 10.0.2.254 dev eth0\n'),
    nodeConfig: out(fixture('guide/node-config.yaml')),
  };
  const ok = judge(mtuCheck, { ...base, curl: out('', 0, fixture('guide/curl-registry-healthz-ok.stderr')) }, node, ctx, pre);
  assert.equal(ok.status, 'ok');
  assert.match(ok.message, /eth0 1500, node mtu 1450; tun0 1450; registry \/healthz HTTP 200/);
  const big = judge(mtuCheck, { ...base, nodeConfig: out(fixture('guide/node-config.yaml').replace('1450', '1500')) }, node, ctx, pre);
  assert.equal(big.status, 'fail');
  assert.equal(big.fix?.procedure, 'fix-mtu');
  const hang = judge(mtuCheck, { ...base, curl: out('', 28, fixture('guide/curl-registry-healthz-mtu.stderr')) }, node, ctx, pre);
  assert.equal(hang.status, 'fail');
  assert.match(hang.message, /Initializing NSS/);
  const noReg = mtuCheck.pre!.parse(
    { registry: out('', 1, 'Error from server (NotFound): deploymentconfigs.apps.openshift.io "docker-registry" not found') },
    ctx,
  );
  assert.equal(mtuCheck.commands(node, ctx, noReg)['curl'], undefined);
  assert.equal(judge(mtuCheck, base, node, ctx, noReg).status, 'ok');
});

test("mtu: tun0 must have one MTU on all nodes: the odd one fails naming its value and the others'; no tun0 is said, not failed", () => {
  const pre = mtuCheck.pre!.parse({ registry: out('docker-registry.default.svc:5000\n') }, ctx);
  const outputs = (tun0: number | undefined) => ({
    links: out(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\   ' +
        ' link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n' +
        '2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc pfifo_fast state UP mode DEFAULT group default ' +
        'qlen 1000\\    link/ether fa:16:3e:8c:1a:2b brd ff:ff:ff:ff:ff:ff\n' +
        '3: ovs-system: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\ ' +
        '   link/ether 9a:5e:5e:9e:21:3c brd ff:ff:ff:ff:ff:ff\n' +
        '4: br0: <BROADCAST,MULTICAST> mtu 1450 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    ' +
        'link/ether 6e:d4:0f:3e:4d:47 brd ff:ff:ff:ff:ff:ff\n' +
        '5: vxlan_sys_4789: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 65000 qdisc noqueue master ovs-system state ' +
        'UNKNOWN mode DEFAULT group default qlen 1000\\    link/ether 2a:69:4d:42:d5:b2 brd ff:ff:ff:ff:ff:ff\n' +
        (tun0 === undefined
          ? ''
          : `6: tun0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu ${tun0} qdisc noqueue state UNKNOWN mode DEFAULT group ` +
            `default qlen 1000\\    link/ether 72:5c:a4:8e:d6:1f brd ff:ff:ff:ff:ff:ff\n`),
    ),
    addrs: out('2: eth0    inet 10.0.2.1/24 brd 10.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever\n'),
    route: out('default via 10.0.2.254 dev eth0 proto static metric 100\n'),
    nodeConfig: out(fixture('guide/node-config.yaml')),
    curl: out('', 0, fixture('guide/curl-registry-healthz-ok.stderr')),
  });
  const nodes = inv.hosts.filter((h) => h.roles.includes('node'));
  const same = judgeAcross(
    mtuCheck,
    nodes.map((h) => [h, outputs(1450)]),
    ctx,
    pre,
  );
  for (const h of nodes) assert.equal(same.get(h.name)!.status, 'ok', same.get(h.name)!.message);
  // node-1 was not restarted after networkConfig.mtu changed: its tun0 kept the old 1400
  const odd = judgeAcross(
    mtuCheck,
    nodes.map((h) => [h, outputs(h.name === 'node-1.example.com' ? 1400 : 1450)]),
    ctx,
    pre,
  );
  const n1 = odd.get('node-1.example.com')!;
  assert.equal(n1.status, 'fail');
  assert.match(
    n1.message,
    new RegExp(
      String.raw`^tun0 MTU 1400 here, 1450 on the other nodes \(master-0\.example\.com, master-1\.example\.com, ` +
        String.raw`master-2\.example\.com, infra-0\.example\.com and 4 more\): tun0 must be the same everywhere`,
    ),
  );
  assert.equal(n1.fix?.procedure, 'fix-mtu');
  for (const h of nodes.filter((x) => x.name !== 'node-1.example.com')) assert.equal(odd.get(h.name)!.status, 'ok', h.name);
  // no majority: every node says what the others have
  const two = nodes.slice(0, 2);
  const tie = judgeAcross(
    mtuCheck,
    [
      [two[0]!, outputs(1450)],
      [two[1]!, outputs(1400)],
    ],
    ctx,
    pre,
  );
  for (const h of two) {
    assert.equal(tie.get(h.name)!.status, 'fail');
    assert.match(
      tie.get(h.name)!.message,
      new RegExp(
        String.raw`tun0 MTU differs between the nodes \(1450 on master-0\.example\.com; 1400 on master-1\.example\.com\)|tun0 ` +
          String.raw`MTU differs between the nodes \(1400 on master-1\.example\.com; 1450 on master-0\.example\.com\)`,
      ),
    );
  }
  // an unreachable node has no facts and keeps its own error; a node without tun0 is not compared, and says so
  const down = { status: 'error' as const, message: 'ssh: connect to host node-2.example.com port 22: No route to host' };
  const mixed = judgeAcross(
    mtuCheck,
    [
      [nodes[0]!, outputs(1450)],
      [nodes[1]!, outputs(undefined)],
      [node, down],
    ],
    ctx,
    pre,
  );
  assert.equal(mixed.get(nodes[0]!.name)!.status, 'ok');
  assert.equal(mixed.get(nodes[1]!.name)!.status, 'ok');
  assert.match(mixed.get(nodes[1]!.name)!.message, /no tun0 here \(the SDN interface: not compared\)/);
  assert.deepEqual(mixed.get(node.name), down);
});

test('skydns: resolves to the service IP (guide) ok; wrong IP / nothing → fail; dig missing → error', () => {
  const svc =
    'NAME              CLUSTER-IP     EXTERNAL-IP   PORT(S)                 AGE\ndocker-registry   172.30.150.7   ' +
    '<none>        5000/TCP                3d\nkubernetes        172.30.0.1     <none>        443/TCP,53/UDP,53/TCP   3d\n';
  const pre = skydnsCheck.pre!.parse({ svc: out(svc) }, ctx);
  assert.deepEqual(pre.clusterIPs, { 'docker-registry': '172.30.150.7', kubernetes: '172.30.0.1' });
  assert.deepEqual(Object.keys(skydnsCheck.commands(node, ctx, pre)), ['docker-registry', 'kubernetes']);
  const ok = judge(
    skydnsCheck,
    { 'docker-registry': out(fixture('guide/dig-short-registry.txt')), kubernetes: out('172.30.0.1\n') },
    node,
    ctx,
    pre,
  );
  assert.equal(ok.status, 'ok');
  assert.equal(
    judge(skydnsCheck, { 'docker-registry': out('172.30.9.9\n'), kubernetes: out('172.30.0.1\n') }, node, ctx, pre).status,
    'fail',
  );
  assert.equal(
    judge(
      skydnsCheck,
      { 'docker-registry': out(';; connection timed out; no servers could be reached\n', 9), kubernetes: out('') },
      node,
      ctx,
      pre,
    ).status,
    'fail',
  );
  assert.equal(
    judge(skydnsCheck, { 'docker-registry': out('', 127, 'sh: dig: not found'), kubernetes: out('', 127) }, node, ctx, pre).status,
    'error',
  );
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

test('kubelet-port: masters probe every kubelet, other nodes their own; all open → every node ok, from all 3 masters', () => {
  const script = kubeletPortCheck.commands(master, ctx)['probe']!.script;
  assert.match(
    script,
    /for a in 127\.0\.8\.1 127\.0\.8\.2 127\.0\.8\.3 10\.0\.1\.1 10\.0\.1\.2 10\.0\.1\.3 10\.0\.2\.1 10\.0\.2\.2 10\.0\.2\.3; do/,
  );
  assert.match(kubeletPortCheck.commands(node, ctx)['probe']!.script, /^for a in 10\.0\.2\.1; do/);
  const all = kubelets.map((h) => `open ${h.vars['openshift_ip']}`).join('\n');
  const v = judgeAcross(
    kubeletPortCheck,
    kubelets.map((h) => [h, { probe: out(h.roles.includes('master') ? all : `open ${h.vars['openshift_ip']}`) }]),
    ctx,
  );
  for (const h of kubelets) assert.equal(v.get(h.name)!.status, 'ok', `${h.name}: ${v.get(h.name)!.message}`);
  assert.equal(v.get('node-1.example.com')!.message, 'tcp/10250 reachable from all 3 masters');
});

/** The probe outputs when `bad` addresses are closed for `from` (the masters, or the node itself). */
function kubeletProbes(
  closed: (from: string, addr: string) => boolean,
  down: Record<string, Verdict> = {},
): [Host, Record<string, CommandOutput> | Verdict][] {
  return kubelets.map((h) => {
    if (down[h.name]) return [h, down[h.name]!];
    const targets = h.roles.includes('master') ? kubelets.map((k) => k.vars['openshift_ip']!) : [h.vars['openshift_ip']!];
    return [h, { probe: out(targets.map((a) => `${closed(h.name, a) ? 'closed' : 'open'} ${a}`).join('\n')) }];
  });
}

test('kubelet-port: a NotReady node (node service down: nothing listens) fails once, on its own row; the masters are ok', () => {
  const v = judgeAcross(
    kubeletPortCheck,
    kubeletProbes((_from, a) => a === '10.0.2.3'),
    ctx,
  );
  const n2 = v.get('node-2.example.com')!;
  assert.equal(n2.status, 'fail');
  assert.match(
    n2.message,
    new RegExp(
      String.raw`^nothing answers on tcp\/10250 of node-2\.example\.com itself: its kubelet ` +
        String.raw`is not listening \(atomic-openshift-node down\?\) — the node goes NotReady$`,
    ),
  );
  assert.match(n2.fix!.text, /systemctl status atomic-openshift-node/);
  for (const h of kubelets.filter((x) => x.name !== 'node-2.example.com'))
    assert.equal(v.get(h.name)!.status, 'ok', `${h.name}: ${v.get(h.name)!.message}`);
});

test('kubelet-port: a node unreachable over SSH keeps its own error (once), with what the masters saw; the masters are ok', () => {
  const noRoute: Verdict = { status: 'error', message: 'ssh: connect to host node-2.example.com port 22: No route to host' };
  const v = judgeAcross(
    kubeletPortCheck,
    kubeletProbes((_from, a) => a === '10.0.2.3', { 'node-2.example.com': noRoute }),
    ctx,
  );
  assert.equal(v.get('node-2.example.com')!.status, 'error');
  assert.equal(
    v.get('node-2.example.com')!.message,
    'ssh: connect to host node-2.example.com port 22: No route to host; the masters cannot reach its tcp/10250 either',
  );
  for (const m of inv.hosts.filter((h) => h.roles.includes('master'))) assert.equal(v.get(m.name)!.status, 'ok', v.get(m.name)!.message);
});

test(
  'kubelet-port: listening but blocked from one master → fail on the node naming that master; a master that could not ' +
    'be asked is named, not failed',
  () => {
    const fw = judgeAcross(
      kubeletPortCheck,
      kubeletProbes((from, a) => from === 'master-1.example.com' && a === '10.0.2.2'),
      ctx,
    );
    const n1 = fw.get('node-1.example.com')!;
    assert.equal(n1.status, 'fail');
    assert.equal(
      n1.message,
      'tcp/10250 is open on node-1.example.com but master-1.example.com cannot reach it (a firewall between them?); ' +
        'master-0.example.com and master-2.example.com can',
    );
    assert.match(n1.fix!.text, /OS_FIREWALL_ALLOW/);
    assert.equal(fw.get('master-1.example.com')!.status, 'ok');
    const m1down: Verdict = { status: 'error', message: 'ssh: connect to host master-1.example.com port 22: Connection refused' };
    const partial = judgeAcross(
      kubeletPortCheck,
      kubeletProbes(() => false, { 'master-1.example.com': m1down }),
      ctx,
    );
    assert.equal(partial.get('node-0.example.com')!.status, 'ok');
    assert.equal(
      partial.get('node-0.example.com')!.message,
      'tcp/10250 reachable from master-0.example.com and master-2.example.com (not probed from master-1.example.com: not reachable)',
    );
    // master-1's own row: its SSH error, and what the other masters saw of its kubelet
    assert.equal(
      partial.get('master-1.example.com')!.message,
      'ssh: connect to host master-1.example.com port 22: Connection refused; its tcp/10250: reachable from ' +
        'master-0.example.com and master-2.example.com',
    );
    // --limit to one node: no master in the run → warn, never a silent ok
    const alone = judgeAcross(kubeletPortCheck, [[node, { probe: out('open 10.0.2.1') }]], ctx);
    assert.equal(alone.get(node.name)!.status, 'warn');
    assert.match(alone.get(node.name)!.message, /not probed from any master: no master is in this run/);
  },
);
