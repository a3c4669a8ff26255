// Lab test of the node procedures through the real CLI (`day2-tui run … --yes`), `oc` being the lab's
// (DIR/api/bin/oc: the real kubectl 1.20 against the lab's cluster API), haproxy.cfg the lb-0's:
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/node-ops.test.ts
// - node-evacuate of node-0: refused without force=yes (its bare pod), nothing changed; with force=yes the
//   node is unschedulable and only its daemon set pod is left.
// - node-decommission: infra-0 refused while it is the only infra node; node-1 decommissioned (gone from
//   `oc get nodes`, haproxy.cfg untouched: it is in no backend); infra-0 with allow-low-capacity=yes:
//   its router80/router443 server lines removed, haproxy -c passes, every other byte identical.
// - master-decommission of master-2: refused without allow-even=yes (3 → 2), nothing changed; with it:
//   out of backend mgmt8443, API and controllers disabled, etcd member removed, node deleted, the
//   kubernetes service without 127.0.10.3 — then the lab is put back (etcd member re-added as
//   etcd-remove-member.test.ts does, API re-enabled, cluster API state reset, haproxy.cfg restored).
// Every test leaves the lab as it found it (the cluster API state is reset with ctl.sh reset).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { withoutLines } from '../../procedures/node-common.js';
import { audited, CTL, day2 as labDay2, fingerprint, LAB_SH, labDir, loggedSsh, M2_PEER, MASTERS, memberList, oc, ocOnPath, putBack, type Result, run, show, ssh, SURVIVORS, threeHealthy, waitHealthy } from './lab-helpers.js';

const D = 'lab.example.com';
const LB = `lb-0.${D}`;
const API_UNITS = 'atomic-openshift-master-api atomic-openshift-master-controllers';

let tmp = '';
let cfgPath = '';
let cfg0 = '';
let fp0 = '';
let n = 0;

/** `day2-tui run … --yes` with the lab's `oc` on PATH and a state dir of its own (returned as `state`). */
function day2(procedure: string, params: Record<string, string>): Promise<Result & { state: string }> {
  const state = join(tmp, `state-${++n}-${procedure}`);
  return labDay2(procedure, params, state, { timeoutMs: 600_000, env: ocOnPath() }).then((r) => ({ ...r, state }));
}

