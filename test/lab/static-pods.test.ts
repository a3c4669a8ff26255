// The lab's model of an OCP 3.10 static-pod master, standalone (no lab, no sshd): one fake master root in a temp
// dir, openshift-ansible's manifests in it (static-pods.sh), kubelet.pl in a private mount + UTS namespace whose
// /etc/etcd, /var/lib/etcd, /etc/origin, /run/lab … are that root's (as boot.sh binds a lab host's), and etcd on a
// 127.0.7x.y address (plain http) so that it cannot meet a running lab's. The shims run in that namespace (nsenter).
//   sudo node --import tsx --test test/lab/static-pods.test.ts
// Root only: fails, never skips, otherwise. Every process it started is stopped by pid in `after`.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
interface Rec {
  id: string;
  name: string;
  state: string;
  pid: number;
  pstart: string;
  logger_pid?: number;
  kind: string;
  labels: Record<string, string>;
  created: number;
  started: number;
  finished: number;
  exit_code: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
const SHIMS = join(HERE, 'shims');
const KUBELET = join(HERE, 'kubelet.pl');
const MOUNTS = [
  'etc/etcd',
  'etc/origin',
  'etc/sysconfig',
  'etc/systemd/system',
  'usr/lib/systemd/system',
  'var/log',
  'var/lib',
  'var/lib/etcd',
];
const NODE = 'master-0.lab.example.com';
const BACKOFF = 1; // seconds: the kubelet's base back-off for this test (10 on a lab host)

let tmp = '';
let root = '';
let ip = '';
let kubelet: ChildProcess | undefined;
const seen = new Map<number, string>(); // pid -> start time of every process the kubelet started for us

function run(file: string, args: string[], timeoutMs = 120_000): Promise<Result> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
/** a command inside the master's namespace, as if typed on it */
function onMaster(cmd: string, ...args: string[]): Promise<Result> {
  return run('nsenter', ['-t', String(kubelet?.pid), '-m', '-u', '--', cmd, ...args]);
}
function shim(name: string, ...args: string[]): Promise<Result> {
  return onMaster(join(SHIMS, name), ...args);
}
async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')[19];
  } catch {
    return undefined;
  }
}
function alive(pid: number, start: string): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    return s[0] !== 'Z' && s[19] === start;
  } catch {
    return false;
  }
}
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone in the meantime
  }
}
function records(): Rec[] {
  const dir = join(root, 'run/containers');
  const recs = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(dir, f), 'utf8')) as Rec];
      } catch {
        return []; // removed by the GC between readdir and read
      }
    });
  for (const r of recs) {
    if (r.state === 'running') seen.set(r.pid, r.pstart);
    if (r.logger_pid) seen.set(r.logger_pid, startTime(r.logger_pid) ?? '');
  }
  return recs.sort((a, b) => b.created - a.created);
}
/** the running container of a component (its container name), with its process really there */
function runningContainer(name: string): Rec | undefined {
  return records().find((r) => r.labels['io.kubernetes.container.name'] === name && r.state === 'running' && alive(r.pid, r.pstart));
}
function listening(port: number): boolean {
  const hex =
    ip
      .split('.')
      .reverse()
      .map((o) => Number(o).toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase() +
    ':' +
    port.toString(16).padStart(4, '0').toUpperCase();
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === hex && f[3] === '0A'; // local address, state LISTEN
    });
}
async function healthy(): Promise<boolean> {
  try {
    const r = await fetch(`http://${ip}:2379/health`, { signal: AbortSignal.timeout(2000) });
    return ((await r.json()) as { health?: string }).health === 'true';
  } catch {
    return false;
  }
}
async function etcdUp(): Promise<Rec> {
  const rec = await waitFor('etcd running and healthy', async () => {
    const r = runningContainer('etcd');
    return r && listening(2379) && (await healthy()) ? r : undefined;
  });
  return rec;
}
/** a new etcd container, the one before it gone */
async function etcdReplaced(old: Rec): Promise<Rec> {
  await waitFor(`etcd pid ${old.pid} gone`, () => !alive(old.pid, old.pstart) || undefined);
  const now = await etcdUp();
  assert.notEqual(now.id, old.id);
  return now;
}
function journal(): string {
  return readFileSync(join(root, 'var/log/journal/atomic-openshift-node.service.log'), 'utf8');
}
function containerLog(rec: Rec): string {
  return readFileSync(join(root, `run/containers/${rec.id}.log`), 'utf8');
}

