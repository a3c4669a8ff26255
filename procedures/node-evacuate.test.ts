// Pure tests of 7.1.1 node-evacuate: registration, parameters, the plan (order, gates, the exact
// commands), the captures of the facts and pods steps on the lab's outputs, and the drain check's refusal.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParamError } from '../src/engine/params.js';
import { planProcedure } from '../src/engine/plan.js';
import type { PlanStep, Step, StepContext } from '../src/engine/types.js';
import type { Host, Inventory } from '../src/inventory/types.js';
import { runContext, testHost, withId } from '../src/testing/builders.js';
import { commandCheck } from '../src/testing/command-check.js';
import { podListJson } from '../src/testing/pods.js';
import { findEntry } from './catalogue.js';
import { findProcedure } from './index.js';
import { nodeEvacuate } from './node-evacuate.js';

function labInventory(): Inventory {
  const hosts = [
    testHost('master-0.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.1' } }),
    testHost('master-1.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.2' } }),
    testHost('master-2.lab.example.com', ['master', 'etcd', 'node'], { vars: { ansible_host: '127.0.10.3' } }),
    testHost('infra-0.lab.example.com', ['infra', 'node'], { vars: { ansible_host: '127.0.11.1' } }),
    testHost('node-0.lab.example.com', ['node'], { vars: { ansible_host: '127.0.12.1' } }),
    testHost('node-1.lab.example.com', ['node'], { vars: { ansible_host: '127.0.12.2' } }),
    testHost('lb-0.lab.example.com', ['lb'], { vars: { ansible_host: '127.0.13.1' } }),
  ];
  return { source: { kind: 'demo' }, hosts, groups: {}, groupVars: {}, warnings: [] };
}
const inv = labInventory();
const NOW = new Date(2024, 0, 5, 3, 4, 5);

const stepOf = (steps: readonly Step[], id: string): Step => withId(steps, id);
const planStep = (steps: PlanStep[], id: string): PlanStep => withId(steps, id);
/** A run-time context with these captured values. */
const runCtx = (params: Record<string, string>, captured: Record<string, string>, inventory = inv, host?: Host): StepContext =>
  runContext({ params, captured, inventory, startedAt: NOW, host });
const out = (stdout: string, exitCode = 0, stderr = '') => ({ exitCode, stdout, stderr });

const OC_VERSION =
  'oc v3.10.45\nkubernetes v1.10.0+b81c8f8\nfeatures: Basic-Auth GSSAPI Kerberos SPNEGO\n\nServer ' +
  'https://127.0.0.1:8443\nopenshift v3.10.45\nkubernetes v1.10.0+b81c8f8\n';
const NODES = [
  'infra-0.lab.example.com\tTrue\t\t\ttrue\t\t\t127.0.11.1',
  'master-0.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.1',
  'master-1.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.2',
  'master-2.lab.example.com\tTrue\ttrue\ttrue\t\t\t\t127.0.10.3',
  'node-0.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.1',
  'node-1.lab.example.com\tTrue\t\t\t\t\t\t127.0.12.2',
].join('\n');
const PODS_NODE0 = [
  'myproject\tbare-httpd\tRunning\t\t\t\t\t\t\tTrue',
  'myproject\tcache-vslkp\tRunning\tReplicationController\tcache\t{}\t\t\t\tTrue',
  'myproject\tfrontend-1-j7vf2\tRunning\tReplicationController\tfrontend-1\t\t\t\tfrontend\tTrue',
  'openshift-sdn\tsdn-zr8l7\tRunning\tDaemonSet\tsdn\t\t\t\t\tTrue',
].join('\n');
/** `oc get pods … -o json` on node-0 with these pods (rows of podListJson). */
const podsOut = (rows: string) => out(podListJson(rows, 'node-0.lab.example.com'));

test('registered and built; parameters node / delete-local-data (auto|yes|no) / force', () => {
  assert.equal(findProcedure('node-evacuate'), nodeEvacuate);
  assert.equal(findEntry('node-evacuate')?.built, true);
  assert.deepEqual(
    nodeEvacuate.parameters.map((p) => p.name),
    ['node', 'delete-local-data', 'force'],
  );
  assert.deepEqual(nodeEvacuate.parameters[0]!.choices, { fromRole: 'node' });
  assert.deepEqual(nodeEvacuate.parameters[1]!.choices, { values: ['auto', 'yes', 'no'] });
  assert.equal(nodeEvacuate.parameters[1]!.default, 'auto');
  assert.throws(() => planProcedure(nodeEvacuate, { node: 'lb-0.lab.example.com' }, inv, NOW), ParamError);
  assert.throws(
    () => planProcedure(nodeEvacuate, { node: 'node-0.lab.example.com', 'delete-local-data': 'maybe' }, inv, NOW),
    /must be one of auto, yes, no/,
  );
});