async function unschedulable(node: string): Promise<string> {
  const r = await oc('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim();
}
async function nodeNames(): Promise<string[]> {
  const r = await oc('get', 'nodes', '-o', 'name');
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean).map((l) => l.replace(/^nodes?\//, ''));
}
async function podsOn(node: string): Promise<string[]> {
  const r = await oc('get', 'pods', '--all-namespaces', '--field-selector', `spec.nodeName=${node}`, '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}
async function apiEndpoints(): Promise<string[]> {
  const r = await oc('get', 'endpoints', 'kubernetes', '-n', 'default', '-o', 'jsonpath={range .subsets[*].addresses[*]}{.ip}{"\\n"}{end}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}

/** The cluster API back to its initial state (nodes, pods, replicas), haproxy.cfg back, its copies gone. */
async function resetCluster(): Promise<void> {
  const r = await run('bash', [CTL, join(labDir, 'api'), 'reset'], 180_000, ocOnPath());
  assert.equal(r.code, 0, show(r));
  writeFileSync(cfgPath, cfg0);
  const dir = dirname(cfgPath);
  for (const f of readdirSync(dir)) if (f.startsWith('haproxy.cfg.bak-')) rmSync(join(dir, f));
}

/**
 * master-2 back (the test, not the product): its API and controllers enabled and started; its etcd
 * member re-added as etcd-remove-member.test.ts does (putBack).
 */
async function putMaster2Back(): Promise<string> {
  const log: string[] = [];
  await loggedSsh(log)(MASTERS[2]!, `systemctl enable --now ${API_UNITS}; systemctl is-active ${API_UNITS}`);
  if (!(await threeHealthy())) return putBack('nodeops', log);
  return log.join('\n');
}

before(async () => {
  assert.ok(labDir, 'LAB_DIR is not set: run through bash scripts/with-lab.sh (or start a lab with test/lab/lab.sh up --dir DIR and export LAB_DIR=DIR)');
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab in ${labDir} has no cluster API (api/bin/oc missing)`);
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
  tmp = mkdtempSync(join(tmpdir(), 'day2-node-ops-test-'));
  cfgPath = join(labDir, 'hosts', LB, 'etc', 'haproxy', 'haproxy.cfg');
  assert.ok(existsSync(cfgPath), `lb-0 has no haproxy.cfg (${cfgPath})`);
  cfg0 = readFileSync(cfgPath, 'utf8');
  const c = await ssh(LB, 'haproxy -c -f /etc/haproxy/haproxy.cfg');
  assert.equal(c.code, 0, `the lab's haproxy.cfg does not pass haproxy -c:\n${show(c)}`);
  assert.ok(await waitHealthy(30), 'etcd is not healthy with 3 members before the test');
  fp0 = await fingerprint();
});

after(async () => {
  try {
    if (!labDir || !tmp) return;
    const api = await ssh(MASTERS[2]!, `systemctl is-active ${API_UNITS}`);
    if (api.stdout.includes('inactive') || !(await waitHealthy(3))) {
      const log = await putMaster2Back();
      if (!(await waitHealthy(60))) console.error(`after: master-2 could not be put back; run lab.sh down/up\n${log}`);
    }
    await resetCluster();
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});

test('node-evacuate node-0: refused without force=yes (a bare pod), nothing changed', async () => {
  const r = await day2('node-evacuate', { node: `node-0.${D}` });
  assert.notEqual(r.code, 0, show(r));
  const out = r.stdout + r.stderr;
  assert.match(out, /myproject\/bare-httpd/, show(r));
  assert.match(out, /without a controller/, show(r));
  assert.match(out, /force=yes/, show(r));
  assert.equal(await unschedulable(`node-0.${D}`), '', 'node-0 is still schedulable');
  assert.ok(!audited(r.state).some((c) => / adm (drain|manage-node)/.test(c)), `nothing was cordoned or drained:\n${audited(r.state).join('\n')}`);
  assert.ok((await podsOn(`node-0.${D}`)).includes('myproject/bare-httpd'));
});

test('node-evacuate node-0 with force=yes: unschedulable, only its daemon set pod left, the bare pod gone', async () => {
  try {
    const r = await day2('node-evacuate', { node: `node-0.${D}`, force: 'yes' });
    assert.equal(r.code, 0, show(r));
    assert.match(r.stdout, /DELETED FOR GOOD/, show(r));
    assert.match(r.stdout, /answered by --yes \(for node-0\.lab\.example\.com\)/, show(r));
    assert.equal(await unschedulable(`node-0.${D}`), 'true');
    const left = await podsOn(`node-0.${D}`);
    assert.equal(left.length, 1, left.join(' '));
    assert.match(left[0]!, /^openshift-sdn\/sdn-/);
    const cmds = audited(r.state);
    const has = (re: RegExp) => assert.ok(cmds.some((c) => re.test(c)), `${re} not in:\n${cmds.join('\n')}`);
    has(/^bastion oc adm manage-node node-0\.lab\.example\.com --schedulable=false$/);
    has(/^bastion oc adm drain node-0\.lab\.example\.com --ignore-daemonsets --delete-local-data --force --timeout=300s$/);
    has(/^bastion oc adm manage-node node-0\.lab\.example\.com --list-pods$/);
    // the bare pod is gone for good; the others run elsewhere
    const all = await oc('get', 'pods', '--all-namespaces', '-o', 'wide');
    assert.ok(!all.stdout.includes('bare-httpd'), all.stdout);
    assert.match(all.stdout, /cache-\S+\s+1\/1\s+Running.*node-1/, all.stdout);
  } finally {
    await resetCluster();
  }
});

test('node-decommission infra-0: refused while it is the only infra node, nothing changed', async () => {
  const r = await day2('node-decommission', { node: `infra-0.${D}` });
  assert.notEqual(r.code, 0, show(r));
  assert.match(r.stdout + r.stderr, /only 0 other infra node/, show(r));
  assert.match(r.stdout + r.stderr, /allow-low-capacity=yes/, show(r));
  assert.equal(await unschedulable(`infra-0.${D}`), '');
  assert.equal(readFileSync(cfgPath, 'utf8'), cfg0);
  assert.ok(!audited(r.state).some((c) => / adm (drain|manage-node)| delete node/.test(c)));
});

test('node-decommission node-1: drained and deleted; haproxy.cfg untouched (node-1 is in no backend)', async () => {
  try {
    const r = await day2('node-decommission', { node: `node-1.${D}` });
    assert.equal(r.code, 0, show(r));
    assert.ok(!(await nodeNames()).includes(`node-1.${D}`), 'node-1 is gone from oc get nodes');
    assert.ok((await nodeNames()).includes(`node-0.${D}`));
    assert.match(r.stdout, /no server line for node-1\.lab\.example\.com in backend router80, router443/, show(r));
    assert.match(r.stdout, /remove node-1\.lab\.example\.com from \[nodes\]/, show(r));
    assert.equal(readFileSync(cfgPath, 'utf8'), cfg0, 'haproxy.cfg is byte-identical');
    assert.ok(!readdirSync(dirname(cfgPath)).some((f) => f.startsWith('haproxy.cfg.bak-')), 'no copy made when nothing changes');
    // node-1's frontend pod runs on node-0 now
    const fe = await oc('get', 'pods', '-n', 'myproject', '-o', 'wide');
    assert.ok(!/node-1\.lab/.test(fe.stdout), fe.stdout);
    const cmds = audited(r.state);
    assert.ok(cmds.includes('bastion oc delete node node-1.lab.example.com'), cmds.join('\n'));
  } finally {
    await resetCluster();
  }
});

test('node-decommission infra-0 with allow-low-capacity=yes: router80/router443 lines removed, haproxy -c passes, every other byte identical', async () => {
  try {
    const r = await day2('node-decommission', { node: `infra-0.${D}`, 'allow-low-capacity': 'yes' });
    assert.equal(r.code, 0, show(r));
    const cfg = readFileSync(cfgPath, 'utf8');
    const lines = cfg0.split('\n');
    const dropped = lines.map((l, i) => [l, i + 1] as const).filter(([l]) => /^\s*server\s+infra-0\.lab\.example\.com\s/.test(l)).map(([, i]) => i);
    assert.equal(dropped.length, 2, cfg0);
    assert.equal(cfg, withoutLines(cfg0, dropped), 'haproxy.cfg is the original without the two server lines');
    assert.match(cfg, /backend mgmt8443[\s\S]*server\s+master-2\.lab\.example\.com 127\.0\.10\.3:8443 check/);
    const c = await ssh(LB, 'haproxy -c -f /etc/haproxy/haproxy.cfg');
    assert.equal(c.code, 0, show(c));
    const baks = readdirSync(dirname(cfgPath)).filter((f) => f.startsWith('haproxy.cfg.bak-'));
    assert.equal(baks.length, 1);
    assert.equal(readFileSync(join(dirname(cfgPath), baks[0]!), 'utf8'), cfg0, 'the copy is the original');
    assert.ok(!(await nodeNames()).includes(`infra-0.${D}`));
    // the router and registry have no infra node left: Pending, said so, not waited for
    assert.match(r.stdout, /router-1-\S+: no Ready, schedulable node matches its node selector/, show(r));
    assert.match(r.stdout, /no infra node is left to run it: dc\/router stays at 1/, show(r));
    const st = await ssh(LB, 'systemctl is-active haproxy');
    assert.equal(st.stdout.trim(), 'active');
  } finally {
    await resetCluster();
  }
});

test('master-decommission master-2: refused without allow-even=yes (3 → 2), nothing changed', async () => {
  const r = await day2('master-decommission', { node: MASTERS[2]! });
  assert.notEqual(r.code, 0, show(r));
  assert.match(r.stdout + r.stderr, /allow-even=yes/, show(r));
  assert.equal(readFileSync(cfgPath, 'utf8'), cfg0);
  const api = await ssh(MASTERS[2]!, `systemctl is-active ${API_UNITS}`);
  assert.equal(api.stdout.trim(), 'active\nactive', show(api));
  assert.ok(await threeHealthy(), 'still 3 healthy etcd members');
  assert.ok(!audited(r.state).some((c) => /member remove|systemctl disable|backup/.test(c)), audited(r.state).join('\n'));
});

test('master-decommission master-2 with allow-even=yes: out of mgmt8443, API disabled, etcd member removed, node deleted, kubernetes endpoints without it; then put back', async () => {
  try {
    assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2', '127.0.10.3']);
    const r = await day2('master-decommission', { node: MASTERS[2]!, 'allow-even': 'yes' });
    assert.equal(r.code, 0, show(r));
    // the load balancer: master-2's mgmt8443 line gone, nothing else
    const cfg = readFileSync(cfgPath, 'utf8');
    const dropped = cfg0.split('\n').map((l, i) => [l, i + 1] as const).filter(([l]) => /^\s*server\s+master-2\.lab\.example\.com\s/.test(l)).map(([, i]) => i);
    assert.equal(dropped.length, 1);
    assert.equal(cfg, withoutLines(cfg0, dropped));
    assert.equal((await ssh(LB, 'haproxy -c -f /etc/haproxy/haproxy.cfg')).code, 0);
    // API and controllers stopped and disabled on master-2
    const api = await ssh(MASTERS[2]!, `for u in ${API_UNITS}; do echo "$(systemctl is-active $u) $(systemctl is-enabled $u)"; done`);
    assert.equal(api.stdout.trim(), 'inactive disabled\ninactive disabled', show(api));
    // etcd: 2 members, master-2 gone
    const l = await memberList(SURVIVORS);
    assert.equal(l.stdout.trim().split('\n').length, 2, l.stdout);
    assert.ok(!l.stdout.includes(M2_PEER), l.stdout);
    // the node is gone; the kubernetes service lists the two others
    assert.ok(!(await nodeNames()).includes(MASTERS[2]!));
    assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2']);
    // the backup was taken on master-2 first
    const b = await ssh(MASTERS[2]!, 'ls /backup/master-2.lab.example.com/*/etc/origin/master/master-config.yaml');
    assert.equal(b.code, 0, show(b));
    // the order: every refusal check before the first change; backup before the load balancer edit
    const cmds = audited(r.state);
    const at = (re: RegExp) => {
      const i = cmds.findIndex((c) => re.test(c));
      assert.ok(i >= 0, `${re} not in:\n${cmds.join('\n')}`);
      return i;
    };
    assert.ok(at(/member list/) < at(/ cp -aR \/etc\/origin /));
    assert.ok(at(/ cp -aR \/etc\/origin /) < at(/^lb-0\S* sed -e /));
    assert.ok(at(/^lb-0\S* sed -e /) < at(/^master-2\S* systemctl disable --now atomic-openshift-master-api$/));
    assert.ok(at(/systemctl disable --now atomic-openshift-master-api/) < at(/member remove [0-9a-f]+$/));
    assert.ok(at(/member remove/) < at(/^bastion oc delete node master-2\.lab\.example\.com$/));
    assert.match(r.stdout, /remove master-2\.lab\.example\.com from \[masters\], \[nodes\], \[etcd\]/, show(r));
  } finally {
    const log = await putMaster2Back();
    await resetCluster();
    await ssh(MASTERS[2]!, 'rm -rf /backup/master-2.lab.example.com');
    assert.ok(await waitHealthy(90), `not 3 healthy members after putting master-2 back:\n${log}`);
  }
  assert.equal(await fingerprint(), fp0, 'etcd data unchanged');
  assert.deepEqual((await apiEndpoints()).sort(), ['127.0.10.1', '127.0.10.2', '127.0.10.3']);
  assert.ok((await nodeNames()).includes(MASTERS[2]!));
});