// a 127.0.7x.y address with 2379 and 2380 free (a lab uses 127.0.10-14.x; two runs of this test pick apart)
function pickAddress(): string {
  for (let i = 0; i < 50; i++) {
    ip = `127.0.${70 + ((process.pid + i) % 10)}.${1 + (((process.pid >> 4) + i * 7) % 250)}`;
    if (!listening(2379) && !listening(2380)) return ip;
  }
  throw new Error('no free 127.0.7x.y address');
}

function writeRoot(): void {
  for (const m of [...MOUNTS, 'run/units', 'etc/origin/node/pods-stopped']) mkdirSync(join(root, m), { recursive: true });
  mkdirSync(join(root, 'var/log/journal'), { recursive: true });
  writeFileSync(join(root, 'run/host.env'), `LAB_HOST='${NODE}'\nLAB_ADDR='${ip}'\nLAB_CONTROL_PLANE=static\n`);
  // docker is installed and running (the shim answers only then), the node service active
  writeFileSync(
    join(root, 'usr/lib/systemd/system/docker.service'),
    '[Unit]\nDescription=Docker Application Container Engine\n[Service]\nExecStart=/usr/bin/dockerd-current\n' +
      '[Install]\nWantedBy=multi-user.target\n',
  );
  writeFileSync(join(root, 'run/units/docker.service.state'), 'active\n');
  writeFileSync(join(root, 'run/units/docker.service.since'), `${Math.floor(Date.now() / 1000)}\n`);
  writeFileSync(join(root, 'run/units/atomic-openshift-node.service.state'), 'active\n');
  const url = (port: number) => `http://${ip}:${port}`;
  writeFileSync(
    join(root, 'etc/etcd/etcd.conf'),
    [
      `ETCD_NAME=${NODE}`,
      'ETCD_DATA_DIR=/var/lib/etcd/',
      `ETCD_LISTEN_CLIENT_URLS=${url(2379)}`,
      `ETCD_ADVERTISE_CLIENT_URLS=${url(2379)}`,
      `ETCD_LISTEN_PEER_URLS=${url(2380)}`,
      `ETCD_INITIAL_ADVERTISE_PEER_URLS=${url(2380)}`,
      `ETCD_INITIAL_CLUSTER=${NODE}=${url(2380)}`,
      'ETCD_INITIAL_CLUSTER_STATE=new',
      'ETCD_ENABLE_V2=true',
      '',
    ].join('\n'),
  );
}

// the namespace's first process: binds the root's directories (as boot.sh does), then becomes the kubelet
function boot(): void {
  const script = join(tmp, 'boot.sh');
  writeFileSync(
    script,
    [
      'set -eu',
      'R=$1',
      `for m in ${MOUNTS.join(' ')}; do mount --bind "$R/$m" "/$m"; done`,
      'mount --bind "$R/run" /run/lab',
      `hostname ${NODE}`,
      `exec perl ${KUBELET}`,
      '',
    ].join('\n'),
  );
  for (const m of [...MOUNTS, 'run/lab']) mkdirSync(`/${m}`, { recursive: true }); // mount points, as lab.sh makes them
  const log = openSync(join(tmp, 'kubelet.out'), 'a');
  kubelet = spawn('unshare', ['-m', '-u', '--propagation', 'private', 'bash', script, root], {
    stdio: ['ignore', log, log],
    env: { ...process.env, LAB_KUBELET_BACKOFF: String(BACKOFF) },
  });
}

