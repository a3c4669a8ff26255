// Lab test of the node procedures through the real CLI (`day2-tui run … --yes`), `oc` being the lab's
// (DIR/api/bin/oc: the real kubectl 1.20 against the lab's cluster API), haproxy.cfg the lb-0's:
//   bash scripts/with-lab.sh node --import tsx --test test/procedures/node-ops.test.ts
// - node-evacuate of node-0: refused without force=yes (its bare pod), nothing changed; with force=yes the
//   node is unschedulable and only its daemon set pod is left.
// - node-decommission: infra-0 refused while it is the only infra node; node-1 decommissioned (gone from
//   `oc get nodes`, haproxy.cfg untouched: it is in no backend); infra-0 with allow-low-capacity=yes:
//   its router80/router443 server lines removed, haproxy -c passes, every other byte identical.
// (master-decommission: master-decommission.test.ts, on both control planes.)
// Every test leaves the lab as it found it (the cluster API state is reset with ctl.sh reset).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { withoutLines } from '../../procedures/node-common.js';
import {
  audited,
  haproxyCfgPath,
  LAB_SH,
  labDir,
  nodeNames,
  numberedOcDay2,
  oc,
  resetCluster as resetClusterTo,
  run,
  show,
  ssh,
} from './lab-helpers.js';

const D = 'lab.example.com';
const LB = `lb-0.${D}`;

let tmp = '';
let cfgPath = '';
let cfg0 = '';

/** `day2-tui run … --yes` with the lab's `oc` on PATH and a numbered state dir of its own (returned as `state`). */
const day2 = numberedOcDay2(() => tmp, 600_000);

async function unschedulable(node: string): Promise<string> {
  const r = await oc('get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}');
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim();
}
async function podsOn(node: string): Promise<string[]> {
  const r = await oc(
    'get',
    'pods',
    '--all-namespaces',
    '--field-selector',
    `spec.nodeName=${node}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
  );
  assert.equal(r.code, 0, show(r));
  return r.stdout.split('\n').filter(Boolean);
}
const resetCluster = (): Promise<void> => resetClusterTo(cfg0);

before(async () => {
  assert.ok(
    labDir,
    'LAB_DIR is not set: run through bash scripts/with-lab.sh (or start a lab with test/lab/lab.sh up --dir DIR and export LAB_DIR=DIR)',
  );
  assert.ok(existsSync(join(labDir, 'hosts.ini')), `no lab in ${labDir} (hosts.ini missing)`);
  assert.ok(existsSync(join(labDir, 'api', 'bin', 'oc')), `the lab in ${labDir} has no cluster API (api/bin/oc missing)`);
  const st = await run('bash', [LAB_SH, 'status', '--dir', labDir]);
  assert.equal(st.code, 0, `the lab in ${labDir} is not up:\n${show(st)}`);
  tmp = mkdtempSync(join(tmpdir(), 'day2-node-ops-test-'));
  cfgPath = haproxyCfgPath();
  assert.ok(existsSync(cfgPath), `lb-0 has no haproxy.cfg (${cfgPath})`);
  cfg0 = readFileSync(cfgPath, 'utf8');
  const c = await ssh(LB, 'haproxy -c -f /etc/haproxy/haproxy.cfg');
  assert.equal(c.code, 0, `the lab's haproxy.cfg does not pass haproxy -c:\n${show(c)}`);
});

after(async () => {
  try {
    if (!labDir || !tmp) return;
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
  assert.ok(
    !audited(r.state).some((c) => / adm (drain|manage-node)/.test(c)),
    `nothing was cordoned or drained:\n${audited(r.state).join('\n')}`,
  );
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
    const has = (re: RegExp) =>
      assert.ok(
        cmds.some((c) => re.test(c)),
        `${re} not in:\n${cmds.join('\n')}`,
      );
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

test(
  'node-decommission infra-0 with allow-low-capacity=yes: router80/router443 lines removed, ' +
    'haproxy -c passes, every other byte identical',
  async () => {
    try {
      const r = await day2('node-decommission', { node: `infra-0.${D}`, 'allow-low-capacity': 'yes' });
      assert.equal(r.code, 0, show(r));
      const cfg = readFileSync(cfgPath, 'utf8');
      const lines = cfg0.split('\n');
      const dropped = lines
        .map((l, i) => [l, i + 1] as const)
        .filter(([l]) => /^\s*server\s+infra-0\.lab\.example\.com\s/.test(l))
        .map(([, i]) => i);
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
  },
);
