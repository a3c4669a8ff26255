// Pure tests of 5.3.1 node-decommission: registration, parameters, the plan's order (every refusal
// before the first change; the guide's order after it), the capacity refusal, the scale step's targets
// and gate, the haproxy steps (skipped without [lb] hosts or when the node is in no backend; the exact
// edit commands), the node deletion behind a type-the-name gate.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep, Step, StepContext } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { runContext, testHost, withId } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { findEntry } from './catalogue.js';
import { findProcedure } from './index.js';
import { nodeDecommission } from './node-decommission.js';

function labInventory(withLb = true): Inventory {
  const hosts = [
    testHost('master-0.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.1' } }),
    testHost('master-1.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.2' } }),
    testHost('master-2.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.3' } }),
    testHost('infra-0.lab.example.com', ['infra', 'node'], { vars: { ansible_host: '127.0.11.1' } }),
    testHost('node-0.lab.example.com', ['node'], { vars: { ansible_host: '127.0.12.1' } }),
    testHost('node-1.lab.example.com', ['node'], { vars: { ansible_host: '127.0.12.2' } }),
    ...(withLb ? [testHost('lb-0.lab.example.com', ['lb'], { vars: { ansible_host: '127.0.13.1' } })] : []),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const inv = labInventory();
const NOW = new Date(2024, 0, 5, 3, 4, 5);
const BAK = '/etc/haproxy/haproxy.cfg.bak-20240105030405';

const stepOf = (id: string): Step => withId(nodeDecommission.steps, id);
const planStep = (steps: PlanStep[], id: string): PlanStep => withId(steps, id);
/** A run-time context with these captured values. */
const runCtx = (params: Record<string, string>, captured: Record<string, string>, inventory = inv, host?: Host): StepContext =>
  runContext({ params, captured, inventory, startedAt: NOW, host });
const out = (stdout: string, exitCode = 0, stderr = '') => ({ exitCode, stdout, stderr });
const NODES = [
  'infra-0.lab.example.com\tTrue\t\t\ttrue\t\t\t127.0.11.1',
  'master-0.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.1',
  'master-1.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.2',
  'master-2.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.3',
  'node-0.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.1',
  'node-1.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.2',
].join('\n');
const emptyForecast = JSON.stringify({ evicted: [], daemonset: [], mirror: [], emptyDir: [], bare: [], infraDcs: [] });

test('registered and built; parameters', () => {
  assert.equal(findProcedure('node-decommission'), nodeDecommission);
  assert.equal(findEntry('node-decommission')?.built, true);
  assert.deepEqual(
    nodeDecommission.parameters.map((p) => p.name),
    ['node', 'delete-local-data', 'force', 'allow-low-capacity', 'router-replicas', 'registry-replicas'],
  );
  assert.throws(
    () => planProcedure(nodeDecommission, { node: 'node-1.lab.example.com', 'router-replicas': 'two' }, inv, NOW),
    /router-replicas.*not a replica count/,
  );
});

test('the plan: refusals first (capacity, drain check), then cordon, drain, replacements, scale, haproxy, delete', () => {
  const plan = planProcedure(nodeDecommission, { node: 'infra-0.lab.example.com' }, inv, NOW);
  assert.deepEqual(
    plan.map((s) => s.id),
    [
      'node-facts',
      'capacity',
      'capacity-report',
      'pods',
      'drain-check',
      'cordon',
      'drain',
      'drain-force',
      'watch-replacements',
      'replacements-report',
      'scale-read',
      'scale',
      'list-pods',
      'haproxy-read',
      'haproxy-edit',
      'haproxy-restart',
      'delete-node',
      'remaining-work',
    ],
  );
  // nothing changes before the cordon; every step before it that can refuse has a precondition
  assert.ok(planStep(plan, 'capacity').precondition && planStep(plan, 'drain-check').precondition);
  assert.deepEqual(
    plan.filter((s) => s.destructive).map((s) => s.id),
    ['drain-force', 'delete-node'],
  );
  const del = planStep(plan, 'delete-node');
  assert.equal(del.gate?.kind, 'type-host');
  assert.equal(del.gate?.expect, 'infra-0.lab.example.com');
  assert.deepEqual(
    del.commands.map((c) => c.command),
    ['oc delete node <node-name>'],
  );
  assert.equal(planStep(plan, 'scale').gate?.kind, 'confirm');
  for (const id of ['haproxy-read', 'haproxy-edit', 'haproxy-restart'])
    assert.deepEqual(planStep(plan, id).hosts, ['lb-0.lab.example.com']);
  assert.deepEqual(
    planStep(plan, 'haproxy-edit')
      .commands.map((c) => c.command)
      .slice(1, 4),
    [
      `sed -e <haproxy-delete>d ${BAK} > /etc/haproxy/haproxy.cfg`,
      `diff ${BAK} /etc/haproxy/haproxy.cfg; test $? -le 1`,
      `if haproxy -c -f /etc/haproxy/haproxy.cfg; then echo '/etc/haproxy/haproxy.cfg: haproxy -c passed'; else cat ` +
        `${BAK} > /etc/haproxy/haproxy.cfg; echo 'haproxy -c refused the edited file: /etc/haproxy/haproxy.cfg was put ` +
        `back from ${BAK}; nothing changed'; exit 1; fi`,
    ],
  );
  assert.match(planStep(plan, 'haproxy-edit').gate!.protectedBy!, new RegExp(`copied to ${BAK.replace(/\./g, '\\.')} first`));
  // without [lb] hosts the load balancer is left to the operator
  const noLb = planProcedure(nodeDecommission, { node: 'node-1.lab.example.com' }, labInventory(false), NOW);
  for (const id of ['haproxy-read', 'haproxy-edit', 'haproxy-restart'])
    assert.match(planStep(noLb, id).skipped!, /no \[lb\] host: take node-1\.lab\.example\.com out of your load balancer/);
});

