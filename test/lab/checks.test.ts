// Lab integration tests of the health checks (`day2-tui check --json`) against real sshd hosts, the real
// 3-member TLS etcd 3.4 and the lab's cluster API driven by the real kubectl 1.20 (`DIR/api/bin/oc`).
// Run against a lab that is already up:
//   export LAB_KUBECTL=$(bash test/lab/kubectl.sh)
//   bash test/lab/lab.sh up --dir $LAB_DIR && LAB_DIR=$LAB_DIR node --import tsx --test test/lab/checks.test.ts
// Fails (never skips) when LAB_DIR is unset or the lab is not up. Leaves the lab as it found it: etcd
// running on every master, docker on overlay2, cluster scenario `healthy` (restored in `finally` blocks).
// `day2-tui check` runs as on the lab's bastion (`lab.sh bastion`: this machine with the lab's site DNS
// as its resolver), so its bastion-side dig and curl resolve the hosts and the *.apps wildcard.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS } from '../../src/checks/index.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}
interface CellResult {
  check: string;
  host: string | null;
  status: 'ok' | 'warn' | 'fail' | 'error' | 'skipped' | string;
  message: string;
  details?: Record<string, unknown>;
}
interface CheckJson {
  summary: Record<string, number>;
  results: CellResult[];
}

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const LAB_SH = join(HERE, 'lab.sh');
const CTL_SH = join(HERE, 'api', 'ctl.sh');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
const labDir = process.env.LAB_DIR ? resolve(process.env.LAB_DIR) : '';
const MASTERS = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];
const ALL_HOSTS = [...MASTERS, 'infra-0.lab.example.com', 'node-0.lab.example.com', 'node-1.lab.example.com', 'lb-0.lab.example.com'];
const CLUSTER_CHECKS = ['nodes-ready', 'router', 'registry', 'default-storageclass', 'controllers-leader'];

let home = '';
let env: NodeJS.ProcessEnv = {};

function run(file: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024, cwd: ROOT, env: opts.env ?? env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

const ssh = (host: string, command: string) =>
  run('ssh', ['-F', join(labDir, 'ssh_config'), '-o', 'BatchMode=yes', host, command], { timeoutMs: 60_000 });
const scenario = (name: string) => run('bash', [CTL_SH, join(labDir, 'api'), 'scenario', name], { timeoutMs: 30_000 });

/** `day2-tui check --json ARGS` on the lab's inventory; exit code and the parsed JSON. */
async function check(args: string[]): Promise<{ code: number; json: CheckJson; raw: Result }> {
  const r = await run('bash', [
    LAB_SH,
    'bastion',
    '--dir',
    labDir,
    '--',
    process.execPath,
    '--import',
    'tsx',
    MAIN,
    'check',
    '--json',
    '-i',
    join(labDir, 'hosts.ini'),
    '--known-hosts',
    join(labDir, 'known_hosts'),
    ...args,
  ]);
  let json: CheckJson;
  try {
    json = JSON.parse(r.stdout) as CheckJson;
  } catch {
    assert.fail(`check ${args.join(' ')}: exit ${r.code}, output is not JSON:\n${r.stdout.slice(0, 2000)}\n${r.stderr.slice(0, 2000)}`);
  }
  return { code: r.code, json, raw: r };
}

const cell = (j: CheckJson, id: string, host: string | null): CellResult => {
  const c = j.results.find((r) => r.check === id && r.host === host);
  assert.ok(c, `no ${id} result for ${host ?? 'the cluster'} in:\n${show(j)}`);
  return c;
};
const show = (j: CheckJson) => j.results.map((r) => `  ${r.check} ${r.host ?? '(cluster)'} ${r.status}: ${r.message}`).join('\n');

/** Polls (bounded) until every master's etcd-health is ok. */
async function etcdHealthyEverywhere(attempts = 30): Promise<CheckJson> {
  let last: CheckJson | undefined;
  for (let i = 0; i < attempts; i++) {
    const { code, json } = await check(['--only', 'etcd-health']);
    last = json;
    if (code === 0 && MASTERS.every((m) => json.results.some((r) => r.check === 'etcd-health' && r.host === m && r.status === 'ok')))
      return json;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.fail(`etcd did not come back healthy on every master:\n${last ? show(last) : ''}`);
}

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: start a lab (bash test/lab/lab.sh up --dir DIR) and run with LAB_DIR=DIR');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (no hosts.ini): bash test/lab/lab.sh up --dir ${labDir}`);
  home = mkdtempSync(join(tmpdir(), 'day2-checks-home-'));
  env = { ...process.env, HOME: home };
  delete env.KUBECONFIG;
  if (!env.LAB_KUBECTL) {
    const k = await run('bash', [join(HERE, 'kubectl.sh')], { env });
    assert.equal(k.code, 0, `LAB_KUBECTL unset and test/lab/kubectl.sh failed:\n${k.stderr}`);
    env.LAB_KUBECTL = k.stdout.trim();
  }
  const status = await run('bash', [LAB_SH, 'status', '--dir', labDir], { timeoutMs: 60_000 });
  assert.equal(status.code, 0, `the lab in ${labDir} is not (fully) up:\n${status.stdout}${status.stderr}`);
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab's cluster API is not there (${labDir}/api/bin/oc missing)`);
  const sc = await scenario('healthy');
  assert.equal(sc.code, 0, `the lab's cluster API does not answer (ctl.sh scenario healthy):\n${sc.stdout}${sc.stderr}`);
});