before(async () => {
  assert.equal(process.getuid?.(), 0, 'static-pods.test.ts needs root (mount namespaces, bind mounts)');
  tmp = mkdtempSync(join(tmpdir(), 'day2-static-pods-'));
  root = join(tmp, 'master-0');
  pickAddress();
  writeRoot();
  const w = await run('bash', ['-c', `. ${join(HERE, 'static-pods.sh')} && write_static_pods "$1" "$2"`, 'x', root, ip]);
  assert.equal(w.code, 0, w.stderr);
  boot();
  await waitFor('the kubelet in its namespace', () => existsSync(join(root, 'run/containers')) || undefined, 30_000);
});

after(async () => {
  if (!kubelet?.pid) return;
  // the node service stopped first, so that the kubelet restarts nothing and reaps what is stopped below
  writeFileSync(join(root, 'run/units/atomic-openshift-node.service.state'), 'inactive\n');
  await new Promise((r) => setTimeout(r, 1500));
  if (existsSync(join(root, 'run/containers'))) records();
  for (const [pid, start] of seen) if (alive(pid, start)) signal(pid, 'SIGTERM');
  // reaped, not only dead: a zombie whose parent (the kubelet) goes first would be PID 1's, which never reaps here
  const reaped = () => [...seen].every(([pid, start]) => startTime(pid) !== start);
  const end = Date.now() + 30_000;
  while (!reaped() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  for (const [pid, start] of seen) if (alive(pid, start)) signal(pid, 'SIGKILL');
  while (!reaped() && Date.now() < end + 10_000) await new Promise((r) => setTimeout(r, 100));
  const exited = new Promise((r) => kubelet?.once('exit', r));
  if (kubelet.exitCode === null) kubelet.kill('SIGTERM');
  await exited;
  rmSync(tmp, { recursive: true, force: true });
});

test('the YAML reader reads openshift-ansible manifests, and refuses what it cannot read', async () => {
  const pods = join(root, 'etc/origin/node/pods');
  const parse = async (f: string) => JSON.parse((await run('perl', [KUBELET, '--parse', join(pods, f)])).stdout);
  const etcd = await parse('etcd.yaml');
  assert.equal(etcd.name, 'master-etcd');
  assert.equal(etcd.namespace, 'kube-system');
  assert.deepEqual(etcd.labels, { 'openshift.io/component': 'etcd', 'openshift.io/control-plane': 'true' });
  assert.deepEqual(etcd.container.command, ['/bin/sh', '-c']);
  assert.deepEqual(etcd.container.args, ['#!/bin/sh\nset -o allexport\nsource /etc/etcd/etcd.conf\nexec etcd\n']);
  assert.equal(etcd.container.workingDir, '/var/lib/etcd');
  assert.equal(etcd.grace, 30);
  const api = await parse('apiserver.yaml');
  assert.equal(api.name, 'master-api');
  assert.match(api.container.args[0], /exec openshift start master api --config=\/etc\/origin\/master\/master-config.yaml/);
  const ctl = await parse('controller.yaml');
  assert.equal(ctl.container.name, 'controllers');
  assert.match(ctl.container.args[0], /--listen=https:\/\/0.0.0.0:8444/);
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'kind: Pod\nmetadata:\n  name: x\n   namespace: y\n');
  const r = await run('perl', [KUBELET, '--parse', bad]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /yaml: line 4/);
});

