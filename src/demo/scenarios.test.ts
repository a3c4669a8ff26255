// Each DEMO scenario: the health run says what the scenario says is wrong (and nothing else fails), and
// the procedure it is there to rehearse runs to `Result: ok` on it, leaving the cluster mended.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROCEDURES } from '../../procedures/index.js';
import { startHealthRun } from '../checks/run.js';
import { type CheckResult, cellKey, type HealthSnapshot } from '../model/health.js';
import { parseV3MemberList } from '../ocp/etcd.js';
import { etcdStanding, rehearseInOrder } from '../testing/rehearse.js';
import { sh } from '../transport/shell.js';
import { DEMO_DOMAIN, demoInventory } from './inventory.js';
import { DemoRunner } from './runner.js';
import { DEFAULT_SCENARIO, DEMO_SCENARIOS, demoScenario } from './scenarios.js';

const host = (short: string) => `${short}.${DEMO_DOMAIN}`;
const quick = { lineDelayMs: 0, startDelayMs: 0, probeDelayMs: { min: 0, max: 0 } };

function demo(scenario: string) {
  const inventory = demoInventory(scenario);
  return { inventory, runner: new DemoRunner({ inventory, ...quick }) };
}

async function health(scenario: string): Promise<HealthSnapshot> {
  const { inventory, runner } = demo(scenario);
  try {
    const s = await startHealthRun({ inventory, runner }).finished();
    assert.deepEqual(runner.unanswered, [], `${scenario}: commands the demo does not simulate`);
    return s;
  } finally {
    await runner.close();
  }
}

/**
 * The cells that are not ok (or skipped), as `check host status fix` lines. An ntp cell the bastion was too busy
 * to measure (its verdict says so: a loaded test machine, not the scenario) is not one of the scenario's problems.
 */
function problems(s: HealthSnapshot): string[] {
  const unmeasured = (r: CheckResult) => r.check === 'ntp' && r.status === 'warn' && /busy\? run the check again/.test(r.message);
  return [...s.results.values()]
    .filter((r) => r.status !== 'ok' && r.status !== 'skipped' && !unmeasured(r))
    .map((r) => `${r.check} ${r.host ?? '-'} ${r.status} ${r.fix?.procedure ?? '-'}`);
}