after(async () => {
  if (home) rmSync(home, { recursive: true, force: true });
});

test('etcd-health and etcd-members are ok on all 3 masters of the healthy lab', async () => {
  const { code, json } = await check(['--only', 'etcd-health,etcd-members']);
  for (const id of ['etcd-health', 'etcd-members']) {
    for (const m of MASTERS) assert.equal(cell(json, id, m).status, 'ok', `${id} on ${m}:\n${show(json)}`);
  }
  assert.equal(json.results.length, 6, show(json));
  assert.equal(code, 0, show(json));
});

test('etcd stopped on master-1: its etcd-health fails, the others warn naming it, ntp/entropy unchanged', async (t) => {
  const ids = ['etcd-health', 'ntp', 'entropy'];
  const before = await check(['--only', ids.join(',')]);
  for (const m of MASTERS) assert.equal(cell(before.json, 'etcd-health', m).status, 'ok', `before the stop:\n${show(before.json)}`);
  const hostCells = (j: CheckJson) =>
    new Map(j.results.filter((r) => r.check === 'ntp' || r.check === 'entropy').map((r) => [`${r.check} ${r.host}`, r.status]));
  const baseline = hostCells(before.json);
  assert.ok(baseline.size > 0, show(before.json));

  const victim = 'master-1.lab.example.com';
  try {
    const stop = await ssh(victim, 'systemctl stop etcd');
    assert.equal(stop.code, 0, `systemctl stop etcd on ${victim}: ${stop.stderr}`);
    const st = await ssh(victim, 'systemctl is-active etcd');
    assert.notEqual(st.stdout.trim(), 'active', 'etcd still active after stop');

    const { code, json } = await check(['--only', ids.join(',')]);
    t.diagnostic(show(json));
    assert.equal(code, 2, `exit code with a member down:\n${show(json)}`);
    const own = cell(json, 'etcd-health', victim);
    assert.ok(own.status === 'fail' || own.status === 'error', `etcd-health on ${victim} is ${own.status}: ${own.message}`);
    assert.match(own.message, /master-1|127\.0\.10\.2:2379/, `etcd-health on ${victim} does not name its member: ${own.message}`);
    for (const m of MASTERS.filter((x) => x !== victim)) {
      const c = cell(json, 'etcd-health', m);
      assert.equal(c.status, 'warn', `etcd-health on ${m}: ${c.message}`);
      assert.match(c.message, /master-1|127\.0\.10\.2:2379/, `etcd-health on ${m} does not name master-1 as unhealthy: ${c.message}`);
    }
    assert.deepEqual(hostCells(json), baseline, `ntp/entropy changed with etcd down:\n${show(json)}`);
  } finally {
    const start = await ssh(victim, 'systemctl start etcd');
    assert.equal(start.code, 0, `systemctl start etcd on ${victim}: ${start.stdout}${start.stderr}`);
    await etcdHealthyEverywhere();
  }
});