test("etcd runs as the manifest says: environment from etcd.conf, in /var/lib/etcd, data in the host's data dir", async () => {
  const rec = await etcdUp();
  assert.equal(readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8'), 'etcd\0');
  assert.equal(readlinkSync(`/proc/${rec.pid}/cwd`), '/var/lib/etcd');
  assert.match(readFileSync(`/proc/${rec.pid}/environ`, 'utf8'), new RegExp(`(^|\\0)ETCD_NAME=${NODE}\\0`));
  assert.ok(existsSync(join(root, 'var/lib/etcd/member/wal')), "the WAL is in the master root's /var/lib/etcd");
  assert.match(rec.name, new RegExp(`^k8s_etcd_master-etcd-${NODE}_kube-system_[0-9a-f]{32}_0$`));
  assert.match(rec.id, /^[0-9a-f]{64}$/);
  const api = await waitFor('the api container', () => runningContainer('api'));
  const cmdline = readFileSync(`/proc/${api.pid}/cmdline`, 'utf8');
  assert.match(cmdline, /^openshift start master api --config=\/etc\/origin\/master\/master-config\.yaml/);
});

test('docker ps finds the etcd pod container by the labels master-restart uses', async () => {
  await etcdUp();
  const r = await shim(
    'docker',
    'ps',
    '--filter',
    'label=openshift.io/component=etcd',
    '--filter',
    'label=io.kubernetes.container.name=POD',
    '-q',
  );
  assert.equal(r.code, 0, r.stderr);
  const sandbox = records().find((x) => x.kind === 'podsandbox' && x.labels['openshift.io/component'] === 'etcd' && x.state === 'running');
  assert.ok(sandbox);
  assert.equal(r.stdout, `${sandbox.id.slice(0, 12)}\n`);
  const table = await shim('docker', 'ps');
  assert.match(table.stdout, /^CONTAINER ID {8}IMAGE {2,}COMMAND {2,}CREATED {2,}STATUS {2,}PORTS {2,}NAMES\n/);
  assert.match(table.stdout, /registry\.access\.redhat\.com\/rhel7\/etcd:3\.2\.22 +"\/bin\/sh -c #!\/bin\/s…" +.* Up /);
  // as dockershim: the pod's labels are on its sandbox only
  const child = await shim(
    'docker',
    'ps',
    '-q',
    '--filter',
    'label=openshift.io/component=etcd',
    '--filter',
    'label=io.kubernetes.container.name=etcd',
  );
  assert.equal(child.stdout, '');
});

test('a systemd drop-in does nothing to the etcd pod; master-restart etcd restarts the pod, not etcd.service', async () => {
  const before = await etcdUp();
  mkdirSync(join(root, 'etc/systemd/system/etcd.service.d'), { recursive: true });
  writeFileSync(
    join(root, 'etc/systemd/system/etcd.service.d/temp.conf'),
    '[Service]\nExecStart=\nExecStart=/bin/bash -c "GOMAXPROCS=$(nproc) /usr/bin/etcd --force-new-cluster"\n',
  );
  const r = await shim('master-restart', 'etcd');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\d+\n$/, 'the 3.10 script ends with docker wait, which prints the exit code');
  const after = await etcdReplaced(before);
  assert.doesNotMatch(containerLog(after), /force.new.cluster|forcing restart/i);
  assert.ok(!existsSync(join(root, 'run/units/etcd.service.pid')), 'etcd.service was not started');
  unlinkSync(join(root, 'etc/systemd/system/etcd.service.d/temp.conf'));
});

test('ETCD_FORCE_NEW_CLUSTER=true in etcd.conf reaches etcd; master-logs etcd etcd --tail 5 prints its log', async () => {
  const before = await etcdUp();
  const conf = join(root, 'etc/etcd/etcd.conf');
  const plain = readFileSync(conf, 'utf8');
  writeFileSync(conf, `${plain}ETCD_FORCE_NEW_CLUSTER=true\n`);
  assert.equal((await shim('master-restart', 'etcd')).code, 0);
  const forced = await etcdReplaced(before);
  assert.match(readFileSync(`/proc/${forced.pid}/environ`, 'utf8'), /(^|\0)ETCD_FORCE_NEW_CLUSTER=true\0/);
  await waitFor('etcd to log the forced new cluster', () => /ETCD_FORCE_NEW_CLUSTER=true/.test(containerLog(forced)) || undefined);
  const logs = await shim('master-logs', 'etcd', 'etcd', '--tail', '5');
  assert.equal(logs.code, 0, logs.stderr);
  // etcd logs on stderr, and docker logs gives a container's stderr back on stderr
  const lines = (logs.stdout + logs.stderr).split('\n').filter(Boolean);
  assert.equal(lines.length, 5, logs.stdout + logs.stderr);
  assert.ok(lines.every((l) => containerLog(forced).includes(l)));
  writeFileSync(conf, plain); // as openshift-ansible does: the line goes, etcd is restarted
  assert.equal((await shim('master-restart', 'etcd')).code, 0);
  const normal = await etcdReplaced(forced);
  assert.doesNotMatch(readFileSync(`/proc/${normal.pid}/environ`, 'utf8'), /ETCD_FORCE_NEW_CLUSTER/);
});

