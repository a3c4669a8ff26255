// The mixed lab: an OCP 3.10 cluster whose masters run only the API and the controllers as static pods, and
// whose etcd runs on hosts of its own ([etcd] etcd-0..2, the RPM's etcd.service). The lab is laid out that way
// (inventory, manifests, units, the etcd CA on etcd-0, master-config and flanneld naming the etcd hosts); the
// health checks are ok on every etcd host and master; the product reads each host's control plane as it is
// and plans etcd-restore on the etcd hosts with systemctl and the drop-in; a real etcd-backup of etcd-0
// leaves three healthy members with the same data; lab.sh etcd-command and etcd-reset work on the etcd hosts.
//   LAB_UP_ARGS='--control-plane static --etcd-hosts 3' bash scripts/with-lab.sh node --import tsx --test test/lab/mixed-lab.test.ts

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import {
  assertLabUp,
  audited,
  CERTS,
  CERTS3,
  type CheckCell,
  controlPlane,
  day2,
  etcdHostCount,
  fingerprint,
  LAB_SH,
  type LabHost,
  labArgs,
  labCheck,
  labDir,
  labHosts,
  labHostsWithRole,
  labJson,
  MAIN,
  run,
  show,
  sleep,
  ssh,
} from '../procedures/lab-helpers.js';

let etcdHosts: LabHost[] = [];
let masters: LabHost[] = [];
/** The etcd members' client URLs (lab.json's etcd endpoints: the etcd hosts). */
let eps = '';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const cells = (cs: CheckCell[]) => cs.map((c) => `  ${c.check} ${c.host ?? '(cluster)'} ${c.status}: ${c.message}`).join('\n');
const cell = (cs: CheckCell[], id: string, host: string | null) => {
  const c = cs.find((x) => x.check === id && x.host === host);
  assert.ok(c, `no ${id} result for ${host ?? 'the cluster'}:\n${cells(cs)}`);
  return c;
};

async function sshOk(host: string, command: string): Promise<string> {
  const r = await ssh(host, command);
  assert.equal(r.code, 0, `${host}$ ${command}\n${show(r)}`);
  return r.stdout;
}

/** Every etcd host a started member under its own name and https peer URL, no other member, every endpoint healthy. */
async function membersHealthy(): Promise<boolean> {
  const via = etcdHosts[0]!.name;
  const h = await ssh(via, `ETCDCTL_API=3 etcdctl ${CERTS3} --endpoints ${eps} endpoint health`);
  const l = await ssh(via, `ETCDCTL_API=2 etcdctl ${CERTS} --endpoints ${eps} member list`);
  if (h.code !== 0 || l.code !== 0) return false;
  const named = etcdHosts.every((e) => new RegExp(`name=${esc(e.name)} peerURLs=https://${esc(e.address)}:2380 `).test(l.stdout));
  return named && l.stdout.trim().split('\n').length === etcdHosts.length;
}

async function waitMembersHealthy(seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  do {
    if (await membersHealthy()) return true;
    await sleep(1000);
  } while (Date.now() < deadline);
  return false;
}

/** The hosts of one inventory group of hosts.ini, in order. */
function inventoryGroup(group: string): string[] {
  const lines = readFileSync(join(labDir, 'hosts.ini'), 'utf8').split('\n');
  const start = lines.indexOf(`[${group}]`);
  assert.ok(start >= 0, `hosts.ini has no [${group}] group`);
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('[')) break;
    if (l.trim() && !l.startsWith('#')) out.push(l.split(/\s+/)[0]!);
  }
  return out;
}