test('cluster scenarios through the real kubectl (oc wrapper)', async (t) => {
  const oc = join(labDir, 'api', 'bin', 'oc');
  const runCluster = async (name: string) => {
    const sc = await scenario(name);
    assert.equal(sc.code, 0, `scenario ${name}: ${sc.stdout}${sc.stderr}`);
    const r = await check(['--only', CLUSTER_CHECKS.join(','), '--oc', oc]);
    for (const id of CLUSTER_CHECKS) cell(r.json, id, null);
    return r;
  };
  try {
    await t.test('healthy', async () => {
      const { code, json } = await runCluster('healthy');
      for (const id of CLUSTER_CHECKS) assert.equal(cell(json, id, null).status, 'ok', `${id} in healthy:\n${show(json)}`);
      assert.match(cell(json, 'controllers-leader', null).message, /master-0/);
      assert.equal(code, 0, show(json));
    });
    await t.test('node-notready', async () => {
      const { code, json } = await runCluster('node-notready');
      const c = cell(json, 'nodes-ready', null);
      assert.equal(c.status, 'fail', show(json));
      assert.match(c.message, /node-1/);
      assert.doesNotMatch(c.message, /node-0|master-|infra-/, `only node-1 is NotReady: ${c.message}`);
      assert.equal(code, 2);
      // the lab closes a NotReady node's kubelet port: said once, on node-1's own row; the masters that
      // could not reach it do not fail for it
      const kp = await check(['--only', 'kubelet-port']);
      const k = cell(kp.json, 'kubelet-port', 'node-1.lab.example.com');
      assert.equal(k.status, 'fail', show(kp.json));
      assert.match(k.message, /of node-1\.lab\.example\.com itself: its kubelet is not listening/);
      for (const h of ALL_HOSTS.filter((x) => x !== 'node-1.lab.example.com' && !x.startsWith('lb-')))
        assert.equal(cell(kp.json, 'kubelet-port', h).status, 'ok', show(kp.json));
    });
    await t.test('router-degraded', async () => {
      const { code, json } = await runCluster('router-degraded');
      const c = cell(json, 'router', null);
      assert.equal(c.status, 'fail', show(json));
      assert.match(c.message, /\b2 of 3\b/);
      assert.equal(cell(json, 'nodes-ready', null).status, 'ok', show(json));
      assert.equal(code, 2);
    });
    await t.test('no-default-sc', async () => {
      const { code, json } = await runCluster('no-default-sc');
      const c = cell(json, 'default-storageclass', null);
      assert.equal(c.status, 'warn', show(json));
      assert.match(c.message, /no default storage class/);
      assert.equal(code, 1, show(json));
    });
    await t.test('leader-master-1', async () => {
      const { code, json } = await runCluster('leader-master-1');
      const c = cell(json, 'controllers-leader', null);
      assert.equal(c.status, 'ok', show(json));
      assert.match(c.message, /master-1/);
      assert.doesNotMatch(c.message, /master-0/);
      assert.equal(code, 0, show(json));
    });
  } finally {
    const back = await scenario('healthy');
    assert.equal(back.code, 0, `could not switch back to scenario healthy: ${back.stdout}${back.stderr}`);
  }
});

// node-1 is the lab's devicemapper node (an LVM thin pool, as in the guide's 7.1.3): docker-storage warns there
const DM_NODE = 'node-1.lab.example.com';
const dockerExpected = (h: string) => (h === DM_NODE ? 'warn' : 'ok');

test('docker storage: the daemon follows /etc/sysconfig/docker-storage at its restart (node-0 → devicemapper on loop files)', async (t) => {
  const victim = 'node-0.lab.example.com';
  const before = await check(['--only', 'docker-storage']);
  for (const h of ALL_HOSTS.filter((x) => !x.startsWith('lb-')))
    assert.equal(cell(before.json, 'docker-storage', h).status, dockerExpected(h), show(before.json));
  assert.match(cell(before.json, 'docker-storage', DM_NODE).message, /devicemapper/);
  const saved = await ssh(victim, 'cat /etc/sysconfig/docker-storage');
  assert.equal(saved.code, 0, saved.stderr);
  try {
    // no storage driver in the options: RHEL's docker falls back to devicemapper on loop files
    const edit = await ssh(victim, `echo 'DOCKER_STORAGE_OPTIONS=""' >/etc/sysconfig/docker-storage`);
    assert.equal(edit.code, 0, edit.stderr);
    const notYet = await check(['--only', 'docker-storage', '--limit', victim]);
    assert.equal(
      cell(notYet.json, 'docker-storage', victim).status,
      'ok',
      `the running daemon keeps its driver until restarted:\n${show(notYet.json)}`,
    );
    assert.equal((await ssh(victim, 'systemctl restart docker')).code, 0);
    const { code, json } = await check(['--only', 'docker-storage']);
    t.diagnostic(show(json));
    const c = cell(json, 'docker-storage', victim);
    assert.equal(c.status, 'fail', show(json));
    assert.match(c.message, /devicemapper on loop files/);
    for (const h of ALL_HOSTS.filter((x) => x !== victim && !x.startsWith('lb-')))
      assert.equal(cell(json, 'docker-storage', h).status, dockerExpected(h), show(json));
    assert.equal(code, 2, show(json));
  } finally {
    const b64 = Buffer.from(saved.stdout).toString('base64');
    const restore = await ssh(victim, `echo ${b64} | base64 -d >/etc/sysconfig/docker-storage && systemctl restart docker`);
    assert.equal(restore.code, 0, restore.stderr);
    const back = await ssh(victim, 'docker info');
    assert.match(back.stdout, /Storage Driver: overlay2/, `node-0 back on overlay2: ${back.stdout}${back.stderr}`);
  }
});