test('an etcd that dies is restarted after the crash-loop back-off', async () => {
  const before = await etcdUp();
  process.kill(before.pid, 'SIGKILL');
  const after = await etcdReplaced(before);
  const dead = records().find((r) => r.id === before.id);
  assert.ok(dead);
  assert.equal(dead.exit_code, 137);
  // this container follows three restarts in a row: the back-off has grown past its base
  assert.ok(after.started - dead.finished >= BACKOFF, `restarted ${after.started - dead.finished}s after it died`);
  assert.match(journal(), /Back-off \d+s restarting failed container=etcd/);
  assert.match(after.name, /_\d+$/);
  assert.ok(Number(after.name.split('_').pop()) > Number(before.name.split('_').pop()), 'the restart count grows');
});

test('a manifest moved to pods-stopped stops etcd (process gone, 2379/2380 free); moved back, it starts', async () => {
  const before = await etcdUp();
  const pods = join(root, 'etc/origin/node/pods');
  const stopped = join(root, 'etc/origin/node/pods-stopped');
  renameSync(join(pods, 'etcd.yaml'), join(stopped, 'etcd.yaml'));
  await waitFor('etcd gone', () => !alive(before.pid, before.pstart) || undefined);
  await waitFor('ports 2379 and 2380 free', () => (!listening(2379) && !listening(2380)) || undefined);
  const etcdPodRunning = () => records().some((r) => r.state === 'running' && r.labels['openshift.io/component'] === 'etcd');
  await waitFor('the etcd pod stopped', () => !etcdPodRunning() || undefined);
  const ps = await shim('docker', 'ps', '-q', '--filter', 'label=openshift.io/component=etcd');
  assert.equal(ps.stdout, '', 'no running etcd pod');
  renameSync(join(stopped, 'etcd.yaml'), join(pods, 'etcd.yaml'));
  await etcdReplaced(before);
});

test('master-restart api restarts atomic-openshift-master-api.service when that unit exists, else the api pod', async () => {
  const api = await waitFor('the api container', () => runningContainer('api'));
  const unit = join(root, 'etc/systemd/system/atomic-openshift-master-api.service');
  writeFileSync(unit, '[Unit]\nDescription=Atomic OpenShift Master API\n[Service]\nExecStart=/usr/bin/openshift start master api\n');
  const r = await shim('master-restart', 'api');
  assert.equal(r.code, 0, r.stderr);
  const unitJournal = readFileSync(join(root, 'var/log/journal/atomic-openshift-master-api.service.log'), 'utf8');
  assert.match(unitJournal, /Started Atomic OpenShift Master API/);
  assert.ok(alive(api.pid, api.pstart), 'the api pod was left alone');
  unlinkSync(unit);
  assert.equal((await shim('master-restart', 'api')).code, 0);
  await waitFor('a new api container', () => {
    const now = runningContainer('api');
    return now && now.id !== api.id ? now : undefined;
  });
  const none = await shim('master-restart', 'scheduler');
  assert.equal(none.code, 0);
  assert.match(none.stderr, /Component scheduler is already stopped/);
});

test('a manifest the kubelet cannot read is logged and ignored; the other pods run on', async () => {
  writeFileSync(join(root, 'etc/origin/node/pods/broken.yaml'), 'kind: Pod\nmetadata: [unterminated\n');
  await waitFor('the kubelet to log it', () => /Can't process manifest file ".*broken\.yaml"/.test(journal()) || undefined);
  await etcdUp();
  assert.ok(runningContainer('controllers'));
  unlinkSync(join(root, 'etc/origin/node/pods/broken.yaml'));
});