test('the scenarios: ids unique, the default is healthy, one-liners fit --help, rehearsals are built procedures', () => {
  assert.equal(DEFAULT_SCENARIO, 'healthy');
  assert.equal(demoScenario(undefined).id, 'healthy');
  assert.equal(demoScenario('').id, 'healthy');
  assert.equal(new Set(DEMO_SCENARIOS.map((s) => s.id)).size, DEMO_SCENARIOS.length);
  for (const s of DEMO_SCENARIOS) {
    assert.ok(s.summary.length <= 56, `${s.id}: summary longer than 56`);
    for (const id of s.rehearse)
      assert.ok(
        PROCEDURES.some((p) => p.entry.id === id),
        `${s.id}: ${id} is not a built procedure`,
      );
  }
  assert.throws(() => demoScenario('nope'), /unknown demo scenario 'nope' \(the scenarios: healthy, showcase, /);
  assert.equal(demoInventory('etcd-quorum-lost').source.kind, 'demo');
  assert.deepEqual(demoInventory('etcd-quorum-lost').source, { kind: 'demo', scenario: 'etcd-quorum-lost' });
  assert.deepEqual(demoInventory().source, { kind: 'demo' });
});

test('healthy: every host up, no check fails or warns', async () => {
  const s = await health('healthy');
  assert.ok(s.done);
  assert.deepEqual(problems(s), []);
  assert.ok(s.results.size > 60);
});

test('etcd-quorum-lost: every etcd cell fails, the fix is etcd-restore; the API is down', async () => {
  const s = await health('etcd-quorum-lost');
  for (const m of ['master-0', 'master-1', 'master-2']) {
    for (const check of ['etcd-health', 'etcd-members']) {
      const r = s.results.get(cellKey(check, host(m)));
      assert.equal(r?.status, 'fail', `${check} ${m}: ${r?.message}`);
      assert.equal(r?.fix?.procedure, 'etcd-restore', `${check} ${m}`);
    }
  }
  assert.match(s.results.get(cellKey('etcd-health', host('master-0')))!.message, /quorum lost/);
  const nodes = s.results.get(cellKey('nodes-ready', null));
  assert.equal(nodes?.status, 'error');
  assert.match(nodes!.message, /8443 was refused/);
});

test('etcd-member-failed: master-2 fails with etcd-remove-member, the others warn of a degraded cluster', async () => {
  const s = await health('etcd-member-failed');
  const r = s.results.get(cellKey('etcd-health', host('master-2')));
  assert.equal(r?.status, 'fail', r?.message);
  assert.equal(r?.fix?.procedure, 'etcd-remove-member');
  for (const m of ['master-0', 'master-1']) {
    const o = s.results.get(cellKey('etcd-health', host(m)));
    assert.equal(o?.status, 'warn', o?.message);
    assert.match(o!.message, /cluster degraded/);
  }
  assert.deepEqual(
    problems(s).filter((p) => !p.startsWith('etcd-health ')),
    [],
  );
});

test('etcd-spare-host: etcd-3 only in this scenario, in [new_etcd]; every check ok, etcd-3 not counted as a member', async () => {
  assert.ok(!demoInventory().hosts.some((h) => h.name === host('etcd-3')), 'the healthy demo has no spare host');
  const spare = demoInventory('etcd-spare-host').hosts.find((h) => h.name === host('etcd-3'));
  assert.deepEqual(spare?.roles, ['new_etcd']);
  assert.equal(spare?.openshift?.ip, '10.0.0.4');
  const s = await health('etcd-spare-host');
  assert.deepEqual(problems(s), []);
  assert.equal(s.results.get(cellKey('etcd-health', host('etcd-3'))), undefined, 'no etcd cell for a host that is not a member yet');
});

test('node-notready: app-node-2 is NotReady (unreachable), nodes-ready fails naming it', async () => {
  const s = await health('node-notready');
  const r = s.results.get(cellKey('nodes-ready', null));
  assert.equal(r?.status, 'fail', r?.message);
  assert.match(r!.message, /app-node-2\.demo\.example\.com \(NotReady\)/);
  for (const p of problems(s)) assert.ok(p.startsWith('nodes-ready') || p.includes(host('app-node-2')), p);
});

test('devicemapper-node: docker-storage warns on app-node-1 with the overlay2 fix, nothing else', async () => {
  const s = await health('devicemapper-node');
  assert.deepEqual(problems(s), [`docker-storage ${host('app-node-1')} warn docker-storage-overlay2`]);
});

test('low-entropy: entropy warns on app-node-0 with the fix-entropy fix, nothing else', async () => {
  const s = await health('low-entropy');
  assert.deepEqual(problems(s), [`entropy ${host('app-node-0')} warn fix-entropy`]);
});

test('sdn-mtu-too-big: the mtu check fails on every master and node with the fix-mtu fix, nothing else', async () => {
  const s = await health('sdn-mtu-too-big');
  const nodes = demoInventory().hosts.filter((h) => h.roles.includes('node') || h.roles.includes('master'));
  assert.deepEqual(problems(s).sort(), nodes.map((h) => `mtu ${h.name} fail fix-mtu`).sort());
  assert.match(s.results.get(cellKey('mtu', host('app-node-0')))!.message, /node config mtu 1500 > eth0 MTU 1500 − 50 = 1450/);
});

/** Runs one procedure (gates answered yes) on the scenario's demo; its status, log, and the etcd cluster it leaves. */
function rehearse(scenario: string, id: string, params: Record<string, string>, seeBackups = false) {
  return rehearseAll(scenario, [{ id, params }], seeBackups);
}

/** Runs procedures one after the other on one demo of the scenario; stops at the first that does not end ok. */
async function rehearseAll(scenario: string, steps: { id: string; params: Record<string, string> }[], seeBackups = false) {
  const { inventory, runner } = demo(scenario);
  const stateDir = mkdtempSync(join(tmpdir(), 'day2-scenario-'));
  try {
    // etcdctl is asked where it is installed: the first etcd member (master-0, or etcd-0 in external-etcd)
    const m0 = inventory.hosts.find((h) => h.roles.includes('etcd'))!;
    const listing = seeBackups ? (await runner.run({ kind: 'host', host: m0 }, sh`find /backup -type f`)).stdout : '';
    const { status, log } = await rehearseInOrder(steps, { inventory, runner, stateDir });
    return {
      status,
      log,
      listing,
      runner,
      ...(await etcdStanding(runner, inventory, m0)),
      unanswered: [...runner.unanswered],
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The <YYYYMMDD> of yesterday, as etcd-backup names its directory. */
function yesterday(): string {
  const d = new Date();
  d.setDate(d.getDate() - 1);
  return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')}`;
}

test("etcd-quorum-lost: etcd-restore from last night's backup on master-0 brings back 3 started members, cluster healthy", async () => {
  const backup = `/backup/etcd-${yesterday()}`;
  const r = await rehearse('etcd-quorum-lost', 'etcd-restore', { host: host('master-0'), backup }, true);
  try {
    assert.match(r.listing, new RegExp(`^${backup}/db$`, 'm'), 'the backup is seeded');
    assert.match(r.listing, new RegExp(`^${backup}/member/wal/.*\\.wal$`, 'm'));
    assert.equal(r.status, 'ok', r.log);
    assert.deepEqual(r.unanswered, []);
    assert.deepEqual({ members: r.members, health: r.health }, { members: 3, health: 'healthy' });
  } finally {
    await r.runner.close();
  }
});

test('etcd-quorum-lost: the etcd-restore picker lists the backup of last night on master-0', async () => {
  const { etcdBackupDiscovery } = await import('../model/backups.js');
  const { inventory, runner } = demo('etcd-quorum-lost');
  try {
    const m0 = inventory.hosts.find((h) => h.name === host('master-0'))!;
    const out = await runner.run({ kind: 'host', host: m0 }, etcdBackupDiscovery.command(m0, { host: m0.name }));
    const found = etcdBackupDiscovery.parse(out, m0);
    assert.deepEqual(
      found.map((c) => c.value),
      [`/backup/etcd-${yesterday()}`],
    );
    assert.match(found[0]!.label, new RegExp(`/backup/etcd-${yesterday()}`));
  } finally {
    await runner.close();
  }
});

test('etcd-member-failed: etcd-remove-member of master-2 leaves 2 healthy members', async () => {
  const r = await rehearse('etcd-member-failed', 'etcd-remove-member', { member: host('master-2'), 'allow-even': 'yes' });
  try {
    assert.equal(r.status, 'ok', r.log);
    assert.deepEqual(r.unanswered, []);
    assert.deepEqual({ members: r.members, health: r.health }, { members: 2, health: 'healthy' });
  } finally {
    await r.runner.close();
  }
});

test('etcd-spare-host: etcd-replace of master-2 by etcd-3 (yum install etcd there) leaves 3 healthy members, etcd-3 one', async () => {
  const r = await rehearse('etcd-spare-host', 'etcd-replace', { old: host('master-2'), new: host('etcd-3') });
  try {
    assert.equal(r.status, 'ok', r.log);
    assert.deepEqual(r.unanswered, []);
    assert.match(r.log, /^package etcd is not installed$/m);
    assert.match(r.log, /^ {2}Installing : etcd-3\.2\.22-1\.el7\.x86_64 +1\/1$/m);
    assert.deepEqual({ members: r.members, health: r.health }, { members: 3, health: 'healthy' });
    const m0 = demoInventory('etcd-spare-host').hosts.find((h) => h.name === host('master-0'))!;
    const list = await r.runner.run(
      { kind: 'host', host: m0 },
      sh`ETCDCTL_API=3 etcdctl --cert /etc/etcd/peer.crt --key /etc/etcd/peer.key --cacert /etc/etcd/ca.crt --endpoints https://10.0.0.1:2379 member list -w json`,
    );
    assert.deepEqual(
      parseV3MemberList(list.stdout)
        .map((m) => m.name)
        .sort(),
      [host('etcd-3'), host('master-0'), host('master-1')],
    );
  } finally {
    await r.runner.close();
  }
});

test('devicemapper-node: docker-storage-overlay2 on app-node-1 runs to the end, the check then says ok', async () => {
  const r = await rehearse('devicemapper-node', 'docker-storage-overlay2', { node: host('app-node-1') });
  try {
    assert.equal(r.status, 'ok', r.log);
    assert.deepEqual(r.unanswered, []);
    const s = await startHealthRun({
      inventory: demoInventory('devicemapper-node'),
      runner: r.runner,
      only: ['docker-storage'],
    }).finished();
    assert.equal(s.results.get(cellKey('docker-storage', host('app-node-1')))?.status, 'ok');
  } finally {
    await r.runner.close();
  }
});

/** A run-once fix rehearsed (no parameters) in its scenario: ok, `see` on its log, then its check finds nothing wrong. */
async function fixedBy(scenario: string, id: string, check: string, see: (log: string) => void): Promise<void> {
  const r = await rehearse(scenario, id, {});
  try {
    assert.equal(r.status, 'ok', r.log);
    assert.deepEqual(r.unanswered, []);
    see(r.log);
    const s = await startHealthRun({ inventory: demoInventory(scenario), runner: r.runner, only: [check] }).finished();
    assert.deepEqual(problems(s), []);
  } finally {
    await r.runner.close();
  }
}

test('low-entropy: fix-entropy installs rng-tools and starts rngd on app-node-0 only, the entropy check then says ok', () =>
  fixedBy('low-entropy', 'fix-entropy', 'entropy', (log) => {
    assert.match(log, /^package rng-tools is not installed$/m);
    assert.match(log, /^ {2}Installing : rng-tools-6\.3\.1-3\.el7\.x86_64 +1\/1$/m);
    assert.equal(log.match(/systemctl enable --now rngd/g)?.length, 1, log);
  }));

test('sdn-mtu-too-big: fix-mtu sets 1450 in the three node config maps, restarts the nine nodes, the mtu check then says ok', () =>
  fixedBy('sdn-mtu-too-big', 'fix-mtu', 'mtu', (log) => {
    assert.equal(log.match(/^configmap\/node-config-\w+ patched$/gm)?.length, 3, log);
    assert.equal(log.split('\n').filter((l) => l.trim() === 'systemctl restart atomic-openshift-node').length, 9, log);
  }));

test('external-etcd: etcd on etcd-0..2 as systemd units; health is clean; etcd-backup then etcd-restore run to Result: ok', async () => {
  const inventory = demoInventory('external-etcd');
  assert.deepEqual(
    inventory.hosts.filter((h) => h.roles.includes('etcd')).map((h) => [h.name, h.roles.includes('master')]),
    [0, 1, 2].map((i) => [host(`etcd-${i}`), false]),
  );
  assert.deepEqual(problems(await health('external-etcd')), []);
  const backup = '/backup/etcd-demo';
  const r = await rehearseAll('external-etcd', [
    { id: 'etcd-backup', params: { 'backup-dir': backup } },
    { id: 'etcd-restore', params: { host: host('etcd-0'), backup } },
  ]);
  try {
    assert.equal(r.status, 'ok', r.log);
    assert.match(r.log, /== etcd-backup: ok\n[\s\S]*== etcd-restore: ok\n/);
    assert.deepEqual(r.unanswered, []);
    assert.deepEqual({ members: r.members, health: r.health }, { members: 3, health: 'healthy' });
  } finally {
    await r.runner.close();
  }
});