test(
  'all checks on the healthy lab: every cell is ok but node-1’s devicemapper warning, exit ' + '1; without docker-storage exit 0',
  async (t) => {
    const { code, json } = await check(['--oc', join(labDir, 'api', 'bin', 'oc')]);
    t.diagnostic(`summary ${JSON.stringify(json.summary)}\n${show(json)}`);
    const bad = json.results.filter((r) => r.status !== 'ok');
    assert.deepEqual(
      bad.map((r) => `${r.check} ${r.host ?? '(cluster)'} ${r.status}`),
      [`docker-storage ${DM_NODE} warn`],
      show(json),
    );
    assert.match(bad[0]!.message, /devicemapper/);
    assert.equal(json.summary.warn, 1, `summary ${JSON.stringify(json.summary)}`);
    for (const k of ['fail', 'error', 'skipped']) assert.equal(json.summary[k] ?? 0, 0, `summary ${JSON.stringify(json.summary)}`);
    assert.equal(code, 1, show(json));
    for (const id of ALL_CHECKS.map((c) => c.id)) {
      assert.ok(
        json.results.some((r) => r.check === id),
        `${id} did not run:\n${show(json)}`,
      );
    }
    for (const h of ALL_HOSTS) assert.equal(cell(json, 'ntp', h).status, 'ok', show(json));
    for (const m of MASTERS) assert.match(cell(json, 'api-health', m).message, /healthz ok/);
    // every kubelet (masters included) on its own row, as the 3 masters saw it
    for (const h of ALL_HOSTS.filter((x) => !x.startsWith('lb-')))
      assert.match(cell(json, 'kubelet-port', h).message, /^tcp\/10250 reachable from all 3 masters$/, show(json));
    // the lab's own answers: the registry's ClusterIP through each node's DNS, the wildcard to lb-0, the
    // registry route through lb-0 and the router, the registry service from every node, overlay2 on xfs
    for (const h of ALL_HOSTS.filter((x) => !x.startsWith('lb-'))) {
      assert.match(cell(json, 'skydns', h).message, /docker-registry 127\.30\.150\.7\b/, show(json));
      assert.match(cell(json, 'mtu', h).message, /registry \/healthz HTTP 200/, show(json));
      if (h !== DM_NODE) assert.match(cell(json, 'docker-storage', h).message, /^overlay2 on xfs$/, show(json));
    }
    assert.match(cell(json, 'router-dns', null).message, /→ 127\.0\.13\.1 \(lb-0\.lab\.example\.com\)/);
    assert.match(cell(json, 'registry-route', null).message, /docker-registry-default\.apps\.lab\.example\.com\/healthz → HTTP 200/);
    // every other check: all ok, exit 0
    const others = [
      'ntp',
      'entropy',
      'default-storageclass',
      'nodes-ready',
      'etcd-health',
      'etcd-members',
      'router',
      'registry',
      'skydns',
      'api-health',
      'kubelet-port',
      'router-dns',
      'registry-route',
      'disk',
      'controllers-leader',
      'mtu',
    ];
    const rest = await check(['--oc', join(labDir, 'api', 'bin', 'oc'), '--only', others.join(',')]);
    assert.deepEqual(
      rest.json.results.filter((r) => r.status !== 'ok').map((r) => `${r.check} ${r.host} ${r.status}`),
      [],
      show(rest.json),
    );
    assert.equal(rest.code, 0, show(rest.json));
  },
);