test('capacity: infra-0 refused while it is the only infra node; a master refused (master-decommission)', () => {
  const cap = commandCheck(stepOf('capacity').precondition);
  const base = { 'node-name': 'infra-0.lab.example.com', 'node-kind': JSON.stringify('infra') };
  assert.match(
    String(cap.ok(out(NODES), runCtx({ node: 'infra-0.lab.example.com' }, base))),
    /only 0 other infra node.*allow-low-capacity=yes/,
  );
  assert.equal(cap.ok(out(NODES), runCtx({ node: 'infra-0.lab.example.com', 'allow-low-capacity': 'yes' }, base)), true);
  assert.equal(
    cap.ok(
      out(NODES),
      runCtx({ node: 'node-1.lab.example.com' }, { 'node-name': 'node-1.lab.example.com', 'node-kind': JSON.stringify('compute') }),
    ),
    true,
  );
  assert.match(
    String(
      cap.ok(
        out(NODES),
        runCtx({ node: 'master-2.lab.example.com' }, { 'node-name': 'master-2.lab.example.com', 'node-kind': JSON.stringify('master') }),
      ),
    ),
    /use master-decommission|decommission it with master-decommission/,
  );
  const lines = stepOf('capacity').capture!['capacity']!(
    [out(''), out(NODES)],
    runCtx({ node: 'node-1.lab.example.com' }, { 'node-name': 'node-1.lab.example.com', 'node-kind': JSON.stringify('compute') }),
  );
  assert.deepEqual(JSON.parse(lines), ['compute nodes online after node-1.lab.example.com is removed: 1 (node-0.lab.example.com)']);
});

test("scale: the guide's infra case scales both; a compute node scales nothing (skipped, with the reason)", () => {
  const read = stepOf('scale-read');
  const threeInfra = `${NODES}\ninfra-1\tTrue\t\t\ttrue\t\t\t10.0.0.1\ninfra-2\tTrue\t\t\ttrue\t\t\t10.0.0.2`;
  const infraForecast = JSON.stringify({
    evicted: [],
    daemonset: [],
    mirror: [],
    emptyDir: [],
    bare: [],
    infraDcs: ['router', 'docker-registry'],
  });
  const c = { 'node-name': 'infra-0.lab.example.com', 'node-kind': JSON.stringify('infra'), forecast: infraForecast };
  const ctx = runCtx({ node: 'infra-0.lab.example.com' }, c);
  const outs = [out('3'), out('3'), out(threeInfra)];
  const router = read.capture!['router-target']!(outs, ctx);
  const registry = read.capture!['registry-target']!(outs, ctx);
  assert.equal(router, '3->2');
  assert.equal(registry, '3->2');
  const scale = stepOf('scale');
  const sctx = runCtx({ node: 'infra-0.lab.example.com' }, { ...c, 'router-target': router, 'registry-target': registry });
  assert.equal(scale.skipIf!(sctx), undefined);
  assert.deepEqual(
    scale.commands(sctx).map((x) => x.script),
    ['oc scale dc/router --replicas 2 -n default', 'oc scale dc/docker-registry --replicas 2 -n default'],
  );
  assert.match(scale.gate!.what(sctx), /dc\/router in project default: 3 → 2 replica\(s\); dc\/docker-registry in project default: 3 → 2/);
  assert.equal(commandCheck(scale.verify).ok(out('2\n2\n'), sctx), true);
  assert.match(String(commandCheck(scale.verify).ok(out('3\n2\n'), sctx)), /dc\/router has 3 replicas, not 2/);
  // a missing registry dc is left alone
  assert.match(
    read.capture!['registry-target']!([out('3'), out('', 1, 'Error from server (NotFound)'), out(threeInfra)], ctx),
    /^keep: dc\/docker-registry not found/,
  );
  // a compute node: nothing to scale
  const cc = { 'node-name': 'node-1.lab.example.com', 'node-kind': JSON.stringify('compute'), forecast: emptyForecast };
  const cctx = runCtx({ node: 'node-1.lab.example.com' }, cc);
  const keepR = read.capture!['router-target']!([out('1'), out('1'), out(NODES)], cctx);
  const keepG = read.capture!['registry-target']!([out('1'), out('1'), out(NODES)], cctx);
  assert.match(
    scale.skipIf!(runCtx({ node: 'node-1.lab.example.com' }, { ...cc, 'router-target': keepR, 'registry-target': keepG }))!,
    /^nothing to scale: the node is not an infra node/,
  );
});