test('the plan: facts, pods, check, cordon, drain (confirm) or drain --force (type the name), list-pods', () => {
  const plan = planProcedure(nodeEvacuate, { node: 'node-0.lab.example.com' }, inv, NOW);
  assert.deepEqual(
    plan.map((s) => s.id),
    ['node-facts', 'pods', 'drain-check', 'cordon', 'drain', 'drain-force', 'list-pods', 'next'],
  );
  assert.ok(
    plan.every((s) => s.hosts.length === 0),
    'everything runs on the bastion',
  );
  assert.deepEqual(
    planStep(plan, 'cordon').commands.map((c) => c.command),
    ['oc adm manage-node <node-name> --schedulable=false'],
  );
  const drain = planStep(plan, 'drain');
  assert.equal(drain.skipped, undefined);
  assert.equal(drain.gate?.kind, 'confirm');
  assert.equal(drain.destructive, false);
  assert.deepEqual(
    drain.commands.map((c) => c.command),
    ['oc adm drain <node-name> --ignore-daemonsets --delete-local-data --timeout=300s'],
  );
  assert.match(planStep(plan, 'drain-force').skipped!, /force=no/);
  assert.deepEqual(
    planStep(plan, 'list-pods').commands.map((c) => c.command),
    ['oc adm manage-node <node-name> --list-pods'],
  );
  assert.ok(planStep(plan, 'drain-check').precondition);

  const forced = planProcedure(nodeEvacuate, { node: 'node-0.lab.example.com', force: 'yes', 'delete-local-data': 'no' }, inv, NOW);
  assert.match(planStep(forced, 'drain').skipped!, /force=yes/);
  const f = planStep(forced, 'drain-force');
  assert.equal(f.skipped, undefined);
  assert.equal(f.destructive, true);
  assert.equal(f.gate?.kind, 'type-host');
  assert.deepEqual(
    f.commands.map((c) => c.command),
    ['oc adm drain <node-name> --ignore-daemonsets --force --timeout=300s'],
  );
});

test('the facts and pods captures on the lab outputs; the drain command follows them', () => {
  const facts = stepOf(nodeEvacuate.steps, 'node-facts');
  const ctx0 = runCtx({ node: 'node-0.lab.example.com', 'delete-local-data': 'auto', force: 'no' }, {});
  const outs = [out(OC_VERSION), out(NODES)];
  assert.equal(facts.capture!['node-name']!(outs, ctx0), 'node-0.lab.example.com');
  assert.equal(JSON.parse(facts.capture!['node-ip']!(outs, ctx0)), '127.0.12.1');
  assert.equal(JSON.parse(facts.capture!['node-kind']!(outs, ctx0)), 'compute');
  const version = facts.capture!['oc-version']!(outs, ctx0);
  assert.equal(JSON.parse(version).kubeMinor, 10);
  assert.throws(
    () => facts.capture!['node-name']!([out(OC_VERSION), out('', 1, 'error: You must be logged in to the server (Unauthorized)')], ctx0),
    /oc get nodes failed: error: You must be logged in/,
  );
  assert.throws(
    () => facts.capture!['node-name']!(outs, runCtx({ node: 'lb-0.lab.example.com' }, {})),
    /lb-0\.lab\.example\.com is not a node of the cluster/,
  );

  const pods = stepOf(nodeEvacuate.steps, 'pods');
  const captured = { 'node-name': 'node-0.lab.example.com', 'oc-version': version };
  const forecast = pods.capture!['forecast']!([podsOut(PODS_NODE0)], runCtx({ node: 'node-0.lab.example.com' }, captured));
  const all = { ...captured, forecast };
  // the check refuses without force, with the way on; passes with force=yes
  const check = commandCheck(stepOf(nodeEvacuate.steps, 'drain-check').precondition);
  const refused = check.ok(podsOut(PODS_NODE0), runCtx({ node: 'node-0.lab.example.com', 'delete-local-data': 'auto', force: 'no' }, all));
  assert.match(String(refused), /without a controller \(myproject\/bare-httpd\).*force=yes/);
  assert.equal(
    check.ok(podsOut(PODS_NODE0), runCtx({ node: 'node-0.lab.example.com', 'delete-local-data': 'auto', force: 'yes' }, all)),
    true,
  );
  // auto: --delete-local-data because cache-vslkp has an emptyDir volume; an oc 4.7 client spells it --delete-emptydir-data
  const drainForce = stepOf(nodeEvacuate.steps, 'drain-force');
  const p = { node: 'node-0.lab.example.com', 'delete-local-data': 'auto', force: 'yes' };
  assert.equal(
    drainForce.commands(runCtx(p, all))[0]!.script,
    'oc adm drain node-0.lab.example.com --ignore-daemonsets --delete-local-data --force --timeout=300s',
  );
  const v47 = facts.capture!['oc-version']!(
    [out('Client Version: 4.7.0\nServer Version: 4.7.0\nKubernetes Version: v1.20.0'), out(NODES)],
    ctx0,
  );
  assert.match(drainForce.commands(runCtx(p, { ...all, 'oc-version': v47 }))[0]!.script, /--delete-emptydir-data --force/);
  const noEmptyDir = pods.capture!['forecast']!(
    [
      podsOut(
        PODS_NODE0.split('\n')
          .filter((l) => !l.includes('cache'))
          .join('\n'),
      ),
    ],
    runCtx({ node: 'node-0.lab.example.com' }, captured),
  );
  assert.equal(
    drainForce.commands(runCtx(p, { ...all, forecast: noEmptyDir }))[0]!.script,
    'oc adm drain node-0.lab.example.com --ignore-daemonsets --force --timeout=300s',
  );
  // the gate names the pods lost for good
  assert.match(drainForce.gate!.what(runCtx(p, all)), /myproject\/bare-httpd has no controller and is DELETED FOR GOOD/);
  // the verification: only daemon set pods left
  const verify = commandCheck(drainForce.verify);
  assert.match(String(verify.ok(podsOut(PODS_NODE0), runCtx(p, all))), /still on the node: myproject\/bare-httpd/);
  assert.equal(verify.ok(podsOut('openshift-sdn\tsdn-zr8l7\tRunning\tDaemonSet\tsdn\t\t\t\t\tTrue\n'), runCtx(p, all)), true);
});
