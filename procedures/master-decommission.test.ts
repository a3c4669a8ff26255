// Pure tests of 5.2.1 master-decommission: registration, parameters, the master count rule, the plan's
// order (every refusal before the first change; ca.serial.txt first when the first master goes; backup
// before the load balancer; API disabled before the etcd member goes; the node deleted last), the etcd
// steps of etcd-remove-member reading the `node` parameter, the ca.serial copy, the endpoints check.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep, Step, StepContext } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { knownControlPlane } from '../src/ocp/control-plane.js';
import { runContext, testHost, withId } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { findEntry } from './catalogue.js';
import { etcdRemoveMember } from './etcd-remove-member.js';
import { findProcedure } from './index.js';
import { asMasterStep, checkSerialB64, masterCountVerdict, masterDecommission, parseEndpointIps } from './master-decommission.js';

function labInventory(masters = 3): Inventory {
  const hosts = [
    ...Array.from({ length: masters }, (_, i) =>
      testHost(`master-${i}.lab.example.com`, ['master', 'etcd', 'node'], { vars: { ansible_host: `127.0.10.${i + 1}` } }),
    ),
    testHost('infra-0.lab.example.com', ['infra', 'node'], { vars: { ansible_host: '127.0.11.1' } }),
    testHost('node-0.lab.example.com', ['node'], { vars: { ansible_host: '127.0.12.1' } }),
    testHost('lb-0.lab.example.com', ['lb'], { vars: { ansible_host: '127.0.13.1' } }),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const inv = labInventory();
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const M = ['master-0.lab.example.com', 'master-1.lab.example.com', 'master-2.lab.example.com'];

const stepOf = (id: string): Step => withId(masterDecommission.steps, id);
const planStep = (steps: PlanStep[], id: string): PlanStep => withId(steps, id);
/** A run-time context with these captured values. */
const runCtx = (params: Record<string, string>, captured: Record<string, string>, inventory = inv, host?: Host): StepContext =>
  runContext({ params, captured, inventory, startedAt: NOW, host });
const out = (stdout: string, exitCode = 0, stderr = '') => ({ exitCode, stdout, stderr });

test('registered and built; parameters', () => {
  assert.equal(findProcedure('master-decommission'), masterDecommission);
  assert.equal(findEntry('master-decommission')?.built, true);
  assert.deepEqual(
    masterDecommission.parameters.map((p) => p.name),
    ['node', 'allow-even', 'backup-dir', 'copy-to', 'delete-local-data', 'force'],
  );
  assert.deepEqual(masterDecommission.parameters[0]!.choices, { fromRole: 'master' });
  assert.throws(() => planProcedure(masterDecommission, { node: 'node-0.lab.example.com' }, inv, NOW), /not a master host/);
  assert.throws(
    () => planProcedure(masterDecommission, { node: M[2]!, 'copy-to': 'relative/dir' }, inv, NOW),
    /copy-to.*not an absolute path/,
  );
});

test('the master count: odd, 3 for high availability; 3 → 2 refused without allow-even=yes', () => {
  assert.match(masterCountVerdict(3, false) as string, /leaves 2 masters.*allow-even=yes/);
  assert.deepEqual(masterCountVerdict(3, true), { warn: 'warning: 2 master(s) left: the control plane is no longer highly available' });
  assert.equal(masterCountVerdict(4, false), true);
  assert.deepEqual(masterCountVerdict(5, false), { warn: 'warning: 4 masters is an even count: keep masters odd' });
  assert.match(masterCountVerdict(1, true) as string, /only master/);
  assert.deepEqual(masterCountVerdict(2, false), { warn: 'warning: 1 master(s) left: the control plane is no longer highly available' });
  const pre = commandCheck(stepOf('master-count').precondition);
  assert.match(String(pre.ok(out(''), runCtx({ node: M[2]! }, {}))), /master-2\.lab\.example\.com: it leaves 2 masters/);
  assert.equal(pre.ok(out(''), runCtx({ node: M[2]!, 'allow-even': 'yes' }, {})), true);
});

test('the plan: refusals first, then ca.serial, backup, load balancer, API off, etcd member, node, endpoints', () => {
  const plan = planProcedure(masterDecommission, { node: M[2]!, 'allow-even': 'yes' }, inv, NOW);
  const ids = plan.map((s) => s.id);
  assert.deepEqual(ids, [
    'master-count',
    'etcd-health-and-list',
    'etcd-quorum',
    'node-facts',
    'pods',
    'drain-check',
    'ca-serial-read',
    'ca-serial-copy',
    'backup-hostname',
    'backup-config',
    'backup-other-files',
    'backup-packages',
    'backup-check-backup',
    'backup-copy',
    'api-lb-read',
    'api-lb-edit',
    'api-lb-restart',
    'disable-api',
    'etcd-member-remove',
    'etcd-stop-removed',
    'etcd-read-initial-cluster',
    'etcd-edit-initial-cluster',
    'etcd-master-config',
    'etcd-flanneld',
    'etcd-restart-masters',
    'etcd-verify',
    'cordon',
    'drain',
    'drain-force',
    'watch-replacements',
    'replacements-report',
    'list-pods',
    'delete-node',
    'kubernetes-endpoints',
    'remaining-work',
  ]);
  // master-2 is not the first master: ca.serial.txt stays on master-0
  assert.match(planStep(plan, 'ca-serial-read').skipped!, /not the inventory's first master \(master-0/);
  // the backup runs on master-2 itself; no copy without copy-to
  assert.deepEqual(planStep(plan, 'backup-config').hosts, [M[2]]);
  assert.match(planStep(plan, 'backup-config').commands[1]!.command, /^cp -aR \/etc\/origin \/backup\/<hostname>\/20240105\/etc$/);
  assert.match(planStep(plan, 'backup-copy').skipped!, /no copy-to given/);
  // the etcd steps read `node`: etcdctl on master-0 (a survivor), master-2's etcd stopped on master-2
  assert.deepEqual(planStep(plan, 'etcd-quorum').hosts, [M[0]]);
  assert.deepEqual(planStep(plan, 'etcd-member-remove').hosts, [M[0]]);
  assert.equal(planStep(plan, 'etcd-member-remove').destructive, true);
  assert.match(planStep(plan, 'etcd-member-remove').gate!.what, /master-2\.lab\.example\.com, https:\/\/127\.0\.10\.3:2380\) is removed/);
  assert.deepEqual(planStep(plan, 'etcd-stop-removed').hosts, [M[2]]);
  assert.deepEqual(planStep(plan, 'etcd-edit-initial-cluster').hosts, [M[0], M[1]]);
  assert.deepEqual(planStep(plan, 'etcd-restart-masters').hosts, [M[0], M[1]]);
  // the load balancer: backend mgmt8443 on lb-0
  assert.deepEqual(planStep(plan, 'api-lb-edit').hosts, ['lb-0.lab.example.com']);
  assert.match(planStep(plan, 'api-lb-read').title, /backend mgmt8443/);
  // the API and controllers on master-2
  const off = planStep(plan, 'disable-api');
  assert.deepEqual(off.hosts, [M[2]]);
  assert.match(
    off.commands[0]!.command,
    /resolved at run time: how master-2\.lab\.example\.com runs api/,
    'no facts read: the plan says so',
  );
  assert.equal(off.gate?.kind, 'confirm');
  // the other masters' clients drop the member before their one restart
  assert.deepEqual(planStep(plan, 'etcd-master-config').hosts, [M[0], M[1], M[2]]);
  // the endpoints check waits for 127.0.10.3 to leave the kubernetes service
  assert.match(planStep(plan, 'kubernetes-endpoints').commands[1]!.command, /grep -qxF -e 127\.0\.10\.3/);
  assert.deepEqual(
    plan.filter((s) => s.destructive).map((s) => s.id),
    ['etcd-member-remove', 'drain-force', 'delete-node'],
  );
});

test('the first master: ca.serial.txt read on it and copied to the others byte for byte, before anything changes', () => {
  const plan = planProcedure(masterDecommission, { node: M[0]!, 'allow-even': 'yes', 'copy-to': '/srv/backups' }, inv, NOW);
  assert.equal(planStep(plan, 'ca-serial-read').skipped, undefined);
  assert.deepEqual(planStep(plan, 'ca-serial-read').hosts, [M[0]]);
  assert.deepEqual(planStep(plan, 'ca-serial-copy').hosts, [M[1], M[2]]);
  assert.deepEqual(planStep(plan, 'backup-copy').hosts, [M[0]]);
  const ids = plan.map((s) => s.id);
  assert.ok(ids.indexOf('ca-serial-copy') < ids.indexOf('backup-config'));
  assert.ok(ids.indexOf('drain-check') < ids.indexOf('ca-serial-read'));
  const read = stepOf('ca-serial-read');
  const b64 = Buffer.from('0B\n').toString('base64');
  assert.equal(read.capture!['ca-serial']!([out('644\n'), out(`${b64}\n`)], runCtx({ node: M[0]! }, {})), b64);
  assert.equal(read.capture!['ca-serial-mode']!([out('644\n'), out(`${b64}\n`)], runCtx({ node: M[0]! }, {})), '644');
  assert.throws(() => checkSerialB64(Buffer.from('not a serial; rm -rf /').toString('base64')), /does not hold a serial number/);
  assert.throws(() => checkSerialB64('$(reboot)'), /not base64/);
  const copy = stepOf('ca-serial-copy').commands(runCtx({ node: M[0]! }, { 'ca-serial': b64, 'ca-serial-mode': '644' }, inv, inv.hosts[1]));
  assert.deepEqual(
    copy.map((c) => c.script),
    [
      'if test -e /etc/origin/master/ca.serial.txt; then cp -p /etc/origin/master/ca.serial.txt ' +
        '/etc/origin/master/ca.serial.txt.bak-20240105030405; fi',
      `umask 077 && printf '%s' ${b64} | base64 -d > /etc/origin/master/ca.serial.txt.tmp-20240105030405 && chmod 644 ` +
        `/etc/origin/master/ca.serial.txt.tmp-20240105030405 && mv -f ` +
        `/etc/origin/master/ca.serial.txt.tmp-20240105030405 /etc/origin/master/ca.serial.txt`,
    ],
  );
  assert.match(
    String(commandCheck(stepOf('ca-serial-read').precondition).ok(out('', 1), runCtx({ node: M[0]! }, {}))),
    /missing on the inventory's first master/,
  );
});

test("etcd-remove-member's steps, made to read `node`: the quorum check refuses 3 → 2 without allow-even", () => {
  const LIST = [
    '5ee217d19001: name=master-0.lab.example.com peerURLs=https://127.0.10.1:2380 clientURLs=https://127.0.10.1:2379 isLeader=true',
    '2a529ba1840722c0: name=master-1.lab.example.com peerURLs=https://127.0.10.2:2380 clientURLs=https://127.0.10.2:2379 isLeader=false',
    '8372784203e11288: name=master-2.lab.example.com peerURLs=https://127.0.10.3:2380 clientURLs=https://127.0.10.3:2379 isLeader=false',
  ].join('\n');
  const HEALTH = [
    'member 5ee217d19001 is healthy: got healthy result from https://127.0.10.1:2379',
    'member 2a529ba1840722c0 is healthy: got healthy result from https://127.0.10.2:2379',
    'member 8372784203e11288 is healthy: got healthy result from https://127.0.10.3:2379',
    'cluster is healthy',
  ].join('\n');
  const q = commandCheck(stepOf('etcd-quorum').precondition);
  assert.match(String(q.ok(out(`${LIST}\n--- health\n${HEALTH}`), runCtx({ node: M[2]! }, {}))), /leaves 2 members.*allow-even=yes/);
  assert.equal(q.ok(out(`${LIST}\n--- health\n${HEALTH}`), runCtx({ node: M[2]!, 'allow-even': 'yes' }, {})), true);
  const cap = stepOf('etcd-health-and-list').capture!['member-id']!([out(HEALTH), out(LIST)], runCtx({ node: M[2]! }, {}));
  assert.equal(cap, '8372784203e11288');
  // a master that is not an etcd member: every etcd step is skipped
  const sep = labInventory();
  sep.hosts.find((h) => h.name === M[2])!.roles = ['master', 'node'];
  const plan = planProcedure(masterDecommission, { node: M[2]!, 'allow-even': 'yes' }, sep, NOW);
  for (const s of plan.filter((x) => x.id.startsWith('etcd-'))) assert.match(s.skipped ?? '', /not an etcd member/, s.id);
  // the adapter keeps the original step's behaviour for the original parameter name
  const orig = etcdRemoveMember.steps.find((s) => s.id === 'stop-removed')!;
  const adapted = asMasterStep(orig, 'x-');
  assert.equal(adapted.id, 'x-stop-removed');
  assert.deepEqual(adapted.where, { on: 'param', param: 'node' });
});

test('the kubernetes endpoints check; the remaining work', () => {
  assert.deepEqual(parseEndpointIps('127.0.10.1\n127.0.10.2\n'), ['127.0.10.1', '127.0.10.2']);
  const v = commandCheck(stepOf('kubernetes-endpoints').verify);
  const ctx = runCtx({ node: M[2]! }, { 'node-ip': JSON.stringify('127.0.10.3'), hostname: M[2]! });
  assert.equal(v.ok(out('127.0.10.1\n127.0.10.2\n'), ctx), true);
  assert.match(String(v.ok(out('127.0.10.1\n127.0.10.3\n'), ctx)), /still lists 127\.0\.10\.3/);
  assert.match(String(v.ok(out(''), ctx)), /no endpoints at all/);
  const lines = stepOf('remaining-work').commands(ctx)[0]!.script;
  assert.match(lines, /remove master-2\.lab\.example\.com from \[masters\], \[nodes\], \[etcd\]/);
  assert.match(
    lines,
    /done by this run: its etcd member is removed; the masters' etcdClientInfo\.urls and FLANNEL_ETCD_ENDPOINTS no longer name it/,
  );
  assert.match(lines, /the backup of master-2\.lab\.example\.com is in \/backup\/master-2\.lab\.example\.com\/20240105 on it: copy it off/);
});

test('the API and controllers stop for good the way the master runs them: units disabled, or static pods moved aside (kept)', () => {
  const on = (kind: 'static-pod' | 'systemd') =>
    planStep(
      planProcedure(
        masterDecommission,
        { node: M[2]!, 'allow-even': 'yes' },
        inv,
        NOW,
        knownControlPlane(Object.fromEntries(M.map((m) => [m, kind]))),
      ),
      'disable-api',
    );
  const units = on('systemd');
  assert.deepEqual(
    units.commands.slice(0, 2).map((c) => c.command),
    ['systemctl disable --now atomic-openshift-master-api.service', 'systemctl disable --now atomic-openshift-master-controllers.service'],
  );
  assert.match(
    String(units.gate!.protectedBy),
    /systemctl enable --now atomic-openshift-master-api\.service; systemctl enable --now atomic-openshift-master-controllers\.service/,
  );
  const pods = on('static-pod');
  assert.match(
    pods.commands[0]!.command,
    /mv \/etc\/origin\/node\/pods\/apiserver\.yaml \/etc\/origin\/node\/pods-stopped\/apiserver\.yaml/,
  );
  assert.match(
    pods.commands[1]!.command,
    /mv \/etc\/origin\/node\/pods\/controller\.yaml \/etc\/origin\/node\/pods-stopped\/controller\.yaml/,
  );
  assert.doesNotMatch(pods.commands.map((c) => c.command).join('\n'), /systemctl|\brm\b/);
  assert.match(
    String(pods.gate!.protectedBy),
    /mv \/etc\/origin\/node\/pods-stopped\/apiserver\.yaml \/etc\/origin\/node\/pods\/apiserver\.yaml/,
  );
  const v = commandCheck(stepOf('disable-api').verify);
  const ctx = { ...runCtx({ node: M[2]! }, {}), facts: knownControlPlane(Object.fromEntries(M.map((m) => [m, 'static-pod' as const]))) };
  assert.equal(v.ok(out('stopped\ndisabled\n---\nstopped\ndisabled\n'), ctx), true);
  assert.match(String(v.ok(out('stopped\ndisabled\n---\nrunning\ndisabled\n'), ctx)), /controllers still runs as its static pod/);
});