test("haproxy: the node's router80/router443 lines found on the lb; the edit commands; nothing to do for a node in no backend", () => {
  const lb = inv.hosts.find((h) => h.name === 'lb-0.lab.example.com')!;
  const read = stepOf('haproxy-read');
  const listing = [
    '1\tglobal',
    '14\tdefaults',
    '40\tlisten stats',
    '46\tfrontend  atomic-openshift-api',
    '52\tbackend mgmt8443',
    '56\t    server      master-0.lab.example.com 127.0.10.1:8443 check',
    '57\t    server      master-1.lab.example.com 127.0.10.2:8443 check',
    '58\t    server      master-2.lab.example.com 127.0.10.3:8443 check',
    '60\tfrontend  router80',
    '66\tbackend router80',
    '69\t    server      infra-0.lab.example.com 127.0.11.1:80 check',
    '71\tfrontend  router443',
    '77\tbackend router443',
    '80\t    server      infra-0.lab.example.com 127.0.11.1:443 check',
  ].join('\n');
  const sha = 'a'.repeat(64);
  const c = { 'node-name': 'infra-0.lab.example.com', 'node-ip': JSON.stringify('127.0.11.1') };
  const ctx = runCtx({ node: 'infra-0.lab.example.com' }, c, inv, lb);
  const outs = [out(`${sha}\n`), out(listing)];
  assert.equal(read.capture!['haproxy-sha']!(outs, ctx), sha);
  assert.equal(read.capture!['haproxy-delete']!(outs, ctx), '69,80');
  assert.equal(
    read.capture!['haproxy-removed']!(outs, ctx),
    'router80: server      infra-0.lab.example.com 127.0.11.1:80 check | router443: server      infra-0.lab.example.com ' +
      '127.0.11.1:443 check',
  );
  assert.throws(() => read.capture!['haproxy-sha']!([out('garbage'), out('')], ctx), /sha256sum/);
  const edit = stepOf('haproxy-edit');
  const ectx = runCtx(
    { node: 'infra-0.lab.example.com' },
    { ...c, 'haproxy-sha': sha, 'haproxy-delete': '69,80', 'haproxy-removed': 'x' },
    inv,
    lb,
  );
  assert.equal(edit.skipIf!(ectx), undefined);
  const cmds = edit.commands(ectx).map((x) => x.script);
  assert.equal(cmds.length, 4);
  assert.match(cmds[0]!, new RegExp(`^if test "\\$\\(sha256sum < /etc/haproxy/haproxy\\.cfg \\| cut -c1-64\\)" = ${sha}; then`));
  assert.equal(cmds[1], `sed -e 69d\\;80d ${BAK} > /etc/haproxy/haproxy.cfg`);
  assert.equal(
    commandCheck(edit.verify).ok(
      out(
        '69d68\n<     server      infra-0.lab.example.com 127.0.11.1:80 check\n80d78\n<     server      ' +
          'infra-0.lab.example.com 127.0.11.1:443 check\n',
      ),
      ectx,
    ),
    true,
  );
  assert.match(String(commandCheck(edit.verify).ok(out('69d68\n< x\n'), ectx)), /removed lines 69, expected 69,80/);
  // node-1 is in no backend: skipped (single lb), the file is not touched
  const nctx = runCtx(
    { node: 'node-1.lab.example.com' },
    { 'node-name': 'node-1.lab.example.com', 'node-ip': JSON.stringify('127.0.12.2') },
    inv,
    lb,
  );
  const none = read.capture!['haproxy-delete']!(outs, nctx);
  assert.equal(none, '');
  const skip = edit.skipIf!(runCtx({ node: 'node-1.lab.example.com' }, { 'haproxy-sha': sha, 'haproxy-delete': '' }));
  assert.match(skip!, /no server line for node-1\.lab\.example\.com in backend router80, router443/);
  assert.match(
    stepOf('haproxy-restart').skipIf!(runCtx({ node: 'node-1.lab.example.com' }, { 'haproxy-sha': 'absent', 'haproxy-delete': '' }))!,
    /has no \/etc\/haproxy\/haproxy\.cfg/,
  );
});

test('the last step says what is left to do by hand', () => {
  const cmd = stepOf('remaining-work').commands(runCtx({ node: 'node-1.lab.example.com' }, { 'node-name': 'node-1.lab.example.com' }))[0]!
    .script;
  assert.match(cmd, /remove node-1\.lab\.example\.com from \[nodes\]/);
  assert.match(cmd, /systemctl disable --now atomic-openshift-node/);
  assert.match(cmd, /haproxy\.cfg\.bak-20240105030405 on lb-0\.lab\.example\.com/);
});