before(async () => {
  await assertLabUp();
  assert.equal(controlPlane(), 'static', 'this test needs a mixed lab: lab.sh up --control-plane static --etcd-hosts 3');
  assert.equal(etcdHostCount(), 3, 'this test needs a mixed lab: lab.sh up --control-plane static --etcd-hosts 3');
  etcdHosts = labHostsWithRole('etcd');
  masters = labHostsWithRole('master');
  assert.deepEqual(
    etcdHosts.map((h) => h.name),
    [0, 1, 2].map((k) => `etcd-${k}.lab.example.com`),
  );
  assert.equal(masters.length, 3);
  const lab = labJson();
  eps = lab.etcd.endpoints.join(',');
  assert.equal(eps, etcdHosts.map((h) => `https://${h.address}:2379`).join(','), 'lab.json names the etcd hosts as the endpoints');
  // one failed test stays one failure: etcd back to the copy the lab saved after up when it is not as seeded
  const saved = join(labDir, 'saved', 'fingerprint');
  if ((await waitMembersHealthy(5)) && (!existsSync(saved) || (await fingerprint()) === readFileSync(saved, 'utf8').trim())) return;
  const r = await run('bash', [LAB_SH, 'etcd-reset', '--dir', labDir], 300_000);
  assert.equal(r.code, 0, `etcd was not healthy and lab.sh etcd-reset failed:\n${show(r)}`);
  assert.ok(await waitMembersHealthy(60), 'etcd is not 3 healthy members even after lab.sh etcd-reset');
});

test('the layout: [etcd] is the etcd hosts, masters run api + controllers static pods, etcd hosts the enabled etcd.service', async () => {
  assert.deepEqual(
    inventoryGroup('etcd'),
    etcdHosts.map((h) => h.name),
  );
  assert.deepEqual(
    inventoryGroup('masters'),
    masters.map((h) => h.name),
  );
  for (const m of masters) {
    assert.ok(!m.roles.includes('etcd'), `${m.name} is not an etcd member`);
    assert.equal(
      await sshOk(m.name, 'ls /etc/origin/node/pods'),
      'apiserver.yaml\ncontroller.yaml\n',
      `${m.name}: the API and the controllers only`,
    );
    assert.equal(await sshOk(m.name, 'test -e /etc/etcd/etcd.conf && echo has-etcd-conf || echo none'), 'none\n');
    // master-config's etcdClientInfo.urls name the etcd hosts
    const urls = await sshOk(m.name, "sed -n '/^etcdClientInfo:/,/^[a-z]/p' /etc/origin/master/master-config.yaml | grep '^  - '");
    assert.equal(urls, etcdHosts.map((h) => `  - https://${h.name}:2379\n`).join(''), m.name);
  }
  for (const h of labHosts()) {
    assert.equal(await sshOk(h, 'grep ^FLANNEL_ETCD_ENDPOINTS= /etc/sysconfig/flanneld'), `FLANNEL_ETCD_ENDPOINTS=${eps}\n`, h);
  }
  for (const [i, e] of etcdHosts.entries()) {
    assert.deepEqual(e.roles, ['etcd']);
    assert.equal(await sshOk(e.name, 'systemctl is-enabled etcd.service; systemctl is-active etcd.service'), 'enabled\nactive\n', e.name);
    assert.equal(await sshOk(e.name, 'ls -A /etc/origin/node/pods 2>/dev/null | wc -l'), '0\n', `${e.name} has no static pods`);
    assert.match(
      await sshOk(e.name, 'grep -E "^ETCD_(NAME|LISTEN_CLIENT_URLS)=" /etc/etcd/etcd.conf'),
      new RegExp(`^ETCD_NAME=${esc(e.name)}\nETCD_LISTEN_CLIENT_URLS=https://${esc(e.address)}:2379\n$`),
    );
    // the certificates come from the etcd CA, which is on the first etcd host only
    assert.match(
      await sshOk(e.name, 'openssl verify -CAfile /etc/etcd/ca.crt /etc/etcd/server.crt /etc/etcd/peer.crt'),
      /server\.crt: OK\n.*peer\.crt: OK/,
    );
    const ca = await sshOk(
      e.name,
      'if test -d /etc/etcd/ca; then cmp /etc/etcd/ca/ca.crt /etc/etcd/ca.crt && test -s ' +
        '/etc/etcd/ca/ca.key && echo own-ca; else echo no-ca; fi',
    );
    assert.equal(ca, i === 0 ? 'own-ca\n' : 'no-ca\n', e.name);
  }
});

