// Integration test of the lab itself (real sshd per host, real TLS etcd 3.4 on the masters).
// Run against a lab that is already up:
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/lab/lab.test.ts
// Fails (never skips) when LAB_DIR is unset or no lab is running there. Leaves the lab as it found it.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

interface LabHost {
  name: string;
  address: string;
  roles: string[];
  root: string;
  sshdPid: number;
}
interface Lab {
  dir: string;
  hosts: LabHost[];
  etcd: { endpoints: string[]; caCert: string; clientCert: string; clientKey: string };
}
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

const LAB_SH = join(dirname(fileURLToPath(import.meta.url)), 'lab.sh');
const labDir = process.env.LAB_DIR ?? '';
let lab: Lab;
let masters: LabHost[];

function run(file: string, args: string[], timeoutMs = 60_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
/** one command on a lab host, through plain `ssh -F $LAB_DIR/ssh_config` */
function ssh(host: string, command: string, timeoutMs?: number): Promise<Result> {
  return run('ssh', ['-F', join(labDir, 'ssh_config'), host, command], timeoutMs);
}
async function sshOk(host: string, command: string): Promise<string> {
  const r = await ssh(host, command);
  assert.equal(r.code, 0, `${host}: '${command}' exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
/** poll until check() passes or the deadline is reached; the last failure is reported */
async function eventually(what: string, check: () => Promise<void>, deadlineMs = 60_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`${what}: not reached within ${deadlineMs / 1000} s; last failure: ${String(last)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
async function assertEtcdHealthy(via: LabHost): Promise<void> {
  const v2 = await ssh(via.name, 'etcdctl2 cluster-health');
  assert.equal(v2.code, 0, `v2 cluster-health failed: ${v2.stdout}${v2.stderr}`);
  assert.match(v2.stdout, /cluster is healthy/);
  assert.equal((v2.stdout.match(/is healthy: got healthy result/g) ?? []).length, masters.length, v2.stdout);
  const eps = lab.etcd.endpoints.join(',');
  const v3 = await ssh(via.name, `etcdctl3 --endpoints=${eps} endpoint health`);
  assert.equal(v3.code, 0, `v3 endpoint health failed: ${v3.stdout}${v3.stderr}`);
  for (const ep of lab.etcd.endpoints) {
    assert.match(v3.stdout + v3.stderr, new RegExp(`${ep.replace(/\./g, '\\.')} is healthy`));
  }
}

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: start a lab with `bash test/lab/lab.sh up --dir DIR` and run with LAB_DIR=DIR');
  const json = join(labDir, 'lab.json');
  assert.ok(existsSync(json), `no lab in ${labDir} (${json} is missing): run \`bash test/lab/lab.sh up --dir ${labDir}\` first`);
  lab = JSON.parse(readFileSync(json, 'utf8')) as Lab;
  const status = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(status.code, 0, `the lab in ${labDir} is not (fully) up:\n${status.stdout}${status.stderr}`);
  masters = lab.hosts.filter((h) => h.roles.includes('etcd'));
});

test('lab files exist: inventory, known_hosts, ssh_config, key', () => {
  for (const f of ['hosts.ini', 'known_hosts', 'ssh_config', 'id_ed25519', 'id_ed25519.pub']) {
    assert.ok(existsSync(join(labDir, f)), `${f} missing in ${labDir}`);
  }
  const inv = readFileSync(join(labDir, 'hosts.ini'), 'utf8');
  for (const h of lab.hosts) assert.match(inv, new RegExp(`^${h.name} ansible_host=${h.address.replace(/\./g, '\\.')}`, 'm'));
  const kh = readFileSync(join(labDir, 'known_hosts'), 'utf8');
  for (const h of lab.hosts) assert.ok(kh.includes(`${h.name},${h.address} ssh-ed25519 `), `known_hosts lacks ${h.name}`);
});

test('every host answers over ssh and has its own host name', async () => {
  await Promise.all(
    lab.hosts.map(async (h) => {
      assert.equal((await sshOk(h.name, 'hostname')).trim(), h.name);
      // by address as well: the known_hosts line lists both
      const r = await run('ssh', ['-F', join(labDir, 'ssh_config'), '-o', `HostKeyAlias=${h.name}`, h.address, 'hostname']);
      assert.equal(r.stdout.trim(), h.name, r.stderr);
    }),
  );
});

test('each host sees its own /etc/etcd; /var/lib/etcd is a mount point on the masters', async () => {
  assert.ok(masters.length >= 1, 'this lab has no etcd members; the lab test needs the default lab (3 masters)');
  const names = await Promise.all(masters.map((m) => sshOk(m.name, 'grep ^ETCD_NAME= /etc/etcd/etcd.conf')));
  for (const [i, m] of masters.entries()) assert.equal(names[i]!.trim(), `ETCD_NAME=${m.name}`);
  assert.equal(new Set(names).size, masters.length);
  for (const m of masters) {
    const r = await ssh(m.name, 'mountpoint -q /var/lib/etcd && stat -c %U /var/lib/etcd');
    assert.equal(r.code, 0, `${m.name}: /var/lib/etcd is not a mount point`);
    assert.equal(r.stdout.trim(), 'etcd');
  }
  const other = lab.hosts.find((h) => !h.roles.includes('etcd'));
  if (other) {
    const r = await ssh(other.name, 'test -e /etc/etcd/etcd.conf');
    assert.notEqual(r.code, 0, `${other.name} should not see a master's etcd.conf`);
  }
});

test('etcd is healthy through v2 cluster-health and v3 endpoint health', async () => {
  assert.ok(masters.length >= 1, 'this lab has no etcd members');
  await eventually('etcd healthy', () => assertEtcdHealthy(masters[0]!));
});

test('the fingerprint is stable across two calls', async () => {
  const a = await run('bash', [LAB_SH, 'fingerprint', '--dir', labDir]);
  const b = await run('bash', [LAB_SH, 'fingerprint', '--dir', labDir]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout.trim(), /^[0-9a-f]{64}$/);
  assert.equal(a.stdout, b.stdout);
});

test('systemd drop-ins take effect only after daemon-reload', async () => {
  const m = masters[0]!.name;
  const dropin = '/etc/systemd/system/etcd.service.d/lab-test.conf';
  try {
    await sshOk(m, `mkdir -p /etc/systemd/system/etcd.service.d && printf '[Service]\\nLimitNOFILE=4096\\n' > ${dropin}`);
    const changed = await ssh(m, 'systemctl status etcd');
    assert.match(
      changed.stdout + changed.stderr,
      /Warning: etcd\.service changed on disk\. Run 'systemctl daemon-reload' to reload units\./,
    );
    assert.equal((await sshOk(m, 'systemctl show etcd -p NeedDaemonReload')).trim(), 'NeedDaemonReload=yes');
    await sshOk(m, 'systemctl daemon-reload');
    const reloaded = await ssh(m, 'systemctl status etcd');
    assert.doesNotMatch(reloaded.stdout + reloaded.stderr, /changed on disk/);
    assert.match(reloaded.stdout, /Drop-In: \/etc\/systemd\/system\/etcd\.service\.d/);
    assert.match(reloaded.stdout, /lab-test\.conf/);
    // the guide's recipe yields a working ExecStart line
    const line = await sshOk(m, `sed -n '/ExecStart/s/"$/ --force-new-cluster"/p' /usr/lib/systemd/system/etcd.service`);
    assert.equal(line.trim(), 'ExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd --force-new-cluster"');
  } finally {
    await ssh(m, `rm -f ${dropin}; rmdir /etc/systemd/system/etcd.service.d 2>/dev/null; systemctl daemon-reload`);
  }
  const after = await ssh(m, 'systemctl status etcd');
  assert.doesNotMatch(after.stdout + after.stderr, /changed on disk|lab-test/);
});

test('systemctl stop/is-active/start really stop and start etcd', async () => {
  const m = masters[masters.length - 1]!;
  try {
    await sshOk(m.name, 'systemctl stop etcd');
    const inactive = await ssh(m.name, 'systemctl is-active etcd');
    assert.equal(inactive.stdout.trim(), 'inactive');
    assert.equal(inactive.code, 3);
    const status = await ssh(m.name, 'systemctl status etcd');
    assert.equal(status.code, 3);
    assert.match(status.stdout, /Active: inactive \(dead\)/);
    // nothing listens on its client port any more
    const ss = await ssh(m.name, `ss -Hltn 'src ${m.address}:2379' 2>/dev/null`);
    assert.equal(ss.stdout.trim(), '', `still listening: ${ss.stdout}`);
  } finally {
    const start = await ssh(m.name, 'systemctl start etcd');
    assert.equal(start.code, 0, `systemctl start etcd failed: ${start.stderr}`);
  }
  const active = await ssh(m.name, 'systemctl is-active etcd');
  assert.equal(active.stdout.trim(), 'active');
  assert.equal(active.code, 0);
  assert.match(await sshOk(m.name, 'systemctl status etcd'), /Active: active \(running\) since .*\n Main PID: \d+ \(etcd\)/);
  assert.match(await sshOk(m.name, 'journalctl -u etcd.service -n 50 --no-pager'), /Started Etcd Server\./);
  await eventually('etcd healthy again', () => assertEtcdHealthy(masters[0]!));
});

test('timedatectl prints RHEL 7 output and set-ntp works', async () => {
  const h = lab.hosts[lab.hosts.length - 1]!.name;
  const out = await sshOk(h, 'timedatectl');
  assert.match(out, /^ {5}NTP enabled: yes$/m);
  assert.match(out, /^NTP synchronized: yes$/m);
  try {
    await sshOk(h, 'timedatectl set-ntp false');
    assert.match(await sshOk(h, 'timedatectl'), /^ {5}NTP enabled: no$/m);
  } finally {
    await sshOk(h, 'timedatectl set-ntp true');
  }
  assert.match(await sshOk(h, 'timedatectl'), /^NTP synchronized: yes$/m);
});