test('etcd-health, api-health and controllers-leader are ok on every etcd host and master', async () => {
  const { code, cells: cs } = await labCheck(['--only', 'etcd-health,api-health,controllers-leader']);
  assert.equal(code, 0, cells(cs));
  for (const e of etcdHosts) assert.equal(cell(cs, 'etcd-health', e.name).status, 'ok', cells(cs));
  for (const m of masters) {
    assert.equal(cell(cs, 'api-health', m.name).status, 'ok', cells(cs));
    assert.ok(!cs.some((c) => c.check === 'etcd-health' && c.host === m.name), `a master is no etcd member:\n${cells(cs)}`);
  }
  assert.equal(cell(cs, 'controllers-leader', null).status, 'ok', cells(cs));
});

test(
  'the control-plane probe reads each host as it runs; etcd-restore plans systemctl and the ' +
    'drop-in on the etcd hosts, master-restart api/controllers on the masters',
  async () => {
    const plan = await run(process.execPath, [
      '--import',
      'tsx',
      MAIN,
      'plan',
      'etcd-restore',
      '--param',
      `host=${etcdHosts[0]!.name}`,
      '--param',
      'backup=/x',
      ...labArgs(join(labDir, 'state-mixed-plan')),
    ]);
    assert.equal(plan.code, 0, show(plan));
    const out = plan.stdout;
    for (const e of etcdHosts)
      assert.match(
        out,
        new RegExp(`^  control-plane: ${esc(e.name)}: etcd etcd\\.service, api not run here, controllers not run here$`, 'm'),
        out,
      );
    for (const m of masters)
      assert.match(
        out,
        new RegExp(`^  control-plane: ${esc(m.name)}: etcd not run here, api static pod, controllers static pod$`, 'm'),
        out,
      );
    assert.doesNotMatch(out, /THE RUN WOULD BE REFUSED/, out);
    // the commands the run would run, `[host] $ command` (the step titles name both forms), per host
    const lines = out
      .split('\n')
      .filter((l) => /^\s+\[[^\]]+\] \$ /.test(l))
      .map((l) => l.trim());
    const on = (hs: LabHost[]) => lines.filter((l) => hs.some((h) => l.startsWith(`[${h.name}] `))).join('\n');
    const etcdCommands = on(etcdHosts);
    for (const e of etcdHosts) assert.match(etcdCommands, new RegExp(`^\\[${esc(e.name)}\\] \\$ systemctl stop etcd\\.service$`, 'm'), out);
    // the force-new-cluster of a unit: the guide's drop-in, the unit's ExecStart + --force-new-cluster, daemon-reload, restart
    const e0 = esc(etcdHosts[0]!.name);
    assert.match(
      etcdCommands,
      new RegExp(`^\\[${e0}\\] \\$ echo "ExecStart=" >> /etc/systemd/system/etcd\\.service\\.d/temp\\.conf$`, 'm'),
      out,
    );
    assert.match(
      etcdCommands,
      new RegExp(
        `^\\[${e0}\\] \\$ sed -n '/ExecStart/s/"\\$/ --force-new-cluster"/p' ` +
          `/usr/lib/systemd/system/etcd\\.service >> /etc/systemd/system/etcd\\.service\\.d/temp\\.` +
          `conf$`,
        'm',
      ),
      out,
    );
    assert.match(
      etcdCommands,
      new RegExp(`^\\[${e0}\\] \\$ systemctl daemon-reload\n\\[${e0}\\] \\$ systemctl restart etcd\\.service$`, 'm'),
      out,
    );
    // nothing of a static pod there: no manifest moved, no etcd.conf force-new-cluster line, no master-restart
    assert.doesNotMatch(etcdCommands, /pods-stopped|etcd\.yaml|ETCD_FORCE_NEW_CLUSTER|master-restart/, out);
    // a master has no etcd to stop: what the plan does there is restart its API and controllers, as the static pods they are
    const masterCommands = on(masters);
    for (const m of masters) {
      assert.match(masterCommands, new RegExp(`^\\[${esc(m.name)}\\] \\$ master-restart api$`, 'm'), out);
      assert.match(masterCommands, new RegExp(`^\\[${esc(m.name)}\\] \\$ master-restart controllers$`, 'm'), out);
    }
    assert.doesNotMatch(masterCommands, /etcd|systemctl/, out);
    // and nowhere else (the bastion's lines are the placeholders of the steps for etcd members 4 to 7, skipped)
    const elsewhere = lines.filter((l) => ![...etcdHosts, ...masters].some((h) => l.startsWith(`[${h.name}] `)));
    assert.ok(
      elsewhere.every((l) => l.startsWith('[bastion] $ «resolved at run time: no etcd member number')),
      elsewhere.join('\n'),
    );
  },
);

test('a real etcd-backup of etcd-0 succeeds and leaves 3 healthy members with the same data', async () => {
  const before = await fingerprint();
  const stateDir = join(labDir, 'state-mixed-backup');
  const dir = `/backup/etcd-mixed-test-${process.pid}`;
  const e0 = etcdHosts[0]!.name;
  const r = await day2('etcd-backup', { host: e0, 'backup-dir': dir }, stateDir);
  assert.equal(r.code, 0, show(r));
  assert.ok(await waitMembersHealthy(90), 'etcd is not 3 healthy members after the backup');
  assert.equal(await fingerprint(), before, 'the backup changed the data');
  assert.equal(
    await sshOk(e0, `test -s ${dir}/db && test -s ${dir}/member/snap/db && ls ${dir}/member/wal/*.wal > /dev/null && echo complete`),
    'complete\n',
  );
  // etcd-0's etcd was stopped and started as the unit it is; nothing ran on a master
  const cmds = audited(stateDir);
  assert.ok(
    cmds.some((c) => c.startsWith(`${e0} `) && /systemctl stop etcd\.service/.test(c)),
    cmds.join('\n'),
  );
  assert.ok(
    cmds.some((c) => c.startsWith(`${e0} `) && /systemctl start etcd\.service/.test(c)),
    cmds.join('\n'),
  );
  assert.ok(!cmds.some((c) => /pods-stopped|etcd\.yaml/.test(c)), cmds.join('\n'));
  for (const m of masters) assert.ok(!cmds.some((c) => c.startsWith(`${m.name} `)), `a command ran on ${m.name}:\n${cmds.join('\n')}`);
});

test('lab.sh etcd-command and etcd-reset work on the etcd hosts: a member stopped by hand is back, same data', async () => {
  const victim = etcdHosts[1]!.name;
  const before = await fingerprint();
  const stop = await run('bash', [LAB_SH, 'etcd-command', '--dir', labDir, victim, 'stop']);
  assert.equal(stop.stdout.trim(), 'systemctl stop etcd', show(stop));
  await sshOk(victim, stop.stdout.trim());
  assert.equal((await ssh(victim, 'systemctl is-active etcd.service')).stdout.trim(), 'inactive');
  assert.equal(await membersHealthy(), false, 'one member stopped: not every endpoint is healthy');
  const r = await run('bash', [LAB_SH, 'etcd-reset', '--dir', labDir], 300_000);
  assert.equal(r.code, 0, show(r));
  assert.match(r.stderr, /etcd-reset: 3 members back to the saved copy, healthy/, show(r));
  assert.ok(await waitMembersHealthy(60), 'etcd is not 3 healthy members after lab.sh etcd-reset');
  assert.equal(await fingerprint(), before);
  for (const e of etcdHosts)
    assert.equal(await sshOk(e.name, 'systemctl is-enabled etcd.service; systemctl is-active etcd.service'), 'enabled\nactive\n', e.name);
});
